"""Monitoring due-list. Expected dates are worked out by hand from conventions.md and facts.md.

Calendar months clamp at month end (convention 2); repeats count from the base date (anchor + k
months), so 2026-08-31 + 2 months is 2026-10-31, not 2026-09-30 + 1 month = 2026-10-30.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from msinfusion.care.monitoring import CONDITIONS, DueTask, due_list
from msinfusion.care.record import (
    Administration,
    Course,
    Event,
    PatientRecord,
    ProgramAction,
    Result,
)
from msinfusion.dates import Interval
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Monitoring, Source

D = date.fromisoformat


def days(drug: str, first: str, n: int) -> tuple[Administration, ...]:
    """`n` infusions on consecutive days from `first` (an alemtuzumab course)."""
    return tuple(Administration(drug=drug, date=D(first) + timedelta(days=i)) for i in range(n))


def every_4_weeks(drug: str, first: str, last: str) -> tuple[Administration, ...]:
    out, day = [], D(first)
    while day <= D(last):
        out.append(Administration(drug=drug, date=day))
        day += timedelta(weeks=4)
    return tuple(out)


def dates(tasks: list[DueTask], rule: str, status: str | None = None) -> list[date]:
    return [t.date for t in tasks if t.rule == rule and (status is None or t.status == status)]


def alemtuzumab(*results: Result, course1: str = "2026-01-05", course2: str | None = "2027-01-05"):
    adm = days("alemtuzumab", course1, 5) + (days("alemtuzumab", course2, 3) if course2 else ())
    return PatientRecord(
        administrations=adm,
        courses=(Course(drug="alemtuzumab", start=D(course1)),),
        results=results,
    )


# ---------------------------------------------------------------- alemtuzumab (convention 7)


def test_alemtuzumab_monthly_labs_start_one_month_after_course_2_and_end_at_48_months():
    # course 2: 2027-01-05..07; monthly labs from 2027-02-07; end 48 months after 2027-01-07
    tasks = due_list(alemtuzumab(), D("2027-01-10"), D("2032-06-01"))
    for rule in ("lem.cbc", "lem.creatinine", "lem.urinalysis"):
        got = dates(tasks, rule)
        assert got[0] == D("2027-02-07")
        assert got[1] == D("2027-03-07")
        assert got[-1] == D("2031-01-07")
        assert len(got) == 48  # months 1..48 after 2027-01-07, none after 2031-01-07
        assert all(t.status == "upcoming" for t in tasks if t.rule == rule)


def test_a_late_cbc_pushes_the_next_one_month_after_the_sample():
    record = alemtuzumab(Result(test="cbc", value="normal", date=D("2027-02-20")))
    tasks = due_list(record, D("2027-03-01"))
    assert dates(tasks, "lem.cbc")[:2] == [D("2027-03-20"), D("2027-04-20")]
    assert dates(tasks, "lem.cbc", "overdue") == []  # 2027-02-07 was done late
    # creatinine had no sample: still on the course schedule, overdue since 2027-02-07
    assert dates(tasks, "lem.creatinine", "overdue") == [D("2027-02-07")]


def test_an_early_cbc_satisfies_and_pushes_the_next():
    record = alemtuzumab(Result(test="cbc", value="normal", date=D("2027-02-01")))
    assert dates(due_list(record, D("2027-02-02")), "lem.cbc")[0] == D("2027-03-01")


def test_tsh_every_three_months():
    tasks = due_list(alemtuzumab(), D("2027-01-10"))
    assert dates(tasks, "lem.tsh") == [
        D("2027-04-07"),
        D("2027-07-07"),
        D("2027-10-07"),
        D("2028-01-07"),
    ]


def test_month_end_clamping_counts_from_the_anchor():
    # course 1 2026-08-27..31; course 2 not yet given
    record = alemtuzumab(course1="2026-08-27", course2=None)
    tasks = due_list(record, D("2026-09-01"))
    assert dates(tasks, "lem.cbc")[:6] == [
        D("2026-09-30"),
        D("2026-10-31"),
        D("2026-11-30"),
        D("2026-12-31"),
        D("2027-01-31"),
        D("2027-02-28"),
    ]
    assert dates(tasks, "lem.tsh")[:2] == [D("2026-11-30"), D("2027-02-28")]


def test_a_course_in_progress_counts_from_its_last_planned_day():
    # course 2 day 1 given on 2027-01-05; days 2 and 3 planned for 2027-01-06 and 07
    record = alemtuzumab(course2=None)
    record = replace_record(
        record, administrations=(*record.administrations, *days("alemtuzumab", "2027-01-05", 1))
    )
    tasks = due_list(record, D("2027-01-06"))
    assert dates(tasks, "lem.cbc")[0] == D("2027-02-07")


def test_overdue_keeps_its_original_date_and_is_listed_once():
    tasks = due_list(alemtuzumab(), D("2027-06-15"))
    assert dates(tasks, "lem.cbc", "overdue") == [D("2027-02-07")]
    assert dates(tasks, "lem.cbc", "upcoming")[0] == D("2027-07-07")
    overdue = next(t for t in tasks if t.rule == "lem.cbc" and t.status == "overdue")
    assert "overdue" in overdue.reason


def test_overdue_is_the_oldest_unmet_date_since_the_last_result():
    record = alemtuzumab(Result(test="cbc", value="normal", date=D("2027-03-01")))
    assert dates(due_list(record, D("2027-06-15")), "lem.cbc", "overdue") == [D("2027-04-01")]


def test_nothing_is_listed_once_the_48_months_are_over():
    tasks = due_list(alemtuzumab(), D("2031-02-01"))
    assert [t for t in tasks if t.rule.startswith("lem.")] == []


def test_alemtuzumab_course_2_baseline_labs_are_pre_infusion_tasks():
    # course 2 due 12 months after course 1 start (convention 3): 2027-01-05
    tasks = due_list(alemtuzumab(course2=None), D("2026-12-01"))
    baseline = [t for t in tasks if t.rule == "lem.tsh" and t.kind == "test"]
    assert [t.date for t in baseline if "before" in t.reason] == [D("2027-01-05")]
    task = next(t for t in baseline if "before" in t.reason)
    assert "no older than 30 days" in task.reason
    assert "between 2026-12-06 and 2027-01-05" in task.reason


# ---------------------------------------------------------------- natalizumab (facts 3.3, 3.4)


def natalizumab(first: str, last: str, *extra, **fields) -> PatientRecord:
    return PatientRecord(
        administrations=every_4_weeks("natalizumab", first, last),
        courses=(Course(drug="natalizumab", start=D(first), stop=fields.pop("stop", None)),),
        **fields,
    )


def test_touch_pml_assessments_at_3_and_6_months_then_every_6():
    record = natalizumab("2026-01-15", "2026-01-15")
    tasks = due_list(record, D("2026-01-20"), D("2027-08-01"))
    assert dates(tasks, "nat.touch_pml_assessment") == [
        D("2026-04-15"),
        D("2026-07-15"),
        D("2027-01-15"),
        D("2027-07-15"),
    ]
    assert {t.kind for t in tasks if t.rule == "nat.touch_pml_assessment"} == {"program"}


def test_an_unconfirmable_program_task_shows_only_its_latest_past_date():
    record = natalizumab("2024-01-15", "2026-05-01")
    tasks = due_list(record, D("2026-05-10"))
    # 3, 6, 12, 18, 24 months ... the latest past one is 2026-01-15 (24 months)
    assert dates(tasks, "nat.touch_pml_assessment", "overdue") == [D("2026-01-15")]
    assert dates(tasks, "nat.touch_pml_assessment", "upcoming") == [
        D("2026-07-15"),
        D("2027-01-15"),
    ]


def test_touch_reauthorization_six_months_after_the_latest_authorization():
    auth = ProgramAction(program="touch", action="authorized", date=D("2026-01-10"))
    record = natalizumab("2026-01-15", "2026-07-30", programs=(auth,))
    tasks = due_list(record, D("2026-08-01"))
    assert dates(tasks, "nat.touch_reauthorization", "overdue") == [D("2026-07-10")]
    # 12 months after today is 2027-08-01: 2027-07-10 is inside the horizon
    assert dates(tasks, "nat.touch_reauthorization", "upcoming") == [
        D("2027-01-10"),
        D("2027-07-10"),
    ]

    reauth = ProgramAction(program="touch", action="reauthorized", date=D("2026-07-08"))
    record = replace_record(record, programs=(auth, reauth))
    tasks = due_list(record, D("2026-08-01"))
    assert dates(tasks, "nat.touch_reauthorization") == [D("2027-01-08"), D("2027-07-08")]


def test_no_reauthorization_after_the_program_discontinued_the_patient():
    actions = (
        ProgramAction(program="touch", action="authorized", date=D("2026-01-10")),
        ProgramAction(program="touch", action="discontinued", date=D("2026-05-01")),
    )
    record = natalizumab("2026-01-15", "2026-04-30", programs=actions)
    assert dates(due_list(record, D("2026-05-10")), "nat.touch_reauthorization") == []


def test_until_before_today_is_refused():
    with pytest.raises(CareError, match="until"):
        due_list(alemtuzumab(), D("2027-01-10"), D("2027-01-09"))


def test_anti_jcv_retest_every_6_months_while_negative():
    negative = Result(test="anti_jcv", value="negative", date=D("2026-03-02"))
    record = natalizumab("2026-01-15", "2026-03-30", results=(negative,))
    tasks = due_list(record, D("2026-04-01"))
    assert dates(tasks, "nat.anti_jcv_negative") == [D("2026-09-02"), D("2027-03-02")]
    assert dates(tasks, "nat.anti_jcv_low_index") == []
    assert all(t.test == "anti_jcv_index" for t in tasks if t.rule == "nat.anti_jcv_negative")


def test_a_baseline_result_before_the_first_infusion_does_not_push_the_retest():
    baseline = Result(test="anti_jcv", value="negative", date=D("2026-01-05"))
    record = natalizumab("2026-01-15", "2026-01-15", results=(baseline,))
    tasks = due_list(record, D("2026-01-20"))
    assert dates(tasks, "nat.anti_jcv_negative") == [D("2026-07-15"), D("2027-01-15")]


def test_no_negative_retest_for_a_positive_patient():
    positive = Result(test="anti_jcv", value="positive", date=D("2026-03-02"))
    record = natalizumab("2026-01-15", "2026-03-30", results=(positive,))
    assert dates(due_list(record, D("2026-04-01")), "nat.anti_jcv_negative") == []


def test_an_anti_jcv_draw_after_ivig_does_not_count_as_the_retest():
    first = Result(test="anti_jcv", value="negative", date=D("2026-03-02"))
    after_ivig = Result(test="anti_jcv", value="negative", date=D("2026-08-20"))
    ivig = Event(event="ivig", date=D("2026-08-01"))
    record = natalizumab("2026-01-15", "2026-08-30", results=(first, after_ivig), events=(ivig,))
    tasks = due_list(record, D("2026-09-10"))
    assert dates(tasks, "nat.anti_jcv_negative", "overdue") == [D("2026-09-02")]


LOW_INDEX = (
    Result(test="anti_jcv", value="positive", date=D("2025-01-05")),
    Result(test="anti_jcv_index", value=0.8, date=D("2025-01-05"), assay="STRATIFY JCV DxSelect"),
)


def test_low_index_retest_starts_when_exposure_passes_24_months():
    # first infusion 2024-01-10: 25 completed months on 2026-02-10 (convention 4 and 6)
    record = natalizumab("2024-01-10", "2026-01-01", results=LOW_INDEX)
    tasks = due_list(record, D("2026-01-15"))
    assert dates(tasks, "nat.anti_jcv_low_index") == [
        D("2026-02-10"),
        D("2026-07-05"),  # 18 months after the 2025-01-05 draw
        D("2027-01-05"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"prior_immunosuppressants": ("mitoxantrone",)},
        {"results": (LOW_INDEX[0], LOW_INDEX[1].model_copy(update={"value": 2.0}))},
    ],
    ids=["prior immunosuppressant", "index above 1.5"],
)
def test_no_low_index_retest(change):
    record = natalizumab("2024-01-10", "2026-01-01", results=LOW_INDEX)
    record = replace_record(record, **change)
    assert dates(due_list(record, D("2026-01-15")), "nat.anti_jcv_low_index") == []


def test_after_stopping_natalizumab_the_discontinuation_tasks_replace_the_others():
    auth = ProgramAction(program="touch", action="authorized", date=D("2026-01-10"))
    record = natalizumab("2025-01-15", "2026-06-20", stop=D("2026-06-30"), programs=(auth,))
    tasks = due_list(record, D("2026-07-01"))
    # at discontinuation (2026-06-30) and 6 months after: 2026-06-30 + 6 months = 2026-12-30
    assert dates(tasks, "nat.touch_discontinuation", "overdue") == [D("2026-06-30")]
    assert dates(tasks, "nat.touch_discontinuation", "upcoming") == [D("2026-12-30")]
    assert dates(tasks, "nat.pml_after_stop") == [D("2026-12-30")]
    assert dates(tasks, "nat.touch_pml_assessment") == []
    assert dates(tasks, "nat.touch_reauthorization") == []
    assert all(t.rule.startswith("nat.") for t in tasks)
    assert not [t for t in tasks if "before" in t.reason]  # no further infusions planned


# ---------------------------------------------------------------- mitoxantrone (MIT-L3)


def test_mitoxantrone_yearly_lvef_after_stopping_never_ends():
    record = PatientRecord(
        administrations=tuple(
            Administration(drug="mitoxantrone", date=D(d), dose_mg_per_m2=12)
            for d in ("2019-03-15", "2019-06-15", "2019-09-15", "2019-12-15")
        ),
        courses=(Course(drug="mitoxantrone", start=D("2019-03-15"), stop=D("2020-03-15")),),
        results=(Result(test="lvef", value=60, date=D("2021-03-10")),),
    )
    tasks = due_list(record, D("2026-05-01"), D("2040-06-01"))
    assert dates(tasks, "mit.lvef_after_stop", "overdue") == [D("2022-03-15")]
    upcoming = dates(tasks, "mit.lvef_after_stop", "upcoming")
    assert upcoming[0] == D("2027-03-15")
    assert upcoming[-1] == D("2040-03-15")
    assert len(upcoming) == 14
    assert {t.kind for t in tasks} == {"scan"}


def test_mitoxantrone_pre_dose_tests_before_the_next_dose():
    record = PatientRecord(
        administrations=(
            Administration(drug="mitoxantrone", date=D("2026-01-10"), dose_mg_per_m2=12),
        ),
        courses=(Course(drug="mitoxantrone", start=D("2026-01-10")),),
        height_cm=170,
        weight_kg=70,
    )
    tasks = due_list(record, D("2026-02-01"), D("2026-05-01"))
    lvef = [t for t in tasks if t.rule == "mit.lvef"]
    # next dose 3 months after 2026-01-10; the LVEF must be dated after the previous dose
    assert [t.date for t in lvef] == [D("2026-04-10")]
    assert lvef[0].kind == "scan"
    assert "between 2026-01-11 and 2026-04-10" in lvef[0].reason
    pregnancy = next(t for t in tasks if t.rule == "mit.pregnancy_test")
    assert "childbearing potential is not recorded" in pregnancy.reason
    record = replace_record(record, childbearing_potential=False)
    assert "mit.pregnancy_test" not in {t.rule for t in due_list(record, D("2026-02-01"))}


# ---------------------------------------------------------------- ocrelizumab, defaults, shape


def test_a_stopped_ocrelizumab_course_has_no_pre_infusion_tasks():
    record = PatientRecord(
        administrations=(
            Administration(drug="ocrelizumab", date=D("2026-01-05")),
            Administration(drug="ocrelizumab", date=D("2026-01-19")),
        ),
        courses=(Course(drug="ocrelizumab", start=D("2026-01-05"), stop=D("2026-03-01")),),
    )
    tasks = due_list(record, D("2026-04-01"))
    # IgG yearly from the first infusion, until 12 months after the stop (2027-03-01)
    assert [(t.rule, t.date) for t in tasks] == [("ocr.immunoglobulins", D("2027-01-05"))]


def test_an_ocrelizumab_start_lists_the_missing_baseline_tests():
    record = PatientRecord(courses=(Course(drug="ocrelizumab", start=D("2026-05-01")),))
    tasks = due_list(record, D("2026-04-20"))
    baseline = [t for t in tasks if t.date == D("2026-05-01")]
    assert {t.rule for t in baseline} == {
        "ocr.hbv_screen",
        "ocr.hbv_core",
        "ocr.immunoglobulins",
        "ocr.liver_tests",
    }
    assert all(t.reason.startswith("before initial dose 1 of 2 on 2026-05-01") for t in baseline)
    assert all(t.status == "upcoming" and t.kind == "test" for t in baseline)


def test_until_defaults_to_12_months():
    record = alemtuzumab()
    default = due_list(record, D("2027-01-10"))
    assert default == due_list(record, D("2027-01-10"), D("2028-01-10"))
    assert max(t.date for t in default) == D("2028-01-07")  # 2028-02-07 is after the horizon


def test_sorted_by_date_drug_task_and_shaped_for_json():
    record = replace_record(
        alemtuzumab(),
        courses=(
            Course(drug="alemtuzumab", start=D("2026-01-05")),
            Course(drug="ocrelizumab", start=D("2027-03-01")),
        ),
    )
    tasks = due_list(record, D("2027-01-10"))
    assert tasks == sorted(tasks, key=lambda t: (t.date, t.drug, t.task, t.rule))
    assert {t.drug for t in tasks} == {"alemtuzumab", "ocrelizumab"}
    first = tasks[0].to_dict()
    assert list(first) == [
        "date",
        "task",
        "test",
        "drug",
        "status",
        "reason",
        "source",
        "rule",
        "kind",
    ]
    assert isinstance(first["date"], str)


def test_every_task_carries_its_catalog_source():
    catalog = default_catalog()
    items = {m.id: m for d in catalog.drugs.values() for m in d.monitoring}
    for task in due_list(alemtuzumab(), D("2027-01-10")):
        assert task.source == str(items[task.rule].source)


# ---------------------------------------------------------------- conditions and catalog items


def test_every_condition_the_catalog_uses_is_known():
    used = {m.condition for d in default_catalog().drugs.values() for m in d.monitoring}
    assert used - {None} <= set(CONDITIONS)


def with_item(drug_id: str, item: Monitoring) -> Catalog:
    catalog = default_catalog()
    drug = catalog.drug(drug_id)
    drugs = dict(catalog.drugs)
    drugs[drug_id] = drug.model_copy(update={"monitoring": (*drug.monitoring, item)})
    return replace(catalog, drugs=drugs)


def item(**fields) -> Monitoring:
    base = {
        "id": "x.item",
        "task": "Test item",
        "kind": "test",
        "test": "cbc",
        "start": "first_infusion",
        "every": Interval(months=1),
        "until": "never",
        "source": Source(ref="test", confidence="convention"),
    }
    return Monitoring(**(base | fields))


def test_an_unknown_condition_fails_naming_it():
    catalog = with_item("alemtuzumab", item(condition="moon_phase"))
    with pytest.raises(CareError, match="moon_phase"):
        due_list(alemtuzumab(), D("2027-01-10"), catalog=catalog)


def test_an_item_for_another_region_is_skipped():
    catalog = with_item("alemtuzumab", item(region="EU"))
    assert dates(due_list(alemtuzumab(), D("2027-01-10"), catalog=catalog), "x.item") == []
    eu = replace_record(alemtuzumab(), region="EU")
    assert dates(due_list(eu, D("2027-01-10"), catalog=catalog), "x.item")


def test_without_counts_from_result_a_nearby_result_satisfies_the_occurrence():
    # monthly from the first infusion 2026-01-05, not counted from results: 2026-02-05, 03-05, ...
    catalog = with_item("alemtuzumab", item(until="never"))
    record = alemtuzumab(
        Result(test="cbc", value="normal", date=D("2026-02-20")),  # inside [01-21, 03-05)
        course2=None,
    )
    tasks = due_list(record, D("2026-04-10"), catalog=catalog)
    assert dates(tasks, "x.item", "overdue") == [D("2026-03-05")]
    assert dates(tasks, "x.item", "upcoming")[0] == D("2026-05-05")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("each_infusion", [D("2026-01-19"), D("2026-01-20"), D("2026-01-21")]),
        ("last_infusion", [D("2026-01-21")]),
        ("first_infusion", [D("2026-01-19")]),
    ],
)
def test_one_off_offsets_from_each_kind_of_anchor(start, expected):
    catalog = with_item(
        "alemtuzumab",
        item(start=start, every=None, offsets=(Interval(weeks=2),), kind="exam", test="skin_exam"),
    )
    record = PatientRecord(
        administrations=days("alemtuzumab", "2026-01-05", 3),
        courses=(Course(drug="alemtuzumab", start=D("2026-01-05")),),
    )
    assert dates(due_list(record, D("2026-01-10"), catalog=catalog), "x.item") == expected


def replace_record(record: PatientRecord, **fields) -> PatientRecord:
    """A fresh record (model_copy would keep the cached per-drug indexes of the old one)."""
    data = {name: getattr(record, name) for name in type(record).model_fields}
    return PatientRecord(**(data | fields))


def test_a_drug_that_cannot_be_planned_still_gets_its_monitoring_and_no_crash():
    from msinfusion.care.summary import summarize

    record = PatientRecord.from_dict(
        {"administrations": [{"drug": "rituximab", "date": "2026-01-05", "dose_mg": 1000}]}
    )
    summary = summarize(record, date(2026, 3, 1))
    assert "regimen" in summary.drugs[0].problem
    assert due_list(record, date(2026, 3, 1)) == list(summary.due)
