"""Due dates of monitoring items whose schedule needs no walk, worked out by arithmetic.

Part of the due-list (`care.monitoring`). Two kinds of item have schedules that are plain
arithmetic once their start is known, and the due-list only keeps the occurrences from today on
and one before today; rather than walking every occurrence from the anchor (`Schedule.walk`), the
repeats in question are found from their index. The answers are the walk's (the due-list uses
these only while `monitoring_schedule.JUMP` is on; tests compare both):

- an item without a test and without a condition (a program form, a clinical assessment):
  nothing meets or moves an occurrence; its dates are the offsets after the anchor, then
  base + k x every (`untested_occurrences`);
- an item counted from results (convention 7) without offsets and without a condition: the
  results after the anchor move the schedule on from each, then repeats count from the last one
  used (`from_results_occurrences`).
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.monitoring_schedule import (
    Occurrence,
    Reason,
    _base,
    _last_on_or_before,
    _new_occurrence,
    _offset_reason,
    _on,
    _previous_result,
    _repeat_reason,
    _times,
    _Words,
)
from msinfusion.knowledge.model import Monitoring

_DAY = timedelta(days=1)


def arithmetic_kind(item: Monitoring) -> str:
    """Which function here gives the item's schedule: "untested" (`untested_occurrences`),
    "from_results" (`from_results_occurrences`) or "" (neither: the due-list walks it)."""
    if item.condition:
        return ""  # a condition may move an occurrence
    if item.test is None and not item.counts_from_result:
        return "untested"
    if item.test is not None and item.counts_from_result and item.every and not item.offsets:
        return "from_results"
    return ""


def untested_occurrences(
    item: Monitoring,
    anchor: date,
    what: str,
    stop_at: date,
    today: date,
    look_back: date | None,
) -> tuple[list[Occurrence], Occurrence | None]:
    """The occurrences from `anchor` dated today to `stop_at` (oldest first), and the one before
    today the due-list keeps: the most recent one from `look_back` on, or without `look_back`
    (a task the record can confirm) the oldest one.

    The same occurrences, in the same order, as `Schedule(item, ...).walk(stop_at, ...)` gives
    on or after today; the walk stops at the first date after `stop_at`.
    """
    on = _Words(_on, what, anchor)
    upcoming: list[Occurrence] = []
    pending: Occurrence | None = None
    for offset in item.offsets:
        due = offset.after(anchor)
        if due > stop_at:
            return upcoming, pending  # the walk ends at the first date past `stop_at`
        occurrence = _new_occurrence((due, False, (_offset_reason, offset, on), None, ""))
        if due >= today:
            upcoming.append(occurrence)
        elif look_back is None:
            if pending is None:
                pending = occurrence
        elif due >= look_back:
            pending = occurrence
    every = item.every
    if every is None:
        return upcoming, pending
    base, base_what = _base(item, anchor, on)
    months, days = every.months, every.days + 7 * every.weeks
    before = _last_on_or_before(base, months, days, today - _DAY)  # repeats 1..before: past
    if before:
        if look_back is None:
            if pending is None:
                first = _times(base, months, days, 1)
                if first <= stop_at:
                    pending = _repeat(first, every, 1, base_what)
        else:
            last = _times(base, months, days, before)
            if last <= stop_at and last >= look_back:
                pending = _repeat(last, every, before, base_what)
    upcoming.extend(_repeats(base, months, days, before + 1, stop_at, every, base_what))
    return upcoming, pending


def from_results_occurrences(
    item: Monitoring,
    anchor: date,
    what: str,
    test_name: str,
    days: list[date],
    stop_at: date,
    today: date,
) -> tuple[list[Occurrence], Occurrence | None]:
    """Like `untested_occurrences` (the oldest unmet one before today), for an item counted from
    results without offsets; `days` are the dates of the results that count, oldest first.

    Each result after the anchor meets the occurrence it falls on or before (or the one it is
    late for) and the schedule goes on `every` after it (`Schedule._walk_from_results`); met
    occurrences are not returned (the due-list keeps nothing of them: they come before any unmet
    one). Once no result is left, the rest are unmet repeats from the last result used.
    """
    every = item.every
    assert every is not None
    months, span = every.months, every.days + 7 * every.weeks
    ref: date = anchor
    n_days = len(days)
    unused = bisect_right(days, anchor)  # results after the anchor are unused
    due = _times(ref, months, span, 1)
    from_result = False  # whether `ref` is a result
    while due <= stop_at and unused < n_days:
        # met on time (latest unused result by the due date) or late (first one after it)
        late = bisect_right(days, due, unused)
        ref = days[late - 1] if late > unused else days[late]
        unused = bisect_right(days, ref)
        from_result = True
        due = _times(ref, months, span, 1)
    if due > stop_at:
        return [], None
    ref_what = (
        _Words(_previous_result, test_name, ref) if from_result else _Words(_on, what, anchor)
    )
    pending = None
    k = 1
    if due < today:  # the oldest of the unmet run before today; the rest of the run is skipped
        pending = _repeat(due, every, 1, ref_what)
        k = max(2, _last_on_or_before(ref, months, span, today - _DAY) + 1)
    return _repeats(ref, months, span, k, stop_at, every, ref_what), pending


def _repeats(
    base: date, months: int, days: int, k: int, stop_at: date, every: object, what: object
) -> list[Occurrence]:
    """Repeats k, k+1, ... of `every` after `base`, while due by `stop_at`."""
    out = []
    due = _times(base, months, days, k)
    while due <= stop_at:
        out.append(_repeat(due, every, k, what))
        k += 1
        due = add_months(base, months * k) if months else base  # `_times`, inlined
        if days:
            due += timedelta(days=days * k)
    return out


def _repeat(due: date, every: object, k: int, base_what: object) -> Occurrence:
    reason: Reason = (_repeat_reason, every, k, base_what)
    return _new_occurrence((due, False, reason, None, ""))
