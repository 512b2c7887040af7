"""B8 password policy: at least 8 characters, up to 128, none of the common passwords, no
composition rule; stored with Argon2."""

from __future__ import annotations

import gzip

import pytest
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    get_default_password_validators,
    validate_password,
)
from django.core.exceptions import ValidationError

from msinfusion.web import settings as real_settings

TOP = 3000


def common_passwords_in_order() -> list[str]:
    path = CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [line.strip() for line in handle if line.strip()]


def accepted(password: str) -> bool:
    try:
        validate_password(password)
    except ValidationError:
        return False
    return True


def codes(password: str) -> set[str]:
    try:
        validate_password(password)
    except ValidationError as exc:
        return {e.code for e in exc.error_list}
    return set()


def test_the_validators_are_length_common_and_maximum_only():
    names = [type(v).__name__ for v in get_default_password_validators()]
    assert names == [
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "MaximumLengthValidator",
    ]


@pytest.mark.parametrize("password", ["", "a", "seven77", "Xq9$mZ!"])
def test_fewer_than_8_characters_are_rejected(password):
    assert "password_too_short" in codes(password)


def test_8_uncommon_characters_are_enough():
    assert accepted("vqlkzmwp")


@pytest.mark.parametrize("length", [64, 128])
def test_long_passphrases_are_accepted(length):
    phrase = ("maple river lantern quietly " * 10)[:length]
    assert len(phrase) == length
    assert accepted(phrase)


def test_more_than_128_characters_are_rejected():
    assert codes("y" * 128) == set()
    assert codes("y" * 129) == {"password_too_long"}


def test_the_list_holds_more_than_the_top_3000():
    passwords = common_passwords_in_order()
    assert len(passwords) == 19640  # Django 5.2's list (documented as "20,000 common passwords")
    assert passwords[:4] == ["123456", "123456789", "qwerty", "password"]


def test_all_of_the_3000_most_common_passwords_are_rejected():
    top = common_passwords_in_order()[:TOP]
    assert len(top) == TOP
    let_through = [p for p in top if accepted(p)]
    assert let_through == []
    # the long ones are caught by the list itself, not only by the length rule
    long_ones = [p for p in top if len(p) >= 8]
    assert len(long_ones) > 1000
    assert all("password_too_common" in codes(p) for p in long_ones)


@pytest.mark.parametrize("password", ["password1", "PASSWORD1", "  Password1  ", "iloveyou"])
def test_common_passwords_are_rejected_whatever_the_case(password):
    assert "password_too_common" in codes(password)


@pytest.mark.parametrize(
    "password",
    [
        "onlylowercaseletters",  # no digit, no capital, no symbol
        "ONLYCAPITALSHERE",
        "58203917465",  # digits only
        "with spaces and nothing else",
    ],
)
def test_there_is_no_composition_rule(password):
    assert password not in set(common_passwords_in_order())
    assert accepted(password)


def test_passwords_are_hashed_with_argon2():
    assert real_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    assert (
        Argon2PasswordHasher()
        .encode("a quiet lake", Argon2PasswordHasher().salt())
        .startswith("argon2$argon2id$")
    )
