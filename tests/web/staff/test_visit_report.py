"""The visit report from the patient page: an HTML page under the strict CSP and a PDF download,
for the patient's care team only, every read audited; the diary comes from the current entries."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from tests.web.staff.conftest import natalizumab_patient

from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.web.audit.models import Action, AuditEvent, Outcome
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.diary_rows import diary_days
from msinfusion.web.pages.patient.writes import save_diary_entry

SECTIONS = (
    "Treatment timeline",
    "Readiness for the next infusion",
    "What is due",
    "Recent results",
    "Symptom diary and wearing-off",
    "Infusions given",
    "Sources",
)


def url(patient, pdf: bool = False) -> str:
    return f"/patients/{patient.pk}/report.pdf" if pdf else f"/patients/{patient.pk}/report/"


def audit_rows(patient, resource: str, outcome: str = Outcome.SUCCESS) -> int:
    return AuditEvent.objects.filter(
        patient_id=patient.pk, resource=resource, action=Action.READ, outcome=outcome
    ).count()


def test_patient_page_links_to_the_visit_report(nurse, world):
    html = nurse.get(f"/patients/{world.patient.pk}/").content.decode()
    assert f'href="{url(world.patient)}"' in html


def test_report_page_shows_every_section_without_inline_style(nurse, world):
    response = nurse.get(url(world.patient))
    assert response.status_code == 200
    html = response.content.decode()
    for section in SECTIONS:
        assert section in html, section
    assert "Alice Example" in html
    assert "born 14 Mar 1988 (37 years)" in html  # clinic day 2026-01-14
    # ocrelizumab infusion 2 due 2026-01-19 (14 days after 2026-01-05), cleared
    assert "Mon 19 Jan 2026" in html and "status-cleared" in html
    assert "No symptom diary recorded." in html
    # strict CSP: the stylesheet is linked, no style attribute or element, no inline script
    assert 'href="/static/msinfusion/report.css"' in html
    assert not re.search(r"<style|\sstyle=|<script", html)
    assert "<svg" in html  # the timeline, inline
    assert f'href="{url(world.patient, pdf=True)}"' in html
    assert audit_rows(world.patient, "staff.visit_report") == 1


def test_report_pdf_is_a_download_with_pages(nurse, world):
    response = nurse.get(url(world.patient, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="visit-report-{world.patient.pk}-2026-01-14.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(response.content)
    try:
        assert len(document) >= 1
        text = document[0].get_textpage().get_text_range()
        assert "Alice Example" in text
    finally:
        document.close()
    assert audit_rows(world.patient, "staff.visit_report_pdf") == 1


@pytest.mark.parametrize("pdf", [False, True])
def test_the_patient_and_center_admins_are_refused(client, world, clinic_day, pdf):
    for user in (world.patient_user, world.center_admin):
        client.force_login(user)
        assert client.get(url(world.patient, pdf)).status_code == 403


@pytest.mark.parametrize("pdf", [False, True])
def test_staff_outside_the_care_team_get_404_and_a_denied_row(client, world, clinic_day, pdf):
    resource = "staff.visit_report_pdf" if pdf else "staff.visit_report"
    for user in (world.other_center_nurse, world.outside_neurologist):
        client.force_login(user)
        assert client.get(url(world.patient, pdf)).status_code == 404
    denied = AuditEvent.objects.filter(resource=resource, outcome=Outcome.DENIED).count()
    assert denied == 2
    assert audit_rows(world.patient, resource) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get(url(world.patient, pdf=True))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_diary_days_are_the_current_entries_oldest_first(world):
    day1, day2 = date(2026, 1, 3), date(2026, 1, 2)
    save_diary_entry(world.patient, world.patient_user, day1, {"fatigue": 8}, "", False)
    save_diary_entry(world.patient, world.patient_user, day1, {"fatigue": 2}, "better", False)
    save_diary_entry(world.patient, world.patient_user, day2, {"pain": 5}, "", True)
    days = diary_days(world.patient)
    assert [d.date for d in days] == [day2, day1]
    assert dict(days[1].ratings) == {"fatigue": 2}  # the edit replaced the first entry
    assert days[1].notes == "better"
    assert days[0].relapse is True
    assert diary_days(world.other_patient) == []


def test_report_reads_the_diary_and_shows_the_wearing_off_charts(nurse, world):
    patient = natalizumab_patient(
        world.center,
        "Nat Diary",
        first=date(2025, 9, 1),
        last=date(2025, 11, 24),
        neurologist=world.neurologist,
    )
    # a clear 3-point wearing-off in the last 7 days of each 28-day cycle, on the same infusions
    sim = simulate_diary(
        SimSpec.natalizumab(
            effect=3.0, noise_sd=0.8, ar_phi=0.2, n_cycles=3, jitter_days=0, start=date(2025, 9, 1)
        ),
        seed=1,
    )
    assert [i.date for i in sim.infusions][-1] == date(2025, 11, 24)
    m.DiaryEntry.objects.bulk_create(
        m.DiaryEntry(patient=patient, date=d.date, ratings=dict(d.ratings), relapse=d.relapse)
        for d in sim.days
    )
    html = nurse.get(url(patient)).content.decode()
    diary = html[html.index("Symptom diary and wearing-off") :]
    assert "Wearing-off likely." in diary
    assert f"{len(sim.days)} days recorded" in diary
    assert diary.count('class="chart cycle-chart"') == 1 + 8  # overall and each symptom
    assert "PML risk (natalizumab)" in html


def test_the_page_links_the_stylesheet_the_pdf_inlines():
    """One stylesheet: the static files serve the report package's own report.css."""
    from django.contrib.staticfiles import finders

    from msinfusion.report.render import stylesheet

    found = finders.find("msinfusion/report.css")
    assert found is not None
    assert Path(found).read_text(encoding="utf-8") == stylesheet()
