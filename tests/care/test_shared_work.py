"""Work shared inside `PatientRecord.shared_work`: same answers, nothing left behind.

The summary plans each drug three times and asks monitoring conditions on many dates; inside a
`shared_work` block that work is done once. These tests pin that sharing never changes an answer and
that the shared work does not outlive the block or leak into copies of the record.
"""

from __future__ import annotations

import copy
import pickle
from datetime import date, timedelta

import pytest

from msinfusion.care.monitoring import CONDITIONS, due_list
from msinfusion.care.monitoring_conditions import condition_change_days, timeline
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import Administration, Course, PatientRecord, Result
from msinfusion.care.summary import readiness_day, summarize
from msinfusion.knowledge.catalog import default_catalog

D = date.fromisoformat
TODAY = D("2026-11-27")


def natalizumab() -> PatientRecord:
    """Four years of natalizumab every 4 weeks, with anti-JCV results that change status."""
    first = D("2022-10-03")
    given = tuple(
        Administration(drug="natalizumab", date=first + timedelta(weeks=4 * i)) for i in range(50)
    )
    results = (
        Result(test="anti_jcv_index", value=0.1, date=D("2022-09-20"), assay="STRATIFY JCV"),
        Result(test="anti_jcv_index", value=0.9, date=D("2024-03-11"), assay="STRATIFY JCV"),
        Result(test="anti_jcv", value="positive", date=D("2024-03-11")),
        Result(test="anti_jcv_index", value=0.15, date=D("2025-06-02"), assay="STRATIFY JCV"),
        Result(test="anti_jcv", value="negative", date=D("2025-06-02")),
    )
    return PatientRecord(
        administrations=given,
        results=results,
        courses=(Course(drug="natalizumab", start=first),),
    )


def single_path(record: PatientRecord) -> dict:
    """The summary's answers through separate public calls, none inside a shared block."""
    catalog = default_catalog()
    drugs = []
    for drug_id in record.drugs:
        plan = plan_infusions(catalog.drug(drug_id), record=record, today=TODAY)
        readiness = (
            check_readiness(record, drug_id, readiness_day(plan.next, TODAY)).to_dict()
            if plan.next
            else None
        )
        drugs.append(
            {"drug": drug_id, "plan": plan.to_dict(), "readiness": readiness, "problem": None}
        )
    due = [t.to_dict() for t in due_list(record, TODAY)]
    return {"patient": record.id, "today": TODAY.isoformat(), "drugs": drugs, "due": due}


def test_the_summary_equals_the_separate_calls():
    record = natalizumab()
    assert summarize(record, TODAY).to_dict() == single_path(natalizumab())


def test_calls_inside_one_block_give_the_answers_of_calls_outside():
    outside = single_path(natalizumab())
    record = natalizumab()
    with record.shared_work():
        inside = single_path(record)
        again = single_path(record)  # now read from the shared work
    assert inside == outside
    assert again == outside


def test_the_shared_work_ends_with_the_outermost_block():
    record = natalizumab()
    with record.shared_work():
        with record.shared_work():
            summarize(record, TODAY)
            assert record.memo()  # the inner block used the outer block's memo
        assert record.memo()
    assert record.memo() == {}
    assert "_memo" not in record.__dict__


def test_outside_a_block_nothing_is_kept():
    record = natalizumab()
    summarize(record, TODAY)
    record.memo()["x"] = 1
    assert record.memo() == {}


@pytest.mark.parametrize(
    "make_copy",
    [
        copy.copy,
        copy.deepcopy,
        lambda r: r.model_copy(),
        lambda r: r.model_copy(deep=True),
        lambda r: pickle.loads(pickle.dumps(r)),
    ],
)
def test_a_copy_made_inside_a_block_does_not_share_its_work(make_copy):
    record = natalizumab()
    with record.shared_work():
        summarize(record, TODAY)
        twin = make_copy(record)
        assert twin == record
        assert twin.memo() == {}
        assert summarize(twin, TODAY).to_dict() == summarize(record, TODAY).to_dict()


@pytest.mark.parametrize("name", sorted(CONDITIONS))
def test_a_timeline_gives_the_condition_on_every_day(name):
    """Conditions only change on their change days, so reading them off those days is exact."""
    record = natalizumab()
    check, _ = CONDITIONS[name]
    changes = condition_change_days(record)
    days = [D("2022-01-01") + timedelta(days=i) for i in range(0, 5 * 365, 3)]
    days += changes + [d - timedelta(days=1) for d in changes]
    with record.shared_work():
        line = timeline(record, name)
        for day in days:
            assert line.holds(record, day) == check(record, day), day
            later = [d for d in changes if d > day and check(record, d)]
            assert line.next_start(record, day) == (later[0] if later else None)
