"""The opt-in diary reminder: off by default, a daily event with an alarm in the patient's own
calendar feed when switched on, gone when switched off; only the patient can switch it."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from icalendar import Calendar

from msinfusion.interop.ical import DIARY_REMINDER_TITLE
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import Patient


def feed(client, patient: Patient) -> Calendar:
    patient.refresh_from_db()
    response = client.get(f"/calendar/{patient.calendar_token}.ics")
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def reminders(cal: Calendar) -> list:
    return [e for e in cal.walk("VEVENT") if str(e["summary"]) == DIARY_REMINDER_TITLE]


def test_no_reminder_unless_the_patient_opts_in(client, world, frozen):
    assert reminders(feed(client, world.patient)) == []
    client.force_login(world.patient_user)
    assert 'name="remind"' in client.get("/me/diary/").content.decode()


def test_opting_in_adds_a_daily_event_with_an_alarm_at_the_chosen_time(client, world, frozen):
    client.force_login(world.patient_user)
    response = client.post("/me/diary/reminder", {"remind": "on", "at": "07:30"})
    assert response.status_code == 302 and response["Location"] == "/me/diary/#reminder"
    world.patient.refresh_from_db()
    assert world.patient.diary_reminder_since == date(2026, 1, 10)  # the center's today
    assert world.patient.diary_reminder_time == time(7, 30)
    client.logout()
    (event,) = reminders(feed(client, world.patient))
    start = event.decoded("dtstart")
    assert start == datetime(2026, 1, 10, 7, 30) and start.tzinfo is None  # floating local time
    assert event["rrule"]["FREQ"] == ["DAILY"]
    (alarm,) = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm.decoded("trigger").total_seconds() == 0


def test_the_reminder_keeps_its_start_and_uid_when_saved_again(client, world, frozen):
    client.force_login(world.patient_user)
    client.post("/me/diary/reminder", {"remind": "on", "at": "20:00"})
    first = reminders(feed(client, world.patient))[0]
    client.post("/me/diary/reminder", {"remind": "on", "at": "21:15"})
    second = reminders(feed(client, world.patient))[0]
    assert str(first["uid"]) == str(second["uid"])
    assert second.decoded("dtstart") == datetime(2026, 1, 10, 21, 15)


def test_opting_out_removes_it(client, world, frozen):
    client.force_login(world.patient_user)
    client.post("/me/diary/reminder", {"remind": "on", "at": "20:00"})
    client.post("/me/diary/reminder", {"at": "20:00"})
    world.patient.refresh_from_db()
    assert world.patient.diary_reminder_since is None
    assert reminders(feed(client, world.patient)) == []


def test_another_patients_feed_is_unchanged(client, world, frozen):
    client.force_login(world.patient_user)
    client.post("/me/diary/reminder", {"remind": "on"})
    assert reminders(feed(client, world.other_patient)) == []


def test_a_bad_time_changes_nothing(client, world, frozen):
    client.force_login(world.patient_user)
    client.post("/me/diary/reminder", {"remind": "on", "at": "25:99"})
    world.patient.refresh_from_db()
    assert world.patient.diary_reminder_since is None


def test_the_change_is_audited(client, world, frozen):
    client.force_login(world.patient_user)
    client.post("/me/diary/reminder", {"remind": "on"})
    row = AuditEvent.objects.get()
    assert (row.patient_id, row.action, row.resource, row.outcome) == (
        world.patient.pk,
        "U",
        "patient.diary.reminder",
        "success",
    )


@pytest.mark.parametrize("actor", ["nurse", "neurologist", "other_center_nurse", "center_admin"])
def test_staff_cannot_switch_a_patients_reminder(client, world, actor):
    client.force_login(getattr(world, actor))
    assert client.post("/me/diary/reminder", {"remind": "on"}).status_code == 403
    world.patient.refresh_from_db()
    assert world.patient.diary_reminder_since is None


def test_only_post_switches_it(client, world):
    client.force_login(world.patient_user)
    assert client.get("/me/diary/reminder?remind=on").status_code == 405
