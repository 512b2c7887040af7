"""Generic error pages: no traceback, SQL or settings ever reach the browser (B13).

The 500 page is rendered from the template when it can be, and from a fixed string when even that
fails (a database that is down breaks the template's user lookup), so an error page never errors.
The error itself is logged with the request id, which the page shows as the reference to quote.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger("msinfusion.errors")

FALLBACK_500 = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Something went wrong</title>"
    "<h1>Something went wrong</h1><p>The error has been logged. Please try again in a moment.</p>"
    "<p>Reference: {request_id}</p></html>"
)


def _request_id(request) -> str:
    return str(getattr(request, "request_id", "") or "")


def _page(request, status: int, title: str, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": title}, status=status)
    context = {"title": title, "message": message, "request_id": _request_id(request)}
    return render(request, "pages/error.html", context, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Bad request", "The request could not be understood.")


def forbidden(request, exception=None):
    return _page(request, 403, "Not allowed", "Your account cannot do this.")


def not_found(request, exception=None):
    return _page(request, 404, "Not found", "There is nothing here, or you cannot see it.")


def csrf_failure(request, reason: str = ""):
    """A form sent without its security token (CSRF_FAILURE_VIEW): a 403 that says what to do."""
    log.warning("CSRF check failed on %s %s", request.method, request.path)
    return _page(
        request,
        403,
        "This form has expired",
        "Go back, reload the page and send the form again.",
    )


def server_error(request):
    request_id = _request_id(request)
    log.error("server error %s on %s %s", request_id, request.method, request.path)
    try:
        return _page(
            request,
            500,
            "Something went wrong",
            "The error has been logged. Please try again in a moment.",
        )
    except Exception:
        log.exception("the error page itself failed (request %s)", request_id)
        return HttpResponse(
            FALLBACK_500.format(request_id=request_id), status=500, content_type="text/html"
        )
