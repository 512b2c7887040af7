"""The JSON API under /api/v1/ (django-ninja); the schema is at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="msinfusion API",
    version="1",
    description="Patients, results, administrations, courses, plans, readiness and due-lists.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
