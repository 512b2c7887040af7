"""B23: every page route refuses a POST without a CSRF token (403), and every GET leaves the row
counts of every table unchanged (the audit log aside: it records the read).

Routes come from the URLconf through the matrix table, so a new route is covered (or fails
test_route_inventory.py) without anyone remembering to add it here.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from . import inventory
from .conftest import client_for, row_counts, url_values
from .routes import ACCOUNT, ACTORS, API, FEED, HTML
from .test_b01_access_matrix import _build_api_url, _build_html_url

PASSWORD = "correct horse battery staple"


def world_user(world, actor):
    return getattr(world, ACCOUNT[actor])


def _actor_for(route) -> str:
    """Someone the route would serve, so that only the missing token can explain a 403."""
    return sorted(route.allowed)[0] if route.allowed else "anonymous"


def _names() -> list[str]:
    return sorted(set(HTML) | set(inventory.html_routes()))


@pytest.mark.parametrize("name", _names())
def test_a_post_without_a_csrf_token_is_refused(world, extras, name):
    assert name in HTML, f"route {name!r} has no entry in tests/web/security/routes.py"
    assert name in inventory.html_routes(), f"route {name!r} is not in the URLconf"
    route = HTML[name]
    actor = "patient" if route.kind == FEED else _actor_for(route)
    url = _build_html_url(name, url_values(world, extras))
    with transaction.atomic():
        client = Client(enforce_csrf_checks=True)
        if actor != "anonymous":
            client.force_login(world_user(world, actor))
        before = row_counts()
        response = client.post(url, {"anything": "1"})
        assert response.status_code == 403, f"POST {url} without a token: {response.status_code}"
        assert "This form has expired" in response.content.decode()
        assert row_counts() == before
        transaction.set_rollback(True)
    if "POST" in route.methods:
        # with the token the same POST gets past the check: the 403 above was the CSRF check
        with transaction.atomic():
            client = Client(enforce_csrf_checks=True)
            if actor != "anonymous":
                client.force_login(world_user(world, actor))
            client.get("/login/")
            token = client.cookies[settings.CSRF_COOKIE_NAME].value
            response = client.post(url, {"csrfmiddlewaretoken": token})
            assert response.status_code != 403, f"POST {url} with a token: 403"
            transaction.set_rollback(True)


def test_login_itself_needs_the_token(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "nurse", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_api_takes_no_cookies_so_needs_no_csrf_token(world, extras):
    """API writes authenticate with a bearer token only; a browser's session cookie is ignored,
    so a cross-site form cannot write through the API."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.nurse)  # a session cookie, as a browser would send
    url = f"/api/v1/patients/{world.patient.pk}/results"
    body = {"test": "hbsag", "value": "negative", "date": "2026-01-02"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("name", [n for n in _names() if n in HTML and "GET" in HTML[n].methods])
def test_a_get_writes_no_rows(world, extras, name):
    url = _build_html_url(name, url_values(world, extras))
    if HTML[name].kind == FEED:
        url = f"/calendar/{world.patient.calendar_token}.ics"
    changed = []
    for actor in ACTORS:
        with transaction.atomic():
            client = client_for(world, extras, actor)
            before = row_counts()
            client.get(url)
            if row_counts() != before:
                changed.append(actor)
            transaction.set_rollback(True)
    assert not changed, f"GET {url} changed row counts for {changed}"


@pytest.mark.parametrize("operation", [op for op in sorted(API) if op.startswith("GET ")])
def test_an_api_get_writes_no_rows(world, extras, operation):
    url = _build_api_url(operation, url_values(world, extras))
    changed = []
    for actor in ACTORS:
        with transaction.atomic():
            client = client_for(world, extras, actor, api=True)
            before = row_counts()
            client.get(url)
            if row_counts() != before:
                changed.append(actor)
            transaction.set_rollback(True)
    assert not changed, f"GET {url} changed row counts for {changed}"
