"""The center admin's overview and staff accounts.

Admins manage accounts, chairs and opening hours; they never see clinical data (the overview counts
nothing about patients beyond how many there are).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from msinfusion.web.accounts.models import ApiToken, Role, User
from msinfusion.web.audit.log import Action, Outcome
from msinfusion.web.pages.center.access import center_admin_only, object_or_404, record
from msinfusion.web.pages.center.forms import StaffForm

STAFF = "center.staff"
STAFF_ROLE_VALUES = (Role.NURSE, Role.NEUROLOGIST, Role.CENTER_ADMIN)


def _staff(center):
    return User.objects.filter(center=center, role__in=STAFF_ROLE_VALUES)


def _overview(request, center, status: int = 200, error: str | None = None):
    context = {
        "center": center,
        "staff": _staff(center).order_by("-is_active", "role", "last_name", "username"),
        "chairs": center.chairs.all(),
        "hours": center.opening_hours.all(),
        "patient_count": center.patients.count(),
        "error": error,
    }
    return render(request, "pages/center/overview.html", context, status=status)


@require_GET
@center_admin_only("center.overview")
def overview(request, center):
    record(request, center, "center.overview", Action.READ)
    return _overview(request, center)


@require_http_methods(["GET", "POST"])
@center_admin_only(STAFF, post_action=Action.CREATE)
def staff_new(request, center):
    form = StaffForm(request.POST if request.method == "POST" else None, center=center)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            record(request, center, STAFF, Action.CREATE)
            messages.success(request, f"Account {user.username} created.")
            return redirect("center_admin")
        record(request, center, STAFF, Action.CREATE, Outcome.FAILED)
        return render(request, "pages/center/staff_new.html", {"form": form}, status=400)
    record(request, center, STAFF, Action.READ)
    return render(request, "pages/center/staff_new.html", {"form": form})


def _set_active(request, center, user_id: int, active: bool):
    user = object_or_404(request, _staff(center), user_id, center, STAFF, Action.UPDATE)
    if user.pk == request.user.pk:
        record(request, center, STAFF, Action.UPDATE, Outcome.FAILED)
        return _overview(request, center, 400, "You cannot deactivate your own account.")
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            # Django's auth refuses an inactive user on the next request (ending their sessions);
            # their API tokens go now as well.
            ApiToken.objects.filter(user=user).delete()
        record(request, center, STAFF, Action.UPDATE)
    verb = "reactivated" if active else "deactivated"
    messages.success(request, f"Account {user.username} {verb}.")
    return redirect("center_admin")


@require_POST
@center_admin_only(STAFF)
def staff_deactivate(request, center, user_id: int):
    return _set_active(request, center, user_id, active=False)


@require_POST
@center_admin_only(STAFF)
def staff_reactivate(request, center, user_id: int):
    return _set_active(request, center, user_id, active=True)
