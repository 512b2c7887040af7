"""People who log in, their role and center, API tokens and failed logins."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    NURSE = "nurse", "Nurse"
    NEUROLOGIST = "neurologist", "Neurologist"
    CENTER_ADMIN = "center_admin", "Center admin"


class User(AbstractUser):
    """A login. Staff belong to one center; a patient's account links to one Patient."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    center = models.ForeignKey(
        "clinic.Center", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    @property
    def is_care_staff(self) -> bool:
        return self.role in (Role.NURSE, Role.NEUROLOGIST) and self.center_id is not None

    @property
    def is_center_admin(self) -> bool:
        return self.role == Role.CENTER_ADMIN and self.center_id is not None


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for scripts; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField()
    last_used = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)


class LoginFailure(models.Model):
    """One failed login, counted per account and per client address for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
