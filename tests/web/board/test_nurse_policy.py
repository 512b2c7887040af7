"""The center's own nurse policy decides what booking allows, what the board shades and what the
optimizer plans with.

The rules (`center.capacity`): at every minute, patients in chairs <= patients_per_nurse x nurses
on shift, and infusions in their first nurse_start_minutes <= nurses on shift. Every test here has
one nurse on shift 08:00-17:00 on MONDAY (the board fixture's Nurse Two is removed), and another
patient booked 09:00-10:00 (60 minutes) in chair 2. The world's patient's next infusion takes 240
minutes of chair time.
"""

from __future__ import annotations

import re

import pytest

from msinfusion.web.clinic.models import Center
from msinfusion.web.scheduling import dayplan
from msinfusion.web.scheduling.models import Booking, NurseShift
from msinfusion.web.scheduling.services import book, day_load

from .conftest import MONDAY, extra_patients, request_for

URL = "/patients/{}/booking/"


@pytest.fixture
def one_nurse_day(world, places):
    NurseShift.objects.filter(name="Nurse Two").delete()
    return book(world.other_patient, places.chair2, MONDAY, 9 * 60, request_for("other", 60))


def policy(center, patients_per_nurse: int, nurse_start_minutes: int = 15) -> None:
    Center.objects.filter(pk=center.pk).update(
        patients_per_nurse=patients_per_nurse, nurse_start_minutes=nurse_start_minutes
    )
    center.refresh_from_db()


def post(client, patient, place: str):
    return client.post(URL.format(patient.pk), {"date": MONDAY.isoformat(), "place": place})


@pytest.mark.parametrize(("ratio", "status"), [(4, 302), (2, 302), (1, 400)])
def test_the_patients_per_nurse_setting_decides_an_overlapping_booking(
    nurse, world, places, one_nurse_day, ratio, status
):
    # 09:30-13:30 overlaps the other stay 09:30-10:00: 2 patients in chairs with 1 nurse on
    # shift. The set-ups (09:00-09:15 and 09:30-09:45) do not overlap, so only the ratio decides:
    # 2 <= 4 x 1 and 2 <= 2 x 1 are allowed, 2 > 1 x 1 is not.
    policy(world.center, ratio)
    response = post(nurse, world.patient, f"{places.chair1.pk}@{9 * 60 + 30}")
    assert response.status_code == status
    booked = Booking.objects.filter(patient=world.patient, status="booked").exists()
    assert booked == (status == 302)
    if status == 400:
        assert "no nurse is free to start an infusion at 09:30" in response.context["error"]


def test_with_one_patient_per_nurse_a_stay_after_the_other_is_still_allowed(
    nurse, world, places, one_nurse_day
):
    policy(world.center, 1)
    # 10:00-14:00 starts when the other stay ends: never 2 patients at once
    assert post(nurse, world.patient, f"{places.chair1.pk}@{10 * 60}").status_code == 302


def test_the_offered_starts_follow_the_ratio(nurse, world, places, one_nurse_day):
    # starts every 15 minutes from 08:00 to 13:00 (13:00 + 240 = closing): 21 in all.
    # With 4 per nurse only 09:00 is missing (its set-up would meet the other's at 09:00-09:15).
    page = nurse.get(URL.format(world.patient.pk))
    starts = [o["start"] for o in page.context["options"]]
    assert len(starts) == 20 and "09:00" not in starts and "08:45" in starts
    # With 1 per nurse no stay may overlap 09:00-10:00: a 240-minute stay from 08:00 on can
    # only start at 10:00 or later, so 10:00, 10:15, ..., 13:00: 13 starts.
    policy(world.center, 1)
    page = nurse.get(URL.format(world.patient.pk))
    starts = [o["start"] for o in page.context["options"]]
    assert starts[0] == "10:00" and starts[-1] == "13:00" and len(starts) == 13


@pytest.mark.parametrize(("set_up", "status"), [(15, 302), (20, 302), (30, 400)])
def test_the_set_up_minutes_setting_decides_a_start_near_another(
    nurse, world, places, one_nurse_day, set_up, status
):
    # one nurse, 4 per nurse (the ratio never binds with 2 patients). A start at 09:20 sets up
    # from 09:20 while the other set-up runs 09:00 to 09:00 + set-up minutes: with 15 or 20
    # they do not meet (09:15, 09:20 end before or at 09:20); with 30 they overlap 09:20-09:30.
    policy(world.center, 4, set_up)
    response = post(nurse, world.patient, f"{places.chair1.pk}@{9 * 60 + 20}")
    assert response.status_code == status


def test_the_day_load_carries_the_centers_policy(world, places, one_nurse_day):
    policy(world.center, 3, 25)
    load = day_load(world.center, MONDAY)
    assert (load.patients_per_nurse, load.nurse_start_minutes) == (3, 25)
    assert (load.room.patients_per_nurse, load.room.nurse_start_minutes) == (3, 25)
    # the other stay's set-up occupies 09:00-09:25: five 5-minute steps from 09:00
    step = 9 * 60 // 5
    assert load.starts[step - 1 : step + 6] == (0, 1, 1, 1, 1, 1, 0)


def test_the_optimizer_instance_uses_the_centers_policy(world, places, one_nurse_day):
    policy(world.center, 2, 45)
    instance = dayplan.build_day(world.center, MONDAY).instance
    assert (instance.patients_per_nurse, instance.nurse_start_minutes) == (2, 45)


def test_the_validator_judges_the_booked_day_by_the_centers_ratio(world, places, one_nurse_day):
    # booked directly (no nurse check): 09:00-10:00 and 09:30-10:30 in two chairs, one nurse
    third = extra_patients(world.center, 1)[0]
    book(third, places.chair1, MONDAY, 9 * 60 + 30, request_for("third", 60))
    day = dayplan.build_day(world.center, MONDAY)
    assert dayplan.violations(day.instance, day.current()) == []  # 2 <= 4 x 1
    policy(world.center, 1)
    day = dayplan.build_day(world.center, MONDAY)
    problems = dayplan.violations(day.instance, day.current())
    assert problems and "At 09:30, 2 patients are in chairs" in problems[0]
    assert "may look after at most 1" in problems[0]


OVER = re.compile(r'<rect class="over"')


def test_the_board_shades_times_over_the_centers_limit(nurse, world, places, one_nurse_day):
    third = extra_patients(world.center, 1)[0]
    book(third, places.chair1, MONDAY, 9 * 60 + 30, request_for("third", 60))
    html = nurse.get("/center/board/", {"date": MONDAY.isoformat()}).content.decode()
    assert "4 per nurse" in html and not OVER.findall(html)
    policy(world.center, 1)
    html = nurse.get("/center/board/", {"date": MONDAY.isoformat()}).content.decode()
    assert "1 per nurse" in html
    # 2 patients with 1 nurse from 09:30 to 10:00: six 5-minute steps over the limit
    assert len(OVER.findall(html)) == 6
