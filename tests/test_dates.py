"""Calendar arithmetic: convention 2 (calendar months, end-of-month clamping)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msinfusion.dates import Interval, add_months, completed_months

D = date.fromisoformat


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),  # the convention's own example
        ("2027-08-31", 6, "2028-02-29"),  # leap year
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
        ("2026-01-15", -13, "2024-12-15"),
        ("2026-05-05", 0, "2026-05-05"),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(D(start), months) == D(expected)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-01-31", "2026-01-30", 23),
        ("2024-01-31", "2026-01-31", 24),
        ("2024-01-31", "2024-02-29", 1),
        ("2026-01-05", "2026-01-04", 0),
        ("2026-01-05", "2028-01-05", 24),
        ("2026-01-05", "2028-02-04", 24),
        ("2026-01-05", "2028-02-05", 25),
    ],
)
def test_completed_months(start, end, expected):
    assert completed_months(D(start), D(end)) == expected


@given(st.dates(), st.integers(min_value=0, max_value=600))
def test_completed_months_inverts_add_months(day, months):
    try:
        later = add_months(day, months)
    except (ValueError, OverflowError):
        return
    assert completed_months(day, later) == months


def test_interval_weeks_and_months():
    assert Interval(weeks=24).after(D("2026-01-05")) == D("2026-06-22")
    assert Interval(months=5).after(D("2026-01-19")) == D("2026-06-19")
    assert Interval(months=1, days=2).before(D("2026-03-31")) == D("2026-02-26")
    assert str(Interval(months=12)) == "12 months"


def test_interval_rejects_negative_parts():
    with pytest.raises(ValueError):
        Interval(days=-1)
