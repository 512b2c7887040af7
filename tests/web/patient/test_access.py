"""Who may open the patient area: patients only for /me/, the care team for files, nobody else."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from tests.web.conftest import make_user

from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ME_PAGES = ["/me/", "/me/results/new", "/me/diary/"]
STAFF = ["nurse", "neurologist", "center_admin", "other_center_nurse", "outside_neurologist"]
CLINICAL = [
    m.LabResult,
    m.Course,
    m.Administration,
    m.Condition,
    m.Vaccination,
    m.ClinicalEvent,
    m.ProgramAction,
    m.Checklist,
    m.DiaryEntry,
]


def result_with_file(patient: m.Patient) -> m.LabResult:
    row = m.LabResult(
        patient=patient,
        test="igg",
        value_number=800,
        unit="mg/dL",
        date=date(2026, 1, 6),
        patient_reported=True,
        entered_by=patient.user,
    )
    row.attachment.save("report.pdf", ContentFile(PDF), save=False)
    row.save()
    return row


@pytest.mark.parametrize("url", [*ME_PAGES, "/me/calendar/rotate"])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url) if url != "/me/calendar/rotate" else client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("actor", STAFF)
@pytest.mark.parametrize("url", ME_PAGES)
def test_staff_get_403_on_patient_pages(client, world, actor, url, frozen):
    client.force_login(getattr(world, actor))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("actor", STAFF)
def test_staff_cannot_rotate_a_calendar_link(client, world, actor):
    client.force_login(getattr(world, actor))
    assert client.post("/me/calendar/rotate").status_code == 403


def test_a_patient_login_without_a_patient_record_gets_404_and_a_denied_row(client, world):
    client.force_login(make_user("orphan", Role.PATIENT))
    assert client.get("/me/").status_code == 404
    row = AuditEvent.objects.get()
    assert (row.actor, row.outcome, row.patient_id) == ("orphan", "denied", None)


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("patient_user", 200),
        ("neurologist", 200),
        ("nurse", 200),
        ("other_patient_user", 404),
        ("outside_neurologist", 404),
        ("other_center_nurse", 404),
        ("other_center_neurologist", 404),
        ("center_admin", 404),
    ],
)
def test_result_file_is_for_the_patient_and_care_team_only(client, world, actor, status):
    row = result_with_file(world.patient)
    client.force_login(getattr(world, actor))
    response = client.get(f"/patients/{world.patient.pk}/results/{row.pk}/file")
    assert response.status_code == status
    audit = AuditEvent.objects.get(resource="patient.result_file")
    assert audit.outcome == ("success" if status == 200 else "denied")


def test_result_file_download_headers_and_content(client, world):
    row = result_with_file(world.patient)
    client.force_login(world.patient_user)
    response = client.get(f"/patients/{world.patient.pk}/results/{row.pk}/file")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="igg-2026-01-06.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content) == PDF


def test_a_result_of_another_patient_is_404_even_under_your_own_patient_id(client, world):
    theirs = result_with_file(world.other_patient)
    client.force_login(world.patient_user)
    assert client.get(f"/patients/{world.patient.pk}/results/{theirs.pk}/file").status_code == 404
    assert (
        client.get(f"/patients/{world.other_patient.pk}/results/{theirs.pk}/file").status_code
        == 404
    )


def test_a_result_without_a_file_or_a_missing_id_is_404(client, world):
    plain = m.LabResult.objects.get(patient=world.patient, test="hbsag")
    client.force_login(world.patient_user)
    base = f"/patients/{world.patient.pk}/results"
    assert client.get(f"{base}/{plain.pk}/file").status_code == 404
    assert client.get(f"{base}/999999/file").status_code == 404


def test_anonymous_result_file_is_sent_to_login(client, world):
    row = result_with_file(world.patient)
    response = client.get(f"/patients/{world.patient.pk}/results/{row.pk}/file")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", ["/me/results/new", "/me/diary/", "/me/calendar/rotate"])
def test_posts_without_a_csrf_token_are_refused(world, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.patient_user)
    assert client.post(url, {}).status_code == 403


def test_get_routes_never_create_clinical_rows(client, world, extra, frozen):
    row = result_with_file(world.patient)
    before = {model: model.objects.count() for model in CLINICAL}
    client.force_login(world.patient_user)
    for url in [
        *ME_PAGES,
        "/me/diary/?date=2026-01-09",
        f"/patients/{world.patient.pk}/results/{row.pk}/file",
    ]:
        assert client.get(url).status_code == 200, url
    client.logout()
    assert client.get(f"/calendar/{world.patient.calendar_token}.ics").status_code == 200
    assert {model: model.objects.count() for model in CLINICAL} == before


@pytest.mark.parametrize("url", ["/me/", "/patients/1/results/1/file"])
def test_get_only_routes_refuse_post(client, world, url):
    client.force_login(world.patient_user)
    assert client.post(url).status_code == 405
