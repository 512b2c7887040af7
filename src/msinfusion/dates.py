"""Date arithmetic shared by the whole domain.

Labels speak in days, weeks and calendar months. Calendar months use end-of-month clamping
(2026-08-31 + 6 months = 2027-02-28), the project convention where labels are silent.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from functools import cached_property

from pydantic import BaseModel, ConfigDict, model_validator


def add_months(day: date, months: int) -> date:
    """Add (or subtract) calendar months, clamping to the last day of a shorter month.

    Hand-written rather than dateutil's relativedelta: plans call this in their inner loop and it is
    about ten times faster; the tests pin it against the convention's examples.
    """
    if not months:
        return day
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def completed_months(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end`: the largest n with start + n months <= end.

    With end-of-month clamping, 2024-01-31 + 1 month is 2024-02-29, so that day completes a month.
    Returns 0 when `end` is before `start`.
    """
    if end < start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


class Interval(BaseModel):
    """A span written the way labels write it: days, weeks and/or calendar months."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    days: int = 0
    weeks: int = 0
    months: int = 0

    @model_validator(mode="after")
    def _positive(self) -> Interval:
        if min(self.days, self.weeks, self.months) < 0:
            raise ValueError("interval parts must not be negative")
        return self

    @property
    def is_zero(self) -> bool:
        return self.days == self.weeks == self.months == 0

    @cached_property
    def _days(self) -> timedelta:
        return timedelta(days=self.days + 7 * self.weeks)

    def after(self, day: date) -> date:
        """The date this interval after `day` (months first, then weeks and days)."""
        return add_months(day, self.months) + self._days

    def before(self, day: date) -> date:
        """The date this interval before `day`."""
        return add_months(day, -self.months) - self._days

    @cached_property
    def text(self) -> str:
        return self.describe()

    def describe(self) -> str:
        if self.is_zero:
            return "0 days"
        parts = []
        for amount, unit in ((self.months, "month"), (self.weeks, "week"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.text
