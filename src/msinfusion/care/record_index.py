"""A patient record grouped and sorted for the rules' queries (`PatientRecord._index`).

Built once per record on first use: the rules ask "administrations of this drug", "results of this
test up to this day" many times per patient, and each answer is then a dictionary look-up and a
bisection rather than a scan.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple, TypeVar

if TYPE_CHECKING:
    from msinfusion.care.record import Administration, Course, Result

_T = TypeVar("_T")
_by_date = attrgetter("date")
_by_start = attrgetter("start")
_by_drug = attrgetter("drug")


class RecordIndex(NamedTuple):
    """A record grouped for the rules' queries; every group is sorted oldest first."""

    administrations: dict[str, tuple[Administration, ...]]  # by drug
    results: dict[str, tuple[Result, ...]]  # by test
    courses: dict[str, tuple[Course, ...]]  # by drug, by start
    drugs: tuple[str, ...]  # every drug mentioned, in first-use order
    latest_given: date | None  # the latest administration
    latest_stop: date | None  # the latest course stop


_new_index = partial(tuple.__new__, RecordIndex)


def build_index(
    administrations: tuple[Administration, ...],
    results: tuple[Result, ...],
    courses: tuple[Course, ...],
) -> RecordIndex:
    """The index of a record with these items."""
    by_drug = _grouped(administrations, "drug")
    # first mention in the record breaks ties between drugs first used on the same day
    if len(by_drug) <= 1:  # one drug (most records): no order of first mention to find
        first_use = {drug: given[0].date for drug, given in by_drug.items()}
    else:
        first_use = {
            drug: by_drug[drug][0].date for drug in dict.fromkeys(map(_by_drug, administrations))
        }
    for course in courses:
        known = first_use.get(course.drug)
        first_use[course.drug] = course.start if known is None else min(known, course.start)
    by_course: dict[str, tuple[Course, ...]] = {}
    if len(courses) == 1:
        by_course[courses[0].drug] = courses
    elif courses:
        for course in sorted(courses, key=_by_start):
            by_course[course.drug] = (*by_course.get(course.drug, ()), course)
    stops = [c.stop for c in courses if c.stop is not None]
    if len(by_drug) == 1:
        latest_given: date | None = next(iter(by_drug.values()))[-1].date
    else:
        latest_given = max((given[-1].date for given in by_drug.values()), default=None)
    return _new_index(  # `RecordIndex(...)` without the named tuple's Python-level `__new__`
        (
            by_drug,
            _grouped_results(results),
            by_course,
            (
                tuple(first_use)
                if len(first_use) <= 1
                else tuple(sorted(first_use, key=first_use.__getitem__))
            ),
            latest_given,
            max(stops) if stops else None,
        )
    )


def _grouped(items: tuple[_T, ...], by: str) -> dict[str, tuple[_T, ...]]:
    """`items` sorted by date (stable) and grouped by the attribute `by`, in first-seen order.

    For items that mostly share one key (administrations: most records are on one drug)."""
    if not items:
        return {}
    ordered = sorted(items, key=_by_date)
    keys = list(map(attrgetter(by), ordered))
    first = keys[0]
    if keys.count(first) == len(keys):  # one group (e.g. a record on one drug)
        return {first: tuple(ordered)}
    groups: dict[str, list[_T]] = {}
    for key, item in zip(keys, ordered, strict=True):
        group = groups.get(key)
        if group is None:
            groups[key] = [item]
        else:
            group.append(item)
    return {k: tuple(v) for k, v in groups.items()}


def _grouped_results(results: tuple[Result, ...]) -> dict[str, tuple[Result, ...]]:
    """`_grouped(results, "test")` for items spread over several keys (a record's results are
    on several tests): one pass, no test for a single group."""
    groups: dict[str, list[Result]] = {}
    for result in sorted(results, key=_by_date):
        group = groups.get(result.test)
        if group is None:
            groups[result.test] = [result]
        else:
            group.append(result)
    return {k: tuple(v) for k, v in groups.items()}
