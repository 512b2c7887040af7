"""The center's nurse policy (patients per nurse, set-up minutes) and its nurse shifts per day.

Both feed the same two nurse rules everywhere (booking, the day board, the day optimizer): patients
in chairs <= patients per nurse x nurses on shift, and infusions in their first set-up minutes <=
nurses on shift. A shift is not clinical data and carries no history of its own, so removing one
deletes it; the audit log keeps who added or removed shifts and when.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from msinfusion.web.audit.log import Action, Outcome
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.board.views import BadDay, parse_day
from msinfusion.web.pages.center.access import center_admin_only, object_or_404, record
from msinfusion.web.pages.center.forms import NurseSettingsForm, NurseShiftForm
from msinfusion.web.scheduling.models import NurseShift

SETTINGS = "center.nurse_settings"
SHIFTS = "center.nurse_shifts"


@require_http_methods(["GET", "POST"])
@center_admin_only(SETTINGS)
def nurse_settings(request, center):
    if request.method == "POST":
        form = NurseSettingsForm(request.POST, instance=center)
        if form.is_valid():
            form.save()
            record(request, center, SETTINGS, Action.UPDATE)
            messages.success(request, "Nurse settings saved.")
            return redirect("nurse_settings")
        # the form's instance holds the refused values; the page shows the stored ones
        center.refresh_from_db()
        record(request, center, SETTINGS, Action.UPDATE, Outcome.FAILED)
        status = 400
    else:
        form = NurseSettingsForm(instance=center)
        record(request, center, SETTINGS, Action.READ)
        status = 200
    context = {"center": center, "form": form}
    return render(request, "pages/center/nurse_settings.html", context, status=status)


def _shifts_url(day) -> str:
    return reverse("nurse_shifts") + f"?date={day.isoformat()}"


def _shifts_page(request, center, day, form, status=200, error=""):
    today = today_at(center)
    context = {
        "center": center,
        "day": day,
        "today": today,
        "shifts": center.nurse_shifts.filter(date=day),
        "form": form,
        "error": error,
    }
    return render(request, "pages/center/nurse_shifts.html", context, status=status)


@require_http_methods(["GET", "POST"])
@center_admin_only(SHIFTS, post_action=Action.CREATE)
def nurse_shifts(request, center):
    """GET: the shifts of `?date=` (today by default). POST: add one shift to the posted date."""
    today = today_at(center)
    action = Action.CREATE if request.method == "POST" else Action.READ
    raw = request.POST.get("date") if request.method == "POST" else request.GET.get("date")
    try:
        day = parse_day(raw, today)
    except BadDay as exc:
        record(request, center, SHIFTS, action, Outcome.FAILED)
        form = NurseShiftForm(center=center, day=today)
        return _shifts_page(request, center, today, form, status=400, error=str(exc))
    if request.method == "POST":
        form = NurseShiftForm(request.POST, center=center, day=day)
        if form.is_valid():
            shift = form.save()
            record(request, center, SHIFTS, Action.CREATE)
            messages.success(
                request, f"Shift of {shift.name} {shift.start:%H:%M}-{shift.end:%H:%M} added."
            )
            return redirect(_shifts_url(day))
        record(request, center, SHIFTS, Action.CREATE, Outcome.FAILED)
        return _shifts_page(request, center, day, form, status=400)
    record(request, center, SHIFTS, Action.READ)
    return _shifts_page(request, center, day, NurseShiftForm(center=center, day=day))


@require_POST
@center_admin_only(SHIFTS, post_action=Action.DELETE)
def nurse_shift_remove(request, center, shift_id: int):
    shift = object_or_404(request, NurseShift.objects, shift_id, center, SHIFTS, Action.DELETE)
    day, text = shift.date, f"{shift.name} {shift.start:%H:%M}-{shift.end:%H:%M}"
    shift.delete()
    record(request, center, SHIFTS, Action.DELETE)
    messages.success(request, f"Shift of {text} removed.")
    return redirect(_shifts_url(day))
