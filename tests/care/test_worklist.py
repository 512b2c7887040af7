"""Worklist sections from domain records. Dates are worked out by hand from the catalog facts.

Ocrelizumab (OCR-D1): initial dose 2 is 14 days after dose 1. Natalizumab: TOUCH authorization valid
6 calendar months (convention 10); TOUCH PML assessment 3 and 6 months after the first infusion,
then every 6 months (REMS-T4); PML bands by completed months of exposure (convention 4): 1-24,
25-48, 49-72; index-stratified table (S24) for anti-JCV positive, index ≤1.5: 0.2, 1.1, 1.4 per 1,000.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msinfusion.care.record import (
    Administration,
    Condition,
    Course,
    PatientRecord,
    ProgramAction,
    Result,
)
from msinfusion.care.summary import summarize
from msinfusion.care.worklist import (
    AUTHORIZATION_WITHIN,
    DUE_WITHIN,
    build_worklist,
    classify,
    pml_change,
    work_for,
)
from msinfusion.knowledge.catalog import default_catalog

D = date.fromisoformat


def ocrelizumab(**extra) -> PatientRecord:
    """Dose 1 of the initial ocrelizumab dose on 2026-01-05: dose 2 is due 2026-01-19."""
    return PatientRecord(
        id="ocr",
        childbearing_potential=False,
        courses=(Course(drug="ocrelizumab", start=D("2026-01-05")),),
        administrations=(Administration(drug="ocrelizumab", date=D("2026-01-05"), dose_mg=300),),
        results=(Result(test="hbsag", value="negative", date=D("2025-12-20")),),
        **extra,
    )


def natalizumab(
    last: str = "2025-12-20", programs: tuple[ProgramAction, ...] | None = None, **extra
) -> PatientRecord:
    """First natalizumab infusion 2024-01-10, anti-JCV positive index 1.2 (STRATIFY JCV)."""
    given = [D("2024-01-10")]
    while given[-1] + timedelta(weeks=4) <= D(last):
        given.append(given[-1] + timedelta(weeks=4))
    if given[-1] != D(last):
        given.append(D(last))
    if programs is None:
        programs = (ProgramAction(program="touch", action="authorized", date=D("2025-07-20")),)
    results = extra.pop(
        "results",
        (
            Result(test="anti_jcv", value="positive", date=D("2025-11-01")),
            Result(test="anti_jcv_index", value=1.2, assay="STRATIFY JCV", date=D("2025-11-01")),
        ),
    )
    return PatientRecord(
        id="nat",
        courses=extra.pop("courses", (Course(drug="natalizumab", start=D("2024-01-10")),)),
        administrations=tuple(
            Administration(drug="natalizumab", date=d, dose_mg=300) for d in given
        ),
        programs=programs,
        results=results,
        **extra,
    )


def work(record: PatientRecord, today: str):
    summary = summarize(record, D(today), catalog=default_catalog())
    return classify(summary, record)


# ---------------------------------------------------------------- due this week


def test_next_infusion_five_days_ahead_is_due_this_week_with_its_readiness():
    pw = work(ocrelizumab(), "2026-01-14")
    assert [(d.drug, d.infusion.date, d.days) for d in pw.due] == [
        ("ocrelizumab", D("2026-01-19"), 5)
    ]
    assert pw.due[0].readiness is not None
    assert pw.due[0].readiness.date == D("2026-01-19")
    assert not pw.due[0].overdue


def test_due_window_includes_day_seven_and_excludes_day_eight():
    assert DUE_WITHIN == 7
    assert [d.days for d in work(ocrelizumab(), "2026-01-12").due] == [7]
    assert work(ocrelizumab(), "2026-01-11").due == ()


def test_infusion_whose_date_has_passed_is_listed_as_overdue():
    pw = work(ocrelizumab(), "2026-01-21")
    assert [(d.infusion.date, d.days, d.overdue) for d in pw.due] == [(D("2026-01-19"), -2, True)]


def test_stopped_course_has_nothing_due():
    record = ocrelizumab().model_copy(
        update={
            "courses": (Course(drug="ocrelizumab", start=D("2026-01-05"), stop=D("2026-01-10")),)
        }
    )
    pw = work(record, "2026-01-14")
    assert pw.due == () and pw.blocked == ()


# ---------------------------------------------------------------- blocked


def test_active_infection_blocks_with_the_catalog_message():
    record = ocrelizumab(
        conditions=(Condition(condition="active_infection", date=D("2026-01-12")),)
    )
    pw = work(record, "2026-01-14")
    assert [b.drug for b in pw.blocked] == ["ocrelizumab"]
    blocked = pw.blocked[0]
    assert blocked.day == D("2026-01-19")
    assert [r.rule for r in blocked.reasons] == ["ocr.active_infection"]
    assert blocked.reasons[0].message.startswith("Active infection: delay the infusion")
    assert all(r.severity == "block" for r in blocked.reasons)


def test_resolved_infection_no_longer_blocks():
    record = ocrelizumab(
        conditions=(
            Condition(condition="active_infection", date=D("2026-01-12"), resolved=D("2026-01-13")),
        )
    )
    assert work(record, "2026-01-14").blocked == ()


def test_missing_baseline_tests_block_a_first_infusion():
    record = PatientRecord(id="new", courses=(Course(drug="ocrelizumab", start=D("2026-01-20")),))
    pw = work(record, "2026-01-14")
    tests = {r.test for r in pw.blocked[0].reasons}
    assert "hbsag" in tests


# ---------------------------------------------------------------- overdue monitoring


def test_overdue_touch_assessment_is_listed_from_the_due_list():
    # first infusion 2024-01-10: assessments 2024-04-10, 2024-07-10, then every 6 months:
    # 2025-01-10, 2025-07-10, 2026-01-10 (the most recent past one is listed)
    pw = work(natalizumab(), "2026-01-14")
    overdue = [(t.rule, t.date, t.status) for t in pw.overdue]
    assert ("nat.touch_pml_assessment", D("2026-01-10"), "overdue") in overdue
    assert all(t.status == "overdue" for t in pw.overdue)


# ---------------------------------------------------------------- PML risk band changes


def test_pml_band_change_since_previous_infusion_is_listed_old_to_new():
    # previous infusion 2025-12-20: 23 completed months (band 1-24, 0.2/1,000);
    # 2026-02-11: 25 completed months (band 25-48, 1.1/1,000)
    pw = work(natalizumab(), "2026-02-11")
    assert pw.pml is not None
    assert pw.pml.previous_infusion == D("2025-12-20")
    assert (pw.pml.before.band, pw.pml.before.risk_per_1000) == ("1-24", 0.2)
    assert (pw.pml.now.band, pw.pml.now.risk_per_1000) == ("25-48", 1.1)
    assert pw.pml.now.table == "index_stratified"


def test_pml_unchanged_within_the_same_band_is_not_listed():
    # 2026-01-14: 24 completed months, still band 1-24
    assert work(natalizumab(), "2026-01-14").pml is None


def test_anti_jcv_seroconversion_changes_the_risk_value_and_is_listed():
    # previous infusion 2026-02-11 (25 completed months) and today 2026-03-01 are both in band
    # 25-48; the US label table gives <1/1,000 negative and 3/1,000 positive without prior IS
    record = natalizumab(
        last="2026-02-11",
        results=(
            Result(test="anti_jcv", value="negative", date=D("2025-06-01")),
            Result(test="anti_jcv", value="positive", date=D("2026-02-20")),
        ),
    )
    change = pml_change(record, D("2026-03-01"))
    assert change is not None
    assert change.previous_infusion == D("2026-02-11")
    assert (change.before.band, change.now.band) == ("25-48", "25-48")
    assert (change.before.shown(), change.now.shown()) == ("<1/1,000", "3/1,000")
    assert change.now.basis.startswith("anti-JCV positive")


def test_same_band_table_and_value_is_not_listed_even_if_the_row_differs():
    # band 1-24 of the US label table: <1/1,000 whether negative or positive without prior IS;
    # the worklist lists changes of band, table or value only
    record = natalizumab(
        results=(
            Result(test="anti_jcv", value="negative", date=D("2025-06-01")),
            Result(test="anti_jcv", value="positive", date=D("2026-01-02")),
        )
    )
    assert pml_change(record, D("2026-01-14")) is None


def test_pml_is_not_listed_after_natalizumab_stopped():
    record = natalizumab(
        courses=(Course(drug="natalizumab", start=D("2024-01-10"), stop=D("2025-12-21")),)
    )
    assert work(record, "2026-02-11").pml is None


def test_no_pml_entry_without_natalizumab():
    assert work(ocrelizumab(), "2026-01-14").pml is None
    assert pml_change(ocrelizumab(), D("2026-01-14")) is None


# ---------------------------------------------------------------- program reauthorization


def test_touch_reauthorization_due_within_30_days():
    # authorized 2025-07-20, valid 6 calendar months: through 2026-01-20
    pw = work(natalizumab(), "2026-01-14")
    assert len(pw.authorizations) == 1
    auth = pw.authorizations[0]
    assert (auth.program, auth.authorized, auth.valid_through, auth.due, auth.lapsed) == (
        "touch",
        D("2025-07-20"),
        D("2026-01-20"),
        D("2026-01-20"),
        False,
    )
    assert auth.task is not None and auth.task.rule == "nat.touch_reauthorization"
    assert "REMS-T4" in auth.source


def test_reauthorization_window_is_thirty_days():
    assert AUTHORIZATION_WITHIN == 30
    # 2026-01-20 is 30 days after 2025-12-21 and 31 days after 2025-12-20
    assert len(work(natalizumab(last="2025-12-06"), "2025-12-21").authorizations) == 1
    assert work(natalizumab(last="2025-12-06"), "2025-12-20").authorizations == ()


def test_lapsed_authorization_is_listed_as_lapsed():
    pw = work(natalizumab(), "2026-01-21")
    assert [(a.due, a.lapsed) for a in pw.authorizations] == [(D("2026-01-20"), True)]


def test_reauthorization_clears_the_entry():
    programs = (
        ProgramAction(program="touch", action="authorized", date=D("2025-07-20")),
        ProgramAction(program="touch", action="reauthorized", date=D("2026-01-15")),
    )
    assert work(natalizumab(programs=programs), "2026-01-21").authorizations == ()


def test_discontinued_program_is_not_a_reauthorization():
    programs = (
        ProgramAction(program="touch", action="authorized", date=D("2025-07-20")),
        ProgramAction(program="touch", action="discontinued", date=D("2026-01-02")),
    )
    pw = work(natalizumab(programs=programs), "2026-01-14")
    assert pw.authorizations == ()
    assert "program.discontinued" in {r.rule for b in pw.blocked for r in b.reasons}


# ---------------------------------------------------------------- problems and the whole list


def test_rituximab_without_regimen_becomes_a_problem_not_an_error():
    record = PatientRecord(id="rtx", courses=(Course(drug="rituximab", start=D("2026-01-05")),))
    summary, pw = work_for(record, D("2026-01-14"))
    assert summary is not None and summary.drugs[0].plan is None  # the rest still answers
    assert pw.problems and "regimen" in pw.problems[0]
    assert pw.needs_attention


def test_quiet_patient_needs_no_attention():
    # next ocrelizumab dose (24 weeks after dose 1 of 2026-01-05 and 2026-01-19) is 2026-06-22
    record = ocrelizumab().model_copy(
        update={
            "administrations": (
                Administration(drug="ocrelizumab", date=D("2026-01-05"), dose_mg=300),
                Administration(drug="ocrelizumab", date=D("2026-01-19"), dose_mg=300),
            ),
            "results": (
                Result(test="hbsag", value="negative", date=D("2025-12-20")),
                Result(test="anti_hbc", value="negative", date=D("2025-12-20")),
                Result(test="igg", value=900.0, date=D("2025-12-20")),
                Result(test="alt", value=20.0, date=D("2025-12-20")),
            ),
        }
    )
    _, pw = work_for(record, D("2026-02-01"))
    assert pw.due == () and pw.blocked == () and pw.pml is None
    assert not pw.authorizations and not pw.problems


@pytest.mark.parametrize("today", ["2026-01-14"])
def test_worklist_sections_are_sorted_and_name_each_patient_once(today):
    infected = ocrelizumab(
        conditions=(Condition(condition="active_infection", date=D("2026-01-12")),)
    )
    entries = [
        ("nat", work_for(natalizumab(), D(today))[1]),
        ("ocr-infected", work_for(infected, D(today))[1]),
        ("ocr", work_for(ocrelizumab(), D(today))[1]),
    ]
    wl = build_worklist(entries)
    dates = [d.infusion.date for _, d in wl.due]
    assert dates == sorted(dates)
    assert [k for k, _ in wl.blocked] == ["ocr-infected"]
    assert [k for k, _ in wl.authorizations] == ["nat"]
    assert sorted(wl.patients()) == ["nat", "ocr", "ocr-infected"]
    assert len(wl.patients()) == 3
