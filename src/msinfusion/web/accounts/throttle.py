"""Login throttling (B7): at most N failures per account and per client address in an hour.

Counted in the database so every worker process sees the same numbers. The address comes from
`audit.middleware.client_ip`, which trusts only the configured proxy header. A throttled attempt
counts as one more failure, even with the right password, so the lock lasts an hour after the
last attempt. The answer is the same whether or not the account exists.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from msinfusion.web.accounts.models import LoginFailure

WINDOW = timedelta(hours=1)
KEEP = timedelta(days=1)


def _recent():
    return LoginFailure.objects.filter(at__gte=timezone.now() - WINDOW)


def is_throttled(username: str, ip: str) -> bool:
    recent = _recent()
    if recent.filter(username=username.lower()).count() >= settings.LOGIN_FAILURES_PER_ACCOUNT:
        return True
    return recent.filter(ip=ip).count() >= settings.LOGIN_FAILURES_PER_IP


def record_failure(username: str, ip: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip)
    # keep a day of failures for anyone investigating an attack; older ones are of no use
    LoginFailure.objects.filter(at__lt=timezone.now() - KEEP).delete()
