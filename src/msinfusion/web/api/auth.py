"""Bearer tokens for scripts: get one with a username and password, send it on every call.

Only the token's SHA-256 is stored (`ApiToken.key_hash`); the token itself is shown once. A token
lasts `TOKEN_LIFETIME`; an expired token, a revoked one and one whose account has been deactivated
are all refused with 401. Getting a token counts against the same login throttle as the login page
(per account and per client address) and fails with the same generic message.
"""

from datetime import timedelta

from django.contrib.auth import authenticate
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from msinfusion.web.accounts.models import ApiToken, hash_token
from msinfusion.web.accounts.throttle import is_throttled, record_failure
from msinfusion.web.accounts.views import FAILED
from msinfusion.web.api.errors import ErrorOut, ValidationOut
from msinfusion.web.api.schemas import Credentials, TokenOut
from msinfusion.web.audit.middleware import client_ip

TOKEN_LIFETIME = timedelta(days=30)
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per token per minute
MAX_TOKEN_LENGTH = 200


class TokenAuth(HttpBearer):
    """`Authorization: Bearer TOKEN`; the token's user becomes `request.user` for the view.

    Sessions are deliberately not accepted: a cookie is sent by the browser on its own, which would
    make every write endpoint a CSRF target.
    """

    def authenticate(self, request, token: str) -> ApiToken | None:
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        now = timezone.now()
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=hash_token(token), expires__gt=now)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        if found.last_used is None or now - found.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=found.pk).update(last_used=now)
        request.user = found.user
        return found


router = Router(tags=["auth"])


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 422: ValidationOut},
    summary="Get a token",
)
def create_token(request, credentials: Credentials):
    """Exchange a username and password for a bearer token (valid for 30 days)."""
    ip = client_ip(request)
    user = None
    if not is_throttled(credentials.username, ip):
        user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None or not user.is_active:
        record_failure(credentials.username, ip)
        raise HttpError(401, FAILED)
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires__lte=now).delete()  # tidy up the user's old ones
    raw = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, key_hash=hash_token(raw), expires=now + TOKEN_LIFETIME
    )
    return {"token": raw, "expires": token.expires}


@router.delete("/token", response={204: None, 401: ErrorOut}, summary="Revoke this token")
def revoke_token(request):
    """Revoke the token this request was made with; it is refused from then on."""
    ApiToken.objects.filter(pk=request.auth.pk).delete()
    return Status(204, None)
