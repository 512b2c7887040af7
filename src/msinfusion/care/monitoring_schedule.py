"""Monitoring schedules: when one catalog item falls due from one anchor, and whether it was done.

Part of the due-list; `care.monitoring` states the rules (fixed offsets and repeats, results that
count, conventions 2 and 7, conditions). A `Schedule` walks the occurrences of one item from one
anchor and says for each whether the record shows it done.

Each occurrence can say why it falls due, but the sentence is only built when asked: a long history
walks dozens of occurrences that are met or superseded by a later one, and nobody reads theirs.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import partial
from itertools import chain
from typing import Any, NamedTuple

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.monitoring_conditions import condition, timeline
from msinfusion.care.pml import ANTI_JCV_STATUS_TEST, ANTI_JCV_TEST, unusable_reason
from msinfusion.care.record import PatientRecord, Result
from msinfusion.dates import Interval, describe_span
from msinfusion.knowledge.model import Monitoring


def repeat(every: Interval, k: int, base: date) -> date:
    """The date `every` k times over after `base` (as `Interval.after` would give it).

    Repeats are counted from the base date, never from the previous repeat (convention 2).
    """
    day = add_months(base, every.months * k)
    days = (every.days + 7 * every.weeks) * k
    return day + timedelta(days=days) if days else day


def times_text(every: Interval, k: int) -> str:
    """`every` k times over in words ("18 months")."""
    return describe_span(every.days * k, every.weeks * k, every.months * k)


JUMP = True
"""Step over past occurrences that cannot change the due-list in one calculation rather than one
by one (`Schedule.walk`). Tests switch it off to check the step gives the walked answers."""


def _unexplained() -> str:
    return ""


Reason = Callable[[], str] | tuple[Any, ...]
"""What writes an occurrence's sentence: a function, or a tuple of a function and its arguments
(cheaper to make than a `functools.partial`; most occurrences are walked, not explained)."""


class Occurrence(NamedTuple):
    """One due date of an item; `scheduled` differs from `due` when a condition moved it later.

    A named tuple rather than a dataclass: walks create many and only a few are kept.
    """

    due: date
    met: bool
    reason: Reason = _unexplained
    scheduled: date | None = None
    condition: str = ""  # what the item's condition means, when it has one

    @property
    def why(self) -> str:
        """The sentence for the due-list, built on demand."""
        reason = self.reason
        why = reason[0](*reason[1:]) if type(reason) is tuple else reason()
        if not self.condition:
            return why
        if self.scheduled is not None and self.scheduled != self.due:
            return (
                f"{why} ({self.scheduled.isoformat()}); applies only when {self.condition}: "
                f"from {self.due.isoformat()}"
            )
        return f"{why}; applies while {self.condition}"


_new_occurrence = partial(tuple.__new__, Occurrence)
"""`Occurrence(*fields)` from the tuple of all five fields, without the generated `__new__`'s own
Python frame: walks create an occurrence per due date."""


def _offset_reason(offset: Interval, on: Callable[[], str]) -> str:
    return f"at {on()}" if offset.is_zero else f"{offset} after {on()}"


def _repeat_reason(every: Interval, k: int, base_what: Callable[[], str]) -> str:
    return f"{times_text(every, k)} after {base_what()}"


class _Words:
    """A phrase written on first use: most occurrences are walked, not explained."""

    __slots__ = ("args", "make", "text")

    def __init__(self, make: Callable[..., str], *args: object) -> None:
        self.make, self.args, self.text = make, args, None

    def __call__(self) -> str:
        if self.text is None:
            self.text = self.make(*self.args)
        return self.text


def _on(what: str, anchor: date) -> str:
    return f"{what} on {anchor.isoformat()}"


def _offset_base(base: date, offset: Interval, on: Callable[[], str]) -> str:
    return f"{base.isoformat()} ({offset} after {on()})"


def _previous_result(test_name: str, day: date) -> str:
    return f"the previous {test_name} result on {day.isoformat()}"


def _fixed_dates(
    item: Monitoring, anchor: date, what: str, skip_to: date | None = None
) -> Iterator[tuple[date, Reason]]:
    """Offsets after the anchor, then base + k x every (base = anchor + last offset, or anchor).

    `skip_to`: repeats start at the latest one on or before that day (when it is past the
    first): every earlier date is followed by a date on or before it.
    """
    on = _Words(_on, what, anchor)
    for offset in item.offsets:
        yield offset.after(anchor), (_offset_reason, offset, on)
    every = item.every
    if every is None or item.counts_from_result:
        return
    base, base_what = _base(item, anchor, on)
    months, days = every.months, every.days + 7 * every.weeks
    k = 1
    if skip_to is not None and (months or days):
        k = max(1, _last_on_or_before(base, months, days, skip_to))
    while True:
        due = add_months(base, months * k) if months else base
        yield (
            (due + timedelta(days=days * k) if days else due),
            (_repeat_reason, every, k, base_what),
        )
        k += 1


def _base(item: Monitoring, anchor: date, on: Callable[[], str]) -> tuple[date, Callable[[], str]]:
    """Where repeats count from: the last offset's date, or the anchor itself."""
    if not item.offsets or item.offsets[-1].is_zero:
        return anchor, on
    base = item.offsets[-1].after(anchor)
    return base, _Words(_offset_base, base, item.offsets[-1], on)


