"""A booked day as an optimizer instance, a proposed schedule, and applying it all-or-nothing.

The web door only converts: active bookings and nurse shifts -> `center.instance.Instance`, the
optimizer's `Schedule` -> moved bookings. Each booking may move anywhere within the center's opening
hours of its day (its planned window is in days, and the day is already inside it); its current
start is the preferred one, so the optimizer moves only what it must.

A proposal travels to the "apply" form signed, together with a fingerprint of the day's bookings:
applying a proposal made before someone booked, cancelled or moved anything is refused instead of
overwriting their change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from msinfusion.center.instance import Appointment, Instance, Nurse
from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.errors import InstanceError
from msinfusion.web.clinic.models import Center, Chair
from msinfusion.web.scheduling.models import SLOT_MINUTES, BookedSlot, Booking
from msinfusion.web.scheduling.services import (
    BookingError,
    Conflict,
    active_bookings,
    minute_of,
    opening,
    slot_minutes,
    time_of,
)

OPTIMIZE_SECONDS = 10.0
SIGNING_SALT = "msinfusion.board.proposal"
PROPOSAL_MAX_AGE = 60 * 60


@dataclass(frozen=True)
class Day:
    """A center day as the optimizer sees it, with the way back to rows."""

    instance: Instance
    bookings: dict[str, Booking]  # appointment id -> booking
    chairs: tuple[Chair, ...]  # chair index i+1 in the instance -> chairs[i]

    def chair_index(self, chair_id: int) -> int:
        return next(i for i, c in enumerate(self.chairs, start=1) if c.pk == chair_id)

    def current(self) -> Schedule:
        """The day as booked now, in the optimizer's terms."""
        return Schedule(
            tuple(
                Assignment(aid, self.chair_index(b.chair_id), minute_of(b.start))
                for aid, b in self.bookings.items()
            ),
            (),
            status="given",
        )


def appointment_id(booking: Booking) -> str:
    return f"b{booking.pk}"


def build_day(center: Center, day: date) -> Day:
    """The instance of `day`: active chairs, nurse shifts, the center's nurse policy (patients per
    nurse, set-up minutes) and every active booking."""
    hours = opening(center, day)
    if hours is None:
        raise BookingError("date", f"the center is closed on {day:%A}s")
    opens, closes = hours
    chairs = tuple(center.chairs.filter(active=True).order_by("number"))
    if not chairs:
        raise BookingError("date", "the center has no chair in use")
    bookings = list(active_bookings(center, day).select_related("chair"))
    outside = [b for b in bookings if not b.chair.active]
    if outside:
        raise BookingError("date", f"a booking sits in out-of-use chair {outside[0].chair.number}")
    nurses = tuple(
        Nurse(f"n{s.pk}", minute_of(s.start), minute_of(s.end))
        for s in center.nurse_shifts.filter(date=day)
    )
    if not nurses:
        raise BookingError("date", f"no nurse shifts are entered for {day}")
    appointments = []
    for b in bookings:
        latest = (closes - b.chair_minutes) // SLOT_MINUTES * SLOT_MINUTES
        start = minute_of(b.start)
        appointments.append(
            Appointment(
                id=appointment_id(b),
                patient=str(b.patient_id),
                drug=b.drug,
                chair_minutes=b.chair_minutes,
                earliest=min(opens, start),
                latest_start=max(latest, start),
                preferred_start=start,
                needs=b.needs or None,
                first_infusion=b.first_infusion,
            )
        )
    instance = Instance(
        date=day,
        timezone=center.timezone,
        open=opens,
        close=closes,
        chairs=len(chairs),
        nurses=nurses,
        patients_per_nurse=center.patients_per_nurse,
        nurse_start_minutes=center.nurse_start_minutes,
        appointments=tuple(appointments),
        chair_kinds={i: c.kind for i, c in enumerate(chairs, start=1) if c.kind != "chair"},
    )
    return Day(instance, {appointment_id(b): b for b in bookings}, chairs)


