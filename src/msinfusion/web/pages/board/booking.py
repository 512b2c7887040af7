"""Book a patient's next planned infusion into a free place, or cancel that booking.

The care team of the patient's center only (`staff_required` + `patient_for`, which audits the read
or the write). The page lists, for a chosen day inside the infusion's window, the start times that
have a free place of the needed kind and a nurse free to start it; a place taken meanwhile answers
409 with the name of the booking that holds it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.choices import CHAIR_KINDS
from msinfusion.web.clinic.models import Chair
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.board.views import BadDay, parse_day
from msinfusion.web.pages.staff.common import drug_name, staff_required
from msinfusion.web.scheduling.models import Booking
from msinfusion.web.scheduling.services import (
    BookingError,
    Conflict,
    active_booking_for,
    book_next,
    cancel,
    chair_name,
    free_options,
    hhmm,
    next_infusion,
)

BOOKING = "staff.booking"
PLACE = re.compile(r"^(\d{1,12})@(\d{1,4})$")
KINDS = {k for k, _ in CHAIR_KINDS}


def _default_day(planned, today: date) -> date:
    """The due day, moved into the window and not before today."""
    req = planned.request
    return max(today, min(max(planned.due, req.earliest), req.latest))


def _context(patient, today, planned, day, needs, error="", field=""):
    context = {
        "patient": patient,
        "today": today,
        "planned": planned,
        "drug": drug_name(planned.request.drug) if planned else "",
        "day": day,
        "needs": needs,
        "kinds": CHAIR_KINDS,
        "error": error,
        "error_field": field,
        "options": [],
        "why_none": "",
    }
    if planned is None:
        return context
    req = planned.request
    context["existing"] = active_booking_for(patient, req)
    context["window_ok"] = req.earliest <= day <= req.latest and day >= today
    if context["window_ok"]:
        options, why = free_options(patient.center, day, replace(req, needs=needs))
        context["options"] = [
            {
                "value": f"{o.chairs[0].pk}@{o.start}",
                "start": o.label,
                "end": hhmm(o.start + req.chair_minutes),
                "chair": chair_name(o.chairs[0]),
                "more": len(o.chairs) - 1,
            }
            for o in options
        ]
        context["why_none"] = why
    return context


def _render(request, context, status=200):
    return render(request, "pages/board/book.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def booking_new(request, patient_id: int):
    action = Action.CREATE if request.method == "POST" else Action.READ
    patient = patient_for(request, patient_id, BOOKING, action)
    today = today_at(patient.center)
    planned = next_infusion(patient, today)
    data = request.POST if request.method == "POST" else request.GET
    needs = data.get("needs", "")
    needs = needs if needs in KINDS else ""
    default = _default_day(planned, today) if planned else today
    try:
        day = parse_day(data.get("date"), today) if data.get("date") else default
    except BadDay as exc:
        return _render(
            request, _context(patient, today, planned, default, needs, str(exc), "date"), 400
        )
    if request.method == "GET":
        return _render(request, _context(patient, today, planned, day, needs))
    match = PLACE.match(data.get("place", ""))
    chair = (
        Chair.objects.filter(pk=int(match.group(1)), center=patient.center).first()
        if match
        else None
    )
    if planned is None or chair is None or not data.get("date"):
        error = "Choose a day and one of the free places." if planned else "Nothing is planned."
        return _render(request, _context(patient, today, planned, day, needs, error, "place"), 400)
    try:
        booking = book_next(
            patient, chair, day, int(match.group(2)), today=today, needs=needs, by=request.user
        )
    except BookingError as exc:
        status = 409 if isinstance(exc, Conflict) else 400
        context = _context(patient, today, planned, day, needs, exc.message, exc.field)
        return _render(request, context, status)
    messages.success(
        request,
        f"Booked: {booking.label}, {chair_name(chair)}, {booking.date:%a %d %b %Y} {booking.span}.",
    )
    return redirect("patient_detail", patient.pk)


@require_POST
@staff_required
def booking_cancel(request, patient_id: int):
    patient = patient_for(request, patient_id, BOOKING, Action.UPDATE)
    raw = request.POST.get("booking", "")
    if not raw.isdigit() or len(raw) > 12:
        messages.error(request, "Choose the booking to cancel.")
        return redirect("booking_new", patient.pk)
    booking = Booking.objects.filter(pk=int(raw), patient=patient).first()
    if booking is None:
        raise Http404("no such booking for this patient")
    try:
        cancel(booking, by=request.user)
    except BookingError as exc:
        messages.error(request, exc.message)
        return redirect("booking_new", patient.pk)
    messages.success(request, f"Booking of {booking.date:%a %d %b %Y} {booking.span} cancelled.")
    return redirect("booking_new", patient.pk)
