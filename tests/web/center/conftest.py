"""Fixtures for the center-admin pages: a logged-in admin of the world's first center."""

from __future__ import annotations

import pytest


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.center_admin)
    return client