def solve(instance: Instance, time_limit: float | None = None) -> Schedule:
    """The optimizer's schedule (the first-come-first-served baseline while it is unavailable)."""
    time_limit = OPTIMIZE_SECONDS if time_limit is None else time_limit
    try:
        from msinfusion.center.optimize import optimize
    except ImportError:
        from msinfusion.center.baseline import first_come_first_served

        return first_come_first_served(instance)
    return optimize(instance, time_limit=time_limit, workers=2, seed=0)


def violations(instance: Instance, schedule: Schedule) -> list[str]:
    from msinfusion.center.validate import violations as check

    return list(check(instance, schedule))


# ------------------------------------------------------------------------------ proposals


def fingerprint(day: Day) -> str:
    """What the day's bookings are now: any booking, cancel or move changes it."""
    rows = sorted(
        (b.pk, b.chair_id, b.start.isoformat(), b.chair_minutes) for b in day.bookings.values()
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def sign_proposal(center: Center, day: Day, schedule: Schedule) -> str:
    payload = {
        "center": center.pk,
        "date": day.instance.date.isoformat(),
        "state": fingerprint(day),
        "schedule": schedule.to_json(),
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def read_proposal(center: Center, token: str) -> tuple[date, str, dict[str, Any]]:
    """(date, fingerprint, schedule JSON) of a proposal signed for this center, else BookingError."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PROPOSAL_MAX_AGE)
    except signing.SignatureExpired:
        raise BookingError("proposal", "this proposal has expired; optimise again") from None
    except signing.BadSignature:
        raise BookingError("proposal", "this proposal is not valid; optimise again") from None
    if payload.get("center") != center.pk:
        raise BookingError("proposal", "this proposal is for another center")
    return date.fromisoformat(payload["date"]), payload["state"], payload["schedule"]


@dataclass(frozen=True)
class Moves:
    moved: int
    unplaced: tuple[str, ...]


def apply(center: Center, token: str, *, by=None) -> Moves:
    """Move the bookings as proposed, all or nothing, after checking nothing changed meanwhile."""
    day_date, state, data = read_proposal(center, token)
    with transaction.atomic():
        # lock the day's bookings so nobody books or moves between the check and the moves
        list(active_bookings(center, day_date).select_for_update())
        day = build_day(center, day_date)
        if fingerprint(day) != state:
            raise Conflict("proposal", "the bookings of this day changed; optimise again")
        try:
            schedule = Schedule.from_json(data, day.instance)
        except InstanceError as exc:
            raise BookingError("proposal", str(exc)) from None
        problems = violations(day.instance, schedule)
        if problems:
            raise BookingError("proposal", f"the proposal breaks a rule: {problems[0]}")
        moved = _move(day, schedule, by)
    return Moves(moved, schedule.unplaced)


def _move(day: Day, schedule: Schedule, by) -> int:
    changes = []
    for a in schedule.assignments:
        booking = day.bookings[a.id]
        chair = day.chairs[a.chair - 1]
        if chair.pk != booking.chair_id or a.start != minute_of(booking.start):
            changes.append((booking, chair, a.start))
    if not changes:
        return 0
    try:
        with transaction.atomic():
            BookedSlot.objects.filter(booking__in=[b for b, _, _ in changes]).delete()
            now = timezone.now()
            for booking, chair, start in changes:
                booking.chair = chair
                booking.start = time_of(start)
                booking.end = time_of(start + booking.chair_minutes)
                booking.changed_by, booking.changed_at = by, now
                booking.save(update_fields=["chair", "start", "end", "changed_by", "changed_at"])
            BookedSlot.objects.bulk_create(
                BookedSlot(booking=b, chair=c, date=b.date, minute=m)
                for b, c, s in changes
                for m in slot_minutes(s, b.chair_minutes)
            )
    except IntegrityError:
        raise Conflict(
            "proposal", "the proposal collides with a booking; nothing was moved"
        ) from None
    return len(changes)
