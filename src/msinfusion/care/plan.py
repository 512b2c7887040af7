"""Infusion plans: the dated future infusions a regimen implies, from a start date or a history.

The regimen is walked position by position (`care.regimen_walk`): past administrations fill the
first positions in order; every later position gets a due date from the rule the label gives
(`Block.counting`), a booking window, the chair time and a sentence saying why it falls on that date.

A patient's summary, readiness check and due-list each plan the same drug with a different horizon.
What a plan reads from the record (course, regimen, history, lifetime dose) and the future positions
do not depend on the horizon, so inside `PatientRecord.shared_work` they are worked out once
(`_Basis`, `_Future`) and every plan takes as many infusions as its horizon allows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from msinfusion.care.chair import ChairTime, ChairTimes
from msinfusion.care.dosing import Dose, cumulative_mg_per_m2, dose_for, lifetime_limit
from msinfusion.care.record import Administration, Course, PatientRecord
from msinfusion.care.regimen_walk import INCOMPLETE_BLOCK_GAP, Slot, Walker
from msinfusion.dates import add_months
from msinfusion.errors import CareError
from msinfusion.knowledge.model import CumulativeLimit, Drug, Regimen

__all__ = [
    "INCOMPLETE_BLOCK_GAP",
    "Plan",
    "PlannedInfusion",
    "choose_regimen",
    "current_course",
    "history_for",
    "plan_infusions",
    "run_start",
]


@dataclass(frozen=True)
class PlannedInfusion:
    date: date
    dose_mg: float | None
    label: str
    earliest: date
    latest: date
    chair_minutes: int
    why: str
    number: int
    block_id: str
    cycle: int
    dose_in_block: int
    block_start: bool
    dose_mg_per_m2: float | None
    dose_basis: str
    chair: ChairTime
    hard_earliest: date | None
    hard_earliest_why: str
    previous_dose: date | None

    def to_dict(self) -> dict[str, Any]:
        """The CLI/API shape: the contract fields first, details after."""
        out = {
            "date": self.date.isoformat(),
            "dose_mg": self.dose_mg,
            "label": self.label,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "chair_minutes": self.chair_minutes,
            "why": self.why,
            "number": self.number,
            "dose_mg_per_m2": self.dose_mg_per_m2,
            "dose_basis": self.dose_basis,
        }
        out["chair"] = asdict(self.chair)
        return out


@dataclass(frozen=True)
class Plan:
    drug: str
    regimen: str
    off_label: bool
    infusions: tuple[PlannedInfusion, ...]
    notes: tuple[str, ...] = ()
    given: int = 0
    stopped: date | None = None
    cumulative_mg_per_m2: float | None = None

    @property
    def next(self) -> PlannedInfusion | None:
        return self.infusions[0] if self.infusions else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "regimen": self.regimen,
            "off_label": self.off_label,
            "infusions": [i.to_dict() for i in self.infusions],
            "notes": list(self.notes),
            "given": self.given,
            "stopped": self.stopped.isoformat() if self.stopped else None,
            "cumulative_mg_per_m2": self.cumulative_mg_per_m2,
        }


def current_course(record: PatientRecord, drug: Drug) -> Course | None:
    """The latest course of the drug, if the record lists courses."""
    courses = record.courses_of(drug.id)
    return courses[-1] if courses else None


def run_start(record: PatientRecord, drug: Drug) -> date | None:
    """Where the current run on the drug began: the first course after the latest stopped one.

    Course entries without a stop date are segments of one run (e.g. a record that lists each
    alemtuzumab treatment course); only a course that stopped ends a run, so the regimen restarts
    from its first dose after a stop.
    """
    courses = record.courses_of(drug.id)
    if not courses:
        return None
    first = 0
    for index, course in enumerate(courses[:-1]):
        if course.stop is not None:
            first = index + 1
    return courses[first].start


def history_for(
    record: PatientRecord, drug: Drug, course: Course | None = None
) -> tuple[Administration, ...]:
    """Administrations of the current run (all of them when the record lists no course)."""
    given = record.administrations_of(drug.id)
    start = run_start(record, drug)
    if start is None:
        return given
    return given[bisect_left(given, start, key=_given_on) :]  # oldest first, so a suffix


def choose_regimen(drug: Drug, regimen_id: str | None, course: Course | None) -> Regimen:
    wanted = regimen_id or (course.regimen if course else None)
    try:
        return drug.regimen(wanted)
    except KeyError as exc:
        raise CareError("regimen", str(exc.args[0])) from None


def plan_infusions(
    drug: Drug,
    *,
    start: date | None = None,
    record: PatientRecord | None = None,
    regimen_id: str | None = None,
    until: date | None = None,
    today: date | None = None,
    max_count: int | None = None,
) -> Plan:
    """The future infusions of `drug`.

    Without a record (or with no administrations of the drug) the plan starts at `start`. With
    administrations, they fill the first positions and the plan continues after the last one.
    `until` defaults to 12 months after `today` (or after the first planned infusion);
    `max_count` stops after that many infusions (readiness only needs the next one).
    """
    record = record or PatientRecord()
    basis = _basis(drug, record, regimen_id)
    course, regimen, history = basis.course, basis.regimen, basis.history
    notes = list(basis.notes)
    stop = course.stop if course is not None else None
    if stop is not None:
        notes.append(
            f"The course stopped on {stop.isoformat()}: no further infusions are planned; "
            "monitoring after stopping still applies."
        )
        return Plan(
            drug.id,
            regimen.id,
            drug.off_label or regimen.off_label,
            (),
            tuple(notes),
            given=len(history),
            stopped=stop,
        )
    if not history:
        start = start or (course.start if course else None)
        if start is None:
            raise CareError(
                "start", "a start date is needed when the record has no administrations"
            )
    elif start is not None and start > history[-1].date and course is None:
        notes.append(
            "The start date is ignored: the plan continues from the recorded administrations."
        )

    limit, cumulative = basis.limit, basis.cumulative
    future = basis.future(record, start)
    infusions: list[PlannedInfusion] = []
    horizon: date | None = until
    for index, slot in enumerate(future.slots()):
        if max_count is not None and len(infusions) >= max_count:
            break
        if horizon is None:
            horizon = add_months(max(slot.due, today) if today else slot.due, 12)
        if slot.due > horizon and (until is not None or slot.dose_index == 0):
            break  # the default horizon never cuts a course in two; an explicit `until` is exact
        if limit is not None and cumulative is not None:  # only then does the dose matter here
            per_m2_dose = future.dose(index, record).dose_mg_per_m2
            if per_m2_dose and cumulative + per_m2_dose > limit.limit_mg_per_m2 + 1e-9:
                notes.append(
                    f"Lifetime limit reached: {cumulative:.1f} of {limit.limit_mg_per_m2:g} mg/m² given "
                    f"({record.region}); another {per_m2_dose:g} mg/m² dose would exceed it, "
                    f"so no further doses are planned ({limit.source})."
                )
                break
            if per_m2_dose:
                cumulative += per_m2_dose
        infusions.append(future.infusion(index, record))
    if basis.earlier_courses:
        notes.append(
            f"{basis.earlier_courses} administration(s) before the current course started count "
            "toward infusion numbers and lifetime dose, not toward this course's schedule."
        )
    notes.extend(future.notes)
    return Plan(
        drug.id,
        regimen.id,
        drug.off_label or regimen.off_label,
        tuple(infusions),
        tuple(notes),
        given=len(history),
        cumulative_mg_per_m2=round(cumulative, 2) if cumulative is not None else None,
    )


class _Basis:
    """What every plan of one drug (and regimen choice) reads from one record."""

    def __init__(self, drug: Drug, record: PatientRecord, regimen_id: str | None) -> None:
        self.drug = drug  # kept alive: the memo key holds its id
        self.course = current_course(record, drug)
        self.regimen = choose_regimen(drug, regimen_id, self.course)
        self.history = history_for(record, drug, self.course)
        self.all_given = record.administrations_of(drug.id)
        self.earlier_courses = len(self.all_given) - len(self.history)
        self.notes = tuple(_regimen_notes(drug, self.regimen))
        self.limit: CumulativeLimit | None = lifetime_limit(drug, record.region)
        per_m2 = next(
            (d.dose_mg_per_m2 for b in self.regimen.blocks for d in b.doses if d.dose_mg_per_m2),
            None,
        )
        self.cumulative = cumulative_mg_per_m2(record, drug, per_m2) if self.limit else None

    def future(self, record: PatientRecord, start: date | None) -> _Future:
        """The record's future positions of the regimen; `start` only matters without history.

        Kept per regimen rather than per basis: readiness names the regimen it checks, the
        summary and due-list leave it to the course, and all three walk the same positions.
        """
        effective_start = self.history[0].date if self.history else start
        memo = record.memo()
        key = ("plan.future", id(self.drug), id(self.regimen), effective_start)
        future = memo.get(key)
        if future is None:
            future = _Future(self.drug, self.regimen, self.history, start, self.all_given)
            memo[key] = future
        return future


def _basis(drug: Drug, record: PatientRecord, regimen_id: str | None) -> _Basis:
    """The record's `_Basis` for the drug; CareError (not kept) when no regimen can be chosen."""
    memo = record.memo()
    key = ("plan.basis", id(drug), regimen_id)
    basis = memo.get(key)
    if basis is None:
        basis = memo[key] = _Basis(drug, record, regimen_id)
    return basis


