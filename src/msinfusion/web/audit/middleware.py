"""A request id for every request (response header, logs, audit rows) and the client address."""

from __future__ import annotations

import contextvars
import logging
import uuid

from django.conf import settings

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def client_ip(request) -> str:
    """REMOTE_ADDR, or the trusted proxy's header when one is configured (never X-Forwarded-For
    from the client itself, which anyone can set)."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        value = request.META.get(header, "").split(",")[-1].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
