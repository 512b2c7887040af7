"""Plain words for patients: durations, chair time, readiness, programs and diary ratings."""

from __future__ import annotations

from datetime import date

import pytest

from msinfusion.care.patient_guide import (
    CHECKLIST_QUESTIONS,
    HEADLINES,
    countdown_text,
    date_text,
    drug_title,
    duration_text,
    plain_readiness,
    plan_for,
    program_status,
    symptom_labels,
    valid_ratings,
)
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import default_catalog

D = date.fromisoformat


def drug(drug_id: str):
    return default_catalog().drug(drug_id)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (240, "4 hours"),
        (301, "5 hours 1 minute"),
    ],
)
def test_duration_text_reads_as_hours_and_minutes(minutes, text):
    assert duration_text(minutes) == text


def test_duration_text_refuses_negative_minutes():
    with pytest.raises(ValueError):
        duration_text(-1)


@pytest.mark.parametrize(
    ("day", "text"),
    [
        ("2026-01-10", "today"),
        ("2026-01-11", "tomorrow"),
        ("2026-01-19", "in 9 days"),
        ("2026-01-09", "yesterday"),
        ("2026-01-07", "3 days ago"),
    ],
)
def test_countdown_counts_calendar_days(day, text):
    assert countdown_text(D(day), D("2026-01-10")) == text


def test_date_text_and_drug_title():
    assert date_text(D("2026-01-19")) == "Mon 19 Jan 2026"
    assert drug_title(drug("ocrelizumab")) == "Ocrevus (ocrelizumab)"


def test_plan_for_first_ocrelizumab_infusions_is_four_hours_without_shorter_option():
    # ocrelizumab.toml infusions 1-2: 30 min premedication + 150 min infusion + 60 min observation
    first = plan_infusions(drug("ocrelizumab"), start=D("2026-01-05")).infusions[0]
    how_long = plan_for(first.chair, drug("ocrelizumab"))
    assert how_long.total_minutes == 240
    assert how_long.total == "4 hours"
    assert how_long.parts == (
        ("Medicines before the infusion", "30 minutes"),
        ("The infusion itself", "2 hours 30 minutes"),
        ("Staying to be watched afterwards", "1 hour"),
    )
    assert how_long.shorter is None
    assert "OCR-I2" in how_long.source


def test_plan_for_offers_the_shorter_ocrelizumab_option_when_eligible():
    # infusion 3+: 30 + 210 + 60 = 300 min; the 2-hour option (OCR-I4): 30 + 120 + 60 = 210 min
    third = plan_infusions(drug("ocrelizumab"), start=D("2026-01-05")).infusions[2]
    how_long = plan_for(third.chair, drug("ocrelizumab"))
    assert how_long.total == "5 hours"
    assert how_long.shorter_total_minutes == 210
    assert "about 2 hours" in how_long.shorter
    assert "3 hours 30 minutes in total" in how_long.shorter
    assert "OCR-I4" in how_long.shorter_source


def starter() -> PatientRecord:
    """Starting ocrelizumab on 2026-02-02 with only a negative HBsAg on file."""
    return PatientRecord.from_dict(
        {
            "childbearing_potential": False,
            "courses": [{"drug": "ocrelizumab", "start": "2026-02-02"}],
            "results": [{"test": "hbsag", "value": "negative", "date": "2026-01-02"}],
        }
    )


def test_missing_baseline_results_become_needed_tests_due_on_the_infusion_day():
    readiness = check_readiness(starter(), "ocrelizumab", D("2026-02-02"))
    plain = plain_readiness(readiness)
    assert plain.status == "blocked"
    assert plain.headline == HEADLINES["blocked"]
    by_test = {t.test: t for t in plain.needed}
    assert set(by_test) == {"anti_hbc", "igg", "alt"}  # HBsAg is on file
    assert {t.by for t in plain.needed} == {D("2026-02-02")}
    # tests.toml: IgG valid 365 days, ALT 92 days; anti-HBc has no expiry
    assert by_test["igg"].not_before == D("2025-02-02")
    assert by_test["alt"].not_before == D("2025-11-02")
    assert by_test["anti_hbc"].not_before is None
    assert by_test["igg"].name == "Immunoglobulin G, serum"
    assert not any(t.too_old for t in plain.needed)
    assert "OCR-B2" in by_test["igg"].source
    assert plain.reasons == ()


def test_an_expired_result_is_needed_again_and_marked_too_old():
    record = starter().model_copy(
        update={
            "results": (
                *starter().results,
                *PatientRecord.from_dict(
                    {
                        "results": [
                            {"test": "alt", "value": 20, "date": "2025-06-01"},
                            {"test": "igg", "value": 900, "date": "2026-01-05"},
                            {"test": "anti_hbc", "value": "negative", "date": "2026-01-05"},
                        ]
                    }
                ).results,
            )
        }
    )
    plain = plain_readiness(check_readiness(record, "ocrelizumab", D("2026-02-02")))
    assert [(t.test, t.too_old) for t in plain.needed] == [("alt", True)]


