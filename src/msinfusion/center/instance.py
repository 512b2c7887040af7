"""One infusion-center day as data: chairs, nurses on shift, and the appointments to place.

The JSON shape is a stable contract (extend, do not break). Times of day travel as "HH:MM" in the
center's timezone; inside the domain they are whole minutes since midnight, which keeps the optimizer,
the baseline, the validator and the simulator on one integer time line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from msinfusion.errors import InstanceError

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_hhmm(value: Any, where: str) -> int:
    """'07:30' -> 450 minutes since midnight; names the field when the text is not a time of day."""
    if not isinstance(value, str) or not (m := _HHMM.match(value)):
        raise InstanceError(where, f"expected a time of day HH:MM, got {value!r}")
    return int(m.group(1)) * 60 + int(m.group(2))


def format_hhmm(minutes: int) -> str:
    """450 -> '07:30' (minutes past midnight; values of 24:00 or later keep counting hours)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True)
class Nurse:
    id: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Seated:
    """An appointment already in a chair: rescheduling must not move it."""

    chair: int
    start: int


@dataclass(frozen=True, slots=True)
class Appointment:
    id: str
    patient: str
    drug: str
    chair_minutes: int
    earliest: int
    latest_start: int
    preferred_start: int | None = None
    needs: str | None = None
    """A chair kind this appointment must have (e.g. "bed", "isolation"); None = any chair."""
    first_infusion: bool = False
    course_day: int | None = None
    """Day number within an alemtuzumab course (1-5); such days want the same start every day."""
    seated: Seated | None = None

    @property
    def target_start(self) -> int:
        """Where the patient would like to start: the preferred start, else the earliest."""
        return self.earliest if self.preferred_start is None else self.preferred_start


@dataclass(frozen=True, slots=True)
class Instance:
    date: date
    timezone: str
    open: int
    close: int
    chairs: int
    nurses: tuple[Nurse, ...]
    patients_per_nurse: int
    nurse_start_minutes: int
    appointments: tuple[Appointment, ...]
    chair_kinds: Mapping[int, str] = field(default_factory=dict)
    """Special chairs by number (1-based), e.g. {3: "bed"}; unlisted chairs are ordinary."""

    def nurses_on_shift(self, minute: int) -> int:
        """Nurses working during [minute, minute + 1)."""
        return sum(1 for n in self.nurses if n.start <= minute < n.end)

    def appointment(self, appointment_id: str) -> Appointment:
        for a in self.appointments:
            if a.id == appointment_id:
                return a
        raise InstanceError("appointments", f"no appointment with id {appointment_id!r}")

    @classmethod
    def from_json(cls, data: Any) -> Instance:
        """Parse and check the contract; every problem names its field path."""
        return _parse_instance(data)

    def to_json(self) -> dict[str, Any]:
        return _instance_to_json(self)


# ------------------------------------------------------------------------------ parsing


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise InstanceError(f"{where}{key}", "is required")
    return data[key]


