"""Starting and stopping courses, program steps and conditions: what unblocks (or blocks) an
infusion. Regimen ids come from the catalog (rituximab: hermes, olympus, rifund-ms; no default)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.web.staff.conftest import clinical_snapshot

from msinfusion.web.audit.models import Action, AuditEvent
from msinfusion.web.clinic import models as m


@pytest.fixture
def fresh(world):
    return m.Patient.objects.create(
        center=world.center, name="Fay Fresh", birth_date=date(1992, 2, 2), sex="female"
    )


def test_starting_a_course_with_the_default_regimen(nurse, fresh):
    response = nurse.post(
        f"/patients/{fresh.pk}/courses/new", {"drug": "ocrelizumab", "start": "2026-01-28"}
    )
    assert response.status_code == 302
    course = m.Course.current.get(patient=fresh)
    assert (course.drug, course.start, course.regimen) == ("ocrelizumab", date(2026, 1, 28), "")
    html = nurse.get(f"/patients/{fresh.pk}/").content.decode()
    assert "Wed 28 Jan 2026" in html and "initial dose 1 of 2" in html  # start of treatment
    assert (
        AuditEvent.objects.filter(
            patient_id=fresh.pk, resource="staff.course", action=Action.CREATE
        ).count()
        == 1
    )


def test_rituximab_needs_a_regimen_from_its_catalog_list(nurse, fresh):
    url = f"/patients/{fresh.pk}/courses/new"
    before = clinical_snapshot()
    missing = nurse.post(url, {"drug": "rituximab", "start": "2026-01-28"})
    assert missing.status_code == 400
    assert "no default regimen" in str(missing.context["form"].errors["regimen"])
    other_drugs = nurse.post(
        url, {"drug": "rituximab", "start": "2026-01-28", "regimen": "ocrelizumab:label"}
    )
    assert other_drugs.status_code == 400 and "regimen" in other_drugs.context["form"].errors
    assert clinical_snapshot() == before
    ok = nurse.post(
        url, {"drug": "rituximab", "start": "2026-01-28", "regimen": "rituximab:hermes"}
    )
    assert ok.status_code == 302
    assert m.Course.current.get(patient=fresh).regimen == "hermes"


@pytest.mark.parametrize(
    "data",
    [
        {"drug": "aspirin", "start": "2026-01-28"},
        {"drug": "ocrelizumab", "start": ""},
        {"drug": "ocrelizumab", "start": "1980-01-01"},  # before birth
        {"drug": "ocrelizumab", "start": "2026-01-28", "regimen": "ocrelizumab:nonsense"},
    ],
)
def test_bad_course_input_answers_400_and_saves_nothing(nurse, fresh, data):
    before = clinical_snapshot()
    assert nurse.post(f"/patients/{fresh.pk}/courses/new", data).status_code == 400
    assert clinical_snapshot() == before


def test_stopping_a_course_supersedes_it_and_ends_the_plan(nurse, world):
    course = m.Course.current.get(patient=world.patient)
    url = f"/patients/{world.patient.pk}/courses/{course.pk}/stop"
    response = nurse.post(url, {"stop": "2026-01-14", "stop_reason": "planning pregnancy"})
    assert response.status_code == 302
    course.refresh_from_db()
    stopped = m.Course.current.get(patient=world.patient)
    assert course.superseded_by_id == stopped.pk
    assert (stopped.stop, stopped.stop_reason, stopped.start) == (
        date(2026, 1, 14),
        "planning pregnancy",
        date(2026, 1, 5),
    )
    html = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "stopped 14 Jan 2026" in html
    assert "course stopped: planning pregnancy" in html
    again = nurse.post(url, {"stop": "2026-01-14", "stop_reason": "again"})
    assert again.status_code == 404  # the running row is gone; the stopped one replaced it
    assert (
        AuditEvent.objects.filter(
            patient_id=world.patient.pk, resource="staff.course", action=Action.UPDATE
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"stop": "2026-01-01", "stop_reason": "x"}, "stop"),  # before the 2026-01-05 start
        ({"stop": "2026-01-14", "stop_reason": ""}, "stop_reason"),
        ({"stop": "soon", "stop_reason": "x"}, "stop"),
    ],
)
def test_bad_stop_input_answers_400_and_saves_nothing(nurse, world, data, field):
    course = m.Course.current.get(patient=world.patient)
    before = clinical_snapshot()
    response = nurse.post(f"/patients/{world.patient.pk}/courses/{course.pk}/stop", data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert clinical_snapshot() == before


def test_touch_authorization_unblocks_natalizumab(nurse, fresh):
    m.Course.objects.create(patient=fresh, drug="natalizumab", start=date(2026, 1, 20))
    page = f"/patients/{fresh.pk}/"
    assert "program.not_authorized" in nurse.get(page).content.decode()
    response = nurse.post(
        f"{page}programs/new", {"program": "touch", "action": "authorized", "date": "2026-01-13"}
    )
    assert response.status_code == 302
    row = m.ProgramAction.current.get(patient=fresh)
    assert (row.program, row.action, row.date) == ("touch", "authorized", date(2026, 1, 13))
    assert "program.not_authorized" not in nurse.get(page).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"program": "club", "action": "authorized", "date": "2026-01-13"},
        {"program": "touch", "action": "approved", "date": "2026-01-13"},
        {"program": "touch", "action": "authorized", "date": "2026-02-13"},  # future
        {"program": "touch", "action": "authorized"},
    ],
)
def test_bad_program_input_answers_400_and_saves_nothing(nurse, fresh, data):
    before = clinical_snapshot()
    assert nurse.post(f"/patients/{fresh.pk}/programs/new", data).status_code == 400
    assert clinical_snapshot() == before


def test_condition_blocks_and_resolving_it_unblocks(nurse, world):
    page = f"/patients/{world.patient.pk}/"
    response = nurse.post(
        f"{page}conditions/new", {"condition": "active_infection", "date": "2026-01-12"}
    )
    assert response.status_code == 302
    assert "ocr.active_infection" in nurse.get(page).content.decode()
    condition = m.Condition.current.get(patient=world.patient)
    resolve = f"{page}conditions/{condition.pk}/resolve"
    assert nurse.post(resolve, {"resolved": "2026-01-14"}).status_code == 302
    resolved = m.Condition.current.get(patient=world.patient)
    condition.refresh_from_db()
    assert condition.superseded_by_id == resolved.pk
    assert resolved.resolved == date(2026, 1, 14) and resolved.date == date(2026, 1, 12)
    assert "ocr.active_infection" not in nurse.get(page).content.decode()
    assert nurse.post(resolve, {"resolved": "2026-01-14"}).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"condition": "grumpiness", "date": "2026-01-12"},
        {"condition": "active_infection", "date": "2026-01-20"},  # future
        {"condition": "active_infection", "date": ""},
    ],
)
def test_bad_condition_input_answers_400_and_saves_nothing(nurse, world, data):
    before = clinical_snapshot()
    assert nurse.post(f"/patients/{world.patient.pk}/conditions/new", data).status_code == 400
    assert clinical_snapshot() == before


@pytest.mark.parametrize("resolved", ["2026-01-09", "2026-01-15", ""])
def test_bad_resolution_date_answers_400_and_saves_nothing(nurse, world, resolved):
    condition = m.Condition.objects.create(
        patient=world.patient, condition="active_infection", date=date(2026, 1, 10)
    )
    before = clinical_snapshot()
    response = nurse.post(
        f"/patients/{world.patient.pk}/conditions/{condition.pk}/resolve", {"resolved": resolved}
    )
    assert response.status_code == 400 and "resolved" in response.context["form"].errors
    assert clinical_snapshot() == before
