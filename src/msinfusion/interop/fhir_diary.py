"""The symptom diary as FHIR R4 QuestionnaireResponse resources, one per day, and back.

Shape (decisions, so another system can read and write it):
- Each day is a `QuestionnaireResponse` with `status` "completed", `questionnaire` = `QUESTIONNAIRE`
  (the canonical of the msinfusion diary, a URN: it names the questionnaire without claiming a web
  address), `subject` = the patient reference given, and items whose `linkId` is the symptom key
  (`fatigue`, ..., `sleep`: `valueInteger` 0-10), `relapse` (`valueBoolean`), `notes`
  (`valueString`) and `date` (`valueDate`).
- **The diary day is the `date` item**, not `authored`: `authored` says when the answers were
  written, which may be days later (or an edit). `authored` is filled with the same date on export;
  on import it is used only when a response has no `date` item.
- A symptom not rated that day has no item (absent, not zero).
- Many days travel as a Bundle of type `collection` (`to_bundle`); reading accepts such a Bundle,
  a list of responses, or one response.

Reading never raises on one bad day: each resource with a problem is left out and reported with
the JSON path to the value (`entry[3].resource.item[1].answer[0].valueInteger`); good days are kept,
and a second response for a day already seen is reported like a duplicate CSV row.

Pure: dicts in, dicts out (the caller parses and writes JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from msinfusion.diary.entries import SYMPTOM_LABELS, SYMPTOMS, DiaryDay
from msinfusion.errors import format_loc

QUESTIONNAIRE = "urn:msinfusion:questionnaire:symptom-diary"
QUESTIONNAIRE_VERSION = "1"
RATING_MIN, RATING_MAX = 0, 10
NOTES_MAX = 2000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})(T.*)?")


@dataclass(frozen=True, slots=True)
class PathProblem:
    """One thing wrong in an imported resource (left out), named by its JSON path."""

    path: str
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


class _Bad(Exception):
    def __init__(self, loc: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.loc = loc
        self.problem = problem


# ---------------------------------------------------------------- writing


def questionnaire() -> dict[str, Any]:
    """The Questionnaire the responses answer (for systems that want to render or validate)."""
    items: list[dict[str, Any]] = [
        {"linkId": "date", "text": "Day", "type": "date", "required": True}
    ]
    for key in SYMPTOMS:
        items.append(
            {
                "linkId": key,
                "text": f"{SYMPTOM_LABELS[key]} (0 no problem - 10 worst)",
                "type": "integer",
                "extension": [
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/minValue",
                        "valueInteger": RATING_MIN,
                    },
                    {
                        "url": "http://hl7.org/fhir/StructureDefinition/maxValue",
                        "valueInteger": RATING_MAX,
                    },
                ],
            }
        )
    items.append({"linkId": "relapse", "text": "Possible relapse", "type": "boolean"})
    items.append({"linkId": "notes", "text": "Notes", "type": "text", "maxLength": NOTES_MAX})
    return {
        "resourceType": "Questionnaire",
        "url": QUESTIONNAIRE,
        "version": QUESTIONNAIRE_VERSION,
        "name": "MsInfusionSymptomDiary",
        "title": "MS symptom diary",
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def to_questionnaire_response(patient_ref: str, day: DiaryDay) -> dict[str, Any]:
    items: list[dict[str, Any]] = [{"linkId": "date", "answer": [{"valueDate": _iso(day.date)}]}]
    for key in SYMPTOMS:
        value = day.ratings.get(key)
        if value is not None:
            items.append(
                {
                    "linkId": key,
                    "text": SYMPTOM_LABELS[key],
                    "answer": [{"valueInteger": int(value)}],
                }
            )
    items.append({"linkId": "relapse", "answer": [{"valueBoolean": bool(day.relapse)}]})
    if day.notes:
        items.append({"linkId": "notes", "answer": [{"valueString": day.notes}]})
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE}|{QUESTIONNAIRE_VERSION}",
        "status": "completed",
        "subject": {"reference": patient_ref},
        "authored": _iso(day.date),
        "item": items,
    }


def to_questionnaire_responses(patient_ref: str, days: Iterable[DiaryDay]) -> list[dict[str, Any]]:
    """One response per day, in date order."""
    return [to_questionnaire_response(patient_ref, d) for d in sorted(days, key=lambda d: d.date)]


def to_bundle(patient_ref: str, days: Iterable[DiaryDay]) -> dict[str, Any]:
    """The responses as a Bundle of type collection."""
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in to_questionnaire_responses(patient_ref, days)],
    }


def _iso(day: date) -> str:
    return day.isoformat()


# ---------------------------------------------------------------- reading


def from_questionnaire_responses(
    data: Mapping[str, Any] | list[Any] | str,
) -> tuple[list[DiaryDay], list[PathProblem]]:
    """Good days (in date order) and the problem of each response left out.

    `data` is a Bundle, a list of QuestionnaireResponse resources, one resource, or their JSON text.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            return [], [PathProblem("", f"not valid JSON ({exc})")]
    resources: list[tuple[tuple[str | int, ...], Any]]
    if isinstance(data, list):
        resources = [((i,), r) for i, r in enumerate(data)]
    elif isinstance(data, Mapping) and data.get("resourceType") == "Bundle":
        entries = data.get("entry", [])
        if not isinstance(entries, list):
            return [], [PathProblem("entry", "must be a list")]
        resources = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "resource" not in entry:
                resources.append((("entry", i), None))
            else:
                resources.append((("entry", i, "resource"), entry["resource"]))
    elif isinstance(data, Mapping):
        resources = [((), data)]
    else:
        return [], [PathProblem("", "expected a Bundle, a list or a QuestionnaireResponse")]
    days: dict[date, DiaryDay] = {}
    seen: dict[date, str] = {}
    problems: list[PathProblem] = []
    for loc, resource in resources:
        where = format_loc(loc)
        try:
            if resource is None:
                raise _Bad((), "an entry without a resource")
            day = _day(resource)
        except _Bad as exc:
            problems.append(PathProblem(format_loc((*loc, *exc.loc)), exc.problem))
            continue
        if day.date in seen:
            problems.append(
                PathProblem(
                    format_loc((*loc, "item")),
                    f"{day.date.isoformat()} is already answered at {seen[day.date] or '$'}; "
                    "that one was kept",
                )
            )
            continue
        days[day.date] = day
        seen[day.date] = where
    return [days[d] for d in sorted(days)], problems


