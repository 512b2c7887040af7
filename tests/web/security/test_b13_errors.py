"""B13: an exception in a view with DEBUG=False gives the generic 500 page (or JSON for the API),
with no traceback, SQL or settings in it, and the error is logged with the request id.

This module is its own URLconf (`pytest.mark.urls`): the app's routes plus views that fail.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import include, path

from msinfusion.web import urls as app_urls


def failing_sql(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT secret_column FROM no_such_table_for_b13 WHERE id = 1")


def failing_with_secrets(request):
    raise RuntimeError(
        f"key={settings.SECRET_KEY} db={settings.DATABASES['default']['NAME']} "
        f"dir={settings.DATA_DIR}"
    )


urlpatterns = [
    path("boom/sql", failing_sql),
    path("boom/secrets", failing_with_secrets),
    path("api/v1/boom", failing_with_secrets),
    path("", include(app_urls.urlpatterns)),
]
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500

pytestmark = pytest.mark.urls(__name__)


def forbidden_texts() -> list[str]:
    return [
        "Traceback",
        "SELECT",
        "no_such_table",
        "secret_column",
        "RuntimeError",
        "OperationalError",
        "ProgrammingError",
        settings.SECRET_KEY,
        str(settings.DATABASES["default"]["NAME"]),
        str(settings.DATA_DIR),
        "msinfusion/web",
        "site-packages",
    ]


@pytest.fixture
def crashing_client(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("url", ["/boom/sql", "/boom/secrets"])
def test_an_exception_gives_the_generic_page(db, crashing_client, caplog, url):
    with caplog.at_level(logging.ERROR):
        response = crashing_client.get(url)
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text
    leaked = [t for t in forbidden_texts() if t in text]
    assert leaked == []
    request_id = response["X-Request-ID"]
    assert f"Reference: {request_id}" in text  # what the user quotes to support
    logged = [r for r in caplog.records if r.name == "msinfusion.errors"]
    assert any(request_id in r.getMessage() for r in logged)


def test_the_request_id_is_attached_to_every_log_record_of_the_request(db, crashing_client, caplog):
    from msinfusion.web.audit.middleware import RequestIdFilter

    seen = []

    class Grab(logging.Handler):
        def emit(self, record):
            seen.append((record.name, record.request_id))

    handler = Grab(level=logging.ERROR)
    handler.addFilter(RequestIdFilter())
    django_request = logging.getLogger("django.request")
    django_request.addHandler(handler)
    logging.getLogger("msinfusion.errors").addHandler(handler)
    try:
        response = crashing_client.get("/boom/secrets")
    finally:
        django_request.removeHandler(handler)
        logging.getLogger("msinfusion.errors").removeHandler(handler)
    request_id = response["X-Request-ID"]
    assert ("django.request", request_id) in seen  # Django's own record, with the traceback
    assert ("msinfusion.errors", request_id) in seen


def test_an_api_exception_gives_generic_json(db, crashing_client):
    response = crashing_client.get("/api/v1/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong"}
    assert [t for t in forbidden_texts() if t in response.content.decode()] == []


def test_the_error_page_itself_never_fails(db, crashing_client, monkeypatch):
    """If even the template cannot render (say the database is down), a fixed page answers."""
    from msinfusion.web.pages import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(errors, "render", broken)
    response = crashing_client.get("/boom/secrets")
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong" in text
    assert response["X-Request-ID"] in text
    assert [t for t in forbidden_texts() if t in text] == []


def test_not_found_and_forbidden_pages_are_generic_too(world, crashing_client):
    crashing_client.force_login(world.patient_user)
    for url, status in (("/no/such/page", 404), ("/center/", 403)):
        response = crashing_client.get(url)
        assert response.status_code == status
        text = response.content.decode()
        assert "Traceback" not in text
        assert "urlpatterns" not in text and "Using the URLconf" not in text
