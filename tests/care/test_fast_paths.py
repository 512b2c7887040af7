"""The engine's shortcuts give the answers of the long way round.

Plans and due-lists write their sentences when first read (`care.lazy_text`), a maintenance block
places a long history in one step (`regimen_walk.FAST_FORWARD`), and chair times, fixed doses and
catalog facts are kept between patients. None of that may change an answer.
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import asdict, fields, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.care import regimen_walk
from msinfusion.care.calendar_cache import add_months as cached_add_months
from msinfusion.care.chair import chair_time
from msinfusion.care.monitoring import DueTask, due_list
from msinfusion.care.plan import PlannedInfusion, plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import summarize
from msinfusion.dates import add_months
from msinfusion.knowledge.catalog import default_catalog

CATALOG = default_catalog()
DRUG_REGIMENS = [(d.id, r.id) for d in CATALOG.drugs.values() for r in d.regimens]
TODAY = date(2026, 11, 27)
BODY = {"height_cm": 170, "weight_kg": 70}


def long_history(drug_id: str, regimen_id: str, start: date, delays: list[int]) -> PatientRecord:
    """Doses given on the planned dates, each late by the next delay (days), up to TODAY."""
    drug = CATALOG.drug(drug_id)
    given: list[dict] = []
    for delay in delays:
        record = PatientRecord.from_dict({**BODY, "administrations": given})
        nxt = plan_infusions(drug, start=start, regimen_id=regimen_id, record=record).next
        if nxt is None or nxt.date + timedelta(days=delay) >= TODAY:
            break
        day = nxt.date + timedelta(days=delay)
        given.append({"drug": drug_id, "date": day.isoformat(), "dose_mg": nxt.dose_mg or 20.0})
    return PatientRecord.from_dict({**BODY, "administrations": given})


def plan_dict(drug_id: str, regimen_id: str, start: date, record: PatientRecord) -> dict:
    plan = plan_infusions(
        CATALOG.drug(drug_id), start=start, regimen_id=regimen_id, record=record, today=TODAY
    )
    return plan.to_dict()


@settings(max_examples=120, deadline=None)
@given(
    choice=st.sampled_from(DRUG_REGIMENS),
    start=st.dates(min_value=date(2019, 1, 1), max_value=date(2026, 6, 30)),
    delays=st.lists(st.sampled_from([0, 0, 0, 1, 3, 9, 20, 45, 120]), min_size=1, max_size=40),
)
def test_placing_a_maintenance_history_in_one_step_gives_the_walked_plan(choice, start, delays):
    drug_id, regimen_id = choice
    record = long_history(drug_id, regimen_id, start, delays)
    fast = plan_dict(drug_id, regimen_id, start, record)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(regimen_walk, "FAST_FORWARD", False)
        slow = plan_dict(drug_id, regimen_id, start, record.model_copy())
    assert fast == slow


def test_a_grid_schedule_keeps_its_grid_through_a_long_late_history(monkeypatch):
    """Ocrelizumab counts 6 months from due dates: month-end clamping must not drift either way."""
    record = long_history("ocrelizumab", "label", date(2020, 8, 31), [0, 14, 0, 3, 40, 0, 0, 9, 0])
    fast = plan_dict("ocrelizumab", "label", date(2020, 8, 31), record)
    monkeypatch.setattr(regimen_walk, "FAST_FORWARD", False)
    assert plan_dict("ocrelizumab", "label", date(2020, 8, 31), record.model_copy()) == fast


def planned(drug_id: str = "natalizumab") -> PlannedInfusion:
    record = PatientRecord.from_dict(
        {**BODY, "administrations": [{"drug": drug_id, "date": "2026-10-05", "dose_mg": 300}]}
    )
    return plan_infusions(CATALOG.drug(drug_id), record=record, today=TODAY).infusions[1]


def eager(infusion: PlannedInfusion) -> PlannedInfusion:
    """The same infusion built through the dataclass constructor, every field given up front."""
    return PlannedInfusion(**{f.name: getattr(infusion, f.name) for f in fields(infusion)})


def test_a_planned_infusion_writes_its_text_on_first_read():
    infusion = planned()
    assert "why" not in vars(infusion)  # not written yet
    assert infusion.label == "infusion 3"
    assert infusion.why.startswith("4 weeks after infusion 2 on 2026-11-02")
    assert "booking window" in infusion.why
    assert infusion.hard_earliest_why == ""
    assert "_explain" not in vars(infusion)  # written once, then plain fields


def test_a_lazily_written_infusion_equals_one_built_up_front():
    infusion = planned()
    twin = eager(planned())
    assert infusion == twin and twin == infusion
    assert hash(infusion) == hash(twin)
    assert repr(infusion) == repr(twin)
    assert infusion.to_dict() == twin.to_dict()
    assert asdict(planned()) == asdict(twin)


@pytest.mark.parametrize(
    "make_copy",
    [copy.copy, copy.deepcopy, lambda i: pickle.loads(pickle.dumps(i))],
)
def test_copies_of_an_unread_infusion_carry_the_text(make_copy):
    twin = make_copy(planned())
    assert "_explain" not in vars(twin)
    assert twin == eager(planned())


def test_replace_on_an_unread_infusion_keeps_its_text():
    changed = replace(planned(), number=7)
    assert changed.number == 7
    assert changed.why == planned().why and changed.label == "infusion 3"


def test_an_unknown_attribute_is_still_an_attribute_error():
    infusion = planned()
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        infusion.nope  # noqa: B018
    assert not hasattr(infusion, "nope")


def test_due_tasks_write_their_reason_on_first_read_and_equal_eager_ones():
    record = PatientRecord.from_dict(
        {
            "administrations": [{"drug": "ocrelizumab", "date": "2025-01-10", "dose_mg": 600}],
            "courses": [{"drug": "ocrelizumab", "start": "2025-01-10"}],
        }
    )
    tasks = due_list(record, TODAY)
    assert tasks
    for task in tasks:
        assert "reason" not in vars(task)
        twin = DueTask(**{f.name: getattr(task, f.name) for f in fields(task)})
        assert task == twin and hash(task) == hash(twin)
        assert task.to_dict() == twin.to_dict()
        assert pickle.loads(pickle.dumps(task)) == twin
    igg = next(t for t in tasks if t.test == "igg")
    assert "2025-01-10" in igg.reason  # counted from the first infusion


def test_a_summary_is_the_same_read_in_any_order():
    """Reading one sentence first must not change another (shared lazily written parts)."""
    record = long_history("alemtuzumab", "label", date(2024, 1, 8), [0, 0, 0, 0, 0, 2, 0, 0])
    first = summarize(record, TODAY)
    again = summarize(record.model_copy(), TODAY)
    for task in reversed(again.due):
        task.reason  # noqa: B018
    assert first.to_dict() == again.to_dict()


def test_chair_times_kept_between_patients_follow_each_patients_reactions():
    drug = CATALOG.drug("ocrelizumab")
    calm = chair_time(drug, 3, 1, {"none"})
    reacted = chair_time(drug, 3, 1, {"none", "serious"})
    assert chair_time(drug, 3, 1, {"none"}) is calm  # kept
    # OCR-I4/I5: the 2-hour option only when no earlier infusion caused a serious reaction
    assert calm.shorter_infusion_minutes == 120
    assert reacted.shorter_infusion_minutes is None
    assert chair_time(drug, 3, 1, {"none"}).shorter_infusion_minutes == 120


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 12, 31)),
    months=st.integers(min_value=-60, max_value=60),
)
def test_the_kept_month_arithmetic_is_the_convention(day, months):
    assert cached_add_months(day, months) == add_months(day, months)


def rebuilt(obj):
    """`obj` built again through its dataclass constructor."""
    return type(obj)(**{f.name: getattr(obj, f.name) for f in fields(obj)})


def test_summary_objects_built_without_init_equal_constructed_ones():
    record = long_history("natalizumab", "label", date(2025, 1, 6), [0, 0, 3, 0, 0, 10])
    summary = summarize(record, TODAY)
    status = summary.drugs[0]
    assert status.readiness is not None and status.readiness.reasons
    for obj in (summary, status, status.plan, status.readiness, *status.readiness.reasons):
        twin = rebuilt(obj)
        assert obj == twin and hash(obj) == hash(twin)
        assert pickle.loads(pickle.dumps(obj)) == twin
    with pytest.raises(AttributeError):
        status.plan.drug = "other"  # still frozen
