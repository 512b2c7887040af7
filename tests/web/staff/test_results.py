"""A nurse records, confirms and corrects lab results; the readiness shown follows."""

from __future__ import annotations

from datetime import date

import pytest
from tests.web.staff.conftest import clinical_snapshot

from msinfusion.web.audit.models import Action, AuditEvent
from msinfusion.web.clinic import models as m


@pytest.fixture
def newcomer(world):
    """Starts ocrelizumab on 2026-01-20 with no baseline tests yet."""
    patient = m.Patient.objects.create(
        center=world.center,
        neurologist=world.neurologist,
        name="Nina Newcomer",
        birth_date=date(1990, 4, 4),
        sex="female",
        childbearing_potential=False,
        ms_type="RRMS",
    )
    m.Course.objects.create(patient=patient, drug="ocrelizumab", start=date(2026, 1, 20))
    return patient


def test_entering_hbsag_removes_the_missing_hbsag_block(nurse, newcomer):
    page = f"/patients/{newcomer.pk}/"
    before = nurse.get(page).content.decode()
    assert "status-blocked" in before
    assert "ocr.hbv_screen.missing" in before
    response = nurse.post(
        f"{page}results/new", {"test": "hbsag", "value": "negative", "date": "2026-01-12"}
    )
    assert response.status_code == 302 and response["Location"] == page
    row = m.LabResult.current.get(patient=newcomer, test="hbsag")
    assert (row.value_text, row.value_number, row.date) == ("negative", None, date(2026, 1, 12))
    assert not row.patient_reported and row.confirmed_by_id == row.entered_by_id
    after = nurse.get(page).content.decode()
    assert "ocr.hbv_screen.missing" not in after
    assert "ocr.hbv_core.missing" in after  # the other baseline tests are still missing
    assert "result of 2026-01-12 recorded" in after  # the message after the redirect
    audit = AuditEvent.objects.filter(patient_id=newcomer.pk, action=Action.CREATE)
    assert list(audit.values_list("resource", flat=True)) == ["staff.result"]


def test_numeric_result_is_stored_in_the_test_unit(nurse, newcomer):
    response = nurse.post(
        f"/patients/{newcomer.pk}/results/new",
        {"test": "igg", "value": "850.5", "unit": "mg/dL", "date": "2026-01-10"},
    )
    assert response.status_code == 302
    row = m.LabResult.current.get(patient=newcomer, test="igg")
    assert (row.value_number, row.value_text, row.unit) == (850.5, "", "mg/dL")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"test": "hbsag", "value": "12", "date": "2026-01-10"}, "value"),  # qualitative test
        ({"test": "igg", "value": "positive", "date": "2026-01-10"}, "value"),  # numeric test
        ({"test": "igg", "value": "-1", "date": "2026-01-10"}, "value"),
        ({"test": "igg", "value": "nan", "date": "2026-01-10"}, "value"),
        ({"test": "igg", "value": "inf", "date": "2026-01-10"}, "value"),
        ({"test": "igg", "value": "850", "unit": "g/L", "date": "2026-01-10"}, "unit"),
        ({"test": "igg", "value": "850", "date": "2026-01-15"}, "date"),  # tomorrow
        ({"test": "igg", "value": "850", "date": "1980-01-01"}, "date"),  # before birth
        ({"test": "igg", "value": "850", "date": "31/12/2025"}, "date"),
        ({"test": "unobtainium", "value": "1", "date": "2026-01-10"}, "test"),
        ({"test": "igg", "value": "", "date": "2026-01-10"}, "value"),
        ({}, "test"),
    ],
)
def test_bad_result_input_answers_400_with_the_field_error_and_saves_nothing(
    nurse, newcomer, data, field
):
    before = clinical_snapshot()
    response = nurse.post(f"/patients/{newcomer.pk}/results/new", data)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert 'class="errorlist' in response.content.decode()
    assert clinical_snapshot() == before


