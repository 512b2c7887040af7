"""Generic error pages: no traceback, SQL or settings ever reach the browser (B13)."""

from __future__ import annotations

import logging

from django.shortcuts import render

log = logging.getLogger("msinfusion.errors")


def _page(request, status: int, title: str, message: str):
    context = {"title": title, "message": message, "request_id": getattr(request, "request_id", "")}
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": title}, status=status)
    return render(request, "pages/error.html", context, status=status)


def forbidden(request, exception=None):
    return _page(request, 403, "Not allowed", "Your account cannot do this.")


def not_found(request, exception=None):
    return _page(request, 404, "Not found", "There is nothing here, or you cannot see it.")


def server_error(request):
    log.error("server error on %s %s", request.method, request.path)
    return _page(
        request,
        500,
        "Something went wrong",
        "The error has been logged. Please try again in a moment.",
    )
