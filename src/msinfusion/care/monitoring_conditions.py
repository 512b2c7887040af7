"""Conditions of monitoring items: named predicates on the record, evaluated on a date.

A catalog monitoring item may name a `condition` (`Monitoring.condition`); the due-list
(`care.monitoring`) evaluates it on each due date and, when it does not hold then but starts to
hold before the next one, lets the task fall due on the first day it holds. An unknown name raises
CareError. `CONDITIONS` is re-exported by `care.monitoring`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.pml import (
    ANTI_JCV_STATUS_TEST,
    ANTI_JCV_TEST,
    INDEX_CUTOFF,
    NATALIZUMAB_DRUGS,
    STRATIFY_NEGATIVE_BELOW,
    is_stratify_jcv,
    unusable_reason,
)
from msinfusion.care.record import PatientRecord, Result
from msinfusion.dates import completed_months
from msinfusion.errors import CareError


@dataclass(frozen=True)
class _JcvStatus:
    status: Literal["negative", "positive"] | None
    index: float | None
    assay: str | None
    drawn: date | None


_NO_DRAW = _JcvStatus(None, None, None, None)


def _anti_jcv(record: PatientRecord, day: date) -> _JcvStatus:
    """Anti-JCV status from the latest usable draw on or before `day` (convention 6).

    The draw is the one `pml.latest_usable_draw` picks; see `_draw_statuses`.
    """
    dates, statuses = _draw_statuses(record)
    found = bisect_right(dates, day)
    return statuses[found - 1] if found else _NO_DRAW


def _draw_statuses(record: PatientRecord) -> tuple[list[date], list[_JcvStatus]]:
    """Every usable anti-JCV draw of the record with the status it gives, oldest first.

    Conditions are asked on many days per patient (each due date of each item); whether a draw is
    usable depends only on its own date (IVIG and plasma-exchange windows), so the draws are read
    once per record and each day picks the latest one on or before it, as `latest_usable_draw` does:
    a draw is every result of both tests dated that day, index results first.
    """
    memo = record.memo()
    found = memo.get("monitoring.anti_jcv_draws")
    if found is None:
        by_date: dict[date, list[Result]] = {}
        for r in record.results_of(ANTI_JCV_TEST) + record.results_of(ANTI_JCV_STATUS_TEST):
            by_date.setdefault(r.date, []).append(r)
        usable = [d for d in sorted(by_date) if unusable_reason(record, d) is None]
        found = memo["monitoring.anti_jcv_draws"] = (
            usable,
            [_status_of(tuple(by_date[d])) for d in usable],
        )
    return found


def _status_of(draw: tuple[Result, ...]) -> _JcvStatus:
    """A qualitative positive/negative result decides. A STRATIFY JCV index alone below 0.20 reads
    as negative, the same (unverified) reading as `pml.estimate_for_record`; every other index alone
    reads as positive with that index (the fact base gives no negative cut-off).
    """
    statuses = {r.value for r in draw if r.value in ("positive", "negative")}
    indexes = [r for r in draw if isinstance(r.value, float)]
    index = float(indexes[0].value) if indexes else None
    assay = indexes[0].assay if indexes else None
    if statuses:
        status: Literal["negative", "positive"] = (
            "negative" if statuses == {"negative"} else "positive"
        )
    elif index is None:
        return _JcvStatus(None, None, None, draw[0].date)
    elif is_stratify_jcv(assay) and index < STRATIFY_NEGATIVE_BELOW:
        status = "negative"
    else:
        status = "positive"
    return _JcvStatus(status, index, assay, draw[0].date)


def _first_natalizumab(record: PatientRecord) -> date | None:
    """The first natalizumab (or natalizumab-sztn) infusion: exposure counts from it (convention 4).

    Kept in the record's shared work: the exposure condition asks on every change day."""
    memo = record.memo()
    found = memo.get("monitoring.first_natalizumab", _UNKNOWN)
    if found is _UNKNOWN:
        firsts = [a.date for d in NATALIZUMAB_DRUGS for a in record.administrations_of(d)[:1]]
        found = memo["monitoring.first_natalizumab"] = min(firsts) if firsts else None
    return found  # type: ignore[no-any-return]


_UNKNOWN = object()


def _is_anti_jcv_negative(record: PatientRecord, day: date) -> bool:
    return _anti_jcv(record, day).status == "negative"


