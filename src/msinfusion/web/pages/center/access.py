"""Who may use the center pages: a center admin, for their own center only.

Everyone else gets 403 (a function refusal) and a "denied" audit row; an object of another center
(a chair, a staff account) answers 404, as if it did not exist, and is audited the same way. A center
admin's own actions are audited too, without a patient and with the center's id, so the center's
audit page lists them.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from msinfusion.web.audit.log import Action, Outcome, audit


def action_for(request, post_action: str) -> str:
    return post_action if request.method == "POST" else Action.READ


def record(request, center, resource: str, action: str, outcome: str = Outcome.SUCCESS) -> None:
    """The one audit row of a center-admin request."""
    audit(request, None, action, resource, outcome, center_id=getattr(center, "pk", center))


def center_admin_only(resource: str, post_action: str = Action.UPDATE):
    """Decorator: the view runs for the center admin of a center and gets that center."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_center_admin:
                record(
                    request, user.center_id, resource, action_for(request, post_action), "denied"
                )
                raise PermissionDenied("center admins only")
            return view(request, user.center, *args, **kwargs)

        return wrapper

    return decorator


def object_or_404(request, queryset, pk, center, resource: str, action: str):
    """One object of this center, or 404 (with a denied audit row) for anyone else's."""
    obj = queryset.filter(pk=pk, center=center).first()
    if obj is None:
        record(request, center, resource, action, Outcome.DENIED)
        raise Http404("not in this center")
    return obj
