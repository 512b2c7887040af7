"""In a real browser: a patient rates today's symptoms, sees the day saved, then opens the cycle chart
and sees the curve, the infusion days marked and the verdict in plain words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.web import demo_scenarios as ds
from msinfusion.web.accounts.models import Role, User
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.management.commands.demo import create_center

from .test_journeys import center_today


@pytest.fixture
def diary_patient(live_db):
    """A natalizumab patient with four cycles of diary showing a clear wearing-off."""
    center, staff = create_center()
    user = User.objects.create_user("diary-patient", password=ds.PASSWORD, role=Role.PATIENT)
    patient = m.Patient.objects.create(
        center=center, user=user, neurologist=staff["demo-neurologist"], name="Nora Diary"
    )
    start = center_today() - timedelta(days=4 * 28 + 7 + 14)
    spec = SimSpec.natalizumab(
        effect=3.0, noise_sd=0.8, ar_phi=0.2, missing=0.1, n_cycles=4, start=start
    )
    sim = simulate_diary(spec, 3)
    m.Course.objects.create(patient=patient, drug="natalizumab", start=start)
    for infusion in sim.infusions:
        m.Administration.objects.create(
            patient=patient, drug=infusion.drug, date=infusion.date, dose_mg=300
        )
    m.DiaryEntry.objects.bulk_create(
        m.DiaryEntry(patient=patient, date=d.date, ratings=dict(d.ratings), entered_by=user)
        for d in sim.days
        if d.date < center_today()
    )
    return patient


def test_patient_enters_a_diary_day_and_sees_the_cycle_chart(ui, diary_patient):
    ui.login("diary-patient", ds.PASSWORD)
    ui.goto("/me/diary/")
    page = ui.page
    assert page.input_value("#id_date") == center_today().isoformat()
    page.fill("#id_fatigue", "6")
    page.fill("#id_walking", "3")
    page.fill("#id_mood", "4")
    ui.submit("Save")

    assert page.url.endswith("/me/diary/")
    assert "Saved. Thank you." in page.locator(".messages").inner_text()
    today = page.locator(f".diary-list time[datetime='{center_today().isoformat()}']")
    assert today.count() == 1
    entry = m.DiaryEntry.current.get(patient=diary_patient, date=center_today())
    assert entry.ratings == {"fatigue": 6, "walking": 3, "mood": 4}

    with page.expect_navigation():
        page.get_by_role("link", name="Show my cycle chart").click()
    page.wait_for_load_state("networkidle")
    ui.visited.append(page.url)
    assert page.url.endswith("/me/diary/cycle")
    verdict = page.locator("#verdict .verdict").inner_text()
    assert "worse near the end of the cycle and better after the infusion" in verdict
    overall = page.locator("#overall .only-wide svg")  # 1366 px wide: the wide chart shows
    assert overall.is_visible() and not page.locator("#overall .only-narrow svg").is_visible()
    assert overall.locator(".curve").count() >= 1
    assert overall.locator(".infusion-marker").count() >= 1
    assert page.locator("#symptoms svg").count() == 8
    ui.assert_clean()
