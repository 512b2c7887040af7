"""Every route the app serves, collected from the URLconf and the OpenAPI schema."""

from __future__ import annotations

from collections import Counter

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

SKIPPED_NAMESPACES = {"admin"}  # Django admin: superusers only (test_admin_is_for_superusers_only)
API_NAMESPACE = "api"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _walk(resolver: URLResolver, prefix: str = "", namespace: str | None = None):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry.name, route, entry


def url_patterns():
    """(namespace, name, route, pattern) of every URL pattern."""
    return list(_walk(get_resolver()))


def html_routes() -> dict[str, str]:
    """name -> route of every page route (not the admin, not the API)."""
    found = [
        (name, route)
        for ns, name, route, _ in url_patterns()
        if ns not in SKIPPED_NAMESPACES and ns != API_NAMESPACE
    ]
    unnamed = [route for name, route in found if not name]
    assert not unnamed, f"routes without a name cannot be tested: {unnamed}"
    twice = [name for name, n in Counter(name for name, _ in found).items() if n > 1]
    assert not twice, f"route names used twice: {twice}"
    return dict(found)


def api_url_routes() -> set[str]:
    """The URL patterns of the API namespace, as `api/v1/patients/<id>`."""
    return {route for ns, _name, route, _ in url_patterns() if ns == API_NAMESPACE}


def api_operations(client: Client | None = None) -> set[str]:
    """`METHOD /path` of every operation in the OpenAPI schema at /api/v1/openapi.json."""
    response = (client or Client()).get("/api/v1/openapi.json")
    assert response.status_code == 200, "the OpenAPI schema must be public at /api/v1/openapi.json"
    schema = response.json()
    return {
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def schema_path_to_route(path: str) -> str:
    """/api/v1/patients/{id} -> api/v1/patients/<id>"""
    return path.lstrip("/").replace("{", "<").replace("}", ">")
