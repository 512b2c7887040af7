"""Booking the next planned infusion: window, opening hours, chair kind, nurses, conflicts."""

from __future__ import annotations

from datetime import date, time

import pytest

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.scheduling.models import BookedSlot, Booking, NurseShift
from msinfusion.web.scheduling.services import book

from .conftest import MONDAY, request_for

URL = "/patients/{}/booking/"


def post(client, patient, place: str, day: date = MONDAY, **extra):
    data = {"date": day.isoformat(), "place": place, **extra}
    return client.post(URL.format(patient.pk), data)


def test_the_page_lists_free_starts_inside_opening_hours_for_the_planned_chair_time(nurse, world):
    response = nurse.get(URL.format(world.patient.pk))
    assert response.status_code == 200
    planned = response.context["planned"].request
    assert (planned.label, planned.chair_minutes) == ("initial dose 2 of 2", 240)
    assert (planned.earliest, planned.latest) == (date(2026, 1, 16), date(2026, 1, 22))
    assert response.context["day"] == MONDAY  # the due day
    starts = [o["start"] for o in response.context["options"]]
    # 08:00 to 13:00 (13:00 + 240 min = 17:00, closing) every 15 minutes: 21 starts
    assert starts[0] == "08:00" and starts[-1] == "13:00" and len(starts) == 21
    assert response.context["options"][0]["chair"] == "Chair 1"


def test_a_booking_reserves_the_chair_time_in_five_minute_slots(nurse, world, places):
    response = post(nurse, world.patient, f"{places.chair2.pk}@{9 * 60}")
    assert response.status_code == 302
    booking = Booking.objects.get(patient=world.patient)
    assert (booking.chair, booking.date) == (places.chair2, MONDAY)
    assert (booking.start, booking.end) == (time(9), time(13))
    assert (booking.drug, booking.label, booking.status) == (
        "ocrelizumab",
        "initial dose 2 of 2",
        "booked",
    )
    assert booking.created_by == world.nurse
    minutes = sorted(BookedSlot.objects.filter(booking=booking).values_list("minute", flat=True))
    assert minutes == list(range(9 * 60, 13 * 60, 5))  # 48 slots of 5 minutes
    row = AuditEvent.objects.filter(resource="staff.booking").latest("id")
    assert (row.patient_id, row.action, row.outcome) == (world.patient.pk, "C", "success")


@pytest.mark.parametrize(
    ("day", "minute", "message"),
    [
        (date(2026, 1, 23), 9 * 60, "outside the infusion's window"),
        (date(2026, 1, 15), 9 * 60, "outside the infusion's window"),
        (date(2026, 1, 17), 9 * 60, "closed on Saturdays"),
        (MONDAY, 7 * 60 + 55, "outside opening hours 08:00-17:00"),
        (MONDAY, 13 * 60 + 5, "13:05-17:05 is outside opening hours"),
        (MONDAY, 9 * 60 + 3, "5-minute grid"),
    ],
)
def test_a_place_outside_the_window_or_the_hours_is_refused(
    nurse, world, places, day, minute, message
):
    response = post(nurse, world.patient, f"{places.chair1.pk}@{minute}", day)
    assert response.status_code == 400
    assert message in response.context["error"]
    assert not Booking.objects.exists() and not BookedSlot.objects.exists()


def test_a_bed_only_booking_is_offered_beds_and_refused_a_chair(nurse, world, places):
    page = nurse.get(URL.format(world.patient.pk), {"needs": "bed"})
    assert {o["chair"] for o in page.context["options"]} == {"Bed 3"}
    response = post(nurse, world.patient, f"{places.chair1.pk}@{9 * 60}", needs="bed")
    assert response.status_code == 400
    assert "Chair 1 is not a bed" in response.context["error"]
    assert post(nurse, world.patient, f"{places.bed3.pk}@{9 * 60}", needs="bed").status_code == 302


def test_an_out_of_use_or_foreign_chair_is_refused(nurse, world, places):
    places.chair1.active = False
    places.chair1.save()
    response = post(nurse, world.patient, f"{places.chair1.pk}@{9 * 60}")
    assert response.status_code == 400 and "out of use" in response.context["error"]
    from msinfusion.web.clinic.models import Chair

    foreign = Chair.objects.create(center=world.other_center, number=1)
    assert post(nurse, world.patient, f"{foreign.pk}@{9 * 60}").status_code == 400
    assert not Booking.objects.exists()


def test_a_taken_chair_answers_409_naming_the_booking_that_holds_it(nurse, world, places):
    assert post(nurse, world.patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    response = post(nurse, world.other_patient, f"{places.chair1.pk}@{10 * 60}")
    assert response.status_code == 409
    assert response.context["error"] == "Chair 1 is already booked 08:00-12:00"
    assert "Chair 1 is already booked 08:00-12:00" in response.content.decode()
    assert Booking.objects.filter(patient=world.other_patient).count() == 0


def test_back_to_back_bookings_both_succeed(nurse, world, places):
    assert post(nurse, world.patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    # 12:00 is the first one's end; the second starts there
    assert post(nurse, world.other_patient, f"{places.chair1.pk}@{12 * 60}").status_code == 302
    assert BookedSlot.objects.filter(chair=places.chair1, date=MONDAY).count() == 96


def test_the_same_planned_infusion_cannot_be_booked_twice(nurse, world, places):
    assert post(nurse, world.patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    response = post(nurse, world.patient, f"{places.chair2.pk}@{8 * 60}")
    assert response.status_code == 409
    assert (
        "initial dose 2 of 2 is already booked on 2026-01-19 at 08:00" in response.context["error"]
    )
    assert Booking.objects.filter(patient=world.patient).count() == 1


def test_cancelling_frees_the_slots_and_keeps_the_booking_for_the_record(nurse, world, places):
    assert post(nurse, world.patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    booking = Booking.objects.get(patient=world.patient)
    response = nurse.post(URL.format(world.patient.pk) + "cancel", {"booking": booking.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.changed_by) == ("cancelled", world.nurse)
    assert not BookedSlot.objects.exists()
    row = AuditEvent.objects.filter(resource="staff.booking").latest("id")
    assert (row.patient_id, row.action, row.outcome) == (world.patient.pk, "U", "success")
    # the place is free again, and the patient may be booked again
    assert post(nurse, world.other_patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    assert post(nurse, world.patient, f"{places.chair2.pk}@{8 * 60}").status_code == 302


def test_another_patients_booking_cannot_be_cancelled_through_this_patient(nurse, world, places):
    assert post(nurse, world.other_patient, f"{places.chair1.pk}@{8 * 60}").status_code == 302
    theirs = Booking.objects.get(patient=world.other_patient)
    response = nurse.post(URL.format(world.patient.pk) + "cancel", {"booking": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "booked" and theirs.slots.count() == 48


def test_no_start_is_offered_or_booked_without_a_free_nurse(nurse, world, places):
    NurseShift.objects.filter(name="Nurse Two").delete()  # one nurse: one start per 15 minutes
    book(world.other_patient, places.chair2, MONDAY, 9 * 60, request_for("other", 60))
    page = nurse.get(URL.format(world.patient.pk))
    starts = {o["start"] for o in page.context["options"]}
    assert "09:00" not in starts and "08:45" in starts and "09:15" in starts
    response = post(nurse, world.patient, f"{places.chair1.pk}@{9 * 60 + 5}")
    assert response.status_code == 400
    assert "no nurse is free to start an infusion at 09:05" in response.context["error"]


def test_the_patient_page_links_to_booking(nurse, world):
    page = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert URL.format(world.patient.pk) in page
