"""Requirements: which catalog requirement applies to an infusion, and which result satisfies it.

Shared by the readiness check ("cleared for infusion?") and the monitoring due-list ("what is still
needed, and by when"). Pure functions on a `PatientRecord`; no catalog lookups, no I/O.

A result is *usable* for an infusion on a day when it is
- a result of the requirement's test dated on or before that day,
- no older than the maximum age (age = infusion day - result date; valid while age <= maximum):
  the requirement's `max_age_days`, else the test's general `valid_days` from tests.toml when the
  caller passes it (the catalog's rule: "a drug's requirement may ask for a fresher one"),
- and, when the requirement says `after_previous_dose`, dated strictly after the previous dose.
The latest such result is the one the rules read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from msinfusion.care.record import PatientRecord, Result
from msinfusion.knowledge.model import Requirement

if TYPE_CHECKING:  # plan imports nothing from here; keep the import light anyway
    from msinfusion.care.plan import PlannedInfusion


def max_age(req: Requirement, valid_days: int | None = None) -> int | None:
    """The maximum result age in days: the requirement's own, else the test's general validity."""
    return req.max_age_days if req.max_age_days is not None else valid_days


def is_usable(
    result: Result,
    req: Requirement,
    infusion_date: date,
    previous_dose: date | None,
    *,
    valid_days: int | None = None,
) -> bool:
    """Whether one result of `req.test` can satisfy `req` for an infusion on `infusion_date`."""
    if result.test != req.test or result.date > infusion_date:
        return False
    limit = max_age(req, valid_days)
    if limit is not None and (infusion_date - result.date).days > limit:
        return False
    return not (
        req.after_previous_dose and previous_dose is not None and result.date <= previous_dose
    )


def usable_result(
    record: PatientRecord,
    req: Requirement,
    infusion_date: date,
    previous_dose: date | None,
    *,
    valid_days: int | None = None,
) -> Result | None:
    """The latest result satisfying `req` for an infusion on `infusion_date`, or None.

    `valid_days`: the test's general validity (`catalog.test(req.test).valid_days`), used when the
    requirement sets no `max_age_days`; leave it out to apply the requirement's own limits only.
    """
    for result in reversed(record.results_of(req.test, on_or_before=infusion_date)):
        if is_usable(result, req, infusion_date, previous_dose, valid_days=valid_days):
            return result
    return None


def requirement_applies(req: Requirement, record: PatientRecord, infusion: PlannedInfusion) -> bool:
    """Whether `req` is checked before `infusion`.

    when: first_infusion -> infusion number 1 of the drug; course_start -> the first infusion of a
    block (a course, a split dose, a maintenance dose); every_infusion -> always.
    applies_to childbearing_potential -> unless the record says False (unknown applies: better safe).
    region -> the record's region.
    """
    if req.region is not None and req.region != record.region:
        return False
    if req.applies_to == "childbearing_potential" and record.childbearing_potential is False:
        return False
    if req.when == "first_infusion":
        return infusion.number == 1
    if req.when == "course_start":
        return infusion.block_start
    return True


def childbearing_unknown(req: Requirement, record: PatientRecord) -> bool:
    """True when `req` applies only because childbearing potential is not recorded."""
    return req.applies_to == "childbearing_potential" and record.childbearing_potential is None


@dataclass(frozen=True)
class ResultWindow:
    """The dates a fresh result must be drawn between for an infusion on `infusion_date`."""

    not_before: date | None
    by: date

    def contains(self, day: date) -> bool:
        return day <= self.by and (self.not_before is None or day >= self.not_before)

    def describe(self) -> str:
        if self.not_before is None:
            return f"by {self.by.isoformat()}"
        return f"between {self.not_before.isoformat()} and {self.by.isoformat()}"


def result_window(
    req: Requirement,
    infusion_date: date,
    previous_dose: date | None,
    *,
    valid_days: int | None = None,
) -> ResultWindow:
    """When a result must be drawn to be usable for an infusion on `infusion_date`.

    The latest date is the infusion day itself (result known before dosing); the earliest is the
    later of `max_age_days` before it and the day after the previous dose (`after_previous_dose`).
    """
    bounds: list[date] = []
    limit = max_age(req, valid_days)
    if limit is not None:
        bounds.append(infusion_date - timedelta(days=limit))
    if req.after_previous_dose and previous_dose is not None:
        bounds.append(previous_dose + timedelta(days=1))
    return ResultWindow(max(bounds) if bounds else None, infusion_date)


def result_due_by(req: Requirement, infusion_date: date, previous_dose: date | None) -> date:
    """The latest date a fresh result can be drawn for an infusion on `infusion_date`.

    That is the infusion day itself (the result must be known before dosing); see `result_window`
    for the earliest date a draw still counts.
    """
    return result_window(req, infusion_date, previous_dose).by


def freshness(req: Requirement, valid_days: int | None = None) -> str:
    """How recent a result must be, in words ("no older than 30 days, dated after the previous dose")."""
    parts = []
    limit = max_age(req, valid_days)
    if limit is not None:
        parts.append(f"no older than {limit} days")
    if req.after_previous_dose:
        parts.append("dated after the previous dose")
    return ", ".join(parts) if parts else "any date"
