"""Limit/offset pages with bounds, and the patient list's page that audits what it shows.

ninja's own LimitOffsetPagination accepts any limit and offset; a huge one overflows the database's
integer and ends in a 500, so both are bounded here (a request beyond the bounds gets a 422).
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from msinfusion.web.audit.log import Action, audit_many

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="items per page")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")

    def paginate_queryset(self, queryset, pagination: Input, request, **params: Any) -> Any:
        start = pagination.offset
        return {
            "items": list(queryset[start : start + pagination.limit]),
            "count": queryset.count(),
        }


class AuditedPatientPage(Page):
    """A page of patients: one audit row per patient on the page (not per patient in the list)."""

    def __init__(self, *, resource: str, **kwargs: Any) -> None:
        self.resource = resource
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination, request, **params: Any) -> Any:
        page = super().paginate_queryset(queryset, pagination, request, **params)
        audit_many(request, page["items"], Action.READ, self.resource)
        return page
