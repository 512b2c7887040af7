"""The JSON API under /api/v1/ (django-ninja); the schema is at /api/v1/openapi.json.

Every endpoint except `POST /auth/token` needs `Authorization: Bearer TOKEN` (see auth.py and
docs/api.md). Routers: auth (tokens), patients (list, record, readiness, plan, due-list) and
clinical (results, administrations, courses).
"""

from __future__ import annotations

from django.conf import settings
from ninja import NinjaAPI

from msinfusion.web.api import auth, clinical, errors, patients

api = NinjaAPI(
    title="msinfusion API",
    version="1",
    description="Patients, results, administrations, courses, plans, readiness and due-lists.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    # ninja serves its docs page from its own static files only when "ninja" is an installed app;
    # otherwise the page loads scripts from a CDN, which the CSP blocks (and which would tell a third
    # party who reads the docs): no docs page then, the schema is enough.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
    auth=auth.TokenAuth(),
)
errors.install(api)
api.add_router("/auth", auth.router)
api.add_router("/patients", patients.router)
api.add_router("/patients", clinical.router)