def test_confirming_a_patient_reported_result(nurse, world):
    reported = m.LabResult.objects.create(
        patient=world.patient,
        test="igg",
        value_number=700,
        date=date(2026, 1, 8),
        patient_reported=True,
        entered_by=world.patient_user,
    )
    page = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "patient-reported, not yet confirmed" in page
    assert f"/results/{reported.pk}/confirm" in page
    response = nurse.post(f"/patients/{world.patient.pk}/results/{reported.pk}/confirm")
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.confirmed_by_id == world.nurse.pk and reported.confirmed_at is not None
    assert AuditEvent.objects.filter(
        patient_id=world.patient.pk, resource="staff.result", action=Action.UPDATE
    ).exists()
    first = reported.confirmed_at
    again = nurse.post(f"/patients/{world.patient.pk}/results/{reported.pk}/confirm")
    assert again.status_code == 302
    reported.refresh_from_db()
    assert reported.confirmed_at == first  # confirming twice changes nothing


def test_correcting_a_result_keeps_the_old_row_superseded(nurse, world):
    old = m.LabResult.current.get(patient=world.patient, test="hbsag")
    url = f"/patients/{world.patient.pk}/results/{old.pk}/correct"
    form = nurse.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["value"] == "negative"
    response = nurse.post(
        url,
        {"test": "hbsag", "value": "negative", "date": "2025-12-18", "reason": "wrong draw date"},
    )
    assert response.status_code == 302
    old.refresh_from_db()
    new = m.LabResult.current.get(patient=world.patient, test="hbsag")
    assert old.superseded_by_id == new.pk
    assert new.date == date(2025, 12, 18) and new.correction_reason == "wrong draw date"
    assert m.LabResult.objects.filter(patient=world.patient, test="hbsag").count() == 2
    html = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "<del>Hepatitis B surface antigen: negative</del>" in html
    assert "Replaced by a newer entry: wrong draw date" in html
    assert "Replaces an earlier entry: wrong draw date" in html
    assert html.count("Hepatitis B surface antigen: negative") == 2  # both rows are visible
    assert (
        AuditEvent.objects.filter(
            patient_id=world.patient.pk, resource="staff.result", action=Action.UPDATE
        ).count()
        == 1
    )


def test_a_correction_needs_a_reason_and_a_corrected_row_cannot_be_corrected_again(nurse, world):
    old = m.LabResult.current.get(patient=world.patient, test="hbsag")
    url = f"/patients/{world.patient.pk}/results/{old.pk}/correct"
    before = clinical_snapshot()
    response = nurse.post(url, {"test": "hbsag", "value": "negative", "date": "2025-12-18"})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert clinical_snapshot() == before
    data = {"test": "hbsag", "value": "positive", "date": "2025-12-20", "reason": "misread"}
    assert nurse.post(url, data).status_code == 302
    assert nurse.post(url, data).status_code == 404  # the old row is no longer current
    assert m.LabResult.objects.filter(patient=world.patient, test="hbsag").count() == 2


def test_correcting_a_correction_extends_the_chain(nurse, world):
    first = m.LabResult.current.get(patient=world.patient, test="hbsag")
    base = f"/patients/{world.patient.pk}/results"
    nurse.post(
        f"{base}/{first.pk}/correct",
        {"test": "hbsag", "value": "positive", "date": "2025-12-20", "reason": "misread"},
    )
    second = m.LabResult.current.get(patient=world.patient, test="hbsag")
    response = nurse.post(
        f"{base}/{second.pk}/correct",
        {"test": "hbsag", "value": "negative", "date": "2025-12-20", "reason": "misread again"},
    )
    assert response.status_code == 302
    third = m.LabResult.current.get(patient=world.patient, test="hbsag")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.superseded_by_id, second.superseded_by_id) == (second.pk, third.pk)
    assert third.value_text == "negative"
