"""Infusion plans: the dated future infusions a regimen implies, from a start date or a history.

The regimen is walked position by position (`care.regimen_walk`): past administrations fill the
first positions in order; every later position gets a due date from the rule the label gives
(`Block.counting`), a booking window, the chair time and a sentence saying why it falls on that date.

A patient's summary, readiness check and due-list each plan the same drug with a different horizon.
What a plan reads from the record (course, regimen, history, lifetime dose) and the future positions
do not depend on the horizon, so inside `PatientRecord.shared_work` they are worked out once
(`_Basis`, `Future`) and every plan takes as many infusions as its horizon allows.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from msinfusion.care.dosing import cumulative_mg_per_m2, lifetime_limit
from msinfusion.care.lazy_text import build_plain
from msinfusion.care.plan_future import Future, take_within_limit
from msinfusion.care.planned import PlannedInfusion
from msinfusion.care.record import Administration, Course, PatientRecord
from msinfusion.care.regimen_walk import INCOMPLETE_BLOCK_GAP
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


def reactions_of(record: PatientRecord, drug_id: str) -> frozenset[str]:
    """Every reaction recorded for the drug's administrations (kept in the record's shared work).

    Chair times and contraindications both ask; most patients only ever had "none".
    """
    memo = record.memo()
    key = ("plan.reactions", drug_id)
    found = memo.get(key)
    if found is None:
        found = memo[key] = frozenset(map(_reaction, record.administrations_of(drug_id)))
    return found


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
    if limit is None or cumulative is None:  # only with a lifetime limit does the dose matter
        count = future.take(until, today, max_count)
    else:
        count, cumulative = take_within_limit(
            future, record, limit, cumulative, until, today, max_count, notes
        )
    infusions = future.first(count, record)
    if basis.earlier_courses:
        notes.append(
            f"{basis.earlier_courses} administration(s) before the current course started count "
            "toward infusion numbers and lifetime dose, not toward this course's schedule."
        )
    notes.extend(future.notes)
    return build_plain(  # Plan(...) with every field given; see lazy_text.build_plain
        Plan,
        {
            "drug": drug.id,
            "regimen": regimen.id,
            "off_label": basis.off_label,
            "infusions": infusions,
            "notes": tuple(notes),
            "given": len(history),
            "stopped": None,
            "cumulative_mg_per_m2": round(cumulative, 2) if cumulative is not None else None,
        },
    )


class _Basis:
    """What every plan of one drug (and regimen choice) reads from one record."""

    def __init__(self, drug: Drug, record: PatientRecord, regimen: Regimen) -> None:
        self.drug = drug  # kept alive: the memo key holds its id
        self.course = current_course(record, drug)
        self.regimen = regimen
        self.history = history_for(record, drug, self.course)
        self.all_given = record.administrations_of(drug.id)
        self.earlier_courses = len(self.all_given) - len(self.history)
        self.notes, self.off_label, per_m2 = _regimen_facts(drug, regimen)
        self.limit: CumulativeLimit | None = lifetime_limit(drug, record.region)
        self.cumulative: float | None = None
        self._futures: dict[date | None, Future] = {}  # by effective start, see `future`
        if self.limit is not None:
            self.cumulative = cumulative_mg_per_m2(record, drug, per_m2)

    def future(self, record: PatientRecord, start: date | None) -> Future:
        """The record's future positions of the regimen; `start` only matters without history.

        Kept per regimen rather than per way of choosing it (the basis is shared by every
        regimen choice that picks the same regimen, see `_basis`): readiness names the regimen
        it checks, the summary and due-list leave it to the course, and all three walk the same
        positions.
        """
        effective_start = self.history[0].date if self.history else start
        future = self._futures.get(effective_start)
        if future is None:
            future = self._futures[effective_start] = Future(
                self.drug,
                self.regimen,
                self.history,
                start,
                self.all_given,
                reactions_of(record, self.drug.id),
            )
        return future


def _basis(drug: Drug, record: PatientRecord, regimen_id: str | None) -> _Basis:
    """The record's `_Basis` for the drug; CareError (not kept) when no regimen can be chosen.

    Kept per regimen chosen, not per way of naming it: readiness names the regimen the course
    leaves to the default, and both read the same basis.
    """
    memo = record.memo()
    key = ("plan.basis", id(drug), regimen_id)
    basis = memo.get(key)
    if basis is None:
        regimen = choose_regimen(drug, regimen_id, current_course(record, drug))
        chosen = ("plan.basis", id(drug), id(regimen))
        basis = memo.get(chosen)
        if basis is None:
            basis = memo[chosen] = _Basis(drug, record, regimen)
        memo[key] = basis
    return basis


_RegimenFacts = tuple[tuple[str, ...], bool, float | None]
_REGIMEN_FACTS: dict[tuple[int, int], tuple[Drug, Regimen, _RegimenFacts]] = {}


def _regimen_facts(drug: Drug, regimen: Regimen) -> _RegimenFacts:
    """The plan notes of a regimen, whether it is off-label and its first mg/m² dose (what a
    lifetime dose assumes for an administration that records none), read once per catalog
    regimen: every plan of every patient on it reads the same."""
    key = (id(drug), id(regimen))
    known = _REGIMEN_FACTS.get(key)
    if known is not None and known[0] is drug and known[1] is regimen:
        return known[2]
    per_m2 = next(
        (d.dose_mg_per_m2 for b in regimen.blocks for d in b.doses if d.dose_mg_per_m2), None
    )
    facts = (tuple(_regimen_notes(drug, regimen)), drug.off_label or regimen.off_label, per_m2)
    if len(_REGIMEN_FACTS) > 1024:
        _REGIMEN_FACTS.clear()
    _REGIMEN_FACTS[key] = (drug, regimen, facts)
    return facts


def _regimen_notes(drug: Drug, regimen: Regimen) -> list[str]:
    notes = []
    if drug.off_label or regimen.off_label:
        notes.append(f"Off-label in MS: {regimen.name} ({regimen.source}).")
    if regimen.note:
        notes.append(regimen.note)
    return notes


_given_on = attrgetter("date")
"""An administration's date (read in C: bisecting a history asks it several times)."""


_reaction = attrgetter("reaction")
