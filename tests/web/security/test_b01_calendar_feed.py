"""B1/B2 for the calendar feed: the token in the URL is the credential, whoever sends it.

Cookies do not matter (a phone's calendar app has none): the right token answers 200 with one audit
row about its patient, a wrong or rotated token answers 404 with one "denied" row, and a feed stops
when the patient's login is deactivated.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from .conftest import audit_since, client_for, last_audit_id
from .routes import ACTORS


def feed_url(token: str) -> str:
    return f"/calendar/{token}.ics"


@pytest.mark.parametrize("actor", ACTORS)
def test_the_patients_token_opens_their_feed_for_any_caller(world, extras, actor):
    client = client_for(world, extras, actor)
    marker = last_audit_id()
    response = client.get(feed_url(world.patient.calendar_token))
    assert response.status_code == 200
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert response["Cache-Control"] == "no-store"
    rows = audit_since(marker)
    assert [(r.patient_id, r.outcome, r.action) for r in rows] == [
        (world.patient.pk, "success", "R")
    ]
    row = rows[0]
    assert row.request_id == response["X-Request-ID"]
    assert row.ip and row.actor and row.at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("token", ["nosuchtoken", "A" * 64])
def test_a_wrong_token_is_not_found_and_audited_as_denied(world, extras, token):
    marker = last_audit_id()
    response = client_for(world, extras, "anonymous").get(feed_url(token))
    assert response.status_code == 404
    assert b"Alice" not in response.content
    assert [r.outcome for r in audit_since(marker)] == ["denied"]


def test_a_rotated_token_stops_working(world, extras):
    old = world.patient.calendar_token
    patient = client_for(world, extras, "patient")
    assert patient.post("/me/calendar/rotate").status_code == 302
    world.patient.refresh_from_db()
    assert world.patient.calendar_token != old
    anonymous = client_for(world, extras, "anonymous")
    assert anonymous.get(feed_url(old)).status_code == 404
    assert anonymous.get(feed_url(world.patient.calendar_token)).status_code == 200


def test_a_deactivated_patients_feed_stops(world, extras):
    world.patient_user.is_active = False
    world.patient_user.save()
    marker = last_audit_id()
    response = client_for(world, extras, "anonymous").get(feed_url(world.patient.calendar_token))
    assert response.status_code == 404
    rows = audit_since(marker)
    assert [(r.patient_id, r.outcome) for r in rows] == [(world.patient.pk, "denied")]
