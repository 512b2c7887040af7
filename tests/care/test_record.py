"""The patient record file: the documented example loads, bad input names its field."""

from __future__ import annotations

import json
from datetime import date

import pytest

from msinfusion.care.record import PatientRecord, mosteller_bsa
from msinfusion.errors import RecordError

EXAMPLE = {
    "id": "p1",
    "birth_date": "1988-03-14",
    "sex": "female",
    "childbearing_potential": True,
    "height_cm": 170,
    "weight_kg": 70,
    "ms_type": "RRMS",
    "region": "US",
    "prior_immunosuppressants": ["mitoxantrone"],
    "conditions": [{"condition": "active_infection", "date": "2026-04-06", "resolved": None}],
    "results": [
        {"test": "anti_jcv_index", "value": 1.3, "date": "2026-03-01", "assay": "STRATIFY JCV"},
        {"test": "hbsag", "value": "negative", "date": "2026-03-20"},
        {"test": "lvef", "value": 58, "unit": "%", "date": "2026-06-01"},
    ],
    "vaccinations": [{"vaccine": "varicella", "live": True, "date": "2026-01-20"}],
    "events": [{"event": "ivig", "date": "2026-01-15"}],
    "programs": [{"program": "touch", "action": "authorized", "date": "2026-01-05"}],
    "checklists": [
        {
            "program": "touch",
            "date": "2026-05-27",
            "answers": {"new_or_worsening_symptoms": True, "immunocompromised": False},
        }
    ],
    "administrations": [
        {"drug": "natalizumab", "date": "2026-01-05", "dose_mg": 300, "reaction": "none"}
    ],
    "courses": [{"drug": "natalizumab", "start": "2026-01-05", "stop": None, "regimen": None}],
}


def test_the_documented_example_loads():
    record = PatientRecord.from_json(json.dumps(EXAMPLE))
    assert record.id == "p1"
    assert record.latest_result("lvef").value == 58
    assert record.active_conditions(date(2026, 4, 7)) == {"active_infection"}
    assert record.drugs == ["natalizumab"]


def test_an_empty_object_is_a_valid_record():
    assert PatientRecord.from_json("{}").region == "US"


def test_round_trip_keeps_everything():
    record = PatientRecord.from_dict(EXAMPLE)
    assert PatientRecord.from_dict(record.to_dict()) == record


def with_change(path: list, value) -> dict:
    data = json.loads(json.dumps(EXAMPLE))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (["surname"], "x", "surname", "unknown field"),
        (["results", 1, "date"], "2026-02-30", "results[1].date", "date"),
        (["results", 1, "value"], "maybe", "results[1].value", ""),
        (["results", 2, "value"], -3, "results[2].value", ">= 0"),
        (["results", 2, "unit"], "ratio", "results[2].unit", "%"),
        (["results", 0, "test"], "jcv", "results[0].test", "unknown test"),
        (["results", 1, "value"], 3.2, "results[1].value", "positive/negative"),
        (["administrations", 0, "dose_mg"], -300, "administrations[0].dose_mg", "greater than 0"),
        (["administrations", 0, "drug"], "aspirin", "administrations[0].drug", "aspirin"),
        (["administrations", 0, "reaction"], "bad", "administrations[0].reaction", ""),
        (["administrations", 0, "date"], "1950-01-01", "administrations[0].date", "birth"),
        (["courses", 0, "stop"], "2025-01-01", "courses[0].stop", "before it starts"),
        (["courses", 0, "regimen"], "q6w", "courses[0].regimen", "unknown regimen"),
        (["conditions", 0, "resolved"], "2026-01-01", "conditions[0].resolved", "before"),
        (["conditions", 0, "condition"], "flu", "conditions[0].condition", ""),
        (["programs", 0, "action"], "paused", "programs[0].action", ""),
        (["events", 0, "event"], "surgery", "events[0].event", ""),
        (["region"], "UK", "region", ""),
        (["sex"], "f", "sex", ""),
        (["height_cm"], -170, "height_cm", ""),
        (["weight_kg"], 0, "weight_kg", ""),
        (["birth_date"], "14/03/1988", "birth_date", "date"),
        (["vaccinations", 0, "live"], "perhaps", "vaccinations[0].live", ""),
        (["checklists", 0, "answers"], {"q": "yes please"}, "checklists[0].answers.q", ""),
    ],
)
def test_bad_fields_are_reported_by_path(path, value, field, words):
    with pytest.raises(RecordError) as err:
        PatientRecord.from_dict(with_change(path, value))
    assert err.value.field == field
    assert words in str(err.value)


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '"p1"', "null"])
def test_malformed_json_is_a_record_error(text):
    with pytest.raises(RecordError):
        PatientRecord.from_json(text)


def test_missing_file_is_a_record_error(tmp_path):
    with pytest.raises(RecordError) as err:
        PatientRecord.from_file(tmp_path / "nope.json")
    assert "cannot read" in str(err.value)


def test_as_of_leaves_out_infusions_on_and_after_the_day():
    record = PatientRecord.from_dict(EXAMPLE)
    assert record.as_of(date(2026, 1, 5)).administrations == ()
    assert record.as_of(date(2026, 1, 6)) is record


def test_mosteller_bsa_matches_worked_example_t25():
    assert round(mosteller_bsa(170, 70), 3) == 1.818
    assert round(mosteller_bsa(160, 95), 3) == 2.055