def test_other_reasons_are_rephrased_and_keep_the_care_team_wording_and_source():
    record = PatientRecord.from_dict(
        {
            "administrations": [{"drug": "natalizumab", "date": "2025-12-15", "dose_mg": 300}],
            "courses": [{"drug": "natalizumab", "start": "2025-12-15"}],
        }
    )
    readiness = check_readiness(record, "natalizumab", D("2026-01-12"))
    plain = plain_readiness(readiness)
    texts = {r.text for r in plain.reasons}
    assert (
        "Your TOUCH Prescribing Program authorization is not on file yet. Your care team arranges "
        "it; the infusion cannot go ahead without it."
    ) in texts
    not_authorized = next(r for r in readiness.reasons if r.rule == "program.not_authorized")
    kept = next(r for r in plain.reasons if r.detail == not_authorized.message)
    assert kept.source == not_authorized.source
    assert kept.severity == "block"


def test_too_early_infusion_names_the_earliest_day():
    # OCR-D4: maintenance doses at least 5 months apart; infusion 2 on 2026-01-19 -> 2026-06-19
    record = PatientRecord.from_dict(
        {
            "childbearing_potential": False,
            "administrations": [
                {"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": 300},
                {"drug": "ocrelizumab", "date": "2026-01-19", "dose_mg": 300},
            ],
        }
    )
    plain = plain_readiness(check_readiness(record, "ocrelizumab", D("2026-05-01")))
    assert any(
        r.text.endswith("the earliest day it can be given is Fri 19 Jun 2026.")
        for r in plain.reasons
    )


def natalizumab_record(*actions: tuple[str, str]) -> PatientRecord:
    return PatientRecord.from_dict(
        {"programs": [{"program": "touch", "action": a, "date": d} for a, d in actions]}
    )


def test_touch_authorization_is_valid_six_months_after_the_latest_one():
    # natalizumab.toml: authorization_valid = 6 months (REMS-T4, convention 10)
    record = natalizumab_record(("enrolled", "2025-11-20"), ("authorized", "2025-12-01"))
    status = program_status(drug("natalizumab"), record, D("2026-01-10"))
    assert status.name == "TOUCH Prescribing Program"
    assert status.authorized_on == D("2025-12-01")
    assert status.valid_through == D("2026-06-01")
    assert not status.expired
    assert status.enrolled
    assert status.checklist == (
        CHECKLIST_QUESTIONS["new_or_worsening_symptoms"],
        CHECKLIST_QUESTIONS["immunocompromised"],
    )
    later = program_status(drug("natalizumab"), record, D("2026-06-02"))
    assert later.expired


def test_reauthorization_moves_the_valid_until_date_and_discontinuation_ends_it():
    record = natalizumab_record(("authorized", "2025-12-01"), ("reauthorized", "2026-05-20"))
    assert program_status(drug("natalizumab"), record, D("2026-06-10")).valid_through == D(
        "2026-11-20"
    )
    stopped = natalizumab_record(("authorized", "2025-12-01"), ("discontinued", "2026-02-01"))
    status = program_status(drug("natalizumab"), stopped, D("2026-03-01"))
    assert status.discontinued_on == D("2026-02-01")
    assert not status.enrolled


def test_actions_after_today_are_not_counted_and_drugs_without_a_program_have_none():
    record = natalizumab_record(("authorized", "2026-02-01"))
    status = program_status(drug("natalizumab"), record, D("2026-01-10"))
    assert status.authorized_on is None and status.valid_through is None
    assert program_status(drug("ocrelizumab"), record, D("2026-01-10")) is None


def test_lemtrada_rems_has_no_expiry_encoded():
    record = PatientRecord.from_dict(
        {"programs": [{"program": "lemtrada_rems", "action": "enrolled", "date": "2025-01-01"}]}
    )
    status = program_status(drug("alemtuzumab"), record, D("2026-01-10"))
    assert status.authorized_on == D("2025-01-01")
    assert status.valid_through is None and not status.expired
    assert status.checklist == ()


def test_valid_ratings_keeps_given_ratings_and_rejects_bad_ones():
    assert valid_ratings({"fatigue": 6, "pain": None, "sleep": 0}) == {"fatigue": 6, "sleep": 0}
    with pytest.raises(ValueError, match="unknown symptom"):
        valid_ratings({"hunger": 3})
    with pytest.raises(ValueError, match="between 0 and 10"):
        valid_ratings({"pain": 11})
    with pytest.raises(ValueError, match="whole number"):
        valid_ratings({"pain": 2.5})
    with pytest.raises(ValueError, match="whole number"):
        valid_ratings({"pain": True})


def test_symptom_labels_follow_the_diary_order():
    assert list(symptom_labels({"sleep": 2, "fatigue": 7})) == [("Tiredness", 7), ("Sleep", 2)]
