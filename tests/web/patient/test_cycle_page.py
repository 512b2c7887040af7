"""My cycle: the patient's symptom curves across the infusion cycle (from their current diary and the
infusions actually given), the verdict in plain words, "not enough data yet" when so; patient only,
audited."""

from __future__ import annotations

from datetime import date

import pytest
from tests.web.conftest import make_user

from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m

# a clear wearing-off: 3 points worse in the last 7 days of a 28-day cycle, little noise
CLEAR = SimSpec.natalizumab(
    effect=3.0, noise_sd=0.8, ar_phi=0.2, missing=0.1, n_cycles=4, start=date(2025, 6, 2)
)


def store(patient, days, infusions) -> None:
    m.DiaryEntry.objects.bulk_create(
        m.DiaryEntry(
            patient=patient, date=d.date, ratings=dict(d.ratings), notes=d.notes, relapse=d.relapse
        )
        for d in days
    )
    for i in infusions:
        m.Administration.objects.create(patient=patient, drug=i.drug, date=i.date, dose_mg=300)


@pytest.fixture
def nat_patient(world):
    user = make_user("nat", Role.PATIENT)
    patient = m.Patient.objects.create(
        center=world.center, user=user, neurologist=world.neurologist, name="Nat Cycle"
    )
    m.Course.objects.create(patient=patient, drug="natalizumab", start=date(2025, 6, 2))
    sim = simulate_diary(CLEAR, 3)
    store(patient, sim.days, sim.infusions)
    return patient


def test_a_clear_wearing_off_shows_charts_and_the_verdict(client, nat_patient, frozen):
    client.force_login(nat_patient.user)
    response = client.get("/me/diary/cycle")
    assert response.status_code == 200
    assert response.context["result"].verdict == "likely"
    body = response.content.decode()
    assert "worse near the end of the cycle and better after the infusion" in body
    # the overall chart first, then one small chart per symptom
    assert body.count("<svg") == 2 + 8  # the overall chart for a phone and a wide screen
    assert body.index('id="overall"') < body.index('id="symptoms"')
    assert 'id="chart-fatigue"' in body and "Tiredness" in body
    assert " style=" not in body  # strict CSP: no inline styles


def test_a_superseded_diary_day_does_not_count(client, nat_patient, frozen):
    first = m.DiaryEntry.objects.filter(patient=nat_patient).order_by("date").first()
    assert first is not None
    client.force_login(nat_patient.user)
    count = client.get("/me/diary/cycle").context["diary_count"]
    # correct one day: the old row is kept but only the new one is current
    client.post(
        "/me/diary/",
        {"date": first.date.isoformat(), "fatigue": "1", "notes": "", "relapse": ""},
    )
    assert client.get("/me/diary/cycle").context["diary_count"] == count


def test_no_diary_is_not_enough_data_yet(client, world, frozen):
    client.force_login(world.patient_user)
    response = client.get("/me/diary/cycle")
    assert response.status_code == 200
    assert response.context["result"].verdict == "insufficient_data"
    body = response.content.decode()
    assert "Not enough data yet." in body
    assert "0 days rated, 1 infusion on record" in body
    assert "at least one complete cycle" in body


def test_the_diary_page_links_to_the_cycle_page(client, world, frozen):
    client.force_login(world.patient_user)
    assert 'href="/me/diary/cycle"' in client.get("/me/diary/").content.decode()


def test_reading_the_cycle_page_is_audited(client, world, frozen):
    client.force_login(world.patient_user)
    client.get("/me/diary/cycle")
    row = AuditEvent.objects.get()
    assert (row.patient_id, row.action, row.resource, row.outcome) == (
        world.patient.pk,
        "R",
        "patient.diary.cycle",
        "success",
    )


def test_another_patient_sees_only_their_own_cycle(client, world, nat_patient, frozen):
    client.force_login(world.other_patient_user)
    response = client.get("/me/diary/cycle")
    assert response.context["diary_count"] == 0
    assert response.context["result"].verdict == "insufficient_data"


@pytest.mark.parametrize("actor", ["nurse", "neurologist", "other_center_nurse", "center_admin"])
def test_staff_get_403(client, world, actor):
    client.force_login(getattr(world, actor))
    assert client.get("/me/diary/cycle").status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/me/diary/cycle")
    assert response.status_code == 302 and "/login/" in response["Location"]