def _day(resource: Any) -> DiaryDay:
    if not isinstance(resource, Mapping):
        raise _Bad((), "expected a QuestionnaireResponse object")
    kind = resource.get("resourceType")
    if kind != "QuestionnaireResponse":
        raise _Bad(("resourceType",), f"expected QuestionnaireResponse, not {kind!r}")
    canonical = resource.get("questionnaire")
    if canonical is not None and str(canonical).split("|", 1)[0] != QUESTIONNAIRE:
        raise _Bad(("questionnaire",), f"not the msinfusion diary ({QUESTIONNAIRE})")
    items = resource.get("item", [])
    if not isinstance(items, list):
        raise _Bad(("item",), "must be a list")
    day: date | None = None
    ratings: dict[str, int] = {}
    relapse = False
    notes = ""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise _Bad(("item", i), "expected an object")
        link = item.get("linkId")
        if link in seen:
            raise _Bad(("item", i, "linkId"), f"{link!r} is answered twice")
        seen.add(str(link))
        answers = item.get("answer", [])
        if not isinstance(answers, list) or len(answers) > 1:
            raise _Bad(("item", i, "answer"), "expected a list with one answer")
        if not answers:
            continue
        answer = answers[0]
        at = ("item", i, "answer", 0)
        if not isinstance(answer, Mapping):
            raise _Bad(at, "expected an object")
        if link == "date":
            day = _date_value(answer.get("valueDate"), (*at, "valueDate"))
        elif link in SYMPTOMS:
            ratings[str(link)] = _rating(answer.get("valueInteger"), (*at, "valueInteger"))
        elif link == "relapse":
            value = answer.get("valueBoolean")
            if not isinstance(value, bool):
                raise _Bad((*at, "valueBoolean"), "expected true or false")
            relapse = value
        elif link == "notes":
            value = answer.get("valueString")
            if not isinstance(value, str):
                raise _Bad((*at, "valueString"), "expected text")
            if len(value) > NOTES_MAX:
                raise _Bad((*at, "valueString"), f"longer than {NOTES_MAX} characters")
            notes = value
        else:
            raise _Bad(("item", i, "linkId"), f"unknown question {link!r}")
    if day is None:
        day = _authored(resource.get("authored"))
    if not ratings and not notes and not relapse:
        raise _Bad(("item",), "nothing recorded on this day")
    return DiaryDay(day, ratings, relapse, notes)


def _date_value(value: Any, loc: tuple[str | int, ...]) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _Bad(loc, f"expected a date YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad(loc, f"{value!r} is not a real calendar date") from None


def _authored(value: Any) -> date:
    match = _DATE_PREFIX.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _Bad(("item",), "no 'date' item and no 'authored' date: which day is this?")
    return _date_value(match.group(1), ("authored",))


def _rating(value: Any, loc: tuple[str | int, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(loc, f"expected a whole number {RATING_MIN}-{RATING_MAX}, not {value!r}")
    if not RATING_MIN <= value <= RATING_MAX:
        raise _Bad(loc, f"{value} is outside {RATING_MIN} to {RATING_MAX}")
    return value
