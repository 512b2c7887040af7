"""Date arithmetic shared by the whole domain.

Labels speak in days, weeks and calendar months. Calendar months use end-of-month clamping
(2026-08-31 + 6 months = 2027-02-28), the project convention where labels are silent.
"""

from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, model_validator


def add_months(day: date, months: int) -> date:
    """Add calendar months, clamping to the last day of a shorter month."""
    return day + relativedelta(months=months)


def completed_months(start: date, end: date) -> int:
    """Whole calendar months from `start` to `end` (0 if `end` is before a month has passed)."""
    if end < start:
        return 0
    delta = relativedelta(end, start)
    return delta.years * 12 + delta.months


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

    def after(self, day: date) -> date:
        """The date this interval after `day` (months first, then weeks and days)."""
        return add_months(day, self.months) + relativedelta(days=self.days + 7 * self.weeks)

    def before(self, day: date) -> date:
        """The date this interval before `day`."""
        return add_months(day, -self.months) - relativedelta(days=self.days + 7 * self.weeks)

    def describe(self) -> str:
        if self.is_zero:
            return "0 days"
        parts = []
        for amount, unit in ((self.months, "month"), (self.weeks, "week"), (self.days, "day")):
            if amount:
                parts.append(f"{amount} {unit}{'s' if amount != 1 else ''}")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.describe()
