"""The demo's nurse shifts and one booked day, made with the real booking service.

Every demo patient whose next planned infusion may fall on the next open day is booked then, at a
free place spread over the day, so the board and "optimise" have a realistic day to show.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

from msinfusion.web.clinic.models import Center
from msinfusion.web.scheduling.models import NurseShift
from msinfusion.web.scheduling.services import (
    BookingError,
    book,
    free_options,
    next_infusion,
    opening,
)

SHIFT_DAYS = 10


def next_open_day(center: Center, today: date) -> date | None:
    for k in range(1, 8):
        day = today + timedelta(days=k)
        if opening(center, day) is not None:
            return day
    return None


def seed_demo_days(
    center: Center, shifts: list[tuple[str, time, time]], today: date, nurse=None
) -> int:
    """Nurse shifts on the open days around today and bookings on the next open day.

    The first shift is the demo nurse's own (`nurse`). Returns how many bookings were made.
    """
    rows = []
    for k in range(-2, SHIFT_DAYS):
        day = today + timedelta(days=k)
        if opening(center, day) is None:
            continue
        for i, (name, start, end) in enumerate(shifts):
            who = nurse if i == 0 else None
            rows.append(
                NurseShift(center=center, nurse=who, name=name, date=day, start=start, end=end)
            )
    NurseShift.objects.bulk_create(rows)
    day = next_open_day(center, today)
    if day is None:
        return 0
    made = 0
    for k, patient in enumerate(center.patients.select_related("center").order_by("pk")):
        planned = next_infusion(patient, today)
        if planned is None or not planned.request.earliest <= day <= planned.request.latest:
            continue
        req = replace(planned.request, needs="bed" if planned.request.first_infusion else "")
        options, _why = free_options(center, day, req)
        if not options:
            req = replace(req, needs="")
            options, _why = free_options(center, day, req)
        if not options:
            continue
        option = options[(k * 7) % len(options)]
        try:
            book(patient, option.chairs[0], day, option.start, req, by=nurse)
        except BookingError:
            continue
        made += 1
    return made
