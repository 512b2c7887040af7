"""The patient page: demographics, plan, readiness (also for a chosen day, via htmx), due-list,
PML risk for natalizumab, and the timeline with corrected rows struck through."""

from __future__ import annotations

from datetime import date

from tests.web.staff.conftest import clinical_snapshot, natalizumab_patient

from msinfusion.web.audit.models import Action, AuditEvent
from msinfusion.web.clinic import models as m


def test_patient_page_shows_demographics_plan_and_readiness(nurse, world):
    response = nurse.get(f"/patients/{world.patient.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.patient.name in html
    assert "Born 14 Mar 1988 (37 years)" in html
    assert "RRMS" in html
    # plan: infusion 2 on 2026-01-19 (14 days after 2026-01-05, OCR-D1), booking window ±3 days
    assert "Mon 19 Jan 2026" in html
    assert "initial dose 2 of 2" in html
    assert "window 16 Jan–22 Jan 2026" in html
    assert "OCR-D1" in html  # the regimen's source is shown next to it
    # readiness of that infusion
    assert "status-cleared" in html
    assert (
        AuditEvent.objects.filter(
            patient_id=world.patient.pk, resource="staff.patient", action=Action.READ
        ).count()
        == 1
    )


def test_timeline_lists_rows_in_date_order_newest_first(nurse, world):
    html = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    timeline = html[html.index('id="timeline"') :]
    infusion = timeline.index("Ocrelizumab (Ocrevus) 300 mg given")
    hbsag = timeline.index("Hepatitis B surface antigen: negative")
    assert infusion < hbsag  # 2026-01-05 before 2025-12-20 (newest first)


def test_readiness_partial_for_a_chosen_day(nurse, world):
    m.Condition.objects.create(
        patient=world.patient,
        condition="active_infection",
        date=date(2026, 1, 10),
        resolved=date(2026, 1, 20),
    )
    blocked = nurse.get(f"/patients/{world.patient.pk}/readiness?date=2026-01-19")
    assert blocked.status_code == 200
    assert "<html" not in blocked.content.decode()  # a fragment for htmx
    assert "status-blocked" in blocked.content.decode()
    assert "ocr.active_infection" in blocked.content.decode()
    cleared = nurse.get(f"/patients/{world.patient.pk}/readiness?date=2026-01-21")
    assert "status-cleared" in cleared.content.decode()
    assert "ocr.active_infection" not in cleared.content.decode()


def test_patient_page_accepts_a_day_without_javascript(nurse, world):
    response = nurse.get(f"/patients/{world.patient.pk}/?date=2026-01-21")
    assert response.status_code == 200
    assert "Wed 21 Jan 2026" in response.content.decode()


def test_bad_readiness_dates_answer_400_fragments(nurse, world):
    base = f"/patients/{world.patient.pk}/readiness"
    for bad in (
        "",
        "?date=",
        "?date=tomorrow",
        "?date=2026-02-30",
        "?date=20260120",
        "?date=1900-01-01",
        "?date=2099-01-01",
    ):
        response = nurse.get(base + bad)
        assert response.status_code == 400, bad
        assert 'role="alert"' in response.content.decode()
    assert nurse.get(f"/patients/{world.patient.pk}/?date=nope").status_code == 400


def test_pml_risk_is_shown_for_natalizumab_patients_with_basis_and_source(nurse, world):
    nat = natalizumab_patient(
        world.center, "Nora Natalizumab", first=date(2024, 1, 10), last=date(2025, 12, 20)
    )
    html = nurse.get(f"/patients/{nat.pk}/").content.decode()
    pml = html[html.index('id="pml"') :]
    # 24 completed months on 2026-01-14, anti-JCV positive, index 1.2: 0.2/1,000 (S24)
    assert "0.2/1,000" in pml
    assert "Index-stratified table, band 1-24 months" in pml
    assert "24 completed months since first natalizumab infusion on 2024-01-10" in pml
    assert "S24" in pml
    assert 'id="pml"' not in nurse.get(f"/patients/{world.patient.pk}/").content.decode()


def test_due_list_is_shown_with_reasons_and_sources(nurse, world):
    nat = natalizumab_patient(
        world.center, "Nora Natalizumab", first=date(2024, 1, 10), last=date(2025, 12, 20)
    )
    html = nurse.get(f"/patients/{nat.pk}/").content.decode()
    due = html[html.index('id="due"') : html.index('id="timeline"')]
    assert "TOUCH: Patient Status Report and Reauthorization Questionnaire" in due
    assert "Tue 20 Jan 2026" in due  # authorized 2025-07-20 + 6 months
    assert "nat.touch_reauthorization" in due and "REMS-T4" in due


def test_get_requests_write_no_clinical_rows(nurse, world):
    result = m.LabResult.current.get(patient=world.patient)
    adm = m.Administration.current.get(patient=world.patient)
    course = m.Course.current.get(patient=world.patient)
    condition = m.Condition.objects.create(
        patient=world.patient, condition="active_infection", date=date(2026, 1, 10)
    )
    before = clinical_snapshot()
    base = f"/patients/{world.patient.pk}"
    for url in (
        "/worklist/",
        "/patients/",
        f"{base}/",
        f"{base}/?date=2026-01-19",
        f"{base}/readiness?date=2026-01-19",
        f"{base}/results/new",
        f"{base}/results/{result.pk}/correct",
        f"{base}/administrations/new",
        f"{base}/administrations/{adm.pk}/correct",
        f"{base}/courses/new",
        f"{base}/courses/{course.pk}/stop",
        f"{base}/programs/new",
        f"{base}/conditions/new",
        f"{base}/conditions/{condition.pk}/resolve",
    ):
        assert nurse.get(url).status_code == 200, url
    assert clinical_snapshot() == before


def test_patient_list_searches_by_name_and_paginates(nurse, world):
    for i in range(30):
        m.Patient.objects.create(center=world.center, name=f"Zed {i:02d}")
    page1 = nurse.get("/patients/").content.decode()
    assert "Page 1 of 2" in page1
    page2 = nurse.get("/patients/?page=2").content.decode()
    assert "Zed 29" in page2 and "Zed 00" not in page2
    found = nurse.get("/patients/?q=alice").content.decode()
    assert world.patient.name in found and world.other_patient.name not in found
    assert "Zed" not in found
    audited = AuditEvent.objects.filter(resource="staff.patient_list")
    # 25 on page 1 + 7 on page 2 + Alice on the search page: one row per patient shown
    assert audited.count() == 25 + 7 + 1
    assert nurse.get("/patients/?page=99").status_code == 200  # past the end: last page


def test_a_record_the_care_logic_cannot_plan_shows_the_problem_instead_of_failing(nurse, world):
    rtx = m.Patient.objects.create(center=world.center, name="Rita Rituximab")
    m.Course.objects.create(patient=rtx, drug="rituximab", start=date(2026, 1, 20))
    response = nurse.get(f"/patients/{rtx.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cannot plan: rituximab: regimen: rituximab has no default regimen" in html
    assert nurse.get(f"/patients/{rtx.pk}/readiness?date=2026-01-20").status_code == 200
    assert nurse.get(f"/patients/{rtx.pk}/administrations/new").status_code == 200
