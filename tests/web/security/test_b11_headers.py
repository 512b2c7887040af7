"""B11: security headers and cookies on every page and API response of a crawl, as every actor.

The cookie settings are taken from a process started with MSINFUSION_ENV=production (so the test
checks what production really sets), then the crawl logs in as each actor over HTTPS and GETs every
route of the matrix (pages, htmx partials, the calendar feed, API operations, error pages).
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import client_for, url_values
from .production import production_settings
from .routes import ACCOUNT, ACTORS, API, FEED, HTML
from .test_b01_access_matrix import _build_api_url, _build_html_url

PASSWORD = "correct horse battery staple"
ONE_YEAR = 31536000
COOKIE_SETTINGS = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_NAME",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
]


@pytest.fixture(scope="session")
def production_values(tmp_path_factory) -> dict:
    return production_settings(str(tmp_path_factory.mktemp("prod")))


@pytest.fixture
def production_cookies(settings, production_values):
    values = production_values
    for name in COOKIE_SETTINGS:
        setattr(settings, name, values[name])
    return values


def test_production_sets_secure_host_cookies(production_cookies):
    assert production_cookies["SESSION_COOKIE_SECURE"] is True
    assert production_cookies["CSRF_COOKIE_SECURE"] is True
    assert production_cookies["SESSION_COOKIE_HTTPONLY"] is True
    assert production_cookies["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production_cookies["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production_cookies["SECURE_SSL_REDIRECT"] is True
    assert production_cookies["DEBUG"] is False


def header_problems(response) -> list[str]:
    problems = []
    hsts = response.get("Strict-Transport-Security", "")
    match = re.search(r"max-age=(\d+)", hsts)
    if not match or int(match.group(1)) < ONE_YEAR or "includeSubDomains" not in hsts:
        problems.append(f"HSTS {hsts!r}")
    csp = {
        part.strip().split(" ", 1)[0]: part.strip()
        for part in response.get("Content-Security-Policy", "").split(";")
        if part.strip()
    }
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) != f"{directive} 'none'":
            problems.append(f"CSP {directive}: {csp.get(directive)!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options {response.get('X-Content-Type-Options')!r}")
    if response.get("Referrer-Policy") not in ("same-origin", "no-referrer"):
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return problems


def cookie_problems(response, settings) -> list[str]:
    problems = []
    for name, morsel in response.cookies.items():
        where = f"cookie {name}"
        if not name.startswith("__Host-"):
            problems.append(f"{where}: no __Host- prefix")
        if not morsel["secure"]:
            problems.append(f"{where}: not Secure")
        if morsel["path"] != "/" or morsel["domain"]:
            problems.append(f"{where}: path {morsel['path']!r} domain {morsel['domain']!r}")
        deletion = morsel.value == "" and str(morsel["max-age"]) == "0"
        if name == settings.SESSION_COOKIE_NAME and not morsel["httponly"] and not deletion:
            problems.append(f"{where}: not HttpOnly")
    return problems


def crawl_urls(world, extras) -> tuple[list[str], list[str]]:
    values = url_values(world, extras)
    pages = [
        _build_html_url(name, values)
        for name, route in HTML.items()
        if "GET" in route.methods and route.kind != FEED
    ]
    pages += [f"/calendar/{world.patient.calendar_token}.ics", "/no/such/page/", "/calendar/x.ics"]
    api = [_build_api_url(op, values) for op in API if op.startswith("GET ")]
    api += ["/api/v1/openapi.json", "/api/v1/patients/999999", "/api/v1/nothing-here"]
    return pages, api


@pytest.mark.parametrize("actor", ACTORS)
def test_every_response_of_the_crawl_carries_the_headers(
    world, extras, production_cookies, settings, actor
):
    seen: dict[str, set[str]] = {}
    problems = []

    def check(response, url):
        for p in header_problems(response) + cookie_problems(response, settings):
            problems.append(f"{url} ({response.status_code}) as {actor}: {p}")
        for name in response.cookies:
            seen.setdefault(name, set()).add(url)

    client = Client()
    check(client.get("/login/", secure=True), "/login/")
    if actor != "anonymous":
        username = getattr(world, ACCOUNT[actor]).username
        response = client.post("/login/", {"username": username, "password": PASSWORD}, secure=True)
        assert response.status_code == 302
        check(response, "POST /login/")
    pages, api = crawl_urls(world, extras)
    for url in pages:
        check(client.get(url, secure=True), url)
    api_client = client_for(world, extras, actor, api=True)
    for url in api:
        check(api_client.get(url, secure=True), url)
    assert not problems, "\n".join(problems)
    assert settings.CSRF_COOKIE_NAME in seen
    if actor != "anonymous":
        assert settings.SESSION_COOKIE_NAME in seen
    assert set(seen) <= {settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME}


def test_a_write_with_a_message_sets_no_other_cookie(world, extras, production_cookies, settings):
    client = Client()
    response = client.post("/login/", {"username": "admin", "password": PASSWORD}, secure=True)
    response = client.post("/center/chairs/", {"number": 9, "kind": "bed"}, secure=True)
    assert response.status_code == 302
    assert header_problems(response) == []
    assert cookie_problems(response, settings) == []
    page = client.get("/center/chairs/", secure=True)
    assert "Bed 9 added." in page.content.decode()
    assert set(page.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def test_logout_clears_the_session_cookie_securely(world, production_cookies, settings):
    client = Client()
    client.post("/login/", {"username": "admin", "password": PASSWORD}, secure=True)
    response = client.post("/logout/", secure=True)
    assert cookie_problems(response, settings) == []
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
