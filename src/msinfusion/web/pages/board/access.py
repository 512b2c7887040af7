"""Who may use the board: staff and admins of a center, each for their own center only.

A board shows patient names only to those who may see the patient (`visible_patients`); a center
admin sees the bars without names. Everyone else gets 403 and a "denied" audit row.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.log import Action, Outcome
from msinfusion.web.pages.center.access import action_for, record

VIEWERS = (Role.NURSE, Role.NEUROLOGIST, Role.CENTER_ADMIN)
PLANNERS = (Role.NURSE, Role.CENTER_ADMIN)
"""Who may optimise and move a day's bookings: the people who run the center's day."""


def center_member(resource: str, roles=VIEWERS, post_action: str = Action.EXECUTE):
    """Decorator: the view runs for a member of a center in `roles` and gets that center."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if user.role not in roles or user.center_id is None:
                action = action_for(request, post_action)
                record(request, user.center_id, resource, action, Outcome.DENIED)
                raise PermissionDenied("center staff only")
            return view(request, user.center, *args, **kwargs)

        return wrapper

    return decorator
