"""The patient's own page: next infusion, readiness in plain words, tests, history, programs."""

from __future__ import annotations

import re
from datetime import date

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.web.conftest import make_user

from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page."""
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    assert found, f"no section {section_id}"
    return found.group(0)


def dashboard(client, user) -> str:
    client.force_login(user)
    response = client.get("/me/")
    assert response.status_code == 200
    return response.content.decode()


def test_next_infusion_date_comes_from_the_plan(client, world, frozen):
    # world patient: ocrelizumab infusion 1 on 2026-01-05 -> infusion 2 on 2026-01-19 (OCR-D1)
    html = section(dashboard(client, world.patient_user), "next")
    assert '<time datetime="2026-01-19">Monday 19 January 2026</time>' in html
    assert "Ocrevus (ocrelizumab), initial dose 2 of 2" in html
    assert '<span class="countdown">in 9 days</span>' in html  # today is 2026-01-10
    assert "Lakeside Infusion Center" in html
    # ocrelizumab.toml infusions 1-2: 30 + 150 + 60 minutes
    assert "<strong>About 4 hours</strong>" in html
    assert "The infusion itself: 2 hours 30 minutes" in html
    assert "OCR-I2" in html  # the source of the chair time


def test_where_shows_the_center_address_and_phone(client, world, frozen):
    world.center.address = "1 Lake Road, Springfield"
    world.center.phone = "555-0100"
    world.center.save()
    html = section(dashboard(client, world.patient_user), "next")
    assert "1 Lake Road, Springfield" in html
    assert '<a href="tel:555-0100">555-0100</a>' in html


def test_world_patient_is_cleared_for_infusion_two(client, world, frozen):
    html = section(dashboard(client, world.patient_user), "readiness")
    assert '<span class="badge status-cleared">Cleared</span>' in html
    assert "still needed" not in html


def test_missing_required_result_appears_as_still_needed_by_date(client, extra, frozen):
    # ocrelizumab baseline (OCR-B1/B2/B4): anti-HBc, IgG and ALT before infusion 1 on 2026-02-02
    html = section(dashboard(client, extra.starter.user), "readiness")
    assert '<span class="badge status-blocked">Not ready yet</span>' in html
    for name in (
        "Hepatitis B core antibody (total)",
        "Immunoglobulin G, serum",
        "Alanine aminotransferase (liver panel)",
    ):
        assert f'<strong>{name}</strong>: still needed by <time datetime="2026-02-02">' in html
    assert "Hepatitis B surface antigen" not in html  # on file since 2026-01-02
    # tests.toml: ALT valid 92 days, so a draw counts from 2025-11-02
    assert '<time datetime="2025-11-02">' in html


def test_patient_reported_results_wait_for_confirmation_before_counting(client, extra, frozen):
    starter = extra.starter
    rows = [
        m.LabResult.objects.create(
            patient=starter,
            test=test,
            date=date(2026, 1, 8),
            patient_reported=True,
            entered_by=starter.user,
            **value,
        )
        for test, value in (
            ("anti_hbc", {"value_text": "negative"}),
            ("igg", {"value_number": 900, "unit": "mg/dL"}),
            ("alt", {"value_number": 22, "unit": "U/L"}),
        )
    ]
    page = dashboard(client, starter.user)
    reported = section(page, "reported")
    assert reported.count("Waiting for your care team to confirm") == 3
    assert "Immunoglobulin G, serum</strong>: 900.0 mg/dL" in reported
    # still needed: an unconfirmed patient-reported result does not clear the infusion
    assert "still needed by" in section(page, "readiness")

    for row in rows:
        row.confirmed_by = starter.neurologist
        row.confirmed_at = timezone.now()
        row.save()
    page = dashboard(client, starter.user)
    assert 'id="reported"' not in page
    readiness = section(page, "readiness")
    assert "still needed" not in readiness
    assert '<span class="badge status-cleared">Cleared</span>' in readiness


def test_shorter_infusion_option_is_offered_when_eligible(client, world):
    m.Administration.objects.create(
        patient=world.patient, drug="ocrelizumab", date=date(2026, 1, 19), dose_mg=300
    )
    with time_machine.travel("2026-03-02 15:00:00+00:00", tick=False):
        html = section(dashboard(client, world.patient_user), "next")
    # subsequent dose 1: 24 weeks after 2026-01-05 (OCR-D2); 30 + 210 + 60 minutes
    assert '<time datetime="2026-06-22">' in html
    assert "<strong>About 5 hours</strong>" in html
    # OCR-I4: the 2-hour option brings it to 30 + 120 + 60 = 210 minutes
    assert "then plan for about 3 hours 30 minutes in total" in html


def test_no_shorter_option_after_a_serious_reaction(client, world):
    m.Administration.objects.create(
        patient=world.patient,
        drug="ocrelizumab",
        date=date(2026, 1, 19),
        dose_mg=300,
        reaction="serious",
    )
    with time_machine.travel("2026-03-02 15:00:00+00:00", tick=False):
        html = section(dashboard(client, world.patient_user), "next")
    assert "<strong>About 5 hours</strong>" in html
    assert "shorter infusion" not in html


def test_history_lists_infusions_newest_first(client, world, frozen):
    m.Administration.objects.create(
        patient=world.patient,
        drug="ocrelizumab",
        date=date(2026, 1, 9),
        dose_mg=300,
        reaction="mild",
    )
    html = section(dashboard(client, world.patient_user), "history")
    dates = re.findall(r'<time datetime="([\d-]+)"', html)
    assert dates == ["2026-01-09", "2026-01-05"]
    assert "Mild reaction" in html


def test_upcoming_tests_and_overdue_highlighting(client, world):
    # OCR-M2: immunoglobulins yearly from the first infusion (2026-01-05); none on file
    with time_machine.travel("2027-02-01 15:00:00+00:00", tick=False):
        html = section(dashboard(client, world.patient_user), "tests")
    overdue = re.search(r'<li class="is-overdue">.*?</li>', html, re.S).group(0)
    assert "Serum immunoglobulins" in overdue
    assert '<time datetime="2027-01-05">' in overdue
    assert '<span class="badge status-overdue">Overdue</span>' in overdue
    assert "OCR-M2" in overdue


def test_what_to_bring_comes_from_the_catalog_with_premedication_sources(client, world, frozen):
    html = section(dashboard(client, world.patient_user), "prepare")
    assert "Arrange a ride home if the antihistamine makes you drowsy." in html
    assert "<strong>Methylprednisolone</strong>: 100 mg IV" in html
    assert "OCR-P1" in html


def test_touch_steps_show_authorization_until_and_checklist(client, extra, frozen):
    # natalizumab.toml: TOUCH authorization valid 6 months; authorized 2025-12-01
    html = section(dashboard(client, extra.touch_patient.user), "programs")
    assert "TOUCH Prescribing Program" in html
    assert 'valid until <time datetime="2026-06-01">' in html
    assert "At every visit, before the infusion, the nurse asks you:" in html
    assert "<li>Do you have any new or worsening symptoms" in html
    assert "REMS-T6" in html


def test_support_programs_and_calendar_link_are_shown(client, world, frozen):
    page = dashboard(client, world.patient_user)
    assert "OCREVUS Co-pay Program" in section(page, "support")
    calendar = section(page, "calendar")
    token = world.patient.calendar_token
    assert f'value="http://testserver/calendar/{token}.ics"' in calendar
    assert f'href="webcal://testserver/calendar/{token}.ics"' in calendar
    assert 'action="/me/calendar/rotate"' in calendar


def test_dashboard_writes_one_read_audit_row(client, world, frozen):
    dashboard(client, world.patient_user)
    rows = AuditEvent.objects.filter(resource="patient.dashboard")
    assert [(r.patient_id, r.action, r.outcome, r.actor) for r in rows] == [
        (world.patient.pk, "R", "success", "pat")
    ]
    assert AuditEvent.objects.count() == 1


def test_dashboard_without_treatment_says_nothing_is_planned(client, world, frozen):
    user = make_user("newcomer", Role.PATIENT)
    m.Patient.objects.create(center=world.center, user=user, name="New Comer")
    page = dashboard(client, user)
    assert "No infusion is planned for you at the moment." in page
    assert "No tests or scans are due in the next 12 months." in page
    assert "No infusions are recorded yet." in page


def test_a_plan_the_engine_cannot_make_still_shows_the_page(client, world, frozen):
    # rituximab has no default regimen (rituximab.toml): no dates until the doctor picks one
    user = make_user("ritu", Role.PATIENT)
    patient = m.Patient.objects.create(center=world.center, user=user, name="Rita Tux")
    m.Course.objects.create(patient=patient, drug="rituximab", start=date(2026, 1, 5))
    page = dashboard(client, user)
    assert "Your plan cannot be shown yet" in page
    assert "rituximab has no default regimen" in page
    client.logout()
    patient.refresh_from_db()
    assert client.get(f"/calendar/{patient.calendar_token}.ics").status_code == 200


def test_dashboard_query_count_does_not_grow_with_history(client, world, frozen):
    client.force_login(world.patient_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/me/").status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request of a session saves it; measure steady pages
    before = queries()
    for day in (date(2025, 1, 6), date(2025, 1, 20), date(2025, 7, 7)):
        m.Administration.objects.create(
            patient=world.patient, drug="ocrelizumab", date=day, dose_mg=300
        )
        m.LabResult.objects.create(
            patient=world.patient, test="igg", value_number=900, unit="mg/dL", date=day
        )
        m.DiaryEntry.objects.create(patient=world.patient, date=day, ratings={"pain": 2})
    assert queries() == before
    assert before <= 20
