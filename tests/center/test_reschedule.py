"""Rescheduling keeps seated patients where they are and re-plans the rest of the day."""

from __future__ import annotations

import pytest

from msinfusion.center.optimize import optimize
from msinfusion.center.reschedule import reschedule, rescheduled_instance
from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.center.validate import violations
from msinfusion.errors import InstanceError

from .conftest import appt, day, generated_day, hm


def test_seated_stay_cancelled_leave_added_is_placed():
    inst = generated_day(40, seed=11)
    before = optimize(inst, time_limit=2)
    now = hm("11:00")
    future = [a.id for a in before.assignments if a.start > now]
    seated = {a.id: a for a in before.assignments if a.start <= now}
    extra = appt("walk-in", 90, "08:00", "16:00", preferred="11:30")
    after = reschedule(inst, before, now=now, cancelled=[future[0]], added=[extra], time_limit=2)
    new_day = rescheduled_instance(inst, before, now=now, cancelled=[future[0]], added=[extra])
    assert violations(new_day, after) == []
    placed = after.by_id()
    for aid, a in seated.items():
        assert (placed[aid].chair, placed[aid].start) == (a.chair, a.start)
    assert future[0] not in placed and future[0] not in after.unplaced
    assert "walk-in" in placed and placed["walk-in"].start >= now
    assert all(a.start >= now for aid, a in placed.items() if aid not in seated)


def test_a_no_show_cancelled_after_its_start_frees_the_chair():
    inst = day([appt("gone", 120, "09:00", "09:00")])
    before = Schedule((Assignment("gone", 1, hm("09:00")),), ())
    add_on = appt("add-on", 60, "10:00", "10:00")
    after = reschedule(inst, before, now=hm("09:45"), cancelled=["gone"], added=[add_on])
    assert {a.id: (a.chair, a.start) for a in after.assignments} == {"add-on": (1, hm("10:00"))}


def test_nobody_moves_into_the_past():
    inst = day([appt("a", 60, "08:00", "16:00", preferred="09:00")])
    before = Schedule((Assignment("a", 1, hm("13:00")),), ())
    after = reschedule(inst, before, now=hm("12:02"))
    assert after.assignments[0].start >= hm("12:02")
    # With the wish at 09:00, the closest start not in the past is 12:05.
    assert after.assignments[0].start == hm("12:05")


def test_seated_patient_blocks_its_chair():
    inst = day(
        [appt("in", 120, "09:00", "09:00"), appt("next", 60, "09:00", "12:00", preferred="09:30")]
    )
    before = Schedule((Assignment("in", 1, hm("09:00")), Assignment("next", 1, hm("11:00"))), ())
    after = reschedule(inst, before, now=hm("09:30"))
    assert {a.id: a.start for a in after.assignments} == {"in": hm("09:00"), "next": hm("11:00")}


def test_unknown_cancellation_and_duplicate_add_are_errors():
    inst = day([appt("a", 60)])
    before = optimize(inst, time_limit=1)
    with pytest.raises(InstanceError) as err:
        reschedule(inst, before, now=hm("09:00"), cancelled=["nope"])
    assert err.value.field == "cancelled[0]"
    with pytest.raises(InstanceError) as err:
        reschedule(inst, before, now=hm("09:00"), added=[appt("a", 30)])
    assert err.value.field == "added[0].id"
