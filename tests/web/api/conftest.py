"""API test helpers: a bearer token for any user of the `world`, and a client that sends it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from msinfusion.web.accounts.models import ApiToken, hash_token
from msinfusion.web.audit.models import AuditEvent

BASE = "/api/v1"


def make_token(user, lifetime: timedelta = timedelta(days=30)) -> str:
    raw = ApiToken.new_key()
    ApiToken.objects.create(user=user, key_hash=hash_token(raw), expires=timezone.now() + lifetime)
    return raw


class Api:
    """The Django test client with `Authorization: Bearer` (or none, for the anonymous caller)."""

    def __init__(self, client, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body=None, raw: bytes | str | None = None):
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            BASE + path, data, content_type="application/json", headers=self.headers
        )

    def delete(self, path: str):
        return self.client.delete(BASE + path, headers=self.headers)

    def call(self, method: str, path: str, body=None):
        if method == "get":
            return self.get(path)
        if method == "delete":
            return self.delete(path)
        return self.post(path, body)


@pytest.fixture
def api_as(client, db):
    """`api_as(user)` -> Api with a fresh token for user; `api_as(None)` -> no token."""

    def make(user) -> Api:
        return Api(client, make_token(user) if user is not None else None)

    return make


def audit_rows(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("id"))
