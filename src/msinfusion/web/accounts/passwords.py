"""Password rules: at least 8 characters, not a common password, no composition rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError

MAX_LENGTH = 128


class MaximumLengthValidator:
    """Refuse absurdly long passwords (hashing cost); 128 characters stay allowed."""

    def validate(self, password: str, user: object = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                f"This password is too long: at most {MAX_LENGTH} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {MAX_LENGTH} characters."
