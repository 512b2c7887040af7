"""Aligning diary days to real infusion cycles: the edge cases, with hand-computed expectations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msinfusion.diary.cycles import align, interval_weeks
from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.errors import DiaryError

D0 = date(2025, 3, 3)


def day(offset: int) -> DiaryDay:
    return DiaryDay(D0 + timedelta(days=offset), {"fatigue": 3})


def nat(offset: int) -> Infusion:
    return Infusion(D0 + timedelta(days=offset), "natalizumab")


def by_offset(alignment):
    return {(a.day.date - D0).days: a for a in alignment.days}


def test_regular_cycle_days_since_and_until():
    got = by_offset(align([day(o) for o in (0, 1, 27, 28, 30)], [nat(0), nat(28)]))
    # Day 0 is the infusion day: day 0 of cycle 0, 28 days to the next infusion.
    assert (got[0].cycle, got[0].days_since_last, got[0].days_until_next) == (0, 0, 28)
    assert (got[1].days_since_last, got[1].days_until_next) == (1, 27)
    assert (got[27].days_since_last, got[27].days_until_next, got[27].cycle_length) == (27, 1, 28)
    assert got[27].interval_weeks == 4 and got[27].drug == "natalizumab"
    # The second infusion day opens cycle 1, which is open: nobody knows the next date.
    assert (got[28].cycle, got[28].days_since_last, got[28].days_until_next) == (1, 0, None)
    assert (got[30].days_since_last, got[30].cycle_length, got[30].interval_weeks) == (
        2,
        None,
        None,
    )


def test_diary_before_the_first_infusion_is_baseline():
    got = by_offset(align([day(-5), day(-1), day(0)], [nat(0), nat(28)]))
    assert got[-5].baseline and got[-1].baseline
    assert got[-1].days_since_last is None and got[-1].days_until_next is None
    assert not got[0].baseline


def test_a_delayed_infusion_makes_a_longer_cycle_measured_back_from_the_real_infusion():
    # Due on day 28 but given on day 35: the late window is counted back from day 35.
    alignment = align([day(27), day(30), day(34)], [nat(0), nat(35), nat(63)])
    got = by_offset(alignment)
    assert got[34].days_until_next == 1 and got[34].days_since_last == 34
    assert got[27].days_until_next == 8
    assert got[30].cycle_length == 35 and got[30].interval_weeks == 5
    assert [c.length for c in alignment.complete_cycles()] == [35, 28]
    assert alignment.typical_length() == round((35 + 28) / 2)


def test_a_course_change_starts_a_new_course_and_ends_the_old_cycle_open():
    infusions = [nat(0), nat(28), Infusion(D0 + timedelta(days=40), "ocrelizumab")]
    alignment = align([day(30), day(45)], infusions)
    got = by_offset(alignment)
    # Day 30 is after the last natalizumab dose; the next infusion is another drug.
    assert got[30].drug == "natalizumab" and got[30].days_until_next is None
    assert got[30].days_since_last == 2
    assert got[45].drug == "ocrelizumab" and got[45].days_since_last == 5
    cycles = alignment.cycles
    assert [c.complete for c in cycles] == [True, False, False]
    assert [c.course for c in cycles] == [0, 0, 1]
    assert alignment.complete_cycles("ocrelizumab") == []


def test_duplicate_infusion_dates_count_once():
    alignment = align([day(10)], [nat(0), nat(0), nat(28), nat(28), nat(56)])
    assert len(alignment.infusions) == 3
    assert [c.length for c in alignment.complete_cycles()] == [28, 28]
    assert by_offset(alignment)[10].days_until_next == 18


def test_two_drugs_on_one_date_cannot_be_aligned():
    with pytest.raises(DiaryError, match="two different drugs"):
        align([], [nat(0), Infusion(D0, "ocrelizumab")])


def test_two_diary_entries_for_one_date_raise():
    with pytest.raises(DiaryError, match="same day"):
        align([day(1), day(1)], [nat(0)])


def test_unsorted_input_is_sorted():
    got = by_offset(align([day(40), day(5)], [nat(56), nat(0), nat(28)]))
    assert (got[5].cycle, got[5].days_until_next) == (0, 23)
    assert (got[40].cycle, got[40].days_since_last, got[40].days_until_next) == (1, 12, 16)


@pytest.mark.parametrize(("days", "weeks"), [(28, 4), (31, 4), (32, 5), (42, 6), (168, 24)])
def test_interval_in_weeks(days, weeks):
    assert interval_weeks(days) == weeks
