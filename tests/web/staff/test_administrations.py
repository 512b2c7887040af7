"""A nurse records an infusion given; the plan moves on, duplicates are refused, corrections keep
history. Ocrelizumab (OCR-D1, OCR-D2): infusion 2 is 14 days after infusion 1; the next dose is
24 weeks after infusion 1 of the initial dose (2026-01-05 + 168 days = 2026-06-22)."""

from __future__ import annotations

from datetime import date

import pytest
from tests.web.staff.conftest import at_noon, clinical_snapshot

from msinfusion.web.audit.models import Action, AuditEvent
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.services import summary_for

GIVEN = {
    "drug": "ocrelizumab",
    "date": "2026-01-19",
    "start_time": "09:30",
    "end_time": "12:15",
    "dose_mg": "300",
    "premedication": "methylprednisolone 100 mg IV, cetirizine 10 mg",
    "reaction": "mild",
    "reaction_notes": "throat irritation, settled with slower rate",
    "lot": "OCR-4471",
}


def test_form_is_prefilled_from_the_plan_with_premedication_and_sources(nurse, world):
    response = nurse.get(f"/patients/{world.patient.pk}/administrations/new")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert (initial["drug"], initial["dose_mg"]) == ("ocrelizumab", "300")
    html = response.content.decode()
    assert "Planned: Ocrelizumab (Ocrevus), initial dose 2 of 2, due 2026-01-19, 300 mg" in html
    assert "Premedication: " in html


