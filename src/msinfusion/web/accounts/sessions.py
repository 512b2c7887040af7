"""Session lifetime: 30 minutes idle, 12 hours absolute from login (B6)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect

LAST_SEEN = "_last_seen"
LOGGED_IN_AT = "_logged_in_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            logged_in = request.session.get(LOGGED_IN_AT, now)
            idle = now - last_seen > settings.SESSION_IDLE_SECONDS
            too_old = now - logged_in > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            request.session[LAST_SEEN] = now
            request.session.setdefault(LOGGED_IN_AT, now)
        return self.get_response(request)
