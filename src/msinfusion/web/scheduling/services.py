"""Booking a chair: the one write path, free places on a day, and a patient's next planned infusion.

`book` is the only way a booking is made. It checks what Python can check cheaply (the 5-minute
grid, opening hours, the chair's center, kind and state) and then inserts the booking and its slots
in one transaction; the slot table's unique constraint is what settles a race between two writers
(see `models`). A lost race comes back as `Conflict`, naming the booking that holds the chair.

Nurse capacity follows the center-day model (`center.instance`): starting an infusion takes a nurse
for the center's `nurse_start_minutes`, and one nurse watches at most the center's
`patients_per_nurse` patients in chairs (both are `Center` settings, edited on the center's
settings page). It is a planning rule for offered places (and the optimizer), not a database
constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, time

from django.db import IntegrityError, transaction
from django.utils import timezone

from msinfusion.care.summary import readiness_day
from msinfusion.center.capacity import NurseRoom
from msinfusion.center.instance import Nurse, format_hhmm
from msinfusion.web.clinic.models import Center, Chair, Patient
from msinfusion.web.clinic.services import summary_for
from msinfusion.web.scheduling.models import SLOT_MINUTES, BookedSlot, Booking, NurseShift

DAY = 24 * 60
KIND_NAMES = {"chair": "Chair", "bed": "Bed", "isolation": "Isolated room"}


class BookingError(Exception):
    """A booking that cannot be made as asked; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(BookingError):
    """The chair (or the planned infusion) is taken: the database refused the second booking."""


def minute_of(t: time) -> int:
    return t.hour * 60 + t.minute