def _whole(value: Any, where: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(where, f"expected a whole number, got {value!r}")
    if value < minimum:
        raise InstanceError(where, f"must be at least {minimum}, got {value}")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(where, f"expected a non-empty text, got {value!r}")
    return value


def _parse_instance(data: Any) -> Instance:
    if not isinstance(data, Mapping):
        raise InstanceError("", "an instance must be a JSON object")
    try:
        day = date.fromisoformat(_text(_require(data, "date", ""), "date"))
    except ValueError as exc:
        raise InstanceError("date", f"not a calendar date (YYYY-MM-DD): {exc}") from None
    tz = _text(data.get("timezone", "UTC"), "timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InstanceError("timezone", f"unknown timezone {tz!r}") from None
    open_ = parse_hhmm(_require(data, "open", ""), "open")
    close = parse_hhmm(_require(data, "close", ""), "close")
    if close <= open_:
        raise InstanceError("close", "must be after open")
    chairs = _whole(_require(data, "chairs", ""), "chairs", minimum=1)
    kinds = _parse_chair_kinds(data.get("chair_kinds", {}), chairs)
    nurses = _parse_nurses(_require(data, "nurses", ""))
    ppn = _whole(_require(data, "patients_per_nurse", ""), "patients_per_nurse", minimum=1)
    nsm = _whole(_require(data, "nurse_start_minutes", ""), "nurse_start_minutes", minimum=0)
    raw = _require(data, "appointments", "")
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InstanceError("appointments", "expected a list")
    appts = tuple(_parse_appointment(a, f"appointments[{i}]", chairs) for i, a in enumerate(raw))
    seen: set[str] = set()
    for i, a in enumerate(appts):
        if a.id in seen:
            raise InstanceError(f"appointments[{i}].id", f"duplicate id {a.id!r}")
        seen.add(a.id)
    return Instance(day, tz, open_, close, chairs, nurses, ppn, nsm, appts, kinds)


def _parse_chair_kinds(raw: Any, chairs: int) -> dict[int, str]:
    if not isinstance(raw, Mapping):
        raise InstanceError("chair_kinds", 'expected an object like {"3": "bed"}')
    kinds: dict[int, str] = {}
    for key, kind in raw.items():
        where = f"chair_kinds.{key}"
        if not str(key).isdigit() or not 1 <= int(key) <= chairs:
            raise InstanceError(where, f"chair numbers run from 1 to {chairs}")
        kinds[int(key)] = _text(kind, where)
    return kinds


def _parse_nurses(raw: Any) -> tuple[Nurse, ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise InstanceError("nurses", "expected a list")
    out = []
    for i, n in enumerate(raw):
        where = f"nurses[{i}]"
        if not isinstance(n, Mapping):
            raise InstanceError(where, "expected an object with id, start and end")
        start = parse_hhmm(_require(n, "start", f"{where}."), f"{where}.start")
        end = parse_hhmm(_require(n, "end", f"{where}."), f"{where}.end")
        if end <= start:
            raise InstanceError(f"{where}.end", "must be after start")
        out.append(Nurse(_text(_require(n, "id", f"{where}."), f"{where}.id"), start, end))
    return tuple(out)


def _parse_appointment(raw: Any, where: str, chairs: int) -> Appointment:
    if not isinstance(raw, Mapping):
        raise InstanceError(where, "expected an object")
    p = f"{where}."
    minutes = _whole(_require(raw, "chair_minutes", p), f"{p}chair_minutes", minimum=1)
    earliest = parse_hhmm(_require(raw, "earliest", p), f"{p}earliest")
    latest = parse_hhmm(_require(raw, "latest_start", p), f"{p}latest_start")
    if latest < earliest:
        raise InstanceError(f"{p}latest_start", "must not be before earliest")
    preferred = None
    if raw.get("preferred_start") is not None:
        preferred = parse_hhmm(raw["preferred_start"], f"{p}preferred_start")
    course_day = raw.get("course_day")
    if course_day is not None:
        course_day = _whole(course_day, f"{p}course_day", minimum=1)
    first = raw.get("first_infusion", False)
    if not isinstance(first, bool):
        raise InstanceError(f"{p}first_infusion", f"expected true or false, got {first!r}")
    seated = None
    if raw.get("seated") is not None:
        s = raw["seated"]
        if not isinstance(s, Mapping):
            raise InstanceError(f"{p}seated", 'expected {"chair": N, "start": "HH:MM"}')
        chair = _whole(_require(s, "chair", f"{p}seated."), f"{p}seated.chair", minimum=1)
        if chair > chairs:
            raise InstanceError(f"{p}seated.chair", f"chair numbers run from 1 to {chairs}")
        seated = Seated(chair, parse_hhmm(_require(s, "start", f"{p}seated."), f"{p}seated.start"))
    needs = raw.get("needs")
    return Appointment(
        id=_text(_require(raw, "id", p), f"{p}id"),
        patient=_text(_require(raw, "patient", p), f"{p}patient"),
        drug=_text(_require(raw, "drug", p), f"{p}drug"),
        chair_minutes=minutes,
        earliest=earliest,
        latest_start=latest,
        preferred_start=preferred,
        needs=None if needs is None else _text(needs, f"{p}needs"),
        first_infusion=first,
        course_day=course_day,
        seated=seated,
    )


def _instance_to_json(inst: Instance) -> dict[str, Any]:
    out: dict[str, Any] = {
        "date": inst.date.isoformat(),
        "timezone": inst.timezone,
        "open": format_hhmm(inst.open),
        "close": format_hhmm(inst.close),
        "chairs": inst.chairs,
        "nurses": [
            {"id": n.id, "start": format_hhmm(n.start), "end": format_hhmm(n.end)}
            for n in inst.nurses
        ],
        "patients_per_nurse": inst.patients_per_nurse,
        "nurse_start_minutes": inst.nurse_start_minutes,
        "appointments": [],
    }
    if inst.chair_kinds:
        out["chair_kinds"] = {str(k): v for k, v in sorted(inst.chair_kinds.items())}
    for a in inst.appointments:
        row: dict[str, Any] = {
            "id": a.id,
            "patient": a.patient,
            "drug": a.drug,
            "chair_minutes": a.chair_minutes,
            "earliest": format_hhmm(a.earliest),
            "latest_start": format_hhmm(a.latest_start),
        }
        if a.preferred_start is not None:
            row["preferred_start"] = format_hhmm(a.preferred_start)
        if a.needs is not None:
            row["needs"] = a.needs
        if a.first_infusion:
            row["first_infusion"] = True
        if a.course_day is not None:
            row["course_day"] = a.course_day
        if a.seated is not None:
            row["seated"] = {"chair": a.seated.chair, "start": format_hhmm(a.seated.start)}
        out["appointments"].append(row)
    return out
