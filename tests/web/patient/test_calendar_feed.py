"""The private calendar feed: no login, the token is the secret, a new link kills the old one."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from icalendar import Calendar

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m


def feed_url(patient: m.Patient) -> str:
    return f"/calendar/{patient.calendar_token}.ics"


def test_feed_parses_and_contains_the_planned_infusion(client, world, frozen):
    response = client.get(feed_url(world.patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    cal = Calendar.from_ical(response.content)
    infusions = [e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("Infusion:")]
    # OCR-D1: infusion 2 on 2026-01-19, all day (see interop/ical.py for why)
    assert str(infusions[0]["summary"]) == "Infusion: Ocrevus (ocrelizumab), initial dose 2 of 2"
    assert infusions[0].decoded("dtstart") == date(2026, 1, 19)
    assert str(infusions[0]["location"]) == "Lakeside Infusion Center"
    tasks = [e for e in cal.walk("VEVENT") if "Serum immunoglobulins" in str(e["summary"])]
    assert tasks[0].decoded("dtstart") == date(2027, 1, 5)  # OCR-M2, yearly from 2026-01-05


def test_feed_uids_are_stable_across_requests(client, world, frozen):
    first = Calendar.from_ical(client.get(feed_url(world.patient)).content)
    with time_machine.travel("2026-01-11 15:00:00+00:00", tick=False):
        second = Calendar.from_ical(client.get(feed_url(world.patient)).content)
    assert [str(e["uid"]) for e in first.walk("VEVENT")] == [
        str(e["uid"]) for e in second.walk("VEVENT")
    ]


def test_feed_access_is_audited_as_the_calendar_feed(client, world, frozen):
    client.get(feed_url(world.patient))
    row = AuditEvent.objects.get()
    assert (row.actor, row.role, row.patient_id, row.action, row.resource, row.outcome) == (
        "calendar-feed",
        "anonymous",
        world.patient.pk,
        "R",
        "patient.calendar",
        "success",
    )
    assert row.center_id == world.center.pk


def test_unknown_token_is_404_with_a_denied_row(client, world):
    token = world.patient.calendar_token
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(f"/calendar/{wrong}.ics").status_code == 404
    assert client.get(f"/calendar/{token.lower()}x.ics").status_code == 404
    rows = AuditEvent.objects.all()
    assert {(r.actor, r.outcome, r.patient_id) for r in rows} == {("calendar-feed", "denied", None)}


@pytest.mark.parametrize("path", ["/calendar/.ics", "/calendar/a%20b.ics", "/calendar/x" * 3])
def test_malformed_feed_paths_are_404(client, world, path):
    assert client.get(path).status_code == 404


def test_a_patient_sees_only_their_own_feed_link(client, world, frozen):
    client.force_login(world.other_patient_user)
    page = client.get("/me/").content.decode()
    assert world.other_patient.calendar_token in page
    assert world.patient.calendar_token not in page


def test_rotating_the_token_stops_the_old_link(client, world, frozen):
    old = feed_url(world.patient)
    client.force_login(world.patient_user)
    response = client.post("/me/calendar/rotate")
    assert response.status_code == 302
    assert response["Location"] == "/me/#calendar"
    world.patient.refresh_from_db()
    assert feed_url(world.patient) != old
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(world.patient)).status_code == 200
    rotate = AuditEvent.objects.get(resource="patient.calendar", action="U")
    assert (rotate.actor, rotate.patient_id) == ("pat", world.patient.pk)


def test_rotating_does_not_touch_other_patients(client, world):
    theirs = world.other_patient.calendar_token
    client.force_login(world.patient_user)
    client.post("/me/calendar/rotate")
    world.other_patient.refresh_from_db()
    assert world.other_patient.calendar_token == theirs


def test_rotate_is_post_only(client, world):
    client.force_login(world.patient_user)
    assert client.get("/me/calendar/rotate").status_code == 405


def test_a_deactivated_login_stops_the_feed(client, world):
    world.patient_user.is_active = False
    world.patient_user.save()
    assert client.get(feed_url(world.patient)).status_code == 404
    assert AuditEvent.objects.get().outcome == "denied"


def test_feed_is_get_only(client, world):
    assert client.post(feed_url(world.patient)).status_code == 405
