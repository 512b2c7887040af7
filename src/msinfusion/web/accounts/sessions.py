"""Session lifetime (B6): 30 minutes idle, 12 hours absolute from login.

The login view stamps the session with the login time; every request by a signed-in user checks both
limits and then records itself as the latest activity. An expired session is flushed (its key is
gone from the store, so a replayed cookie finds nothing) and the user is sent to the login page
(API callers simply become anonymous and get 401). An account that is deactivated is refused by
Django's authentication backend on its next request, so its sessions end there too.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

LAST_SEEN = "_last_seen"
LOGGED_IN_AT = "_logged_in_at"


def stamp_login(session) -> None:
    """Called right after `login()`: the absolute and idle clocks both start now."""
    now = time.time()
    session[LOGGED_IN_AT] = now
    session[LAST_SEEN] = now


def expired(session, now: float) -> bool:
    last_seen = session.get(LAST_SEEN, now)
    logged_in = session.get(LOGGED_IN_AT, now)
    idle = now - last_seen > settings.SESSION_IDLE_SECONDS
    too_old = now - logged_in > settings.SESSION_COOKIE_AGE
    return idle or too_old


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            if expired(request.session, now):
                logout(request)  # flushes the session and makes request.user anonymous
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect_to_login(request.get_full_path())
            request.session[LAST_SEEN] = now
            request.session.setdefault(LOGGED_IN_AT, now)
        return self.get_response(request)