class _Future:
    """The future infusions of one regimen for one record, built on demand and then kept.

    An infusion is only built once a plan keeps it: the slot just past a horizon is looked at, not
    built.
    """

    def __init__(
        self,
        drug: Drug,
        regimen: Regimen,
        history: tuple[Administration, ...],
        start: date | None,
        all_given: tuple[Administration, ...],
    ) -> None:
        self.drug, self.regimen = drug, regimen  # kept alive: the memo key holds their ids
        self._walker = Walker(regimen, history, start)
        self._walk = self._walker.future()
        self._given = len(all_given)
        self._chairs = ChairTimes(drug, {a.reaction for a in all_given})
        self._slots: list[tuple[Slot, date | None]] = []  # (slot, previous infusion date)
        self._doses: dict[tuple[int, int], Dose] = {}  # per (block, dose) of the regimen
        self._infusions: dict[int, PlannedInfusion] = {}
        self._done = False

    @property
    def notes(self) -> list[str]:
        """Notes from matching the history (e.g. a block cut short); complete once read past it."""
        return self._walker.notes

    def slots(self) -> Iterator[Slot]:
        """The future slots in order, walking the regimen further only when asked to."""
        index = 0
        while index < len(self._slots) or self._extend():
            yield self._slots[index][0]
            index += 1

    def _extend(self) -> bool:
        found = None if self._done else next(self._walk, None)
        if found is None:
            self._done = True
            return False
        self._slots.append(found)
        return True

    def dose(self, index: int, record: PatientRecord) -> Dose:
        """The dose of the slot at `index`; `record` is the one this list was made for."""
        slot = self._slots[index][0]
        step = (slot.block_index, slot.dose_index)
        dose = self._doses.get(step)
        if dose is None:
            dose = self._doses[step] = dose_for(slot.block.doses[slot.dose_index], record)
        return dose

    def infusion(self, index: int, record: PatientRecord) -> PlannedInfusion:
        """The planned infusion of the slot at `index`, numbered after every earlier one."""
        infusion = self._infusions.get(index)
        if infusion is None:
            slot, previous = self._slots[index]
            number = self._given + index + 1
            dose = self.dose(index, record)
            chair = self._chairs.for_infusion(number, slot.dose_index + 1)
            infusion = _planned(slot, previous, number, dose, chair)
            self._infusions[index] = infusion
        return infusion


