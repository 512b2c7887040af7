"""Invariants every plan keeps, over random drugs, regimens, start dates and delays."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import default_catalog

CATALOG = default_catalog()
DRUG_REGIMENS = [(d.id, r.id) for d in CATALOG.drugs.values() for r in d.regimens]
starts = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
body = {"height_cm": 170, "weight_kg": 70}


@settings(max_examples=150, deadline=None)
@given(choice=st.sampled_from(DRUG_REGIMENS), start=starts)
def test_plan_dates_increase_and_sit_inside_their_window(choice, start):
    drug_id, regimen_id = choice
    plan = plan_infusions(
        CATALOG.drug(drug_id),
        start=start,
        regimen_id=regimen_id,
        record=PatientRecord.from_dict(body),
        until=start + timedelta(days=3 * 365),
    )
    assert plan.infusions, "a plan from a start date lists at least the first infusion"
    days = [i.date for i in plan.infusions]
    assert days == sorted(days) and len(set(days)) == len(days)
    for infusion in plan.infusions:
        assert infusion.earliest <= infusion.latest
        assert infusion.earliest <= infusion.date or infusion.hard_earliest == infusion.earliest
        assert infusion.chair_minutes > 0
        assert infusion.dose_mg is not None and infusion.dose_mg > 0


@settings(max_examples=150, deadline=None)
@given(
    choice=st.sampled_from(DRUG_REGIMENS),
    start=starts,
    delays=st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=8),
)
def test_a_plan_never_puts_a_dose_before_the_label_minimum_spacing(choice, start, delays):
    """Give doses late by random delays; the next planned dose still respects min spacing."""
    drug_id, regimen_id = choice
    drug = CATALOG.drug(drug_id)
    history: list[dict] = []
    for delay in delays:
        record = PatientRecord.from_dict({**body, "administrations": history})
        plan = plan_infusions(drug, start=start, regimen_id=regimen_id, record=record)
        nxt = plan.next
        if nxt is None:
            break
        if nxt.hard_earliest is not None:
            assert nxt.date >= nxt.hard_earliest
            assert nxt.previous_dose is not None
        if history:
            assert nxt.date > date.fromisoformat(history[-1]["date"])
        given_on = nxt.date + timedelta(days=0 if nxt.dose_in_block > 1 else delay)
        history.append({"drug": drug_id, "date": given_on.isoformat(), "dose_mg": nxt.dose_mg})


@settings(max_examples=100, deadline=None)
@given(choice=st.sampled_from(DRUG_REGIMENS), start=starts, given_count=st.integers(0, 6))
def test_giving_doses_on_their_due_dates_leaves_the_rest_of_the_plan_unchanged(
    choice, start, given_count
):
    drug_id, regimen_id = choice
    drug = CATALOG.drug(drug_id)
    until = start + timedelta(days=4 * 365)
    full = plan_infusions(
        drug, start=start, regimen_id=regimen_id, until=until, record=PatientRecord.from_dict(body)
    )
    done = full.infusions[:given_count]
    adms = [{"drug": drug_id, "date": i.date.isoformat(), "dose_mg": i.dose_mg} for i in done]
    course = [{"drug": drug_id, "start": start.isoformat(), "regimen": regimen_id}]
    record = PatientRecord.from_dict({**body, "administrations": adms, "courses": course})
    rest = plan_infusions(drug, record=record, until=until)
    assert [i.date for i in rest.infusions] == [i.date for i in full.infusions[given_count:]]
    assert [i.label for i in rest.infusions] == [i.label for i in full.infusions[given_count:]]
