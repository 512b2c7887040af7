"""Infusion plans against the dates and doses the sources give (facts.md, conventions.md)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog

D = date.fromisoformat


def drug(drug_id: str):
    return default_catalog().drug(drug_id)


def record(*administrations: tuple[str, str, float], **fields) -> PatientRecord:
    adms = [{"drug": d, "date": day, "dose_mg": mg} for d, day, mg in administrations]
    return PatientRecord.from_dict({"administrations": adms, **fields})


def dates(plan) -> list[str]:
    return [i.date.isoformat() for i in plan.infusions]


# ------------------------------------------------------------ ocrelizumab (facts.md T01, OCR-D1..D5)


def test_ocrelizumab_initiation_follows_worked_example_t01():
    plan = plan_infusions(drug("ocrelizumab"), start=D("2026-01-05"), until=D("2026-12-31"))
    assert dates(plan) == ["2026-01-05", "2026-01-19", "2026-06-22", "2026-12-07"]
    assert [i.dose_mg for i in plan.infusions] == [300, 300, 600, 600]
    assert [i.label for i in plan.infusions[:3]] == [
        "initial dose 1 of 2",
        "initial dose 2 of 2",
        "subsequent dose 1",
    ]


def test_first_subsequent_dose_counts_from_infusion_1_not_infusion_2():
    history = record(("ocrelizumab", "2026-01-05", 300), ("ocrelizumab", "2026-01-19", 300))
    plan = plan_infusions(drug("ocrelizumab"), record=history)
    assert plan.next.date == D("2026-06-22")  # 2026-07-06 would be 24 weeks after infusion 2
    assert "2026-01-05" in plan.next.why


def test_late_dose_resets_the_schedule_to_24_weeks_after_it():
    history = record(
        ("ocrelizumab", "2026-01-05", 300),
        ("ocrelizumab", "2026-01-19", 300),
        ("ocrelizumab", "2026-08-03", 600),  # due 2026-06-22, given six weeks late
    )
    plan = plan_infusions(drug("ocrelizumab"), record=history)
    assert plan.next.date == D("2026-08-03") + timedelta(weeks=24) == D("2027-01-18")
    assert "resets" in plan.next.why


def test_early_dose_keeps_the_original_grid():
    history = record(
        ("ocrelizumab", "2026-01-05", 300),
        ("ocrelizumab", "2026-01-19", 300),
        ("ocrelizumab", "2026-06-15", 600),  # a week before its due date 2026-06-22
    )
    plan = plan_infusions(drug("ocrelizumab"), record=history)
    assert plan.next.date == D("2026-12-07")


def test_earliest_is_five_calendar_months_after_the_previous_dose():
    history = record(
        ("ocrelizumab", "2026-01-05", 300),
        ("ocrelizumab", "2026-01-19", 300),
        ("ocrelizumab", "2026-06-22", 600),
    )
    nxt = plan_infusions(drug("ocrelizumab"), record=history).next
    assert nxt.hard_earliest == D("2026-11-22")
    assert nxt.earliest == D("2026-11-22")


def test_ocrelizumab_chair_time_first_two_infusions_and_later():
    plan = plan_infusions(drug("ocrelizumab"), start=D("2026-01-05"), until=D("2026-07-01"))
    first, second, third = plan.infusions
    # OCR-I2: >= 2.5 h; OCR-I3: >= 3.5 h; OCR-O1: >= 1 h observation; OCR-P1: premedication ~30 min
    assert (first.chair.infusion_minutes, first.chair.observation_minutes) == (150, 60)
    assert second.chair_minutes == 30 + 150 + 60
    assert third.chair_minutes == 30 + 210 + 60
    assert first.chair.shorter_infusion_minutes is None  # OCR-I4: not for the initial dose
    assert third.chair.shorter_infusion_minutes == 120


def test_serious_reaction_removes_the_shorter_infusion_option():
    history = record(("ocrelizumab", "2026-01-05", 300))
    reacted = PatientRecord.from_dict(
        {
            "administrations": [
                {
                    "drug": "ocrelizumab",
                    "date": "2026-01-05",
                    "dose_mg": 300,
                    "reaction": "serious",
                },
                {"drug": "ocrelizumab", "date": "2026-01-19", "dose_mg": 300},
            ]
        }
    )
    assert (
        plan_infusions(drug("ocrelizumab"), record=reacted).next.chair.shorter_infusion_minutes
        is None
    )
    assert plan_infusions(drug("ocrelizumab"), record=history).infusions[0].number == 2


def test_default_horizon_lists_at_least_twelve_months():
    plan = plan_infusions(drug("natalizumab"), start=D("2026-01-05"))
    assert plan.infusions[-1].date >= D("2026-12-05")
    assert plan.infusions[-1].date <= D("2027-01-05")


def test_stopped_course_has_no_plan():
    stopped = PatientRecord.from_dict(
        {
            "administrations": [{"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": 300}],
            "courses": [{"drug": "ocrelizumab", "start": "2026-01-05", "stop": "2026-02-01"}],
        }
    )
    plan = plan_infusions(drug("ocrelizumab"), record=stopped)
    assert plan.infusions == ()
    assert plan.stopped == D("2026-02-01")


def test_no_start_and_no_history_is_an_error_naming_start():
    with pytest.raises(CareError) as err:
        plan_infusions(drug("ocrelizumab"), record=PatientRecord())
    assert err.value.field == "start"


# ------------------------------------------------------------ ublituximab (BRI-D1)


def test_ublituximab_150_then_450_two_weeks_later_then_every_24_weeks_from_infusion_1():
    plan = plan_infusions(drug("ublituximab"), start=D("2026-02-02"), until=D("2027-01-31"))
    assert dates(plan) == ["2026-02-02", "2026-02-16", "2026-07-20", "2027-01-04"]
    assert [i.dose_mg for i in plan.infusions] == [150, 450, 450, 450]


def test_ublituximab_first_infusion_about_4_hours_then_about_1_hour():
    plan = plan_infusions(drug("ublituximab"), start=D("2026-02-02"), until=D("2026-08-01"))
    assert [i.chair.infusion_minutes for i in plan.infusions] == [240, 60, 60]
    # BRI-O1: observation >= 1 h after the first two infusions only
    assert [i.chair.observation_minutes for i in plan.infusions] == [60, 60, 0]


# ------------------------------------------------------------ natalizumab (NAT-D1)


def test_natalizumab_every_4_weeks_from_the_previous_infusion():
    history = record(("natalizumab", "2026-01-05", 300), ("natalizumab", "2026-02-09", 300))
    plan = plan_infusions(drug("natalizumab"), record=history, until=D("2026-04-30"))
    assert dates(plan) == ["2026-03-09", "2026-04-06"]
    assert {i.dose_mg for i in plan.infusions} == {300}


def test_natalizumab_observation_for_the_first_12_infusions_only():
    plan = plan_infusions(drug("natalizumab"), start=D("2026-01-05"), until=D("2027-03-01"))
    observation = [i.chair.observation_minutes for i in plan.infusions]
    assert observation[:12] == [60] * 12
    assert set(observation[12:]) == {0}


# ------------------------------------------------------------ alemtuzumab (LEM-D1, convention 3)


def test_alemtuzumab_course_1_five_days_course_2_three_days_twelve_months_later():
    plan = plan_infusions(drug("alemtuzumab"), start=D("2026-03-02"))
    assert dates(plan) == [
        "2026-03-02",
        "2026-03-03",
        "2026-03-04",
        "2026-03-05",
        "2026-03-06",
        "2027-03-02",
        "2027-03-03",
        "2027-03-04",
    ]
    assert {i.dose_mg for i in plan.infusions} == {12}
    assert plan.infusions[7].label.endswith("3")
    assert "2" in plan.infusions[5].label


def test_alemtuzumab_course_days_stay_consecutive_after_a_missed_day():
    history = record(
        ("alemtuzumab", "2026-03-02", 12),
        ("alemtuzumab", "2026-03-03", 12),
        ("alemtuzumab", "2026-03-05", 12),  # day 3 given a day late
    )
    plan = plan_infusions(drug("alemtuzumab"), record=history)
    assert dates(plan)[:2] == ["2026-03-06", "2026-03-07"]
    assert plan.infusions[2].date == D("2027-03-02")  # course 2: 12 months after course 1 day 1


def test_alemtuzumab_observation_two_hours_after_each_infusion():
    plan = plan_infusions(drug("alemtuzumab"), start=D("2026-03-02"))
    assert {i.chair.observation_minutes for i in plan.infusions} == {120}


# ------------------------------------------------------------ mitoxantrone (MIT-D1, D2, T25, conv. 8-9)


@pytest.mark.parametrize(("height", "weight", "expected_mg"), [(170, 70, 21.8), (160, 95, 24.7)])
def test_mitoxantrone_dose_from_mosteller_bsa(height, weight, expected_mg):
    patient = PatientRecord.from_dict({"height_cm": height, "weight_kg": weight})
    plan = plan_infusions(drug("mitoxantrone"), start=D("2026-01-05"), record=patient)
    assert plan.next.dose_mg == expected_mg
    assert "Mosteller" in plan.next.dose_basis


def test_mitoxantrone_every_3_calendar_months_with_month_end_clamping():
    plan = plan_infusions(
        drug("mitoxantrone"),
        start=D("2026-08-31"),
        record=PatientRecord.from_dict({"height_cm": 170, "weight_kg": 70}),
        until=D("2027-03-31"),
    )
    assert dates(plan) == ["2026-08-31", "2026-11-30", "2027-02-28"]


def test_mitoxantrone_without_height_and_weight_has_no_mg_dose():
    plan = plan_infusions(drug("mitoxantrone"), start=D("2026-01-05"))
    assert plan.next.dose_mg is None
    assert "height" in plan.next.dose_basis


def _mitox_history(doses: int, region: str) -> PatientRecord:
    day = D("2020-01-06")
    adms = []
    for _ in range(doses):
        adms.append({"drug": "mitoxantrone", "date": day.isoformat(), "dose_mg_per_m2": 12})
        day += timedelta(days=91)
    return PatientRecord.from_dict(
        {"height_cm": 170, "weight_kg": 70, "region": region, "administrations": adms}
    )


def test_mitoxantrone_stops_at_the_us_lifetime_limit_of_140():
    # 10 doses = 120 mg/m²; an 11th reaches 132; a 12th would be 144 > 140
    plan = plan_infusions(
        drug("mitoxantrone"), record=_mitox_history(10, "US"), until=D("2030-01-01")
    )
    assert len(plan.infusions) == 1
    assert any("140" in note for note in plan.notes)


def test_mitoxantrone_stops_at_the_eu_lifetime_limit_of_72():
    plan = plan_infusions(
        drug("mitoxantrone"), record=_mitox_history(5, "EU"), until=D("2030-01-01")
    )
    assert len(plan.infusions) == 1  # 6 x 12 = 72 is allowed, a 7th is not
    assert plan_infusions(drug("mitoxantrone"), record=_mitox_history(6, "EU")).infusions == ()


# ------------------------------------------------------------ rituximab (off-label, convention 14)


def test_rituximab_needs_a_regimen():
    with pytest.raises(CareError) as err:
        plan_infusions(drug("rituximab"), start=D("2026-01-05"))
    assert err.value.field == "regimen"


def test_rituximab_hermes_is_two_1000_mg_infusions_two_weeks_apart_and_off_label():
    plan = plan_infusions(drug("rituximab"), start=D("2026-01-05"), regimen_id="hermes")
    assert dates(plan) == ["2026-01-05", "2026-01-19"]
    assert [i.dose_mg for i in plan.infusions] == [1000, 1000]
    assert plan.off_label


def test_rituximab_olympus_four_courses_every_24_weeks():
    plan = plan_infusions(
        drug("rituximab"), start=D("2026-01-05"), regimen_id="olympus", until=D("2030-01-01")
    )
    starts = [i.date for i in plan.infusions if i.block_start]
    assert len(plan.infusions) == 8
    assert starts == [D("2026-01-05") + timedelta(weeks=24 * k) for k in range(4)]


def test_rituximab_rifund_ms_1000_then_500_every_6_months():
    plan = plan_infusions(
        drug("rituximab"), start=D("2026-01-05"), regimen_id="rifund-ms", until=D("2027-01-05")
    )
    assert dates(plan) == ["2026-01-05", "2026-07-05", "2027-01-05"]
    assert [i.dose_mg for i in plan.infusions] == [1000, 500, 500]


def test_course_regimen_from_the_record_is_used():
    patient = PatientRecord.from_dict(
        {"courses": [{"drug": "rituximab", "start": "2026-01-05", "regimen": "hermes"}]}
    )
    plan = plan_infusions(drug("rituximab"), record=patient)
    assert dates(plan) == ["2026-01-05", "2026-01-19"]
