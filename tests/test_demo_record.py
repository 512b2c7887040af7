"""The bundled demo patient (`make run`) stays a valid, realistic ocrelizumab record.

It must load, sit at the point the demo tells a story about (split initial dose given, subsequent
doses given, one late), and show a newcomer a readiness reason and an overdue monitoring result.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

from msinfusion.care.monitoring import due_list
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import default_catalog

TODAY = date(2026, 11, 27)


def demo_record() -> PatientRecord:
    text = resources.files("msinfusion").joinpath("demo_patient.json").read_text("utf-8")
    return PatientRecord.from_json(text)


def test_demo_record_is_bundled_and_valid():
    record = demo_record()
    assert record.drugs == ["ocrelizumab"]
    assert record.height_cm and record.weight_kg and record.birth_date


def test_demo_patient_had_the_split_initial_dose_and_two_subsequent_doses():
    given = demo_record().administrations_of("ocrelizumab")
    assert [a.dose_mg for a in given] == [300, 300, 600, 600]
    assert (given[1].date - given[0].date).days == 14


def test_demo_patient_has_a_live_vaccine_long_before_treatment():
    record = demo_record()
    first = record.administrations_of("ocrelizumab")[0].date
    assert any(v.live and (first - v.date).days > 365 for v in record.vaccinations)


def test_demo_next_infusion_needs_attention_on_its_due_date():
    record = demo_record()
    plan = plan_infusions(default_catalog().drug("ocrelizumab"), record=record)
    assert plan.next is not None and plan.next.date == date(2026, 12, 7)
    readiness = check_readiness(record, "ocrelizumab", plan.next.date)
    assert readiness.status != "cleared"
    assert readiness.reasons


def test_demo_due_list_shows_a_missing_result():
    tasks = due_list(demo_record(), TODAY)
    assert any(t.status == "overdue" and t.test == "igg" for t in tasks)
