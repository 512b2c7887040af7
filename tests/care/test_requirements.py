"""Which requirement applies to an infusion, and which result satisfies it.

Expected dates are worked out by hand from the rule (age = infusion day - result date, valid while
age <= max_age_days; "after the previous dose" is strictly after), not taken from code output.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from msinfusion.care.plan import PlannedInfusion, plan_infusions
from msinfusion.care.record import PatientRecord, Result
from msinfusion.care.requirements import (
    freshness,
    requirement_applies,
    result_due_by,
    result_window,
    usable_result,
)
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.knowledge.model import Requirement, Source


def req(drug: str, rule_id: str) -> Requirement:
    found = [r for r in default_catalog().drug(drug).requirements if r.id == rule_id]
    assert found, f"{drug} has no requirement {rule_id}"
    return found[0]


def record(*results: tuple[str, float | str, date], **fields: object) -> PatientRecord:
    return PatientRecord(
        results=tuple(Result(test=t, value=v, date=d) for t, v, d in results), **fields
    )


def first_infusion(drug: str = "ocrelizumab") -> PlannedInfusion:
    infusion = plan_infusions(default_catalog().drug(drug), start=date(2026, 1, 5)).next
    assert infusion is not None
    return infusion


# ---------------------------------------------------------------- usable_result: maximum age

CBC_30 = ("alemtuzumab", "lem.cbc")  # REMS baseline lab, max_age_days = 30 (LEM-B5)


def test_result_exactly_max_age_days_old_is_usable():
    # 2026-03-31 - 30 days = 2026-03-01
    rec = record(("cbc", "normal", date(2026, 3, 1)))
    found = usable_result(rec, req(*CBC_30), date(2026, 3, 31), None)
    assert found is not None and found.date == date(2026, 3, 1)


def test_result_one_day_older_than_max_age_is_not_usable():
    rec = record(("cbc", "normal", date(2026, 2, 28)))
    assert usable_result(rec, req(*CBC_30), date(2026, 3, 31), None) is None


def test_result_dated_after_the_infusion_is_not_usable():
    rec = record(("cbc", "normal", date(2026, 4, 1)))
    assert usable_result(rec, req(*CBC_30), date(2026, 3, 31), None) is None


def test_result_on_the_infusion_day_is_usable():
    rec = record(("cbc", "normal", date(2026, 3, 31)))
    assert usable_result(rec, req(*CBC_30), date(2026, 3, 31), None) is not None


def test_latest_result_wins():
    rec = record(
        ("cbc", "abnormal", date(2026, 3, 10)),
        ("cbc", "normal", date(2026, 3, 20)),
        ("cbc", "abnormal", date(2026, 4, 2)),  # after the infusion: not history
    )
    found = usable_result(rec, req(*CBC_30), date(2026, 3, 31), None)
    assert found is not None and (found.value, found.date) == ("normal", date(2026, 3, 20))


def test_other_tests_do_not_count():
    rec = record(("creatinine", 0.8, date(2026, 3, 20)))
    assert usable_result(rec, req(*CBC_30), date(2026, 3, 31), None) is None


def test_no_max_age_means_any_earlier_result_counts():
    # ocrelizumab HBsAg screening has no maximum age in the catalog (OCR-B1)
    rec = record(("hbsag", "negative", date(2019, 5, 1)))
    assert usable_result(rec, req("ocrelizumab", "ocr.hbv_screen"), date(2026, 1, 5), None)


def test_general_test_validity_applies_when_the_requirement_sets_none():
    # mitoxantrone ANC: no max_age_days on the requirement; the caller passes tests.toml's 31 days
    anc = req("mitoxantrone", "mit.neutrophils")
    rec = record(("anc", 2500.0, date(2026, 3, 1)))
    assert usable_result(rec, anc, date(2026, 4, 1), None) is not None  # requirement alone
    assert usable_result(rec, anc, date(2026, 4, 1), None, valid_days=31) is not None  # 31 days
    assert usable_result(rec, anc, date(2026, 4, 2), None, valid_days=31) is None  # 32 days


def test_requirement_max_age_beats_the_general_validity():
    # lem.cbc asks for 30 days although a CBC is generally valid 31 days
    rec = record(("cbc", "normal", date(2026, 3, 1)))
    assert usable_result(rec, req(*CBC_30), date(2026, 4, 1), None, valid_days=31) is None


# ---------------------------------------------------------------- usable_result: after the previous dose

LVEF = ("mitoxantrone", "mit.lvef")  # after_previous_dose = true (MIT-L1, convention 9)


def test_result_on_the_previous_dose_day_is_not_after_it():
    rec = record(("lvef", 60.0, date(2026, 1, 10)))
    assert usable_result(rec, req(*LVEF), date(2026, 4, 10), date(2026, 1, 10)) is None


def test_result_the_day_after_the_previous_dose_is_usable():
    rec = record(("lvef", 60.0, date(2026, 1, 11)))
    assert usable_result(rec, req(*LVEF), date(2026, 4, 10), date(2026, 1, 10)) is not None


def test_without_a_previous_dose_any_earlier_result_counts():
    rec = record(("lvef", 60.0, date(2025, 6, 1)))
    assert usable_result(rec, req(*LVEF), date(2026, 1, 5), None) is not None


def test_after_previous_dose_ignored_when_the_requirement_does_not_ask():
    rec = record(("hbsag", "negative", date(2025, 1, 1)))
    hbv = req("ocrelizumab", "ocr.hbv_screen")
    assert usable_result(rec, hbv, date(2026, 1, 5), date(2025, 12, 1)) is not None


# ---------------------------------------------------------------- result windows


def test_window_from_max_age():
    window = result_window(req(*CBC_30), date(2026, 3, 31), None)
    assert (window.not_before, window.by) == (date(2026, 3, 1), date(2026, 3, 31))
    assert window.contains(date(2026, 3, 1)) and not window.contains(date(2026, 2, 28))


def test_window_from_previous_dose():
    window = result_window(req(*LVEF), date(2026, 4, 10), date(2026, 1, 10))
    assert (window.not_before, window.by) == (date(2026, 1, 11), date(2026, 4, 10))


def test_window_takes_the_later_bound():
    both = Requirement(
        id="x.both",
        test="anc",
        when="every_infusion",
        max_age_days=30,
        after_previous_dose=True,
        message="test requirement",
        source=Source(ref="test", confidence="policy"),
    )
    # 30 days before 2026-04-10 is 2026-03-11; the day after a dose on 2026-04-05 is 2026-04-06
    assert result_window(both, date(2026, 4, 10), date(2026, 4, 5)).not_before == date(2026, 4, 6)
    # with the previous dose long ago the 30-day bound decides
    assert result_window(both, date(2026, 4, 10), date(2026, 1, 5)).not_before == date(2026, 3, 11)
    assert freshness(both) == "no older than 30 days, dated after the previous dose"


def test_window_without_limits_is_open_ended():
    window = result_window(req("ocrelizumab", "ocr.hbv_screen"), date(2026, 1, 5), None)
    assert window.not_before is None and window.describe() == "by 2026-01-05"


def test_result_due_by_is_the_infusion_day():
    assert result_due_by(req(*CBC_30), date(2026, 3, 31), None) == date(2026, 3, 31)


def test_freshness_in_words():
    assert freshness(req(*CBC_30)) == "no older than 30 days"
    assert freshness(req(*LVEF)) == "dated after the previous dose"
    assert freshness(req("ocrelizumab", "ocr.hbv_screen")) == "any date"


# ---------------------------------------------------------------- requirement_applies


def test_first_infusion_requirement_applies_to_infusion_one_only():
    hbv = req("ocrelizumab", "ocr.hbv_screen")
    infusion = first_infusion()
    assert requirement_applies(hbv, PatientRecord(), infusion)
    assert not requirement_applies(hbv, PatientRecord(), replace(infusion, number=2))


def test_course_start_requirement_applies_to_the_first_day_of_each_course():
    cbc = req(*CBC_30)
    infusion = first_infusion("alemtuzumab")
    assert requirement_applies(cbc, PatientRecord(), infusion)
    assert requirement_applies(cbc, PatientRecord(), replace(infusion, number=6))  # course 2 day 1
    day2 = replace(infusion, number=2, block_start=False, dose_in_block=2)
    assert not requirement_applies(cbc, PatientRecord(), day2)


def test_every_infusion_requirement_always_applies():
    infusion = replace(first_infusion("mitoxantrone"), number=7, block_start=True)
    assert requirement_applies(req(*LVEF), PatientRecord(), infusion)


@pytest.mark.parametrize(("potential", "applies"), [(True, True), (False, False), (None, True)])
def test_childbearing_potential_requirement(potential, applies):
    # unknown childbearing potential applies: better safe
    pregnancy = req("mitoxantrone", "mit.pregnancy_test")
    rec = PatientRecord(childbearing_potential=potential)
    assert requirement_applies(pregnancy, rec, first_infusion("mitoxantrone")) is applies


@pytest.mark.parametrize(("region", "applies"), [("US", False), ("EU", True)])
def test_region_requirement(region, applies):
    # natalizumab CBC before starting is an EU rule (NAT-B4)
    cbc = req("natalizumab", "nat.cbc")
    rec = PatientRecord(region=region)
    assert requirement_applies(cbc, rec, first_infusion("natalizumab")) is applies
