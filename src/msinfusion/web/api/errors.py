"""One error shape for the whole API, and the handlers that produce it.

Every refusal is JSON: `{"detail": "..."}` for 400/401/403/404/409, and for bad input (422)
`{"detail": [{"loc": ["body", "dose_mg"], "msg": "...", "type": "..."}]}` where `loc` starts with
where the value came from (`body`, `query`, `path`, or `record` when the stored record itself cannot
answer) followed by the field path. Nothing here ever answers 500: unexpected exceptions go on to
Django's generic error handler (pages/errors.py), which logs them and answers `{"detail": ...}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from msinfusion.errors import MsInfusionError


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationOut(Schema):
    detail: list[FieldErrorOut]


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut, 409: ErrorOut}


class InputError(Exception):
    """Bad input found by a view (catalog checks, dates relative to the patient): a 422."""

    def __init__(self, loc: Sequence[str | int], msg: str, kind: str = "value_error") -> None:
        self.errors = [{"loc": list(loc), "msg": msg, "type": kind}]
        super().__init__(msg)


class Conflict(Exception):
    """The request is valid but clashes with stored data (a duplicate, an already stopped course)."""


def care_error(exc: MsInfusionError, query: dict[str, str]) -> InputError:
    """A domain error as a 422: query parameters it names point at the query, anything else at the
    stored record (the patient's data cannot answer the question as asked)."""
    if exc.field in query:
        return InputError(["query", query[exc.field]], exc.problem, "care")
    loc: list[str | int] = ["record", *[p for p in exc.field.split(".") if p]]
    return InputError(loc, exc.problem, "care")


def _field_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ninja's errors with the body parameter's own name left out of the path: ["body", "dose_mg"]."""
    out = []
    for err in errors:
        loc = list(err.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "body":
            loc = ["body", *loc[2:]]
        # pydantic names union members in the path (`constrained-float`); keep field names only
        loc = [p for p in loc if isinstance(p, int) or str(p).isidentifier()]
        out.append(
            {
                "loc": [p if isinstance(p, int) else str(p) for p in loc],
                "msg": str(err.get("msg", "invalid value")),
                "type": str(err.get("type", "value_error")),
            }
        )
    return out


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API (after ninja's defaults, so these win)."""

    def respond(request, status: int, detail: Any):
        return api.create_response(request, {"detail": detail}, status=status)

    def on_validation(request, exc: ValidationError):
        return respond(request, 422, _field_errors(exc.errors))

    def on_input(request, exc: InputError):
        return respond(request, 422, exc.errors)

    def on_http(request, exc: HttpError):
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # ninja could not decode the JSON body: that is bad input like any other
            errors = [
                {"loc": ["body"], "msg": "the body is not valid JSON", "type": "json_invalid"}
            ]
            return respond(request, 422, errors)
        return respond(request, exc.status_code, str(exc))

    def on_unauthenticated(request, exc: AuthenticationError):
        response = respond(request, 401, "A valid API token is required (Authorization: Bearer).")
        response["WWW-Authenticate"] = 'Bearer realm="msinfusion"'
        return response

    def on_not_found(request, exc: Http404):
        return respond(request, 404, "Not found")

    def on_forbidden(request, exc: PermissionDenied):
        return respond(request, 403, str(exc) or "Your account cannot do this.")

    def on_conflict(request, exc: Conflict):
        return respond(request, 409, str(exc))

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(InputError, on_input)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(AuthenticationError, on_unauthenticated)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PermissionDenied, on_forbidden)
    api.add_exception_handler(Conflict, on_conflict)
