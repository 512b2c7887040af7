"""The diary as FHIR QuestionnaireResponses: round trip, and bad resources named by JSON path."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from msinfusion.diary.entries import DiaryDay
from msinfusion.interop.fhir_diary import (
    QUESTIONNAIRE,
    from_questionnaire_responses,
    questionnaire,
    to_bundle,
    to_questionnaire_responses,
)

DAYS = [
    DiaryDay(date(2026, 1, 1), {"fatigue": 7, "sleep": 0}, False, ""),
    DiaryDay(date(2026, 1, 2), {"mood": 10}, True, "bad day, called the nurse"),
    DiaryDay(date(2026, 1, 3), {}, False, "only a note"),
]


def test_one_response_per_day_with_the_day_as_a_date_item():
    first = to_questionnaire_responses("Patient/42", DAYS)[0]
    assert first["resourceType"] == "QuestionnaireResponse"
    assert first["status"] == "completed"
    assert first["questionnaire"].split("|")[0] == QUESTIONNAIRE
    assert first["subject"] == {"reference": "Patient/42"}
    answers = {i["linkId"]: i["answer"][0] for i in first["item"]}
    assert answers == {
        "date": {"valueDate": "2026-01-01"},
        "fatigue": {"valueInteger": 7},
        "sleep": {"valueInteger": 0},
        "relapse": {"valueBoolean": False},
    }


def test_bundle_and_list_round_trip_through_json():
    bundle = json.loads(json.dumps(to_bundle("Patient/42", reversed(DAYS))))
    assert bundle["type"] == "collection" and len(bundle["entry"]) == 3
    assert from_questionnaire_responses(bundle) == (DAYS, [])
    assert from_questionnaire_responses(to_questionnaire_responses("Patient/1", DAYS)) == (DAYS, [])
    assert from_questionnaire_responses(json.dumps(bundle)) == (DAYS, [])


def test_questionnaire_link_ids_cover_every_answer_written():
    link_ids = {i["linkId"] for i in questionnaire()["item"]}
    written = {
        i["linkId"] for r in to_questionnaire_responses("Patient/1", DAYS) for i in r["item"]
    }
    assert written <= link_ids
    assert questionnaire()["url"] == QUESTIONNAIRE


def _bundle():
    return to_bundle("Patient/42", DAYS)


def _item_index(resource, link_id):
    return next(i for i, item in enumerate(resource["item"]) if item["linkId"] == link_id)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (
            lambda r: r["item"][_item_index(r, "fatigue")]["answer"][0].update(valueInteger=11),
            "entry[0].resource.item[1].answer[0].valueInteger",
            "outside 0 to 10",
        ),
        (
            lambda r: r["item"][_item_index(r, "fatigue")]["answer"][0].update(valueInteger=3.5),
            "entry[0].resource.item[1].answer[0].valueInteger",
            "whole number",
        ),
        (
            lambda r: r["item"][0]["answer"][0].update(valueDate="2026-02-30"),
            "entry[0].resource.item[0].answer[0].valueDate",
            "not a real calendar date",
        ),
        (
            lambda r: r["item"][_item_index(r, "relapse")]["answer"][0].update(valueBoolean="no"),
            "entry[0].resource.item[3].answer[0].valueBoolean",
            "true or false",
        ),
        (
            lambda r: r["item"].append({"linkId": "appetite", "answer": [{"valueInteger": 2}]}),
            "entry[0].resource.item[4].linkId",
            "unknown question",
        ),
        (
            lambda r: r.update(resourceType="Observation"),
            "entry[0].resource.resourceType",
            "expected",
        ),
        (
            lambda r: r.update(questionnaire="http://example.org/Questionnaire/other"),
            "entry[0].resource.questionnaire",
            "not the msinfusion diary",
        ),
        (
            lambda r: (r["item"].pop(0), r.pop("authored")),
            "entry[0].resource.item",
            "which day",
        ),
    ],
)
def test_a_bad_response_is_named_by_its_path_and_the_others_are_kept(change, path, words):
    bundle = _bundle()
    change(bundle["entry"][0]["resource"])
    days, problems = from_questionnaire_responses(bundle)
    assert days == DAYS[1:]
    assert len(problems) == 1
    assert problems[0].path == path
    assert words in problems[0].problem


def test_authored_date_is_used_only_without_a_date_item():
    resource = to_questionnaire_responses("Patient/1", DAYS[:1])[0]
    resource["item"].pop(0)
    resource["authored"] = "2026-01-05T10:00:00-05:00"
    days, problems = from_questionnaire_responses(resource)
    assert problems == [] and days[0].date == date(2026, 1, 5)


def test_a_second_response_for_the_same_day_is_reported_and_the_first_kept():
    bundle = _bundle()
    second = copy.deepcopy(bundle["entry"][0])
    second["resource"]["item"][1]["answer"][0]["valueInteger"] = 1
    bundle["entry"].append(second)
    days, problems = from_questionnaire_responses(bundle)
    assert days == DAYS
    assert problems[0].path == "entry[3].resource.item"
    assert "entry[0].resource" in problems[0].problem


def test_an_entry_without_a_resource_and_bad_json_are_problems_not_crashes():
    bundle = _bundle()
    bundle["entry"].insert(0, {"fullUrl": "urn:uuid:x"})
    days, problems = from_questionnaire_responses(bundle)
    assert days == DAYS and problems[0].path == "entry[0]"
    assert from_questionnaire_responses("{not json")[0] == []
    assert from_questionnaire_responses(42)[1][0].problem.startswith("expected a Bundle")