def _is_low_index_after_24_months(record: PatientRecord, day: date) -> bool:
    """Convention 6: positive, index ≤1.5, no prior immunosuppressant, exposure past 24 months.

    Exposure is completed calendar months since the first natalizumab (or natalizumab-sztn)
    infusion (convention 4). An index from another assay cannot be banded (convention 5), so it is
    treated as possibly low: retesting is the cautious side.
    """
    jcv = _anti_jcv(record, day)
    if jcv.status != "positive" or jcv.index is None or record.prior_immunosuppressants:
        return False
    if jcv.index > INDEX_CUTOFF and is_stratify_jcv(jcv.assay):
        return False
    first = _first_natalizumab(record)
    return first is not None and completed_months(first, day) > 24


def _has_childbearing_potential(record: PatientRecord, day: date) -> bool:
    """Unless the record says False (unknown applies, as in `requirements.requirement_applies`)."""
    return record.childbearing_potential is not False


ConditionCheck = Callable[[PatientRecord, date], bool]

CONDITIONS: dict[str, tuple[ConditionCheck, str]] = {
    "anti_jcv_negative": (_is_anti_jcv_negative, "anti-JCV negative"),
    "anti_jcv_low_index_after_24_months": (
        _is_low_index_after_24_months,
        "anti-JCV positive with an index ≤1.5, no prior immunosuppressant, past 24 months of "
        "natalizumab exposure",
    ),
    "childbearing_potential": (_has_childbearing_potential, "the patient may become pregnant"),
}
"""Named predicates a catalog monitoring item may use as `condition`, evaluated on a date.

A condition added here may only change value on the days `condition_change_days` lists: the
due-list reads every condition off those days (`Timeline`)."""


def condition_change_days(record: PatientRecord) -> list[date]:
    """Every day on which a registered condition can change its value, sorted.

    Anti-JCV status changes only when a new draw is dated (whether a draw is usable depends on its
    own date, not on the day asked); exposure-based conditions change when completed months tick
    over, checked here for the months around the 24-month boundary.
    """
    days = {
        r.date for test in (ANTI_JCV_TEST, ANTI_JCV_STATUS_TEST) for r in record.results_of(test)
    }
    first = _first_natalizumab(record)
    if first is not None:
        days.update(add_months(first, m) for m in range(24, 27))
    return sorted(days)


class Timeline:
    """When one condition holds for one record, read off the record's change days.

    A registered condition only changes value on `condition_change_days`, so its value on a day is
    its value on the latest change day on or before it: each change day is asked once per record
    instead of on every due date of every schedule. Before the first change day the condition is
    asked directly. The record is passed in, not kept: timelines live in the record's memo.
    """

    def __init__(self, record: PatientRecord, check: ConditionCheck) -> None:
        self.check = check
        self.changes = _change_days(record)
        self._values: list[bool | None] = [None] * len(self.changes)

    def _value(self, record: PatientRecord, index: int) -> bool:
        value = self._values[index]
        if value is None:
            value = self._values[index] = self.check(record, self.changes[index])
        return value

    def holds(self, record: PatientRecord, day: date) -> bool:
        index = bisect_right(self.changes, day) - 1
        return self.check(record, day) if index < 0 else self._value(record, index)

    def next_start(self, record: PatientRecord, after: date) -> date | None:
        """The first change day after `after` on which the condition holds, if any."""
        for index in range(bisect_right(self.changes, after), len(self.changes)):
            if self._value(record, index):
                return self.changes[index]
        return None


def _change_days(record: PatientRecord) -> list[date]:
    """`condition_change_days`, shared by the record's timelines (which only read it)."""
    memo = record.memo()
    days = memo.get("monitoring.change_days")
    if days is None:
        days = memo["monitoring.change_days"] = condition_change_days(record)
    return days


def timeline(record: PatientRecord, name: str) -> Timeline:
    """The record's `Timeline` of the named condition (CareError if the name is unknown)."""
    memo = record.memo()
    key = ("monitoring.condition", name)
    found = memo.get(key)
    if found is None:
        found = memo[key] = Timeline(record, condition(name)[0])
    return found


def condition(name: str) -> tuple[ConditionCheck, str]:
    """The predicate and its description; CareError naming the condition if it is unknown."""
    try:
        return CONDITIONS[name]
    except KeyError:
        known = ", ".join(sorted(CONDITIONS))
        raise CareError(
            "monitoring.condition", f"unknown monitoring condition {name!r}; known: {known}"
        ) from None