def test_recording_infusion_2_moves_the_plan_to_24_weeks_after_infusion_1(client, world):
    with at_noon(date(2026, 1, 19)):
        client.force_login(world.nurse)
        page = f"/patients/{world.patient.pk}/"
        assert "initial dose 2 of 2" in client.get(page).content.decode()
        response = client.post(f"{page}administrations/new", GIVEN)
        assert response.status_code == 302 and response["Location"] == page
        row = m.Administration.current.get(patient=world.patient, date=date(2026, 1, 19))
        assert (row.dose_mg, row.reaction, row.lot) == (300, "mild", "OCR-4471")
        assert row.start_time.isoformat() == "09:30:00" and row.end_time.isoformat() == "12:15:00"
        assert row.entered_by_id == world.nurse.pk
        summary = summary_for(world.patient, date(2026, 1, 19))
        assert summary.drugs[0].next.date == date(2026, 6, 22)
        html = client.get(page).content.decode()
        assert "Mon 22 Jun 2026" in html and "subsequent dose 1" in html
        assert "initial dose 2 of 2" not in html.split('id="timeline"')[0]
    audit = AuditEvent.objects.filter(patient_id=world.patient.pk, action=Action.CREATE)
    assert list(audit.values_list("resource", flat=True)) == ["staff.administration"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"drug": "aspirin"}, "drug"),
        ({"drug": ""}, "drug"),
        ({"dose_mg": "0"}, "dose_mg"),
        ({"dose_mg": "-300"}, "dose_mg"),
        ({"dose_mg": "lots"}, "dose_mg"),
        ({"dose_mg": "inf"}, "dose_mg"),
        ({"dose_mg_per_m2": "0"}, "dose_mg_per_m2"),
        ({"end_time": "09:00"}, "end_time"),  # before the 09:30 start
        ({"end_time": "09:30"}, "end_time"),  # no time at all
        ({"start_time": "25:00"}, "start_time"),
        ({"date": "2026-01-15"}, "date"),  # tomorrow
        ({"date": ""}, "date"),
        ({"reaction": "catastrophic"}, "reaction"),
        ({"lot": "x" * 61}, "lot"),
    ],
)
def test_bad_administration_input_answers_400_and_saves_nothing(nurse, world, change, field):
    data = {**GIVEN, "date": "2026-01-14", **change}
    before = clinical_snapshot()
    response = nurse.post(f"/patients/{world.patient.pk}/administrations/new", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert clinical_snapshot() == before


def test_second_infusion_of_the_same_drug_on_the_same_day_is_refused(nurse, world):
    data = {**GIVEN, "date": "2026-01-05"}  # infusion 1 was on 2026-01-05
    before = clinical_snapshot()
    response = nurse.post(f"/patients/{world.patient.pk}/administrations/new", data)
    assert response.status_code == 400
    assert "already recorded" in str(response.context["form"].errors["date"])
    assert clinical_snapshot() == before


def test_the_database_refuses_a_duplicate_that_slips_past_the_form(nurse, world, monkeypatch):
    """Two nurses saving the same infusion at once: the unique constraint decides."""
    from msinfusion.web.pages.staff.forms import AdministrationForm

    monkeypatch.setattr(AdministrationForm, "check_duplicate", lambda self, drug, day: None)
    before = clinical_snapshot()
    response = nurse.post(
        f"/patients/{world.patient.pk}/administrations/new", {**GIVEN, "date": "2026-01-05"}
    )
    assert response.status_code == 400
    assert "already recorded" in str(response.context["form"].errors["date"])
    assert clinical_snapshot() == before


def test_correcting_an_infusion_keeps_both_rows_and_the_plan_uses_the_new_one(nurse, world):
    old = m.Administration.current.get(patient=world.patient)
    url = f"/patients/{world.patient.pk}/administrations/{old.pk}/correct"
    assert nurse.get(url).context["form"].initial["dose_mg"] == 300
    data = {
        "drug": "ocrelizumab",
        "date": "2026-01-06",
        "dose_mg": "300",
        "reaction": "none",
        "lot": "OCR-1",
        "reason": "given on the 6th, not the 5th",
    }
    response = nurse.post(url, data)
    assert response.status_code == 302
    old.refresh_from_db()
    new = m.Administration.current.get(patient=world.patient)
    assert old.superseded_by_id == new.pk and new.date == date(2026, 1, 6)
    assert m.Administration.objects.filter(patient=world.patient).count() == 2
    # infusion 2 is now 14 days after 2026-01-06
    assert summary_for(world.patient, date(2026, 1, 14)).drugs[0].next.date == date(2026, 1, 20)
    html = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert "<del>Ocrelizumab (Ocrevus) 300 mg given</del>" in html
    assert "given on the 6th, not the 5th" in html


def test_correcting_an_infusion_on_the_same_day_is_allowed(nurse, world):
    """The old row leaves the 'one current infusion per day' constraint before the new one joins."""
    old = m.Administration.current.get(patient=world.patient)
    response = nurse.post(
        f"/patients/{world.patient.pk}/administrations/{old.pk}/correct",
        {
            "drug": "ocrelizumab",
            "date": "2026-01-05",
            "dose_mg": "300",
            "reaction": "none",
            "lot": "OCR-2",
            "reason": "lot number was missing",
        },
    )
    assert response.status_code == 302
    new = m.Administration.current.get(patient=world.patient)
    assert new.pk != old.pk and new.lot == "OCR-2"


def test_correcting_onto_a_day_that_already_has_an_infusion_is_refused(nurse, world):
    other_day = m.Administration.objects.create(
        patient=world.patient, drug="ocrelizumab", date=date(2026, 1, 12), dose_mg=300
    )
    old = m.Administration.current.get(patient=world.patient, date=date(2026, 1, 5))
    before = clinical_snapshot()
    response = nurse.post(
        f"/patients/{world.patient.pk}/administrations/{old.pk}/correct",
        {
            "drug": "ocrelizumab",
            "date": "2026-01-12",
            "dose_mg": "300",
            "reaction": "none",
            "reason": "wrong day",
        },
    )
    assert response.status_code == 400
    assert clinical_snapshot() == before
    assert other_day.superseded_by_id is None


def test_a_correction_without_a_reason_is_refused(nurse, world):
    old = m.Administration.current.get(patient=world.patient)
    before = clinical_snapshot()
    response = nurse.post(
        f"/patients/{world.patient.pk}/administrations/{old.pk}/correct",
        {"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": "600", "reaction": "none"},
    )
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert clinical_snapshot() == before


def test_form_warns_when_the_planned_infusion_is_blocked(nurse, world):
    m.Condition.objects.create(
        patient=world.patient, condition="active_infection", date=date(2026, 1, 12)
    )
    html = nurse.get(f"/patients/{world.patient.pk}/administrations/new").content.decode()
    assert "Readiness on 2026-01-19: blocked" in html
    assert "Active infection: delay the infusion until the infection resolves." in html
    assert "OCR-B5" in html
