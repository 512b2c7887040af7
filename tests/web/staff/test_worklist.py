"""The worklist: sections filled from the domain, one audit row per patient shown, a fixed number
of queries whatever the number of patients.

Clinic day 2026-01-14. Dates by hand: ocrelizumab infusion 2 is 14 days after infusion 1 (OCR-D1);
TOUCH authorization valid 6 calendar months (convention 10); TOUCH PML assessment 3 and 6 months
after the first infusion, then every 6 months (REMS-T4); PML bands by completed months (convention 4).
"""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.web.staff.conftest import (
    clinical_snapshot,
    natalizumab_patient,
    ocrelizumab_patient,
)

from msinfusion.web.audit.models import Action, AuditEvent, Outcome
from msinfusion.web.clinic import models as m


def section(html: str, section_id: str) -> str:
    """The HTML of one worklist section."""
    start = html.index(f'id="{section_id}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_due_this_week_lists_the_next_infusion_with_its_readiness(nurse, world):
    html = nurse.get("/worklist/").content.decode()
    due = section(html, "due")
    assert world.patient.name in due
    assert "initial dose 2 of 2" in due
    assert "Mon 19 Jan" in due  # 2026-01-05 + 14 days
    assert "in 5 days" in due
    assert "status-cleared" in due


def test_overdue_infusion_is_listed_as_overdue(nurse, world):
    # infusion 1 on 2025-12-22: infusion 2 was due 2026-01-05, 9 days ago
    late = ocrelizumab_patient(world.center, "Olga Overdue", first=date(2025, 12, 22))
    due = section(nurse.get("/worklist/").content.decode(), "due")
    assert late.name in due
    assert "overdue 9 days" in due


def test_blocked_patient_is_listed_with_the_reason(nurse, world):
    sick = ocrelizumab_patient(world.center, "Ivan Infection", first=date(2026, 1, 5))
    m.Condition.objects.create(patient=sick, condition="active_infection", date=date(2026, 1, 12))
    html = nurse.get("/worklist/").content.decode()
    blocked = section(html, "blocked")
    assert sick.name in blocked
    assert "Active infection: delay the infusion until the infection resolves." in blocked
    assert "ocr.active_infection" in blocked and "OCR-B5" in blocked  # rule and its source
    assert world.patient.name not in blocked
    assert "status-blocked" in section(html, "due")  # the due entry carries the blocked badge


def test_natalizumab_patient_fills_monitoring_pml_and_reauthorization(nurse, world):
    # first infusion 2023-12-10, the previous one 2025-12-20 (24 completed months, band 1-24);
    # today 25 completed months: band 25-48. Index 1.2 (STRATIFY JCV), positive: 0.2 -> 1.1/1,000
    nat = natalizumab_patient(
        world.center, "Nora Natalizumab", first=date(2023, 12, 10), last=date(2025, 12, 20)
    )
    m.Administration.objects.create(
        patient=nat, drug="natalizumab", date=date(2025, 12, 20), dose_mg=300
    )
    html = nurse.get("/worklist/").content.decode()
    overdue = section(html, "overdue")
    # TOUCH assessments 2024-03-10, 2024-06-10, then every 6 months: ..., 2025-12-10 (35 days ago)
    assert nat.name in overdue
    assert "TOUCH: assess signs and symptoms of PML" in overdue
    assert "due 10 Dec 2025" in overdue and "overdue 35 days" in overdue
    pml = section(html, "pml")
    assert nat.name in pml
    assert "0.2/1,000" in pml and "1.1/1,000" in pml
    assert "1-24 months" in pml and "25-48 months" in pml
    programs = section(html, "programs")
    # authorized 2025-07-20, valid through 2026-01-20
    assert nat.name in programs
    assert "valid through 20 Jan 2026" in programs and "due 20 Jan" in programs


def test_quiet_patients_are_not_shown_and_not_audited(nurse, world):
    # infusion 1 and 2 given: next is 24 weeks after infusion 1, far away
    quiet = ocrelizumab_patient(world.center, "Quentin Quiet", first=date(2025, 12, 1))
    m.Administration.objects.create(
        patient=quiet, drug="ocrelizumab", date=date(2025, 12, 15), dose_mg=300
    )
    for test, value in (("anti_hbc", "negative"), ("hbsag", "negative")):
        m.LabResult.objects.create(
            patient=quiet, test=test, value_text=value, date=date(2025, 11, 20)
        )
    m.LabResult.objects.create(patient=quiet, test="igg", value_number=900, date=date(2025, 11, 20))
    m.LabResult.objects.create(patient=quiet, test="alt", value_number=20, date=date(2025, 11, 20))
    html = nurse.get("/worklist/").content.decode()
    assert quiet.name not in html
    rows = AuditEvent.objects.filter(resource="staff.worklist")
    assert not rows.filter(patient_id=quiet.pk).exists()


def test_one_audit_row_per_patient_shown(nurse, world):
    sick = ocrelizumab_patient(world.center, "Ivan Infection", first=date(2026, 1, 5))
    m.Condition.objects.create(patient=sick, condition="active_infection", date=date(2026, 1, 12))
    nurse.get("/worklist/")
    rows = AuditEvent.objects.filter(resource="staff.worklist", actor_id=world.nurse.pk)
    patients = list(rows.values_list("patient_id", flat=True))
    # Alice and Bob are due on 2026-01-19; Ivan is due and blocked but audited once
    assert sorted(patients) == sorted([world.patient.pk, world.other_patient.pk, sick.pk])
    assert set(rows.values_list("action", flat=True)) == {Action.READ}
    assert set(rows.values_list("outcome", flat=True)) == {Outcome.SUCCESS}
    assert world.far_patient.pk not in patients


def test_neurologist_worklist_shows_only_own_patients(client, world, clinic_day):
    client.force_login(world.neurologist)
    html = client.get("/worklist/").content.decode()
    assert world.patient.name in html
    assert world.other_patient.name not in html
    assert world.far_patient.name not in html


def test_other_center_staff_see_only_their_center(client, world, clinic_day):
    client.force_login(world.other_center_nurse)
    html = client.get("/worklist/").content.decode()
    assert world.far_patient.name in html
    assert world.patient.name not in html


def test_rituximab_without_regimen_is_listed_as_a_problem_not_an_error(nurse, world):
    rtx = m.Patient.objects.create(center=world.center, name="Rita Rituximab")
    m.Course.objects.create(patient=rtx, drug="rituximab", start=date(2026, 1, 20))
    response = nurse.get("/worklist/")
    assert response.status_code == 200
    problems = section(response.content.decode(), "problems")
    assert rtx.name in problems and "no default regimen" in problems


def test_worklist_writes_no_clinical_rows(nurse, world):
    before = clinical_snapshot()
    nurse.get("/worklist/")
    nurse.get("/patients/")
    assert clinical_snapshot() == before


def _worklist_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/worklist/")
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_patients(nurse, world):
    def add(n: int, offset: int) -> None:
        for i in range(n):
            p = ocrelizumab_patient(
                world.center, f"Patient {offset + i:03d}", first=date(2026, 1, 5)
            )
            m.Condition.objects.create(
                patient=p, condition="active_infection", date=date(2026, 1, 12)
            )
            m.ProgramAction.objects.create(
                patient=p, program="touch", action="enrolled", date=date(2026, 1, 2)
            )

    add(3, 0)
    nurse.get("/worklist/")  # warm caches (catalog, session)
    with_3 = _worklist_queries(nurse)
    add(27, 3)
    with_30 = _worklist_queries(nurse)
    assert with_30 == with_3
    html = nurse.get("/worklist/").content.decode()
    assert html.count("Patient 0") >= 30
