"""Who may book, see names on the board, optimise; what the audit log records."""

from __future__ import annotations

import pytest

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.scheduling.models import Booking
from msinfusion.web.scheduling.services import book

from .conftest import MONDAY, request_for

BOOK = "/patients/{}/booking/"


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("patient_user", 403),
        ("center_admin", 403),
        ("other_center_nurse", 404),
        ("outside_neurologist", 404),
    ],
)
def test_only_the_care_team_may_book(client, world, places, clinic_day, actor, status):
    client.force_login(getattr(world, actor))
    chair = places.chair1.pk
    get = client.get(BOOK.format(world.patient.pk))
    post = client.post(
        BOOK.format(world.patient.pk), {"date": "2026-01-19", "place": f"{chair}@540"}
    )
    assert (get.status_code, post.status_code) == (status, status)
    assert not Booking.objects.exists()
    rows = AuditEvent.objects.filter(actor=getattr(world, actor).username).order_by("id")
    assert [r.outcome for r in rows] == ["denied", "denied"]
    assert "Alice Example" not in get.content.decode()


def test_the_patients_neurologist_may_book(client, world, places, clinic_day):
    client.force_login(world.neurologist)
    response = client.post(
        BOOK.format(world.patient.pk), {"date": "2026-01-19", "place": f"{places.chair1.pk}@540"}
    )
    assert response.status_code == 302
    assert Booking.objects.get().created_by == world.neurologist


def test_reading_the_booking_page_is_audited(client, world, places, clinic_day):
    client.force_login(world.nurse)
    client.get(BOOK.format(world.patient.pk))
    row = AuditEvent.objects.get(actor="nurse")
    assert (row.patient_id, row.action, row.resource, row.outcome) == (
        world.patient.pk,
        "R",
        "staff.booking",
        "success",
    )


@pytest.fixture
def booked(world, places):
    book(world.patient, places.chair1, MONDAY, 9 * 60, request_for("a", 60))
    book(world.other_patient, places.chair2, MONDAY, 9 * 60, request_for("b", 60))


def _board(client, user):
    client.force_login(user)
    return client.get("/center/board/", {"date": "2026-01-19"})


def test_names_on_the_board_only_for_who_may_see_them_and_each_is_audited(
    client, world, booked, clinic_day
):
    html = _board(client, world.nurse).content.decode()
    assert "Alice Example" in html and "Bob Example" in html
    rows = AuditEvent.objects.filter(actor="nurse", resource="center.board")
    assert sorted(r.patient_id for r in rows) == sorted([world.patient.pk, world.other_patient.pk])
    # the neurologist sees only their own patient's name; the other bar stays anonymous
    html = _board(client, world.neurologist).content.decode()
    assert "Alice Example" in html and "Bob Example" not in html
    assert html.count('<g class="bar">') == 2
    assert [r.patient_id for r in AuditEvent.objects.filter(actor="neuro")] == [world.patient.pk]


def test_the_center_admin_sees_the_bars_without_names(client, world, booked, clinic_day):
    html = _board(client, world.center_admin).content.decode()
    assert html.count('<g class="bar">') == 2
    assert "Alice Example" not in html and "Bob Example" not in html
    assert not AuditEvent.objects.filter(actor="admin").exists()  # no patient data was read


def test_another_centers_staff_see_their_own_empty_board(client, world, booked, clinic_day):
    response = _board(client, world.other_center_nurse)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hillside Infusion Center" in html and '<g class="bar">' not in html
    assert "Alice Example" not in html


def test_patients_may_not_see_the_board(client, world, booked, clinic_day):
    response = _board(client, world.patient_user)
    assert response.status_code == 403
    row = AuditEvent.objects.get(actor="pat")
    assert (row.resource, row.outcome) == ("center.board", "denied")


@pytest.mark.parametrize("actor", ["patient_user", "neurologist"])
def test_patients_and_neurologists_may_not_optimise(client, world, booked, clinic_day, actor):
    client.force_login(getattr(world, actor))
    response = client.post("/center/board/optimise/", {"date": "2026-01-19"})
    assert response.status_code == 403
    row = AuditEvent.objects.get(actor=getattr(world, actor).username)
    assert (row.resource, row.outcome) == ("center.board.optimise", "denied")


def test_anonymous_goes_to_login(client, world, places):
    response = client.get("/center/board/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
