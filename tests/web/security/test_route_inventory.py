"""Every route has a row in the matrix table (routes.py): a new route without one fails here.

"Every endpoint" means listed automatically from the URLconf and the OpenAPI schema
(reliability-tests.md); these tests name the route to add, or the planned route still missing.
"""

from __future__ import annotations

from django.test import Client

from . import inventory
from .routes import API, API_EXTRA_PATTERNS, HTML, PLANNED_HTML


def test_every_page_route_has_a_matrix_entry():
    unlisted = sorted(set(inventory.html_routes()) - set(HTML))
    assert not unlisted, (
        f"routes with no entry in tests/web/security/routes.py HTML: {unlisted}. Add each one "
        "with its kind, methods and the actors allowed to use it."
    )


def test_every_matrix_entry_is_a_real_route():
    missing = sorted(set(HTML) - set(inventory.html_routes()))
    assert not missing, (
        f"routes in the matrix that the URLconf does not have (not built yet, or renamed): {missing}"
    )


def test_the_planned_routes_exist():
    missing = [name for name in PLANNED_HTML if name not in inventory.html_routes()]
    assert not missing, f"promised routes that do not exist yet: {missing}"


def test_every_api_operation_has_a_matrix_entry(db):
    operations = inventory.api_operations(Client())
    unlisted = sorted(operations - set(API))
    assert not unlisted, (
        f"API operations with no entry in tests/web/security/routes.py API: {unlisted}"
    )
    missing = sorted(set(API) - operations)
    assert not missing, f"API operations in the matrix that the schema does not have: {missing}"


def test_every_api_url_is_in_the_schema(db):
    schema_routes = {
        inventory.schema_path_to_route(op.split(" ", 1)[1])
        for op in inventory.api_operations(Client())
    }
    hidden = sorted(inventory.api_url_routes() - schema_routes - API_EXTRA_PATTERNS)
    assert not hidden, f"API URLs that the OpenAPI schema does not describe: {hidden}"


def test_admin_is_for_superusers_only(client, world):
    for user in (world.nurse, world.center_admin, world.patient_user):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    client.logout()
    assert client.get("/admin/").status_code == 302
