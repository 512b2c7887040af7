"""Align diary days to the infusion cycles they fall in.

Cycles are cut at REAL administrations, not at planned dates: a delayed infusion makes a longer
cycle, and the late part of that cycle is measured back from the day the next infusion was actually
given. Rules (each one is a decision a clinician may want to check):

- A cycle runs from one infusion (its day 0) to the day before the next infusion OF THE SAME DRUG.
  The infusion day itself opens the new cycle (`days_since_last == 0`): a diary entry made on an
  infusion day may describe the hours before it, but one convention is needed and the analysis
  treats the first days after an infusion as part of the recovery anyway.
- A different drug starts a new course: the cycle of the old drug ends open (`end is None`, not
  complete) because the switch infusion is not the next dose of the old drug.
- A cycle is complete only when both bounding infusions exist. The last cycle (after the latest
  infusion) is open: `days_until_next` is None there because nobody knows when the next dose will be.
- Diary days before the first infusion are baseline: in no cycle.
- The same infusion listed twice (same date, same drug) counts once; two different drugs on one
  date cannot be aligned and raise `DiaryError`. Two diary entries for one date raise too.
- `interval_weeks` is the cycle length in whole weeks (28 days -> 4, 31 days -> 4, 42 -> 6), the
  bucket clinics compare (natalizumab every 4 vs every 6 weeks).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.errors import DiaryError


@dataclass(frozen=True, slots=True)
class Cycle:
    """From one infusion to the next infusion of the same drug (or open, when there is none)."""

    index: int
    drug: str
    course: int
    """Counts drug changes: cycles of one uninterrupted course share it."""
    start: date
    end: date | None
    """The date of the next infusion of the same drug; None when the cycle is open."""

    @property
    def complete(self) -> bool:
        return self.end is not None

    @property
    def length(self) -> int | None:
        return (self.end - self.start).days if self.end is not None else None

    @property
    def interval_weeks(self) -> int | None:
        return interval_weeks(self.length) if self.length is not None else None


@dataclass(frozen=True, slots=True)
class AlignedDay:
    """One diary day with its place in the cycle; cycle fields are None for baseline days."""

    day: DiaryDay
    cycle: int | None
    days_since_last: int | None
    days_until_next: int | None
    cycle_length: int | None
    drug: str | None
    interval_weeks: int | None

    @property
    def baseline(self) -> bool:
        return self.cycle is None


@dataclass(frozen=True, slots=True)
class Alignment:
    days: tuple[AlignedDay, ...]
    cycles: tuple[Cycle, ...]
    infusions: tuple[Infusion, ...]
    """The infusions used: sorted by date, duplicates removed."""

    def complete_cycles(self, drug: str | None = None) -> list[Cycle]:
        return [c for c in self.cycles if c.complete and (drug is None or c.drug == drug)]

    def typical_length(self, drug: str | None = None) -> int | None:
        """Median length of the complete cycles (rounded to a whole day); None without any."""
        lengths = [c.length for c in self.complete_cycles(drug) if c.length is not None]
        return round(median(lengths)) if lengths else None


def interval_weeks(length_days: int) -> int:
    """Cycle length as the dosing interval in whole weeks (half a week rounds up)."""
    return max(1, int(length_days / 7 + 0.5))


def _clean_infusions(infusions: Iterable[Infusion]) -> tuple[Infusion, ...]:
    by_date: dict[date, Infusion] = {}
    for i, inf in enumerate(sorted(infusions, key=lambda x: x.date)):
        if not inf.drug:
            raise DiaryError(f"infusions[{i}].drug", "missing drug")
        seen = by_date.get(inf.date)
        if seen is not None and seen.drug != inf.drug:
            raise DiaryError(
                f"infusions[{i}]",
                f"two different drugs on {inf.date.isoformat()} ({seen.drug}, {inf.drug})",
            )
        by_date.setdefault(inf.date, inf)
    return tuple(by_date.values())


def _cycles(infusions: Sequence[Infusion]) -> tuple[Cycle, ...]:
    cycles: list[Cycle] = []
    course = 0
    for i, inf in enumerate(infusions):
        if i and infusions[i - 1].drug != inf.drug:
            course += 1
        nxt = infusions[i + 1] if i + 1 < len(infusions) else None
        end = nxt.date if nxt is not None and nxt.drug == inf.drug else None
        cycles.append(Cycle(index=i, drug=inf.drug, course=course, start=inf.date, end=end))
    return tuple(cycles)


def align(days: Iterable[DiaryDay], infusions: Iterable[Infusion]) -> Alignment:
    """Place every diary day in its cycle (see the module notes for the rules)."""
    clean = _clean_infusions(infusions)
    cycles = _cycles(clean)
    starts = [c.start for c in cycles]
    out: list[AlignedDay] = []
    seen: set[date] = set()
    for day in sorted(days, key=lambda d: d.date):
        if day.date in seen:
            raise DiaryError(f"diary[{day.date.isoformat()}]", "two entries for the same day")
        seen.add(day.date)
        k = bisect_right(starts, day.date) - 1
        if k < 0:
            out.append(AlignedDay(day, None, None, None, None, None, None))
            continue
        c = cycles[k]
        since = (day.date - c.start).days
        until = (c.end - day.date).days if c.end is not None else None
        out.append(AlignedDay(day, c.index, since, until, c.length, c.drug, c.interval_weeks))
    return Alignment(days=tuple(out), cycles=cycles, infusions=clean)
