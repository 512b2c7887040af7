"""The independent validator names every broken hard rule (hand-made bad schedules)."""

from __future__ import annotations

import pytest

from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.center.validate import violations

from .conftest import appt, day, hm


@pytest.fixture
def inst():
    # Chair 1 ordinary, chair 2 a bed; one nurse all day who may watch two patients.
    return day(
        [
            appt("a", 60, "08:00", "12:00"),
            appt("b", 60, "08:00", "12:00"),
            appt("c", 60, "08:00", "12:00", needs="bed"),
            appt("d", 60, "13:00", "17:00", seated=(1, "13:00")),
        ],
        chairs=2,
        chair_kinds={2: "bed"},
        patients_per_nurse=2,
    )


def sched(*rows: tuple[str, int, str], unplaced: tuple[str, ...] = ()) -> Schedule:
    return Schedule(tuple(Assignment(i, c, hm(t)) for i, c, t in rows), unplaced)


GOOD = (("a", 1, "08:00"), ("b", 1, "09:00"), ("c", 2, "08:30"), ("d", 1, "13:00"))


def test_a_valid_schedule_has_no_violations(inst):
    assert violations(inst, sched(*GOOD)) == []


def test_leaving_an_appointment_unplaced_is_valid(inst):
    assert violations(inst, sched(*GOOD[:2], GOOD[3], unplaced=("c",))) == []


def only(problems: list[str]) -> str:
    assert len(problems) == 1, problems
    return problems[0]


def test_outside_opening_hours():
    inst = day([appt("a", 60, "08:00", "17:30")], chairs=1, nurses=[("08:00", "20:00")])
    msg = only(violations(inst, sched(("a", 1, "17:30"))))
    assert msg == "Appointment a runs 17:30-18:30, outside opening hours 08:00-18:00."


def test_start_before_earliest_and_after_latest():
    inst = day([appt("a", 60, "09:00", "10:00")], chairs=1)
    early = only(violations(inst, sched(("a", 1, "08:55"))))
    assert "before its earliest 09:00" in early and "a" in early
    late = only(violations(inst, sched(("a", 1, "10:05"))))
    assert "after its latest start 10:00" in late


def test_chair_number_out_of_range(inst):
    msg = only(violations(inst, sched(("a", 3, "08:00"), *GOOD[1:])))
    assert "chair 3" in msg and "1 to 2" in msg


def test_overlap_on_one_chair_names_both_and_the_minute(inst):
    rows = (("a", 1, "08:00"), ("b", 1, "08:30"), ("c", 2, "10:00"), GOOD[3])
    msg = only(violations(inst, sched(*rows)))
    assert "a and b overlap in chair 1 at 08:30" in msg


def test_back_to_back_is_not_an_overlap(inst):
    assert violations(inst, sched(("a", 1, "08:00"), ("b", 1, "09:00"), *GOOD[2:])) == []


def test_two_starts_with_one_nurse(inst):
    # b starts 10 minutes after c: both in their first 15 minutes at 08:40.
    problems = violations(
        inst, sched(("a", 1, "08:00"), ("b", 1, "09:00"), ("c", 2, "08:50"), GOOD[3])
    )
    msg = only(problems)
    assert "At 09:00" in msg and "b, c" in msg and "1 nurse" in msg


def test_more_patients_in_chairs_than_the_ratio_allows():
    inst = day(
        [appt("a", 60), appt("b", 60)], chairs=2, patients_per_nurse=1, nurse_start_minutes=0
    )
    msg = only(violations(inst, sched(("a", 1, "08:00"), ("b", 2, "08:30"))))
    assert "At 08:30, 2 patients are in chairs (a, b)" in msg and "at most 1" in msg


def test_nobody_in_a_chair_when_no_nurse_is_on_shift():
    inst = day([appt("a", 60)], chairs=1, nurses=[("09:00", "18:00")])
    problems = violations(inst, sched(("a", 1, "08:00")))
    assert problems == [
        "At 08:00, 1 appointments are in their first 15 minutes (a) but only 0 nurse(s) are on "
        "shift.",
        "At 08:00, 1 patients are in chairs (a) but 0 nurse(s) may look after at most 0.",
    ]


def test_chair_kind_must_match(inst):
    msg = only(
        violations(inst, sched(("a", 1, "08:00"), ("b", 2, "09:30"), ("c", 1, "10:00"), GOOD[3]))
    )
    assert "c at 10:00 needs a bed but chair 1 is an ordinary chair" in msg


def test_ordinary_appointment_may_use_a_bed(inst):
    assert (
        violations(inst, sched(("a", 2, "08:00"), ("b", 1, "09:00"), ("c", 2, "10:00"), GOOD[3]))
        == []
    )


def test_seated_patient_must_not_move(inst):
    moved = only(violations(inst, sched(*GOOD[:3], ("d", 1, "13:05"))))
    assert "d is already seated in chair 1 since 13:00" in moved
    gone = only(violations(inst, sched(*GOOD[:3], unplaced=("d",))))
    assert "d is already seated" in gone and "unplaced" in gone


def test_every_appointment_exactly_once(inst):
    missing = only(violations(inst, sched(*GOOD[:2], GOOD[3])))
    assert missing == "Appointment c is neither assigned nor listed as unplaced."
    twice = only(violations(inst, sched(*GOOD, unplaced=("a",))))
    assert "a appears 2 times" in twice
    unknown = only(violations(inst, sched(*GOOD, ("zz", 1, "15:00"))))
    assert "zz names no appointment" in unknown
