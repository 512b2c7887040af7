"""Fixtures for the center-admin pages: a logged-in admin of the world's first center."""

from __future__ import annotations

import pytest

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world creates a dozen accounts; Argon2 (the real hasher) would take seconds per test."""
    settings.PASSWORD_HASHERS = FAST_HASHER


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.center_admin)
    return client
