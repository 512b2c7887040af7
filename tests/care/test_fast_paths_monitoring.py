"""The due-list's shortcuts give the answers of the long way round.

A monitoring schedule steps over past occurrences that cannot change the list in one calculation
(`monitoring_schedule.JUMP`): for a task the record cannot confirm, every repeat before the look-back
window; for a task with a test, the run of unmet occurrences before today once no result is left.
Requirement tasks decide the record's part of `requirement_applies` once per drug. Each is checked
against the walk (or `requirement_applies`) over random histories.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.care import monitoring_schedule
from msinfusion.care.monitoring import _requirement_tasks, due_list
from msinfusion.care.monitoring_schedule import Schedule, _last_on_or_before, _times
from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.care.requirements import requirement_applies, result_window, usable_result
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog

CATALOG = default_catalog()
BODY = {"height_cm": 170, "weight_kg": 70}
TESTS = {
    "alemtuzumab": ["cbc", "creatinine", "urinalysis", "tsh"],
    "natalizumab": ["anti_jcv_index", "cbc", "mri_brain"],
    "natalizumab-sztn": ["anti_jcv_index", "cbc"],
    "ocrelizumab": ["igg", "hbsag", "alt"],
    "ublituximab": ["igg", "hbsag", "pregnancy_test"],
    "mitoxantrone": ["lvef", "anc", "pregnancy_test"],
}
VALUES = {
    "cbc": "normal",
    "urinalysis": "normal",
    "mri_brain": "normal",
    "hbsag": "negative",
    "pregnancy_test": "negative",
    "anti_jcv_index": 0.9,
    "creatinine": 0.9,
    "tsh": 2.0,
    "igg": 900.0,
    "alt": 20.0,
    "lvef": 60.0,
    "anc": 3000.0,
}
PROGRAM = {
    "natalizumab": "touch",
    "natalizumab-sztn": "tyruko_rems",
    "alemtuzumab": "lemtrada_rems",
}


def history(drug_id: str, start: date, today: date, stop_after: int | None) -> list[dict]:
    """Doses on their planned dates from `start` up to `today` (at most `stop_after` of them)."""
    drug = CATALOG.drug(drug_id)
    given: list[dict] = []
    while stop_after is None or len(given) < stop_after:
        record = PatientRecord.from_dict({**BODY, "administrations": given})
        nxt = plan_infusions(drug, start=start, record=record).next
        if nxt is None or nxt.date >= today or len(given) > 90:
            break
        given.append({"drug": drug_id, "date": nxt.date.isoformat(), "dose_mg": nxt.dose_mg})
    return given


@st.composite
def records(draw: st.DrawFn) -> tuple[PatientRecord, date]:
    drug_id = draw(st.sampled_from(sorted(TESTS)))
    today = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))
    start = today - timedelta(days=draw(st.integers(-30, 8 * 365)))
    stop_after = draw(st.none() | st.integers(1, 12))
    given = history(drug_id, start, today, stop_after)
    course: dict = {"drug": drug_id, "start": start.isoformat()}
    if given and draw(st.booleans()) and stop_after is not None:
        stop = date.fromisoformat(given[-1]["date"]) + timedelta(days=draw(st.integers(1, 400)))
        course["stop"] = stop.isoformat()
    results = [
        {"test": test, "value": VALUES[test], "date": (today - timedelta(days=ago)).isoformat()}
        for test, ago in draw(
            st.lists(
                st.tuples(st.sampled_from(TESTS[drug_id]), st.integers(-20, 9 * 365)), max_size=6
            )
        )
    ]
    data: dict = {
        **BODY,
        "childbearing_potential": draw(st.none() | st.booleans()),
        "region": draw(st.sampled_from(["US", "EU"])),
        "administrations": given,
        "courses": [course],
        "results": results,
    }
    if drug_id in PROGRAM:
        data["programs"] = [
            {"program": PROGRAM[drug_id], "action": "authorized", "date": start.isoformat()}
        ]
    return PatientRecord.from_dict(data), today


def listed(record: PatientRecord, today: date) -> list[dict]:
    return [t.to_dict() for t in due_list(record, today)]


@settings(max_examples=150, deadline=None)
@given(case=records())
def test_stepping_over_past_occurrences_gives_the_walked_due_list(case):
    record, today = case
    fast = listed(record, today)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(monitoring_schedule, "JUMP", False)
        slow = listed(record.model_copy(), today)
    assert fast == slow


def test_a_long_unmet_monthly_run_keeps_its_oldest_date_and_every_upcoming_month():
    """Alemtuzumab: monthly CBC for 48 months after the last infusion (LEM-M1). Last infusion
    2024-03-05, one CBC on 2024-04-01 (meets the first month): next due 2024-05-01, never drawn
    since, so that date stays overdue and 2026-12-01 ... 2027-11-01 are upcoming (12 of them)."""
    record = PatientRecord.from_dict(
        {
            **BODY,
            "administrations": [
                {"drug": "alemtuzumab", "date": f"2024-03-0{d}", "dose_mg": 12} for d in (1, 2, 3)
            ]
            + [{"drug": "alemtuzumab", "date": f"2024-03-0{d}", "dose_mg": 12} for d in (4, 5)],
            "courses": [{"drug": "alemtuzumab", "start": "2024-03-01", "stop": "2024-03-05"}],
            "results": [{"test": "cbc", "value": "normal", "date": "2024-04-01"}],
        }
    )
    cbc = [t for t in due_list(record, date(2026, 11, 15)) if t.rule == "lem.cbc"]
    assert [(t.date.isoformat(), t.status) for t in cbc[:2]] == [
        ("2024-05-01", "overdue"),
        ("2026-12-01", "upcoming"),
    ]
    assert len(cbc) == 1 + 12
    assert cbc[-1].date == date(2027, 11, 1)


@settings(max_examples=300, deadline=None)
@given(
    base=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    months=st.integers(0, 13),
    days=st.integers(0, 40),
    ahead=st.integers(-100, 4000),
)
def test_the_last_repeat_on_or_before_a_day_is_found_exactly(base, months, days, ahead):
    if not months and not days:
        days = 1
    day = base + timedelta(days=ahead)
    k = _last_on_or_before(base, months, days, day)
    counted = 0
    while _times(base, months, days, counted + 1) <= day:
        counted += 1
    assert k == counted
    assert k == 0 or _times(base, months, days, k) <= day


@settings(max_examples=80, deadline=None)
@given(case=records(), horizon=st.integers(0, 400))
def test_requirement_tasks_are_those_requirement_applies_gives(case, horizon):
    """The long way: every infusion in [today, until] x every requirement `requirement_applies`
    accepts and no usable result meets."""
    record, today = case
    until = today + timedelta(days=horizon)
    for drug_id in record.drugs:
        drug = CATALOG.drug(drug_id)
        try:
            plan = plan_infusions(drug, record=record, until=until, today=today)
        except CareError:
            continue
        fast = [
            (t.date, t.rule, t.status)
            for t in _requirement_tasks(drug, plan, record, CATALOG, today, until)
        ]
        slow = []
        for infusion in plan.infusions:
            if not today <= infusion.date <= until:
                continue
            for req in drug.requirements:
                valid = CATALOG.test(req.test).valid_days
                if not requirement_applies(req, record, infusion):
                    continue
                previous = infusion.previous_dose
                if usable_result(record, req, infusion.date, previous, valid_days=valid):
                    continue
                by = result_window(req, infusion.date, previous, valid_days=valid).by
                slow.append((by, req.id, "overdue" if by < today else "upcoming"))
        assert fast == slow


@settings(max_examples=120, deadline=None)
@given(case=records(), look_back=st.integers(0, 800), ahead=st.integers(0, 800))
def test_schedules_yield_the_walked_occurrences(case, look_back, ahead):
    """Stricter than the due-list: the occurrences a schedule yields, item by item."""
    record, today = case
    since, stop_at = today - timedelta(days=look_back), today + timedelta(days=ahead)
    for drug_id in record.drugs:
        for item in CATALOG.drug(drug_id).monitoring:
            for anchor in (today - timedelta(days=look_back * 3), since, today):
                walked = []
                for jump in (True, False):
                    with pytest.MonkeyPatch.context() as patch:
                        patch.setattr(monitoring_schedule, "JUMP", jump)
                        with record.shared_work():
                            schedule = Schedule(item, record, anchor, "the anchor", "test")
                            walked.append(
                                [
                                    (o.due, o.met, o.why)
                                    for o in schedule.walk(
                                        stop_at,
                                        since=None if item.test else since,
                                        today=today if item.test else None,
                                    )
                                    if not item.test or o.met or o.due >= today
                                ]
                            )
                assert walked[0] == walked[1]
