"""Chairs, beds and isolated rooms of the center: list, add, take out of and back into use.

Chairs are never deleted (bookings may point at them); a deactivated chair is simply not offered.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from msinfusion.web.audit.log import Action, Outcome
from msinfusion.web.clinic.models import Chair
from msinfusion.web.pages.center.access import center_admin_only, object_or_404, record
from msinfusion.web.pages.center.forms import ChairForm

CHAIRS = "center.chairs"


def _page(request, center, form, status=200):
    context = {"center": center, "chairs": center.chairs.all(), "form": form}
    return render(request, "pages/center/chairs.html", context, status=status)


@require_http_methods(["GET", "POST"])
@center_admin_only(CHAIRS, post_action=Action.CREATE)
def chairs(request, center):
    if request.method == "POST":
        form = ChairForm(request.POST, center=center)
        if form.is_valid():
            chair = form.save()
            record(request, center, CHAIRS, Action.CREATE)
            messages.success(
                request, f"{chair.get_kind_display().capitalize()} {chair.number} added."
            )
            return redirect("chairs")
        record(request, center, CHAIRS, Action.CREATE, Outcome.FAILED)
        return _page(request, center, form, status=400)
    record(request, center, CHAIRS, Action.READ)
    return _page(request, center, ChairForm(center=center))


def _set_active(request, center, chair_id: int, active: bool):
    chair = object_or_404(request, Chair.objects, chair_id, center, CHAIRS, Action.UPDATE)
    chair.active = active
    chair.save(update_fields=["active"])
    record(request, center, CHAIRS, Action.UPDATE)
    verb = "back in use" if active else "taken out of use"
    messages.success(request, f"{chair.get_kind_display().capitalize()} {chair.number} {verb}.")
    return redirect("chairs")


@require_POST
@center_admin_only(CHAIRS)
def chair_deactivate(request, center, chair_id: int):
    return _set_active(request, center, chair_id, active=False)


@require_POST
@center_admin_only(CHAIRS)
def chair_reactivate(request, center, chair_id: int):
    return _set_active(request, center, chair_id, active=True)
