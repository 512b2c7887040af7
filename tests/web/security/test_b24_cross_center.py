"""B24 cross-center isolation: staff and admins of center B see and change nothing of center A.

The access matrix (test_b01_access_matrix.py) already sends center B's nurse, neurologist and
admin to every route with center A's objects; these tests state the figure directly, for lists
(which answer 200 with B's own data) and for center A's chairs, hours, staff and audit log.
"""

from __future__ import annotations

from datetime import time

from msinfusion.web.accounts.models import User
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import Chair, OpeningHours, Patient

from .conftest import client_for, snapshot


def center_a_patient_ids(world) -> set[int]:
    return set(Patient.objects.filter(center=world.center).values_list("pk", flat=True))


def test_center_b_staff_lists_hold_none_of_center_a(world, extras):
    a_ids = center_a_patient_ids(world)
    for actor in ("other_center_nurse", "other_center_neurologist"):
        page = client_for(world, extras, actor).get("/patients/")
        assert page.status_code == 200
        shown = {p.pk for p in Patient.objects.filter(name__in=_names_in(page))}
        assert not shown & a_ids
        api = client_for(world, extras, actor, api=True).get("/api/v1/patients")
        assert api.status_code == 200
        listed = {p["id"] for p in api.json()["items"]}
        assert not listed & a_ids
    nurse_b = client_for(world, extras, "other_center_nurse", api=True).get("/api/v1/patients")
    assert {p["id"] for p in nurse_b.json()["items"]} == {world.far_patient.pk}


def _names_in(response) -> list[str]:
    text = response.content.decode()
    return [name for name in Patient.objects.values_list("name", flat=True) if name in text]


def test_center_b_staff_read_and_change_nothing_of_center_a(world, extras):
    clients = [
        client_for(world, extras, a) for a in ("other_center_nurse", "other_center_neurologist")
    ]
    before = snapshot()
    for client in clients:
        for patient in Patient.objects.filter(center=world.center):
            assert client.get(f"/patients/{patient.pk}/").status_code == 404
            response = client.post(
                f"/patients/{patient.pk}/results/new",
                {"test": "hbsag", "value_text": "positive", "date": "2026-11-01"},
            )
            assert response.status_code == 404
    assert snapshot() == before


def test_center_b_admin_sees_and_changes_nothing_of_center_a(world, extras):
    a_chair = extras.chair
    OpeningHours.objects.create(center=world.center, weekday=0, opens=time(8), closes=time(16))
    AuditEvent.objects.create(
        actor="nurse",
        role="nurse",
        center_id=world.center.pk,
        patient_id=world.patient.pk,
        action="R",
        resource="staff.patient",
        outcome="success",
        request_id="a",
        ip="10.0.0.1",
        method="GET",
        path="/patients/1/",
    )
    client = client_for(world, extras, "other_center_admin")
    chairs = client.get("/center/chairs/")
    assert a_chair not in list(chairs.context["chairs"])
    overview = client.get("/center/")
    assert not {u.pk for u in overview.context["staff"]} & set(
        User.objects.filter(center=world.center).values_list("pk", flat=True)
    )
    log = client.get("/center/audit/")
    assert all(r.center_id != world.center.pk for r in log.context["page"].object_list)
    assert all(r.patient_id not in center_a_patient_ids(world) for r in log.context["page"])

    assert client.post(f"/center/chairs/{a_chair.pk}/deactivate/").status_code == 404
    assert client.post(f"/center/staff/{world.nurse.pk}/deactivate/").status_code == 404
    # saving B's own hours leaves A's untouched
    assert (
        client.post(
            "/center/hours/", {"d1-is_open": "on", "d1-opens": "09:00", "d1-closes": "15:00"}
        ).status_code
        == 302
    )
    a_chair.refresh_from_db()
    world.nurse.refresh_from_db()
    assert a_chair.active and world.nurse.is_active
    assert list(
        OpeningHours.objects.filter(center=world.center).values_list("weekday", "opens")
    ) == [(0, time(8))]
    assert Chair.objects.filter(center=world.center).count() == 1