class Schedule:
    """Walks one item from one anchor up to `stop_at`, yielding each occurrence and whether it is met."""

    def __init__(
        self, item: Monitoring, record: PatientRecord, anchor: date, what: str, test_name: str
    ):
        self.item, self.anchor, self.what, self.test_name = item, anchor, what, test_name
        # results and their dates (oldest first, for bisecting)
        self.results, self.days = _counting_results(record, item.test) if item.test else ((), [])
        self.cond_what = condition(item.condition)[1] if item.condition else ""
        self.timeline = timeline(record, item.condition) if item.condition else None
        self.record = record

    def _condition_day(self, due: date, before: date | None, stop_at: date) -> date | None:
        """`due` if the condition holds then, else the first later day it holds before `before`.

        Conditions only change on the record's own dates (a new anti-JCV draw, exposure passing a
        month boundary), so only those days are tried after `due`, not every calendar day.
        """
        if self.timeline is None or self.timeline.holds(self.record, due):
            return due
        limit = min(before, stop_at + timedelta(days=1)) if before else stop_at
        start = self.timeline.next_start(self.record, due)
        return start if start is not None and start < limit else None

    def _occurrence(self, due: date, shifted: date, reason: Reason, met: bool) -> Occurrence:
        if not self.cond_what:
            return _new_occurrence((due, met, reason, None, ""))
        return _new_occurrence((shifted, met, reason, due, self.cond_what))

    def walk(
        self, stop_at: date, since: date | None = None, today: date | None = None
    ) -> Iterator[Occurrence]:
        """Every occurrence up to `stop_at`, oldest first.

        `since`: the caller has no use for occurrences dated before it. For an item without a test
        (nothing can be met, so no occurrence depends on the earlier ones) those are not yielded,
        which spares walking years of history occurrence by occurrence.

        `today`: the caller keeps only the first of a run of unmet occurrences before it (the
        oldest unmet one). Once no result is left to meet one and the item has no condition,
        the rest of the run before `today` is not yielded.
        """
        item = self.item
        if item.counts_from_result and item.every is not None:
            if not item.offsets:  # nothing fixed to walk first
                return self._walk_from_results(stop_at, today)
            fixed = self._walk_fixed(stop_at, since if not item.test else None)
            return chain(fixed, self._walk_from_results(stop_at, today))
        return self._walk_fixed(stop_at, since if not item.test else None)

    def _walk_fixed(self, stop_at: date, since: date | None) -> Iterator[Occurrence]:
        """Each result counts once: the first unused one in [due - gap/2, next due)."""
        item = self.item
        skip_to = min(since, stop_at) if JUMP and since is not None else None
        dates = _fixed_dates(item, self.anchor, self.what, skip_to)
        # after the last fixed date, a counted-from-result item falls due `every` later
        then = item.every if item.counts_from_result and item.every else None
        days, timeline, cond_what = self.days, self.timeline, self.cond_what
        n_days = len(days)
        previous, unused = self.anchor, 0
        current = next(dates, None)
        while current is not None and current[0] <= stop_at:
            following = next(dates, None)
            due, reason = current
            if following is not None:
                after: date | None = following[0]
            else:
                after = then.after(due) if then is not None else None
            if since is not None and after is not None and after <= since:
                # it falls before the next one (even when its condition moves it): before `since`
                previous, current = due, following
                continue
            shifted = due if timeline is None else self._condition_day(due, after, stop_at)
            if shifted is not None:
                met = False
                if unused < n_days:
                    low = due - timedelta(days=(due - previous).days // 2)
                    # the first unused result from `low` on counts if it is before the next due
                    first = bisect_left(days, low, unused)
                    met = first < n_days and (after is None or days[first] < after)
                    if met:
                        unused = first + 1
                if cond_what:  # `_occurrence`, inlined
                    yield _new_occurrence((shifted, met, reason, due, cond_what))
                else:
                    yield _new_occurrence((due, met, reason, None, ""))
            previous, current = due, following

    def _walk_from_results(self, stop_at: date, today: date | None) -> Iterator[Occurrence]:
        """Convention 7: `every` after the latest result since the anchor, else after the base."""
        assert self.item.every is not None
        every = self.item.every
        months, span = every.months, every.days + 7 * every.weeks
        # the run of unmet occurrences before `today` may be stepped over (see `walk`)
        jump = JUMP and today is not None and bool(months or span)
        ref, ref_what = _base(self.item, self.anchor, _Words(_on, self.what, self.anchor))
        days, timeline, record = self.days, self.timeline, self.record
        n_days = len(days)
        k, unused = 1, bisect_right(days, self.anchor)  # results after the anchor are unused
        due = _times(ref, months, span, k)
        from_result = False  # whether `ref` is a result (its words are written once it is final)
        while due <= stop_at:
            if unused < n_days:
                # met on time (latest unused result by the due date) or late (first one after
                # it): either way the schedule continues from that result
                late = bisect_right(days, due, unused)
                used = days[late - 1] if late > unused else days[late]
                yield _new_occurrence((due, True, _unexplained, None, ""))
                ref, k, unused = used, 1, bisect_right(days, used)
                from_result = True
                due = _times(ref, months, span, k)
                continue
            if from_result:  # no result is left: the schedule counts from the last one used
                ref_what = _Words(_previous_result, self.test_name, ref)
                from_result = False
            if timeline is None:  # no condition and no result left: plain repeats
                while due <= stop_at:
                    reason = (_repeat_reason, every, k, ref_what)
                    yield _new_occurrence((due, False, reason, None, ""))
                    k += 1
                    if jump and due < today:  # type: ignore[operator]
                        # the rest of the unmet run before today: go to the first one after it
                        last = _last_on_or_before(ref, months, span, today - _DAY)  # type: ignore[operator]
                        k, jump = max(k, last + 1), False
                    # `_times(ref, months, span, k)`, inlined: the list's upcoming tasks are these
                    due = add_months(ref, months * k) if months else ref
                    if span:
                        due += timedelta(days=span * k)
                return
            following = _times(ref, months, span, k + 1)
            # `_condition_day(due, following, stop_at)`, also telling when the condition will not
            # hold again (then nothing more falls due), asking the timeline once
            if timeline.holds(record, due):
                shifted: date | None = due
            else:
                start = timeline.next_start(record, due)
                if start is None:
                    return  # no result is left to move the schedule and the condition stays off
                shifted = start if start < min(following, stop_at + _DAY) else None
            if shifted is not None:
                reason = (_repeat_reason, every, k, ref_what)
                yield self._occurrence(due, shifted, reason, met=False)
            k, due = k + 1, following


_DAY = timedelta(days=1)


def _last_on_or_before(base: date, months: int, days: int, day: date) -> int:
    """The largest k >= 0 with base + k x (months, days) on or before `day` (0 if none is).

    Repeats are increasing in k, so an estimate from the month (or day) count is corrected by
    stepping at most a few times each way.
    """
    if day < base:
        return 0
    if months:
        k = ((day.year - base.year) * 12 + day.month - base.month) // months
    else:
        k = (day - base).days // days
    while k > 0 and _times(base, months, days, k) > day:
        k -= 1
    while _times(base, months, days, k + 1) <= day:
        k += 1
    return k


def _times(base: date, months: int, days: int, k: int) -> date:
    """`repeat` with the interval read once: months first, then weeks and days, k times over."""
    day = add_months(base, months * k) if months else base
    return day + timedelta(days=days * k) if days else day


def counting_result_days(record: PatientRecord, test: str) -> list[date]:
    """The dates of the results that count as doing a task on `test` (`_counting_results`)."""
    return _counting_results(record, test)[1]


def _counting_results(record: PatientRecord, test: str) -> tuple[tuple[Result, ...], list[date]]:
    """Results that count as doing a task on `test`, oldest first, and their dates.

    An anti-JCV retest is done by an index or a positive/negative result, unless the draw is not
    usable after IVIG or plasma exchange (convention 6). Worked out once per record and test.
    """
    memo = record.memo()
    key = ("monitoring.counting_results", test)
    found = memo.get(key)
    if found is None:
        if test not in (ANTI_JCV_TEST, ANTI_JCV_STATUS_TEST):
            results = record.results_of(test)
        else:
            draws = record.results_of(ANTI_JCV_TEST) + record.results_of(ANTI_JCV_STATUS_TEST)
            usable = [r for r in draws if unusable_reason(record, r.date) is None]
            results = tuple(sorted(usable, key=lambda r: r.date))
        found = memo[key] = (results, [r.date for r in results])
    return found
