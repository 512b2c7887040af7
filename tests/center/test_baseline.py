"""First-come-first-served: booking order, preferred start or the next feasible grid time."""

from __future__ import annotations

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.validate import violations

from .conftest import appt, day, generated_day, hm


def starts(schedule) -> dict[str, tuple[int, int]]:
    return {a.id: (a.chair, a.start) for a in schedule.assignments}


def test_booking_order_decides_who_gets_the_wished_time():
    inst = day([appt("first", 60, preferred="09:00"), appt("second", 60, preferred="09:00")])
    s = first_come_first_served(inst)
    assert starts(s) == {"first": (1, hm("09:00")), "second": (1, hm("10:00"))}
    assert s.status == "baseline" and s.unplaced == ()


def test_no_preference_means_the_earliest_start():
    inst = day([appt("a", 60, "10:30", "15:00")])
    assert starts(first_come_first_served(inst)) == {"a": (1, hm("10:30"))}


def test_off_grid_wish_rounds_up_to_the_five_minute_grid():
    inst = day([appt("a", 62, "08:03", "12:00", preferred="09:07")])
    assert starts(first_come_first_served(inst)) == {"a": (1, hm("09:10"))}


def test_one_nurse_staggers_starts_by_the_set_up_time():
    inst = day(
        [appt("a", 60, preferred="09:00"), appt("b", 60, preferred="09:00")],
        chairs=2,
        nurse_start_minutes=15,
    )
    assert starts(first_come_first_served(inst)) == {"a": (1, hm("09:00")), "b": (2, hm("09:15"))}


def test_monitoring_ratio_keeps_the_third_patient_waiting():
    inst = day(
        [appt(x, 60, preferred="09:00") for x in "abc"],
        chairs=3,
        patients_per_nurse=2,
        nurse_start_minutes=0,
    )
    assert starts(first_come_first_served(inst)) == {
        "a": (1, hm("09:00")),
        "b": (2, hm("09:00")),
        "c": (1, hm("10:00")),
    }


def test_lowest_free_chair_and_beds_kept_for_last():
    inst = day(
        [
            appt("a", 60, preferred="09:00"),
            appt("bed", 60, preferred="09:00", needs="bed"),
            appt("b", 60, preferred="09:00"),
            appt("c", 60, preferred="09:00"),
        ],
        chairs=3,
        chair_kinds={1: "bed"},
        nurses=[("08:00", "18:00")] * 4,
    )
    assert starts(first_come_first_served(inst)) == {
        "a": (2, hm("09:00")),
        "bed": (1, hm("09:00")),
        "b": (3, hm("09:00")),
        "c": (2, hm("10:00")),
    }


def test_unplaced_when_nothing_fits_before_the_latest_start():
    inst = day([appt("a", 120, "08:00", "08:30"), appt("b", 60, "08:00", "09:00")])
    s = first_come_first_served(inst)
    assert starts(s) == {"a": (1, hm("08:00"))}
    assert s.unplaced == ("b",)


def test_full_after_the_wish_books_the_nearest_earlier_time():
    # "a" holds 10:00-14:00; nothing is free for "b" from its 11:00 wish to its 12:00 latest
    # start, so the desk offers the latest free time before the wish: 08:55 ends at 10:00.
    inst = day([appt("a", 240, preferred="10:00"), appt("b", 65, "08:00", "12:00", "11:00")])
    assert starts(first_come_first_served(inst)) == {"a": (1, hm("10:00")), "b": (1, hm("08:55"))}


def test_seated_patients_stay_and_others_book_around_them():
    inst = day([appt("a", 60, preferred="09:00"), appt("s", 90, seated=(1, "08:45"))])
    assert starts(first_come_first_served(inst)) == {"s": (1, hm("08:45")), "a": (1, hm("10:15"))}


def test_a_generated_day_is_valid():
    inst = generated_day(400, seed=3)
    s = first_come_first_served(inst)
    assert violations(inst, s) == []
    assert len(s.assignments) + len(s.unplaced) == 400
    assert all(a.start % 5 == 0 for a in s.assignments)