def _regimen_notes(drug: Drug, regimen: Regimen) -> list[str]:
    notes = []
    if drug.off_label or regimen.off_label:
        notes.append(f"Off-label in MS: {regimen.name} ({regimen.source}).")
    if regimen.note:
        notes.append(regimen.note)
    return notes


def _given_on(adm: Administration) -> date:
    return adm.date


def _planned(
    slot: Slot, previous: date | None, number: int, dose: Dose, chair: ChairTime
) -> PlannedInfusion:
    block = slot.block
    hard, hard_why = None, ""
    if block.min_spacing is not None and slot.dose_index == 0 and previous is not None:
        hard = block.min_spacing.after(previous)
        hard_why = (
            f"at least {block.min_spacing} after the previous infusion ({previous.isoformat()}; "
            f"{block.min_spacing_source})"
        )
    fixed_day = slot.dose_index > 0 and block.consecutive_days
    before = None if fixed_day else block.window_before
    after = None if fixed_day else block.window_after
    earliest = before.before(slot.due) if before else slot.due
    if hard is not None:
        earliest = max(earliest, hard) if before else hard
    latest = after.after(slot.due) if after else slot.due
    latest = max(latest, earliest)
    label = block.label.format(
        n=slot.dose_index + 1, of=len(block.doses), cycle=slot.cycle, day=slot.dose_index + 1
    )
    why = slot.why
    if hard_why:
        why += f"; earliest {hard.isoformat() if hard else ''}: {hard_why}"
    if before or after:
        why += f"; booking window: {block.window_source}"
    return PlannedInfusion(
        date=slot.due,
        dose_mg=dose.dose_mg,
        label=label,
        earliest=earliest,
        latest=latest,
        chair_minutes=chair.total_minutes,
        why=why,
        number=number,
        block_id=block.id,
        cycle=slot.cycle,
        dose_in_block=slot.dose_index + 1,
        block_start=slot.dose_index == 0,
        dose_mg_per_m2=dose.dose_mg_per_m2,
        dose_basis=dose.basis,
        chair=chair,
        hard_earliest=hard,
        hard_earliest_why=hard_why,
        previous_dose=previous,
    )
