"""Cleared for infusion? Readiness verdicts for each drug.

Every expected date and number is worked out by hand from clinical/facts.md and conventions.md
(fact ids in the comments), never copied from the code's output.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from msinfusion.care.readiness import Readiness, check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog

START = date(2026, 1, 5)


def iso(day: date) -> str:
    return day.isoformat()


def res(test: str, value: float | str, day: date) -> dict[str, Any]:
    return {"test": test, "value": value, "date": iso(day)}


def adm(drug: str, day: date, **extra: Any) -> dict[str, Any]:
    return {"drug": drug, "date": iso(day), **extra}


def check(data: dict[str, Any], drug: str, day: date, **kw: Any) -> Readiness:
    return check_readiness(PatientRecord.from_dict(data), drug, day, **kw)


def rules(readiness: Readiness, severity: str | None = None) -> set[str]:
    return {r.rule for r in readiness.reasons if severity is None or r.severity == severity}


def reason(readiness: Readiness, rule: str):
    found = [r for r in readiness.reasons if r.rule == rule]
    assert found, f"no reason {rule}: {readiness.rules}"
    return found[0]


def with_(data: dict[str, Any], **lists: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(data)
    for key, items in lists.items():
        out[key] = [*out.get(key, []), *items]
    return out


def without_test(data: dict[str, Any], *tests: str) -> dict[str, Any]:
    return {**data, "results": [r for r in data["results"] if r["test"] not in tests]}


def replace_result(data: dict[str, Any], test: str, value: float | str) -> dict[str, Any]:
    return {
        **data,
        "results": [{**r, "value": value} if r["test"] == test else r for r in data["results"]],
    }


# ================================================================ ocrelizumab


def ocr_base() -> dict[str, Any]:
    """OCR-B1, B2, B4 baseline done and normal a month before the start (T01)."""
    drawn = date(2025, 12, 1)
    return {
        "results": [
            res("hbsag", "negative", drawn),
            res("anti_hbc", "negative", drawn),
            res("igg", 900.0, drawn),
            res("alt", 20.0, drawn),
        ]
    }


def ocr_maintenance_history() -> dict[str, Any]:
    # T01: infusion 1 on 2026-01-05, infusion 2 on 2026-01-19, first 600 mg due and given 2026-06-22.
    # Next 600 mg due 2026-12-07 (24 weeks); earliest 2026-06-22 + 5 months = 2026-11-22 (OCR-D4).
    return with_(
        ocr_base(),
        administrations=[
            adm("ocrelizumab", date(2026, 1, 5), dose_mg=300),
            adm("ocrelizumab", date(2026, 1, 19), dose_mg=300),
            adm("ocrelizumab", date(2026, 6, 22), dose_mg=600),
        ],
    )


def test_ocr_complete_baseline_is_cleared():
    out = check(ocr_base(), "ocrelizumab", START)
    assert out.status == "cleared"
    assert out.reasons == ()
    assert out.infusion is not None and out.infusion.number == 1


def test_ocr_missing_hbsag_blocks_naming_the_test():
    out = check(without_test(ocr_base(), "hbsag"), "ocrelizumab", START)
    assert out.status == "blocked"
    why = reason(out, "ocr.hbv_screen.missing")
    assert (why.severity, why.test) == ("block", "hbsag")
    assert "hbsag" in why.message and "2026-01-05" in why.message
    assert "OCR-B1" in why.source


def test_ocr_hbsag_positive_blocks():
    out = check(replace_result(ocr_base(), "hbsag", "positive"), "ocrelizumab", START)
    assert out.status == "blocked"
    assert reason(out, "ocr.hbv_screen.threshold").severity == "block"


def test_ocr_anti_hbc_positive_with_hbsag_negative_needs_review():
    # convention 12: HBsAg negative, anti-HBc positive -> hepatology, needs_review
    out = check(replace_result(ocr_base(), "anti_hbc", "positive"), "ocrelizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"ocr.hbv_core.threshold"}


def test_ocr_low_igg_needs_review():
    out = check(replace_result(ocr_base(), "igg", 650.0), "ocrelizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"ocr.immunoglobulins.threshold"}


def test_ocr_baseline_result_older_than_its_general_validity_is_expired():
    # tests.toml: IgG valid 365 days; 2024-12-01 is 400 days before 2026-01-05
    data = ocr_base()
    data["results"] = [
        res("igg", 900.0, date(2024, 12, 1)) if r["test"] == "igg" else r for r in data["results"]
    ]
    out = check(data, "ocrelizumab", START)
    assert out.status == "blocked"
    why = reason(out, "ocr.immunoglobulins.expired")
    assert "2024-12-01" in why.message and "365 days" in why.message


def test_ocr_live_vaccine_three_weeks_before_start_blocks():
    # OCR-B3 / convention 11: live >= 4 weeks before; 2025-12-15 + 28 days = 2026-01-12
    data = with_(ocr_base(), vaccinations=[{"vaccine": "mmr", "live": True, "date": "2025-12-15"}])
    out = check(data, "ocrelizumab", START)
    assert out.status == "blocked"
    why = reason(out, "ocr.live_vaccine")
    assert "2026-01-12" in why.message


def test_ocr_live_vaccine_exactly_four_weeks_before_is_fine():
    data = with_(ocr_base(), vaccinations=[{"vaccine": "mmr", "live": True, "date": "2025-12-08"}])
    assert check(data, "ocrelizumab", START).status == "cleared"


def test_ocr_nonlive_vaccine_ten_days_before_start_needs_review():
    # non-live >= 2 weeks; 2025-12-26 + 14 days = 2026-01-09
    data = with_(
        ocr_base(), vaccinations=[{"vaccine": "influenza", "live": False, "date": "2025-12-26"}]
    )
    out = check(data, "ocrelizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"ocr.nonlive_vaccine"}
    assert "2026-01-09" in reason(out, "ocr.nonlive_vaccine").message


def test_ocr_nonlive_vaccine_two_weeks_before_is_fine():
    data = with_(
        ocr_base(), vaccinations=[{"vaccine": "influenza", "live": False, "date": "2025-12-22"}]
    )
    assert check(data, "ocrelizumab", START).status == "cleared"


def test_ocr_vaccine_rules_apply_only_before_the_first_infusion():
    # a live vaccine a week before a maintenance dose is not a start rule (convention 11)
    data = with_(
        ocr_maintenance_history(),
        vaccinations=[{"vaccine": "mmr", "live": True, "date": "2026-11-16"}],
    )
    assert check(data, "ocrelizumab", date(2026, 11, 23)).status == "cleared"


def test_ocr_active_infection_blocks():
    data = with_(ocr_base(), conditions=[{"condition": "active_infection", "date": "2025-12-28"}])
    out = check(data, "ocrelizumab", START)
    assert out.status == "blocked"
    assert rules(out) == {"ocr.active_infection"}


def test_ocr_infection_resolved_on_the_day_is_cleared():
    cond = {"condition": "active_infection", "date": "2025-12-28", "resolved": "2026-01-05"}
    data = with_(ocr_base(), conditions=[cond])
    assert check(data, "ocrelizumab", START).status == "cleared"


def test_ocr_infection_resolving_the_next_day_still_blocks():
    cond = {"condition": "active_infection", "date": "2025-12-28", "resolved": "2026-01-06"}
    data = with_(ocr_base(), conditions=[cond])
    assert check(data, "ocrelizumab", START).status == "blocked"


def test_ocr_dose_four_and_a_half_months_after_the_previous_blocks():
    # previous 600 mg on 2026-06-22; 4.5 months later is about 2026-11-06 < 2026-11-22
    out = check(ocr_maintenance_history(), "ocrelizumab", date(2026, 11, 6))
    assert out.status == "blocked"
    why = reason(out, "spacing.too_short")
    assert "2026-11-22" in why.message
    assert "OCR-D4" in why.source


def test_ocr_dose_exactly_five_months_after_is_allowed():
    out = check(ocr_maintenance_history(), "ocrelizumab", date(2026, 11, 22))
    assert "spacing.too_short" not in rules(out)


def test_ocr_dose_five_months_and_a_day_after_is_cleared():
    out = check(ocr_maintenance_history(), "ocrelizumab", date(2026, 11, 23))
    assert out.status == "cleared"
    assert out.infusion is not None and out.infusion.label == "subsequent dose 2"


def test_ocr_late_dose_is_cleared_with_an_info_reason():
    # due 2026-12-07, booking window ends 4 weeks later (2027-01-04)
    out = check(ocr_maintenance_history(), "ocrelizumab", date(2027, 1, 10))
    assert out.status == "cleared"
    why = reason(out, "spacing.late")
    assert why.severity == "info" and "2026-12-07" in why.message


def test_ocr_second_initial_infusion_before_its_window_needs_review():
    # infusion 2 due 2026-01-19 (OCR-D1), booking window from 2026-01-16 (policy)
    data = with_(ocr_base(), administrations=[adm("ocrelizumab", START, dose_mg=300)])
    out = check(data, "ocrelizumab", date(2026, 1, 12))
    assert out.status == "needs_review"
    assert rules(out) == {"spacing.before_window"}


def test_ocr_prior_life_threatening_reaction_blocks():
    data = with_(
        ocr_base(),
        administrations=[adm("ocrelizumab", START, dose_mg=300, reaction="life_threatening")],
    )
    out = check(data, "ocrelizumab", date(2026, 1, 19))
    assert out.status == "blocked"
    why = reason(out, "ocr.life_threatening_reaction")
    assert "2026-01-05" in why.message


def test_ocr_prior_mild_reaction_does_not_block():
    data = with_(
        ocr_base(), administrations=[adm("ocrelizumab", START, dose_mg=300, reaction="mild")]
    )
    assert check(data, "ocrelizumab", date(2026, 1, 19)).status == "cleared"


def test_ocr_pregnancy_condition_follows_the_catalog():
    data = with_(ocr_base(), conditions=[{"condition": "pregnancy", "date": "2025-12-01"}])
    out = check(data, "ocrelizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"ocr.pregnancy"}


def test_ocr_positive_pregnancy_test_counts_as_pregnancy():
    data = with_(
        {**ocr_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "positive", date(2026, 1, 2))],
    )
    out = check(data, "ocrelizumab", START)
    # same verdict as a recorded pregnancy for this drug (ocr.pregnancy is review)
    assert out.status == "needs_review"
    assert reason(out, "pregnancy").test == "pregnancy_test"


def test_ocr_infusion_on_the_day_is_not_history():
    # the record already holds the infusion being checked: it must not count as given
    data = with_(ocr_base(), administrations=[adm("ocrelizumab", START, dose_mg=300)])
    out = check(data, "ocrelizumab", START)
    assert out.infusion is not None and out.infusion.number == 1
    assert out.status == "cleared"


def test_ocr_stopped_course_blocks():
    data = with_(
        ocr_base(),
        administrations=[adm("ocrelizumab", START, dose_mg=300)],
        courses=[{"drug": "ocrelizumab", "start": "2026-01-05", "stop": "2026-03-01"}],
    )
    out = check(data, "ocrelizumab", date(2026, 6, 22))
    assert out.status == "blocked"
    assert "2026-03-01" in reason(out, "course.stopped").message
    assert out.infusion is None


def test_reasons_are_ordered_blocks_reviews_infos():
    data = with_(
        ocr_maintenance_history(),
        conditions=[
            {"condition": "pregnancy", "date": "2026-12-01"},
            {"condition": "active_infection", "date": "2027-01-01"},
        ],
    )
    out = check(data, "ocrelizumab", date(2027, 1, 10))
    assert [r.severity for r in out.reasons] == ["block", "review", "info"]
    assert out.status == "blocked"


def test_to_dict_shape():
    out = check(without_test(ocr_base(), "hbsag"), "ocrelizumab", START)
    data = out.to_dict()
    assert list(data) == ["status", "drug", "date", "label", "reasons"]
    assert data["status"] == "blocked" and data["date"] == "2026-01-05"
    assert data["label"] == "initial dose 1 of 2"
    assert set(data["reasons"][0]) == {"rule", "severity", "test", "message", "source"}


def test_every_reason_has_a_source():
    data = with_(
        without_test(ocr_base(), "hbsag"),
        vaccinations=[{"vaccine": "mmr", "live": True, "date": "2025-12-20"}],
        conditions=[{"condition": "active_infection", "date": "2025-12-28"}],
    )
    out = check(data, "ocrelizumab", START)
    assert out.reasons and all(r.source for r in out.reasons)


def test_unknown_drug_is_a_care_error():
    with pytest.raises(CareError) as err:
        check_readiness(PatientRecord(), "aspirin", START)
    assert err.value.field == "drug"


# ================================================================ natalizumab (TOUCH, convention 10)


def nat_base(day: date = START, *, auth: date | None = None, program: str = "touch") -> dict:
    """Baseline MRI and anti-JCV done, TOUCH authorized, checklist all 'no' on the day."""
    return {
        "results": [
            res("mri_brain", "normal", day - timedelta(days=30)),
            res("anti_jcv_index", 0.3, day - timedelta(days=20)),
        ],
        "programs": [
            {
                "program": program,
                "action": "authorized",
                "date": iso(auth or day - timedelta(days=10)),
            }
        ],
        "checklists": [
            {
                "program": "touch",
                "date": iso(day),
                "answers": {"new_or_worsening_symptoms": False, "immunocompromised": False},
            }
        ],
    }


def test_nat_authorized_with_clean_checklist_is_cleared():
    assert check(nat_base(), "natalizumab", START).status == "cleared"


def test_nat_without_touch_authorization_blocks():
    out = check({**nat_base(), "programs": []}, "natalizumab", START)
    assert out.status == "blocked"
    assert "TOUCH" in reason(out, "program.not_authorized").message


def test_nat_enrolment_alone_is_not_an_authorization():
    data = {
        **nat_base(),
        "programs": [{"program": "touch", "action": "enrolled", "date": "2025-12-01"}],
    }
    assert "program.not_authorized" in rules(check(data, "natalizumab", START), "block")


def test_nat_authorization_six_months_and_a_day_ago_has_lapsed():
    # authorized 2026-01-15 -> valid through 2026-07-15 (6 calendar months)
    day = date(2026, 7, 16)
    out = check(nat_base(day, auth=date(2026, 1, 15)), "natalizumab", day)
    assert out.status == "blocked"
    why = reason(out, "program.authorization_expired")
    assert "2026-07-15" in why.message and "2026-07-16" in why.message


def test_nat_authorization_on_its_last_valid_day_is_current():
    day = date(2026, 7, 15)
    assert check(nat_base(day, auth=date(2026, 1, 15)), "natalizumab", day).status == "cleared"


def test_nat_authorization_month_end_clamping():
    # convention 2: 2026-08-31 + 6 months = 2027-02-28
    auth = date(2026, 8, 31)
    ok = check(nat_base(date(2027, 2, 28), auth=auth), "natalizumab", date(2027, 2, 28))
    assert ok.status == "cleared"
    day = date(2027, 3, 1)
    out = check(nat_base(day, auth=auth), "natalizumab", day)
    assert out.status == "blocked"
    assert "through 2027-02-28" in reason(out, "program.authorization_expired").message


def test_nat_reauthorization_renews_the_authorization():
    day = date(2026, 8, 1)
    data = with_(
        nat_base(day, auth=date(2026, 1, 15)),
        programs=[{"program": "touch", "action": "reauthorized", "date": "2026-07-10"}],
    )
    assert check(data, "natalizumab", day).status == "cleared"


def test_nat_discontinued_after_authorization_blocks():
    data = with_(
        nat_base(), programs=[{"program": "touch", "action": "discontinued", "date": "2026-01-02"}]
    )
    out = check(data, "natalizumab", START)
    assert out.status == "blocked"
    assert "program.discontinued" in rules(out)


def test_nat_checklist_yes_blocks_naming_the_question():
    data = nat_base()
    data["checklists"] = [
        {
            "program": "touch",
            "date": iso(START),
            "answers": {"new_or_worsening_symptoms": False, "immunocompromised": True},
        }
    ]
    out = check(data, "natalizumab", START)
    assert out.status == "blocked"
    why = reason(out, "program.checklist_yes")
    assert "immunocompromised" in why.message
    assert "new_or_worsening_symptoms" not in why.message
    assert "REMS-T6" in why.source


def test_nat_checklist_missing_needs_review():
    out = check({**nat_base(), "checklists": []}, "natalizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"program.checklist_missing"}


def test_nat_checklist_from_another_day_does_not_count():
    data = nat_base()
    data["checklists"] = [{**data["checklists"][0], "date": "2026-01-04"}]
    assert rules(check(data, "natalizumab", START)) == {"program.checklist_missing"}


def test_nat_checklist_with_an_unanswered_question_needs_review():
    data = nat_base()
    data["checklists"] = [
        {"program": "touch", "date": iso(START), "answers": {"immunocompromised": False}}
    ]
    out = check(data, "natalizumab", START)
    assert out.status == "needs_review"
    assert "new_or_worsening_symptoms" in reason(out, "program.checklist_incomplete").message


def test_nat_prior_hypersensitivity_blocks_retreatment():
    # NAT-R1: no re-treatment after a hypersensitivity reaction
    day = date(2026, 2, 2)
    data = with_(
        nat_base(day), administrations=[adm("natalizumab", START, reaction="hypersensitivity")]
    )
    out = check(data, "natalizumab", day)
    assert out.status == "blocked"
    assert "nat.hypersensitivity" in rules(out)


def test_nat_pml_blocks():
    data = with_(nat_base(), conditions=[{"condition": "pml", "date": "2025-06-01"}])
    assert "nat.pml" in rules(check(data, "natalizumab", START), "block")


def test_nat_positive_pregnancy_test_without_a_catalog_rule_blocks():
    data = with_(
        {**nat_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "positive", date(2026, 1, 3))],
    )
    out = check(data, "natalizumab", START)
    assert out.status == "blocked"
    assert reason(out, "pregnancy").severity == "block"


def test_tyruko_with_only_a_touch_authorization_blocks():
    # convention 10: a TOUCH authorization alone does not clear natalizumab-sztn
    out = check(nat_base(), "natalizumab-sztn", START)
    assert out.status == "blocked"
    why = reason(out, "program.not_authorized")
    assert "TYRUKO REMS" in why.message and "TOUCH" in why.message


def test_tyruko_with_its_own_authorization_is_cleared():
    data = nat_base(program="tyruko_rems")
    assert check(data, "natalizumab-sztn", START).status == "cleared"


# ================================================================ mitoxantrone (conventions 8 and 9)


def mit_base(day: date = START, *, lvef: float = 60.0, anc: float = 3000.0) -> dict[str, Any]:
    return {
        "height_cm": 170,
        "weight_kg": 70,
        "childbearing_potential": False,
        "results": [
            res("lvef", lvef, day - timedelta(days=5)),
            res("anc", anc, day - timedelta(days=3)),
            res("alt", 20.0, day - timedelta(days=3)),
        ],
    }


def mit_history(doses: int, first: date = date(2023, 1, 10)) -> list[dict[str, Any]]:
    """`doses` doses of 12 mg/m² every 3 calendar months (MIT-D1)."""
    from msinfusion.dates import add_months

    return [adm("mitoxantrone", add_months(first, 3 * k), dose_mg_per_m2=12) for k in range(doses)]


def test_mit_first_dose_is_cleared_with_the_bsa_dose():
    out = check(mit_base(), "mitoxantrone", START)
    assert out.status == "cleared"
    # T25 (a): 170 cm, 70 kg -> Mosteller 1.818 m² -> 21.8 mg
    assert out.infusion is not None and out.infusion.dose_mg == 21.8


def test_mit_lvef_49_blocks():
    out = check(mit_base(lvef=49.0), "mitoxantrone", START)
    assert out.status == "blocked"
    assert rules(out) == {"mit.lvef.threshold"}


def test_mit_lvef_50_passes():
    assert check(mit_base(lvef=50.0), "mitoxantrone", START).status == "cleared"


def test_mit_lvef_dated_before_the_previous_dose_blocks():
    # dose 1 on 2026-01-05; dose 2 due 2026-04-05. The only LVEF is from before dose 1.
    day = date(2026, 4, 6)
    data = mit_base(day)
    data["results"] = [res("lvef", 60.0, date(2025, 12, 20)), *data["results"][1:]]
    data["administrations"] = [adm("mitoxantrone", START, dose_mg_per_m2=12)]
    out = check(data, "mitoxantrone", day)
    assert out.status == "blocked"
    why = reason(out, "mit.lvef.expired")
    assert "2026-01-05" in why.message and "after the previous dose" in why.message


def test_mit_lvef_on_the_previous_dose_day_is_not_after_it():
    day = date(2026, 4, 6)
    data = mit_base(day)
    data["results"] = [res("lvef", 60.0, START), *data["results"][1:]]
    data["administrations"] = [adm("mitoxantrone", START, dose_mg_per_m2=12)]
    assert "mit.lvef.expired" in rules(check(data, "mitoxantrone", day), "block")


def test_mit_lvef_after_the_previous_dose_clears():
    day = date(2026, 4, 6)
    data = with_(mit_base(day), administrations=[adm("mitoxantrone", START, dose_mg_per_m2=12)])
    assert check(data, "mitoxantrone", day).status == "cleared"


def test_mit_lvef_fall_of_ten_points_needs_review():
    # baseline 65 before dose 1; 55 before dose 2: a fall of 10 (convention 9, policy)
    day = date(2026, 4, 6)
    data = with_(
        mit_base(day, lvef=55.0),
        results=[res("lvef", 65.0, date(2025, 12, 20))],
        administrations=[adm("mitoxantrone", START, dose_mg_per_m2=12)],
    )
    out = check(data, "mitoxantrone", day)
    assert out.status == "needs_review"
    why = reason(out, "mit.lvef.fall_from_baseline")
    assert "65" in why.message and "55" in why.message


def test_mit_lvef_fall_of_nine_points_is_cleared():
    day = date(2026, 4, 6)
    data = with_(
        mit_base(day, lvef=56.0),
        results=[res("lvef", 65.0, date(2025, 12, 20))],
        administrations=[adm("mitoxantrone", START, dose_mg_per_m2=12)],
    )
    assert check(data, "mitoxantrone", day).status == "cleared"


def test_mit_neutrophils_1499_block():
    out = check(mit_base(anc=1499.0), "mitoxantrone", START)
    assert out.status == "blocked"
    assert rules(out) == {"mit.neutrophils.threshold"}


def test_mit_neutrophils_1500_pass():
    assert check(mit_base(anc=1500.0), "mitoxantrone", START).status == "cleared"


def test_mit_neutrophil_count_older_than_a_month_is_expired():
    # tests.toml: ANC valid 31 days; the requirement sets no age of its own
    data = mit_base()
    data["results"] = [
        res("anc", 3000.0, date(2025, 11, 26)) if r["test"] == "anc" else r for r in data["results"]
    ]
    out = check(data, "mitoxantrone", START)
    assert out.status == "blocked"
    assert "mit.neutrophils.expired" in rules(out)


def test_mit_us_lifetime_limit_blocks_the_twelfth_dose():
    # 11 x 12 = 132 mg/m²; a 12th dose would make 144 > 140 (US): 8 mg/m² remaining
    history = mit_history(11)  # last dose 2025-07-10, next due 2025-10-10
    day = date(2025, 10, 10)
    out = check(with_(mit_base(day), administrations=history), "mitoxantrone", day)
    assert out.status == "blocked"
    why = reason(out, "cumulative.limit")
    assert "8 mg/m² remaining" in why.message and "132" in why.message
    assert "MIT-D2" in why.source


def test_mit_us_eleventh_dose_is_within_the_limit():
    # 10 x 12 = 120; the 11th makes 132 <= 140
    day = date(2025, 7, 10)
    out = check(with_(mit_base(day), administrations=mit_history(10)), "mitoxantrone", day)
    assert out.status == "cleared"


def test_mit_eu_limit_blocks_the_seventh_dose():
    # EU 72 mg/m²: 6 x 12 = 72 already; the 7th would make 84 (convention 9, 13)
    day = date(2024, 7, 10)
    data = {**with_(mit_base(day), administrations=mit_history(6)), "region": "EU"}
    out = check(data, "mitoxantrone", day)
    assert out.status == "blocked"
    assert "0 mg/m² remaining" in reason(out, "cumulative.limit").message


def test_mit_eu_sixth_dose_reaches_the_limit_exactly():
    day = date(2024, 4, 10)
    data = {**with_(mit_base(day), administrations=mit_history(5)), "region": "EU"}
    assert check(data, "mitoxantrone", day).status == "cleared"


def test_mit_without_height_and_weight_blocks():
    data = {k: v for k, v in mit_base().items() if k not in ("height_cm", "weight_kg")}
    out = check(data, "mitoxantrone", START)
    assert out.status == "blocked"
    why = reason(out, "dose.height_weight_missing")
    assert "height_cm" in why.message and "weight_kg" in why.message


def test_mit_past_dose_without_any_dose_is_assumed_and_said():
    day = date(2026, 4, 6)
    data = with_(mit_base(day), administrations=[adm("mitoxantrone", START)])
    data["height_cm"] = None
    data["weight_kg"] = None
    out = check({k: v for k, v in data.items() if v is not None}, "mitoxantrone", day)
    assert reason(out, "cumulative.assumed").severity == "info"


def test_mit_pregnancy_test_required_for_childbearing_potential():
    data = {**mit_base(), "childbearing_potential": True}
    out = check(data, "mitoxantrone", START)
    assert out.status == "blocked"
    assert rules(out) == {"mit.pregnancy_test.missing"}


def test_mit_negative_pregnancy_test_within_a_week_clears():
    data = with_(
        {**mit_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "negative", date(2026, 1, 2))],
    )
    assert check(data, "mitoxantrone", START).status == "cleared"


def test_mit_pregnancy_test_older_than_seven_days_is_expired():
    data = with_(
        {**mit_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "negative", date(2025, 12, 28))],
    )
    out = check(data, "mitoxantrone", START)
    assert out.status == "blocked"
    assert rules(out) == {"mit.pregnancy_test.expired"}


def test_mit_positive_pregnancy_test_uses_the_catalog_threshold_only():
    data = with_(
        {**mit_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "positive", date(2026, 1, 2))],
    )
    out = check(data, "mitoxantrone", START)
    assert out.status == "needs_review"
    assert rules(out) == {"mit.pregnancy_test.threshold"}  # not duplicated as "pregnancy"


def test_mit_unknown_childbearing_potential_applies_the_test_and_says_so():
    data = {k: v for k, v in mit_base().items() if k != "childbearing_potential"}
    out = check(data, "mitoxantrone", START)
    assert "not recorded" in reason(out, "mit.pregnancy_test.missing").message


def test_mit_childbearing_false_skips_the_test():
    assert check(mit_base(), "mitoxantrone", START).status == "cleared"


# ================================================================ alemtuzumab (conventions 3, 10, 11)

COURSE1 = [date(2026, 1, 5) + timedelta(days=k) for k in range(5)]  # 5 consecutive days (LEM-D1)
COURSE2 = [date(2027, 1, 5) + timedelta(days=k) for k in range(3)]  # 12 months start to start


def rems_labs(drawn: date) -> list[dict[str, Any]]:
    """LEM-B5 REMS baseline labs."""
    return [
        res("cbc", "normal", drawn),
        res("creatinine", 0.8, drawn),
        res("urinalysis", "normal", drawn),
        res("tsh", 1.5, drawn),
    ]


def lem_base(labs: date = date(2025, 12, 20), history: list[date] = ()) -> dict[str, Any]:
    screened = date(2025, 12, 1)
    return {
        "results": [
            *rems_labs(labs),
            res("hiv", "negative", screened),
            res("vzv_igg", "positive", screened),
            res("tb_screen", "negative", screened),
            res("skin_exam", "normal", screened),
        ],
        "programs": [{"program": "lemtrada_rems", "action": "enrolled", "date": "2025-12-01"}],
        "administrations": [adm("alemtuzumab", d, dose_mg=12) for d in history],
    }


def test_lem_course_one_is_cleared():
    out = check(lem_base(), "alemtuzumab", START)
    assert out.status == "cleared"


def test_lem_rems_labs_older_than_30_days_block():
    # 2025-12-05 is 31 days before 2026-01-05 (LEM-B5: within the 30 days before)
    out = check(lem_base(labs=date(2025, 12, 5)), "alemtuzumab", START)
    assert out.status == "blocked"
    assert rules(out) == {
        "lem.cbc.expired",
        "lem.creatinine.expired",
        "lem.urinalysis.expired",
        "lem.tsh.expired",
    }
    assert "30 days" in reason(out, "lem.tsh.expired").message


def test_lem_rems_labs_exactly_30_days_old_pass():
    assert check(lem_base(labs=date(2025, 12, 6)), "alemtuzumab", START).status == "cleared"


def test_lem_hiv_positive_blocks():
    out = check(replace_result(lem_base(), "hiv", "positive"), "alemtuzumab", START)
    assert out.status == "blocked"
    assert "lem.hiv.threshold" in rules(out)


def test_lem_hiv_condition_blocks():
    data = with_(lem_base(), conditions=[{"condition": "hiv", "date": "2020-01-01"}])
    assert "lem.hiv" in rules(check(data, "alemtuzumab", START), "block")


def test_lem_vzv_vaccination_five_weeks_before_blocks():
    # LEM-B2: postpone until 6 weeks after VZV vaccination: 2025-12-01 + 42 days = 2026-01-12
    data = with_(
        lem_base(), vaccinations=[{"vaccine": "varicella", "live": True, "date": "2025-12-01"}]
    )
    out = check(data, "alemtuzumab", START)
    assert out.status == "blocked"
    assert "2026-01-12" in reason(out, "lem.vzv_vaccine").message


def test_lem_vzv_vaccination_six_weeks_before_is_fine():
    data = with_(
        lem_base(), vaccinations=[{"vaccine": "varicella", "live": True, "date": "2025-11-24"}]
    )
    assert check(data, "alemtuzumab", START).status == "cleared"


def test_lem_course_day_two_needs_no_new_baseline():
    data = {**lem_base(history=COURSE1[:1]), "results": []}
    out = check(data, "alemtuzumab", COURSE1[1])
    assert out.status == "cleared"
    assert out.infusion is not None and out.infusion.label == "course 1 day 2"


def test_lem_not_enrolled_in_rems_blocks():
    out = check({**lem_base(), "programs": []}, "alemtuzumab", START)
    assert "program.not_authorized" in rules(out, "block")


def test_lem_course_two_eleven_and_a_half_months_after_course_one_start_blocks():
    # convention 3: course 2 due 12 months after 2026-01-05 = 2027-01-05; 2026-12-20 is earlier
    day = date(2026, 12, 20)
    data = lem_base(labs=date(2026, 12, 10), history=COURSE1)
    out = check(data, "alemtuzumab", day)
    assert out.status == "blocked"
    assert "2027-01-05" in reason(out, "spacing.too_short").message


def test_lem_course_two_on_its_due_date_is_cleared():
    data = lem_base(labs=date(2026, 12, 10), history=COURSE1)
    out = check(data, "alemtuzumab", date(2027, 1, 5))
    assert out.status == "cleared"
    assert out.infusion is not None and out.infusion.label == "course 2 day 1"


def test_lem_course_two_needs_fresh_rems_labs():
    # the course-1 labs (2025-12-20) are far older than 30 days before 2027-01-05
    data = lem_base(history=COURSE1)
    assert "lem.cbc.expired" in rules(check(data, "alemtuzumab", date(2027, 1, 5)), "block")


def test_lem_course_three_eleven_months_after_course_two_blocks():
    # LEM-D2 / convention 3: >= 12 months after the last dose of course 2 (2027-01-07) = 2028-01-07
    day = date(2027, 12, 7)
    data = lem_base(labs=date(2027, 11, 30), history=COURSE1 + COURSE2)
    out = check(data, "alemtuzumab", day)
    assert out.status == "blocked"
    assert "2028-01-07" in reason(out, "spacing.too_short").message


def test_lem_course_three_after_twelve_months_is_an_additional_course():
    day = date(2028, 1, 7)
    data = lem_base(labs=date(2027, 12, 20), history=COURSE1 + COURSE2)
    out = check(data, "alemtuzumab", day)
    assert out.status == "cleared"
    assert reason(out, "alemtuzumab.additional_course").severity == "info"
    assert out.infusion is not None and out.infusion.dose_mg == 12
    assert out.infusion.label == "course 3 (additional) day 1 of 3"


def test_lem_course_three_day_two_follows_day_one():
    day1 = date(2028, 1, 7)
    data = lem_base(labs=date(2027, 12, 20), history=[*COURSE1, *COURSE2, day1])
    out = check(data, "alemtuzumab", day1 + timedelta(days=1))
    assert out.status == "cleared"
    assert out.infusion is not None and out.infusion.label == "course 3 (additional) day 2 of 3"


def test_lem_vaccine_rule_applies_before_every_course():
    data = with_(
        lem_base(labs=date(2026, 12, 20), history=COURSE1),
        vaccinations=[{"vaccine": "varicella", "live": True, "date": "2026-12-01"}],
    )
    assert "lem.vzv_vaccine" in rules(check(data, "alemtuzumab", date(2027, 1, 5)), "block")


# ================================================================ rituximab (convention 14)


def test_rtx_needs_a_regimen():
    with pytest.raises(CareError) as err:
        check_readiness(PatientRecord(), "rituximab", START)
    assert err.value.field == "regimen"


def test_rtx_requires_hbv_screening():
    out = check({}, "rituximab", START, regimen_id="hermes")
    assert out.status == "blocked"
    assert {"rtx.hbv_screen.missing", "rtx.hbv_core.missing"} <= rules(out, "block")
    assert "regimen.off_label" in rules(out, "info")


def test_rtx_course_regimen_with_screening_is_cleared_and_labelled_off_label():
    data = {
        "courses": [{"drug": "rituximab", "start": "2026-01-05", "regimen": "rifund-ms"}],
        "results": [
            res("hbsag", "negative", date(2025, 12, 1)),
            res("anti_hbc", "negative", date(2025, 12, 1)),
        ],
    }
    out = check(data, "rituximab", START)
    assert out.status == "cleared"
    assert rules(out) == {"regimen.off_label"}


def test_rtx_hbsag_positive_blocks():
    data = {
        "results": [
            res("hbsag", "positive", date(2025, 12, 1)),
            res("anti_hbc", "negative", date(2025, 12, 1)),
        ]
    }
    out = check(data, "rituximab", START, regimen_id="hermes")
    assert "rtx.hbv_screen.threshold" in rules(out, "block")


# ================================================================ property: a blocking fact never clears

BASES = {
    "ocrelizumab": ocr_base,
    "ublituximab": ocr_base,
    "natalizumab": nat_base,
    "natalizumab-sztn": lambda: nat_base(program="tyruko_rems"),
    "alemtuzumab": lem_base,
}


def blocking_conditions(drug: str) -> list[tuple[str, str]]:
    """(contraindication id, condition) pairs that the catalog says block this drug."""
    return [
        (ci.id, cond)
        for ci in default_catalog().drug(drug).contraindications
        if ci.severity == "block"
        for cond in ci.conditions
    ]


@st.composite
def cases(draw):
    drug = draw(st.sampled_from(sorted(BASES)))
    data = BASES[drug]()
    results = data.get("results", [])
    keep = draw(st.lists(st.booleans(), min_size=len(results), max_size=len(results)))
    data["results"] = [r for r, k in zip(results, keep, strict=True) if k or draw(st.booleans())]
    data["childbearing_potential"] = draw(st.sampled_from([True, False, None]))
    vaccinations = draw(
        st.lists(
            st.builds(
                lambda live, back: {
                    "vaccine": "varicella" if live else "influenza",
                    "live": live,
                    "date": iso(START - timedelta(days=back)),
                },
                st.booleans(),
                st.integers(0, 90),
            ),
            max_size=2,
        )
    )
    data["vaccinations"] = vaccinations
    rule, condition = draw(st.sampled_from(blocking_conditions(drug)))
    since = START - timedelta(days=draw(st.integers(0, 400)))
    resolved = draw(
        st.one_of(st.none(), st.integers(1, 30).map(lambda d: START + timedelta(days=d)))
    )
    fact = {"condition": condition, "date": iso(since)}
    if resolved is not None:
        fact["resolved"] = iso(resolved)
    return drug, data, rule, fact


@settings(max_examples=60, deadline=None)
@given(cases())
def test_adding_a_blocking_condition_never_yields_cleared(case):
    drug, data, rule, fact = case
    before = check(data, drug, START)
    after = check(with_(data, conditions=[fact]), drug, START)
    assert after.status == "blocked"
    assert rule in rules(after, "block")
    # adding a fact only adds reasons
    assert set(before.reasons) <= set(after.reasons)


def test_the_property_base_records_are_cleared():
    # the property starts from cleared records (when nothing is dropped)
    for drug, base in BASES.items():
        data = base()
        data["childbearing_potential"] = False
        assert check(data, drug, START).status == "cleared", drug


def test_an_older_positive_pregnancy_test_still_asks_for_review():
    # pregnancy tests are valid 7 days (tests.toml); a positive one 10 days old is still the latest
    data = with_(
        {**nat_base(), "childbearing_potential": True},
        results=[res("pregnancy_test", "positive", date(2025, 12, 26))],
    )
    out = check(data, "natalizumab", START)
    assert out.status == "needs_review"
    assert rules(out) == {"pregnancy.unconfirmed"}


def test_a_later_negative_pregnancy_test_supersedes_a_positive_one():
    data = with_(
        {**nat_base(), "childbearing_potential": True},
        results=[
            res("pregnancy_test", "positive", date(2025, 12, 1)),
            res("pregnancy_test", "negative", date(2026, 1, 2)),
        ],
    )
    assert check(data, "natalizumab", START).status == "cleared"
