"""Infusion plans: the dated future infusions a regimen implies, from a start date or a history.

The regimen is walked position by position (block, repetition, dose). Past administrations fill the
first positions in order; every later position gets a due date from the rule the label gives
(`Block.counting`), a booking window, the chair time and a sentence saying why it falls on that date.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from msinfusion.care.chair import ChairTime, chair_time
from msinfusion.care.dosing import cumulative_mg_per_m2, dose_for, lifetime_limit
from msinfusion.care.record import Administration, Course, PatientRecord
from msinfusion.dates import add_months
from msinfusion.errors import CareError
from msinfusion.knowledge.model import Block, Drug, Regimen

INCOMPLETE_BLOCK_GAP = timedelta(days=30)
"""A dose more than this past its in-block due date starts the next block (the block was cut short)."""


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


@dataclass
class _Slot:
    """One position of the regimen while walking it."""

    block_index: int
    block: Block
    cycle: int
    dose_index: int
    due: date
    why: str
    actual: date | None = None
    extras: list[str] = field(default_factory=list)


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
    return tuple(a for a in given if a.date >= start)


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
    course = current_course(record, drug)
    regimen = choose_regimen(drug, regimen_id, course)
    history = history_for(record, drug, course)
    notes: list[str] = list(_regimen_notes(drug, regimen))
    all_given = record.administrations_of(drug.id)
    earlier_courses = len(all_given) - len(history)

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

    limit = lifetime_limit(drug, record.region)
    per_m2 = next(
        (d.dose_mg_per_m2 for b in regimen.blocks for d in b.doses if d.dose_mg_per_m2), None
    )
    cumulative = cumulative_mg_per_m2(record, drug, per_m2) if limit else None

    reactions = {a.reaction for a in all_given}
    walker = _Walker(regimen, history, start)
    infusions: list[PlannedInfusion] = []
    number = len(all_given)
    horizon: date | None = until
    for slot, previous in walker.future():
        if max_count is not None and len(infusions) >= max_count:
            break
        if horizon is None:
            horizon = add_months(max(slot.due, today) if today else slot.due, 12)
        if slot.due > horizon and (until is not None or slot.dose_index == 0):
            break  # the default horizon never cuts a course in two; an explicit `until` is exact
        number += 1
        step = slot.block.doses[slot.dose_index]
        dose = dose_for(step, record)
        if limit is not None and cumulative is not None and dose.dose_mg_per_m2:
            if cumulative + dose.dose_mg_per_m2 > limit.limit_mg_per_m2 + 1e-9:
                notes.append(
                    f"Lifetime limit reached: {cumulative:.1f} of {limit.limit_mg_per_m2:g} mg/m² given "
                    f"({record.region}); another {dose.dose_mg_per_m2:g} mg/m² dose would exceed it, "
                    f"so no further doses are planned ({limit.source})."
                )
                break
            cumulative += dose.dose_mg_per_m2
        chair = chair_time(drug, number, slot.dose_index + 1, reactions)
        infusions.append(_planned(drug, slot, previous, number, dose, chair))
    if earlier_courses:
        notes.append(
            f"{earlier_courses} administration(s) before the current course started count toward "
            "infusion numbers and lifetime dose, not toward this course's schedule."
        )
    notes.extend(walker.notes)
    return Plan(
        drug.id,
        regimen.id,
        drug.off_label or regimen.off_label,
        tuple(infusions),
        tuple(notes),
        given=len(history),
        cumulative_mg_per_m2=round(cumulative, 2) if cumulative is not None else None,
    )


def _regimen_notes(drug: Drug, regimen: Regimen) -> list[str]:
    notes = []
    if drug.off_label or regimen.off_label:
        notes.append(f"Off-label in MS: {regimen.name} ({regimen.source}).")
    if regimen.note:
        notes.append(regimen.note)
    return notes


def _planned(
    drug: Drug, slot: _Slot, previous: date | None, number: int, dose: Any, chair: ChairTime
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


class _Walker:
    """Walks a regimen's positions, matching past administrations, then yielding future slots."""

    def __init__(self, regimen: Regimen, history: tuple[Administration, ...], start: date | None):
        self.regimen = regimen
        self.history = list(history)
        self.start = history[0].date if history else start
        self.notes: list[str] = []

    def _positions(self):  # -> Iterator[tuple[int, Block, int]]
        for index, block in enumerate(self.regimen.blocks):
            cycle = 1
            while block.repeat == "indefinitely" or cycle <= block.repeat:
                yield index, block, cycle
                cycle += 1

    def future(self):  # -> Iterator[tuple[_Slot, date | None]]
        """Yield (slot, previous infusion date) for every position not yet given."""
        assert self.start is not None
        pending = list(self.history)
        prev_block: list[_Slot] = []
        last_dose: date | None = None
        for block_index, block, cycle in self._positions():
            block_slots: list[_Slot] = []
            for dose_index, step in enumerate(block.doses):
                slot = self._slot(
                    block_index,
                    block,
                    cycle,
                    dose_index,
                    step.day,
                    block_slots,
                    prev_block,
                    not pending,
                )
                if pending and dose_index > 0 and pending[0].date - slot.due > INCOMPLETE_BLOCK_GAP:
                    self.notes.append(
                        f"{block.id} {cycle} was cut short after {dose_index} of {len(block.doses)} "
                        f"doses: the infusion on {pending[0].date.isoformat()} starts the next block."
                    )
                    break
                if pending:
                    slot.actual = pending.pop(0).date
                    last_dose = slot.actual
                    block_slots.append(slot)
                    continue
                block_slots.append(slot)
                yield slot, last_dose
                last_dose = slot.due
            prev_block = block_slots

    def _slot(
        self,
        block_index: int,
        block: Block,
        cycle: int,
        dose_index: int,
        day: int,
        block_slots: list[_Slot],
        prev_block: list[_Slot],
        explain: bool,
    ) -> _Slot:
        """The slot's due date; `explain` builds the sentence (skipped for past slots: speed)."""
        if dose_index > 0:
            first = block_slots[0]
            if block.consecutive_days:
                last = block_slots[-1]
                last_date = last.actual or last.due
                gap = day - block.doses[dose_index - 1].day
                due = last_date + timedelta(days=gap)
                why = (
                    f"consecutive course day after {last_date.isoformat()} ({block.source.ref})"
                    if explain
                    else ""
                )
            else:
                first_date = first.actual or first.due
                due = first_date + timedelta(days=day)
                why = (
                    f"{day} days after dose 1 of this {block.id} dose "
                    f"({first_date.isoformat()}; {block.source.ref})"
                    if explain
                    else ""
                )
            return _Slot(block_index, block, cycle, dose_index, due, why)
        if not prev_block:
            assert self.start is not None
            why = "start of treatment" if not self.history else "first recorded infusion"
            return _Slot(block_index, block, cycle, 0, self.start, why)
        assert block.interval is not None
        anchor_slot = prev_block[0] if block.anchor == "previous_block_start" else prev_block[-1]
        actual = anchor_slot.actual or anchor_slot.due
        reference, how = actual, ""
        if block.counting == "grid" or (
            block.counting == "reset_if_late" and actual <= anchor_slot.due
        ):
            reference = anchor_slot.due
            if actual != anchor_slot.due:
                how = f" (its due date; it was given on {actual.isoformat()})"
        elif block.counting == "reset_if_late" and actual > anchor_slot.due:
            how = f" (given late, so the schedule resets from it; it was due {anchor_slot.due.isoformat()})"
        due = block.interval.after(reference)
        if not explain:
            return _Slot(block_index, block, cycle, 0, due, "")
        prev_block_def = prev_block[0].block
        which = 1 if block.anchor == "previous_block_start" else len(prev_block)
        prev_label = prev_block_def.label.format(
            n=which, of=len(prev_block_def.doses), cycle=prev_block[0].cycle, day=which
        )
        why = f"{block.interval} after {prev_label} on {reference.isoformat()}{how} ({block.source.ref})"
        return _Slot(block_index, block, cycle, 0, due, why)
