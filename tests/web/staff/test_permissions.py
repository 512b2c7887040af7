"""Who may open the staff pages: care staff of the patient's center (neurologists: their own
patients); patients and center admins get 403, everyone else's patients answer 404 (and the denied
lookup is audited), anonymous visitors are sent to log in."""

from __future__ import annotations

from datetime import date

import pytest
from tests.web.staff.conftest import clinical_snapshot

from msinfusion.web.audit.models import AuditEvent, Outcome
from msinfusion.web.clinic import models as m


def patient_routes(world) -> list[tuple[str, str]]:
    """Every staff route about one patient, as (method, url), for the world's patient."""
    p = world.patient
    result = m.LabResult.current.get(patient=p)
    adm = m.Administration.current.get(patient=p)
    course = m.Course.current.get(patient=p)
    condition = m.Condition.objects.create(
        patient=p, condition="active_infection", date=date(2026, 1, 10)
    )
    base = f"/patients/{p.pk}"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/readiness?date=2026-01-19"),
        ("get", f"{base}/results/new"),
        ("post", f"{base}/results/new"),
        ("post", f"{base}/results/{result.pk}/confirm"),
        ("get", f"{base}/results/{result.pk}/correct"),
        ("post", f"{base}/results/{result.pk}/correct"),
        ("get", f"{base}/administrations/new"),
        ("post", f"{base}/administrations/new"),
        ("get", f"{base}/administrations/{adm.pk}/correct"),
        ("post", f"{base}/administrations/{adm.pk}/correct"),
        ("get", f"{base}/courses/new"),
        ("post", f"{base}/courses/new"),
        ("get", f"{base}/courses/{course.pk}/stop"),
        ("post", f"{base}/courses/{course.pk}/stop"),
        ("get", f"{base}/programs/new"),
        ("post", f"{base}/programs/new"),
        ("get", f"{base}/conditions/new"),
        ("post", f"{base}/conditions/new"),
        ("get", f"{base}/conditions/{condition.pk}/resolve"),
        ("post", f"{base}/conditions/{condition.pk}/resolve"),
    ]


LIST_ROUTES = [("get", "/worklist/"), ("get", "/patients/"), ("get", "/patients/?q=Alice")]

# A valid body for each POST route, so a refusal cannot be blamed on bad input.
VALID = {
    "results/new": {"test": "igg", "value": "850", "date": "2026-01-10"},
    "correct": {
        "test": "hbsag",
        "value": "negative",
        "date": "2025-12-20",
        "drug": "ocrelizumab",
        "dose_mg": "300",
        "reaction": "none",
        "reason": "typo",
    },
    "administrations/new": {
        "drug": "ocrelizumab",
        "date": "2026-01-14",
        "dose_mg": "300",
        "reaction": "none",
    },
    "courses/new": {"drug": "ocrelizumab", "start": "2026-01-05"},
    "stop": {"stop": "2026-01-14", "stop_reason": "switching"},
    "programs/new": {"program": "touch", "action": "enrolled", "date": "2026-01-10"},
    "conditions/new": {"condition": "pregnancy", "date": "2026-01-10"},
    "resolve": {"resolved": "2026-01-13"},
}


def body_for(url: str) -> dict:
    for key, data in VALID.items():
        if url.split("?")[0].endswith(key):
            return data
    return {}


def call(client, method: str, url: str):
    if method == "post":
        return client.post(url, body_for(url))
    return client.get(url)


@pytest.mark.parametrize("actor", ["patient_user", "other_patient_user", "center_admin"])
def test_non_staff_roles_get_403_on_every_staff_route(client, world, clinic_day, actor):
    routes = patient_routes(world) + LIST_ROUTES
    before = clinical_snapshot()
    user = getattr(world, actor)
    client.force_login(user)
    for method, url in routes:
        assert call(client, method, url).status_code == 403, (method, url)
    assert clinical_snapshot() == before
    # refused before any patient data is read: only the one "denied" row per request
    rows = AuditEvent.objects.filter(actor_id=user.pk)
    assert rows.count() == len(routes)
    assert set(rows.values_list("outcome", flat=True)) == {Outcome.DENIED}


@pytest.mark.parametrize(
    "actor", ["other_center_nurse", "other_center_neurologist", "outside_neurologist"]
)
def test_staff_outside_the_care_team_get_404_and_a_denied_audit_row(
    client, world, clinic_day, actor
):
    routes = patient_routes(world)
    before = clinical_snapshot()
    user = getattr(world, actor)
    client.force_login(user)
    for method, url in routes:
        assert call(client, method, url).status_code == 404, (method, url)
    assert clinical_snapshot() == before
    denied = AuditEvent.objects.filter(actor_id=user.pk, outcome=Outcome.DENIED)
    assert denied.count() == len(routes)
    assert set(denied.values_list("patient_id", flat=True)) == {world.patient.pk}


def test_unknown_patient_is_404_with_a_denied_audit_row(nurse, world):
    response = nurse.get("/patients/999999/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, patient_id=999999).count() == 1


def test_rows_of_another_patient_are_404_even_for_the_care_team(nurse, world):
    """A result id from another patient in the same center cannot be reached via this patient."""
    other_result = m.LabResult.current.get(patient=world.other_patient)
    other_adm = m.Administration.current.get(patient=world.other_patient)
    before = clinical_snapshot()
    base = f"/patients/{world.patient.pk}"
    assert nurse.get(f"{base}/results/{other_result.pk}/correct").status_code == 404
    assert nurse.post(f"{base}/results/{other_result.pk}/confirm").status_code == 404
    assert nurse.get(f"{base}/administrations/{other_adm.pk}/correct").status_code == 404
    assert clinical_snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, world, clinic_day):
    for method, url in patient_routes(world) + LIST_ROUTES:
        response = call(client, method, url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/login/")


def test_neurologist_sees_own_patients_only(client, world, clinic_day):
    client.force_login(world.neurologist)
    assert client.get(f"/patients/{world.patient.pk}/").status_code == 200
    assert client.get(f"/patients/{world.other_patient.pk}/").status_code == 404
    listing = client.get("/patients/").content.decode()
    assert world.patient.name in listing
    assert world.other_patient.name not in listing


def test_nurse_sees_every_patient_of_her_center_and_none_of_another(nurse, world):
    listing = nurse.get("/patients/").content.decode()
    assert world.patient.name in listing and world.other_patient.name in listing
    assert world.far_patient.name not in listing
    assert nurse.get(f"/patients/{world.far_patient.pk}/").status_code == 404


def test_write_routes_refuse_other_methods(nurse, world):
    base = f"/patients/{world.patient.pk}"
    result = m.LabResult.current.get(patient=world.patient)
    assert nurse.get(f"{base}/results/{result.pk}/confirm").status_code == 405
    assert nurse.put(f"{base}/results/new").status_code == 405
    assert nurse.post("/worklist/").status_code == 405
    assert nurse.post(f"{base}/readiness?date=2026-01-19").status_code == 405


def test_posts_need_a_csrf_token(world, clinic_day):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.nurse)
    response = client.post(
        f"/patients/{world.patient.pk}/results/new",
        {"test": "igg", "value": "850", "date": "2026-01-10"},
    )
    assert response.status_code == 403
    assert not m.LabResult.objects.filter(patient=world.patient, test="igg").exists()
