"""Nurse room for one more infusion: the two nurse rules of the center day, minute by minute."""

from msinfusion.center.capacity import NurseRoom
from msinfusion.center.instance import Nurse

NURSE = Nurse("n1", 8 * 60, 12 * 60)  # 08:00-12:00


def room(stays, per_nurse=2, setup=15):
    return NurseRoom([NURSE], stays, patients_per_nurse=per_nurse, nurse_start_minutes=setup)


def test_one_nurse_cannot_set_up_two_infusions_at_once():
    r = room([(480, 60)])  # 08:00, set-up 08:00-08:15
    assert not r.room_for(480, 60)
    assert not r.room_for(490, 60)  # 08:10 overlaps the first set-up by 5 minutes
    assert r.room_for(495, 60)  # 08:15: the first set-up is done


def test_patients_in_chairs_stay_within_the_nurse_ratio():
    r = room([(480, 120), (495, 120)])  # two patients in chairs 08:15-10:00
    assert not r.room_for(540, 30)  # 09:00: a third would exceed 2 per nurse
    assert r.room_for(600, 30)  # 10:00: the first has left (08:00 + 120 min)


def test_no_nurse_on_shift_means_no_room():
    r = room([])
    assert not r.room_for(12 * 60, 30)  # the shift ends at 12:00
    assert not r.room_for(11 * 60 + 45, 30)  # the stay runs past the shift
    assert r.room_for(11 * 60 + 30, 30)
