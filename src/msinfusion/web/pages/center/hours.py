"""Opening hours per weekday, in the center's own time zone. A day without hours is closed."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from msinfusion.web.audit.log import Action, Outcome
from msinfusion.web.clinic import choices
from msinfusion.web.clinic.models import OpeningHours
from msinfusion.web.pages.center.access import center_admin_only, record
from msinfusion.web.pages.center.forms import DayForm

HOURS = "center.opening_hours"


def _forms(center, data=None) -> list[DayForm]:
    current = {h.weekday: h for h in center.opening_hours.all()}
    forms = []
    for weekday, _name in choices.WEEKDAYS:
        row = current.get(weekday)
        initial = (
            {"is_open": True, "opens": row.opens, "closes": row.closes}
            if row
            else {"is_open": False}
        )
        forms.append(DayForm(data, weekday=weekday, initial=initial))
    return forms


@require_http_methods(["GET", "POST"])
@center_admin_only(HOURS)
def opening_hours(request, center):
    if request.method == "POST":
        days = _forms(center, request.POST)
        if all(day.is_valid() for day in days):
            with transaction.atomic():
                for day in days:
                    data = day.cleaned_data
                    if data["is_open"]:
                        OpeningHours.objects.update_or_create(
                            center=center,
                            weekday=day.weekday,
                            defaults={"opens": data["opens"], "closes": data["closes"]},
                        )
                    else:
                        OpeningHours.objects.filter(center=center, weekday=day.weekday).delete()
                record(request, center, HOURS, Action.UPDATE)
            messages.success(request, "Opening hours saved.")
            return redirect("opening_hours")
        record(request, center, HOURS, Action.UPDATE, Outcome.FAILED)
        status = 400
    else:
        days = _forms(center)
        record(request, center, HOURS, Action.READ)
        status = 200
    context = {"center": center, "days": days}
    return render(request, "pages/center/opening_hours.html", context, status=status)
