"""The main journeys in a real browser: a patient checks the next infusion and missing tests; a nurse
records a lab result and readiness changes; a nurse records an infusion and the plan moves on."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web import demo_data as dd
from msinfusion.web import demo_scenarios as ds
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.management.commands.demo import create_center, store
from msinfusion.web.clinic.services import summary_for


def center_today():
    """Today at the demo center: the pages' today."""
    return datetime.now(ZoneInfo(ds.CENTER["timezone"])).date()


# A patient starting ocrelizumab in 12 days whose anti-HBc (hepatitis B core) test was never done.
STARTING = ds.Scenario(
    "starts in 12 days, anti-HBc missing", 0, next_in=12, flags=("missing:anti_hbc",)
)
# A patient whose next ocrelizumab infusion (subsequent dose 2) is due today, all tests in order.
DUE_TODAY = ds.Scenario("subsequent dose due today", 3, next_in=0)


@pytest.fixture
def clinic(live_db):
    center, staff = create_center()
    return center, staff


def add_patient(clinic, scenario: ds.Scenario, username: str | None = None) -> m.Patient:
    center, staff = clinic
    today = center_today()
    record = dd.build_record(
        "ocrelizumab", scenario, today, random.Random(5), default_catalog(), demo=True
    )
    chairs = tuple(record.pop("_chair_minutes"))
    person = dd.DemoPatient(
        "e2e", "Maya Thompson", "ocrelizumab", scenario.story, None, record, chairs, username
    )
    store([person], center, staff["demo-nurse"], [staff["demo-neurologist"]])
    return m.Patient.objects.get(center=center, name="Maya Thompson")


def test_patient_logs_in_and_sees_next_infusion_and_missing_tests(ui, clinic):
    patient = add_patient(clinic, STARTING, username="demo-patient")
    expected = summary_for(patient)
    nxt = expected.drugs[0].next
    days = (nxt.date - center_today()).days
    assert 12 <= days <= 14  # the scenario: 12 days, or the Monday after when that is a weekend

    ui.login("demo-patient", ds.PASSWORD)
    page = ui.page
    assert page.url.endswith("/me/")
    assert page.locator("#next time").first.get_attribute("datetime") == nxt.date.isoformat()
    assert f"{days} days" in page.locator("#next .countdown").inner_text()
    readiness = page.locator("#readiness")
    assert "Tests still needed" in readiness.inner_text()
    anti_hbc = default_catalog().tests["anti_hbc"].name
    needed = readiness.locator("li", has_text=anti_hbc)
    assert needed.count() == 1
    assert needed.locator("time").first.get_attribute("datetime") == nxt.date.isoformat()
    assert readiness.locator(".badge.status-blocked").count() == 1
    ui.assert_clean()


def test_nurse_records_a_lab_result_and_readiness_changes(ui, clinic):
    patient = add_patient(clinic, STARTING)
    assert summary_for(patient).drugs[0].readiness.status == "blocked"

    ui.login("demo-nurse", ds.PASSWORD)
    assert ui.page.url.endswith("/worklist/")
    ui.goto(f"/patients/{patient.pk}/")
    page = ui.page
    assert page.locator("#readiness .badge.status-blocked").count() == 1
    with page.expect_navigation():
        page.get_by_role("link", name="Record result").click()
    page.select_option("#id_test", "anti_hbc")
    page.fill("#id_value", "negative")
    assert page.input_value("#id_date") == center_today().isoformat()  # today is the default
    ui.submit("Save result")

    assert page.url.endswith(f"/patients/{patient.pk}/")
    assert page.locator("#readiness .badge.status-cleared").count() == 1
    assert page.locator("#readiness .badge.status-blocked").count() == 0
    row = m.LabResult.current.get(patient=patient, test="anti_hbc")
    assert (row.value_text, row.date, row.entered_by.username) == (
        "negative",
        center_today(),
        "demo-nurse",
    )
    assert summary_for(patient).drugs[0].readiness.status == "cleared"
    ui.assert_clean()


def test_nurse_records_an_infusion_and_the_plan_moves_on(ui, clinic):
    patient = add_patient(clinic, DUE_TODAY)
    today = center_today()
    before = summary_for(patient).drugs[0].next
    assert (before.date, before.label) == (today, "subsequent dose 2")

    ui.login("demo-nurse", ds.PASSWORD)
    ui.goto(f"/patients/{patient.pk}/administrations/new")
    page = ui.page
    page.select_option("#id_drug", "ocrelizumab")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "13:30")
    page.fill("#id_dose_mg", "600")
    page.fill("#id_premedication", "methylprednisolone 100 mg IV 08:30; cetirizine 10 mg")
    page.fill("#id_lot", "OC26-4821")
    ui.submit("Save infusion")

    assert page.url.endswith(f"/patients/{patient.pk}/")
    given = m.Administration.current.get(patient=patient, date=today)
    assert (given.dose_mg, given.lot, given.start_time.hour, given.end_time.minute) == (
        600,
        "OC26-4821",
        9,
        30,
    )
    after = summary_for(patient).drugs[0].next
    assert after.label == "subsequent dose 3"
    assert after.date > today + timedelta(weeks=20)  # every 24 weeks (OCR-D1), window allowed
    first_planned = page.locator("#plan .plan-list li").first.inner_text()
    assert f"{after.date:%a} {after.date.day} {after.date:%b %Y}" in first_planned
    assert "subsequent dose 3" in first_planned
    ui.assert_clean()
