"""The demo's nurse shifts and booked day are made with the booking service itself."""

from __future__ import annotations

from datetime import date, time

from msinfusion.web.scheduling import dayplan
from msinfusion.web.scheduling.demo import seed_demo_days
from msinfusion.web.scheduling.models import Booking, NurseShift

from .conftest import MONDAY

SHIFTS = [("Nurse A", time(8), time(17)), ("Nurse B", time(8), time(17))]


def test_the_next_open_day_is_booked_for_every_patient_due_then(world, places):
    # Sunday 18 January: the next open day is Monday 19, inside both ocrelizumab patients' window
    made = seed_demo_days(world.center, SHIFTS, date(2026, 1, 18), world.nurse)
    assert made == 2
    booked = Booking.objects.filter(date=MONDAY)
    assert {b.patient for b in booked} == {world.patient, world.other_patient}
    assert {b.label for b in booked} == {"initial dose 2 of 2"}
    # shifts on open days only (Friday 16 and Monday 19 onwards, none on the weekend)
    days = set(NurseShift.objects.filter(name="Nurse A").values_list("date", flat=True))
    assert date(2026, 1, 17) not in days and MONDAY in days and date(2026, 1, 16) in days
    day = dayplan.build_day(world.center, MONDAY)
    assert dayplan.violations(day.instance, day.current()) == []