def time_of(minute: int) -> time:
    if not 0 <= minute < DAY:
        raise BookingError("start", "a booking must start and end within the day")
    return time(minute // 60, minute % 60)


hhmm = format_hhmm


def chair_name(chair: Chair) -> str:
    return f"{KIND_NAMES.get(chair.kind, chair.kind.capitalize())} {chair.number}"


def slot_minutes(start: int, minutes: int) -> range:
    """The grid steps a stay of `minutes` from `start` occupies (a partial last step counts)."""
    steps = -(-minutes // SLOT_MINUTES)
    return range(start, start + steps * SLOT_MINUTES, SLOT_MINUTES)


def opening(center: Center, day: date) -> tuple[int, int] | None:
    """(opens, closes) in minutes on `day`, or None when the center is closed that weekday."""
    row = center.opening_hours.filter(weekday=day.weekday()).first()
    return (minute_of(row.opens), minute_of(row.closes)) if row else None


# ------------------------------------------------------------------------------ booking


@dataclass(frozen=True)
class Request:
    """What to book: everything but the place comes from the patient's plan."""

    drug: str
    label: str
    chair_minutes: int
    earliest: date
    latest: date
    first_infusion: bool = False
    needs: str = ""


def check_place(center: Center, chair: Chair, day: date, start: int, req: Request) -> None:
    """Grid, opening hours, chair and window rules; raises BookingError naming the field."""
    if start % SLOT_MINUTES:
        raise BookingError("start", f"bookings start on the {SLOT_MINUTES}-minute grid")
    if chair.center_id != center.pk:
        raise BookingError("chair", "no such chair in this center")
    if not chair.active:
        raise BookingError("chair", f"{chair_name(chair)} is out of use")
    if req.needs and chair.kind != req.needs:
        wanted = KIND_NAMES.get(req.needs, req.needs).lower()
        raise BookingError("chair", f"{chair_name(chair)} is not a {wanted}, which this needs")
    if not req.earliest <= day <= req.latest:
        raise BookingError(
            "date", f"{day} is outside the infusion's window {req.earliest} to {req.latest}"
        )
    hours = opening(center, day)
    if hours is None:
        raise BookingError("date", f"the center is closed on {day:%A}s")
    opens, closes = hours
    end = start + req.chair_minutes
    if start < opens or end > closes:
        raise BookingError(
            "start",
            f"{hhmm(start)}-{hhmm(end)} is outside opening hours {hhmm(opens)}-{hhmm(closes)}",
        )


def book(
    patient: Patient, chair: Chair, day: date, start: int, req: Request, *, by=None
) -> Booking:
    """Book `chair` on `day` from `start` (minutes) for `req`; Conflict if someone was faster."""
    center = patient.center
    check_place(center, chair, day, start, req)
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                center=center,
                patient=patient,
                chair=chair,
                date=day,
                start=time_of(start),
                end=time_of(start + req.chair_minutes),
                chair_minutes=req.chair_minutes,
                drug=req.drug,
                label=req.label,
                window_earliest=req.earliest,
                window_latest=req.latest,
                first_infusion=req.first_infusion,
                needs=req.needs,
                created_by=by,
            )
            BookedSlot.objects.bulk_create(_slots(booking, chair, start))
    except IntegrityError:
        raise _conflict(patient, chair, day, start, req) from None
    return booking


def _slots(booking: Booking, chair: Chair, start: int) -> list[BookedSlot]:
    return [
        BookedSlot(booking=booking, chair=chair, date=booking.date, minute=m)
        for m in slot_minutes(start, booking.chair_minutes)
    ]


def _conflict(patient: Patient, chair: Chair, day: date, start: int, req: Request) -> Conflict:
    """Name what holds the place now (read after the failed transaction, so it is committed)."""
    steps = slot_minutes(start, req.chair_minutes)
    holder = (
        BookedSlot.objects.filter(
            chair=chair, date=day, minute__gte=steps.start, minute__lt=steps.stop
        )
        .select_related("booking")
        .order_by("minute")
        .first()
    )
    if holder is not None:
        return Conflict("start", f"{chair_name(chair)} is already booked {holder.booking.span}")
    same = Booking.objects.filter(
        patient=patient, drug=req.drug, label=req.label, status=Booking.Status.BOOKED
    ).first()
    if same is not None:
        return Conflict(
            "start", f"{req.label} is already booked on {same.date} at {same.start:%H:%M}"
        )
    return Conflict("start", f"{chair_name(chair)} was just taken; choose another place")


def cancel(booking: Booking, *, by=None) -> Booking:
    """Cancel: the slots go (the chair is free again), the booking row stays for the record."""
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Booking.Status.BOOKED:
            raise BookingError("booking", "this booking is not active")
        BookedSlot.objects.filter(booking=locked).delete()
        locked.status = Booking.Status.CANCELLED
        locked.changed_by = by
        locked.changed_at = timezone.now()
        locked.save(update_fields=["status", "changed_by", "changed_at"])
    return locked


# ------------------------------------------------------------------------------ the day's load


@dataclass(frozen=True)
class DayLoad:
    """One day's nurse load: per 5-minute step for the board, minute-exact for booking checks."""

    day: date
    nurses: tuple[int, ...]
    in_chairs: tuple[int, ...]
    starts: tuple[int, ...]
    has_shifts: bool
    room: NurseRoom
    patients_per_nurse: int
    nurse_start_minutes: int

    @classmethod
    def build(
        cls,
        shifts: Iterable[NurseShift],
        stays: Iterable[tuple[int, int]],
        day: date,
        *,
        patients_per_nurse: int,
        nurse_start_minutes: int,
    ) -> DayLoad:
        """The load of `day` under one center's nurse policy (see `load_of` for a center's own)."""
        steps = DAY // SLOT_MINUTES
        nurses, chairs, starts = [0] * steps, [0] * steps, [0] * steps
        shifts = list(shifts)
        stays = list(stays)
        for s in shifts:
            for i in range(
                minute_of(s.start) // SLOT_MINUTES, -(-minute_of(s.end) // SLOT_MINUTES)
            ):
                nurses[i] += 1
        for start, minutes in stays:
            for m in slot_minutes(start, minutes):
                chairs[m // SLOT_MINUTES] += 1
            for m in slot_minutes(start, min(nurse_start_minutes, minutes)):
                starts[m // SLOT_MINUTES] += 1
        room = NurseRoom(
            [Nurse(str(s.pk), minute_of(s.start), minute_of(s.end)) for s in shifts],
            stays,
            patients_per_nurse=patients_per_nurse,
            nurse_start_minutes=nurse_start_minutes,
        )
        return cls(
            day,
            tuple(nurses),
            tuple(chairs),
            tuple(starts),
            bool(shifts),
            room,
            patients_per_nurse,
            nurse_start_minutes,
        )

    def room_for(self, start: int, minutes: int) -> bool:
        """Whether a nurse can start one more patient at `start` and watch them throughout."""
        if not self.has_shifts:
            return True  # no shifts entered: the board says so; nothing to check against
        return self.room.room_for(start, minutes)


def load_of(center: Center, day: date, stays: Iterable[tuple[int, int]]) -> DayLoad:
    """The load of `stays` (start minute, chair minutes) on `day` under the center's own policy."""
    return DayLoad.build(
        center.nurse_shifts.filter(date=day),
        stays,
        day,
        patients_per_nurse=center.patients_per_nurse,
        nurse_start_minutes=center.nurse_start_minutes,
    )


def day_load(center: Center, day: date, exclude: Sequence[int] = ()) -> DayLoad:
    """The load of the day as booked (without the bookings in `exclude`)."""
    stays = [
        (minute_of(b.start), b.chair_minutes)
        for b in active_bookings(center, day).exclude(pk__in=exclude)
    ]
    return load_of(center, day, stays)


def active_bookings(center: Center, day: date):
    return Booking.objects.filter(center=center, date=day, status=Booking.Status.BOOKED)


# ------------------------------------------------------------------------------ free places


@dataclass(frozen=True)
class Option:
    """A start time with the free places that fit a stay from then on."""

    start: int
    chairs: tuple[Chair, ...]

    @property
    def label(self) -> str:
        return hhmm(self.start)


def free_options(
    center: Center, day: date, req: Request, *, every: int = 15
) -> tuple[list[Option], str]:
    """Starts every `every` minutes with the free places of the right kind and a free nurse.

    Returns the options and, when there are none, why.
    """
    hours = opening(center, day)
    if hours is None:
        return [], f"The center is closed on {day:%A}s."
    chairs = [c for c in center.chairs.filter(active=True) if not req.needs or c.kind == req.needs]
    if not chairs:
        return [], "No place of the kind this infusion needs is in use."
    taken: dict[int, set[int]] = {c.pk: set() for c in chairs}
    for chair_id, minute in BookedSlot.objects.filter(chair__in=chairs, date=day).values_list(
        "chair_id", "minute"
    ):
        taken[chair_id].add(minute)
    load = day_load(center, day)
    opens, closes = hours
    first = -(-opens // SLOT_MINUTES) * SLOT_MINUTES
    out = []
    for start in range(first, closes - req.chair_minutes + 1, every):
        if not load.room_for(start, req.chair_minutes):
            continue
        steps = set(slot_minutes(start, req.chair_minutes))
        free = tuple(c for c in chairs if not steps & taken[c.pk])
        if free:
            out.append(Option(start, free))
    if not out:
        why = "No free place with a free nurse on this day."
        if req.chair_minutes > closes - opens:
            why = f"The chair time ({req.chair_minutes} min) is longer than the opening hours."
        return [], why
    return out, ""


# ------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class NextInfusion:
    """The patient's next planned infusion, as a booking request, and the day it is due."""

    request: Request
    due: date
    dose_mg: float | None
    why: str


def next_infusion(patient: Patient, today: date) -> NextInfusion | None:
    """The earliest planned infusion over the patient's drugs (None when nothing is planned)."""
    found = summary_for(patient, today).next_infusion
    if found is None:
        return None
    status, planned = found
    req = Request(
        drug=status.drug,
        label=planned.label,
        chair_minutes=planned.chair_minutes,
        earliest=planned.earliest,
        latest=planned.latest,
        first_infusion=planned.number == 1,
    )
    return NextInfusion(req, readiness_day(planned, today), planned.dose_mg, planned.why)


def active_booking_for(patient: Patient, req: Request) -> Booking | None:
    return (
        Booking.objects.filter(
            patient=patient, drug=req.drug, label=req.label, status=Booking.Status.BOOKED
        )
        .select_related("chair")
        .first()
    )


def book_next(
    patient: Patient, chair: Chair, day: date, start: int, *, today: date, needs: str = "", by=None
) -> Booking:
    """Book the patient's next planned infusion: plan window, nurse room, then `book`."""
    planned = next_infusion(patient, today)
    if planned is None:
        raise BookingError("date", "nothing is planned for this patient")
    if day < today:
        raise BookingError("date", "choose today or a later day")
    req = replace(planned.request, needs=needs)
    check_place(patient.center, chair, day, start, req)
    if not day_load(patient.center, day).room_for(start, req.chair_minutes):
        raise BookingError("start", f"no nurse is free to start an infusion at {hhmm(start)}")
    return book(patient, chair, day, start, req, by=by)
