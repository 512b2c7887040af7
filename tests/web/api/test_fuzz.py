"""Bad input never gets a 500 and never changes data (B15, B17), whatever hypothesis sends.

Three kinds of input per write endpoint: junk (any JSON, any bytes, objects made of the real field
names with hostile values that are sure to be refused), which must always get a 4xx and leave every
row count as it was; and plausible bodies (real drugs, tests, dates), which may be accepted, and
then add exactly one row, or are refused with 409/422 and add none. The read endpoints get random
query strings and must answer 200 or a 4xx.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.accounts.models import ApiToken
from msinfusion.web.clinic import models as m

NOW = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FIELDS = {
    "results": (["test", "value", "date"], ["unit", "assay"]),
    "administrations": (
        ["drug", "date", "dose_mg"],
        [
            "start_time",
            "end_time",
            "dose_mg_per_m2",
            "premedication",
            "reaction",
            "reaction_notes",
            "lot",
        ],
    ),
    "courses": (["drug", "start"], ["regimen", "stop", "stop_reason"]),
    "stop": (["stop"], ["stop_reason"]),
}
DRUGS = sorted(default_catalog().drugs)
TESTS = sorted(default_catalog().tests)

hostile = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "\ud800",
        "x" * 5000,
        "2026-02-30",
        "2026-01-19T10:00:00+05:00",
        "0000-01-01",
        "9999-12-31",
        "10:00+02:00",
        "24:00",
        -1,
        0,
        10**400,
        2**63,
        -(2**63) - 1,
        1e308,
        float("nan"),
        float("inf"),
        True,
        [],
        {},
        {"$gt": ""},
        "ocrelizumab ",
        "OCRELIZUMAB",
        "NULL",
        "'; DROP TABLE clinic_labresult; --",
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | hostile,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def refused_object(draw, kind: str) -> dict:
    """The endpoint's own field names with hostile values, minus a required field or plus an
    unknown one, so it can never be valid."""
    required, optional = FIELDS[kind]
    names = draw(st.lists(st.sampled_from(required + optional), unique=True))
    body = {name: draw(json_values) for name in names}
    if draw(st.booleans()) and set(required) <= set(body):
        body.pop(draw(st.sampled_from(required)))
    else:
        extra = draw(
            st.text(min_size=1, max_size=12).filter(lambda k: k not in required + optional)
        )
        body[extra] = draw(json_values)
    if set(required) <= set(body) and not set(body) - set(required + optional):
        body.pop(required[0])
    return body


days = st.dates(min_value=date(1899, 12, 1), max_value=date(2027, 2, 1)).map(date.isoformat)
maybe = lambda strategy: st.none() | strategy  # noqa: E731


@st.composite
def plausible(draw, kind: str) -> dict:
    """Bodies built from the catalog's own ids and realistic values: some valid, some not."""
    if kind == "results":
        test = draw(st.sampled_from([*TESTS, "ldl"]))
        value = draw(
            st.sampled_from(["positive", "negative", "normal", "abnormal"])
            | st.floats(min_value=-5, max_value=1e6)
            | st.integers(-5, 10**6)
        )
        body = {"test": test, "value": value, "date": draw(days)}
        unit = draw(maybe(st.sampled_from(["cells/uL", "mg/dL", "%", "U/L", "qualitative", "g/L"])))
        if unit is not None:
            body["unit"] = unit
        return body
    if kind == "administrations":
        body = {
            "drug": draw(st.sampled_from(DRUGS)),
            "date": draw(days),
            "dose_mg": draw(st.floats(min_value=-1, max_value=2000) | st.integers(-1, 2000)),
        }
        start = draw(maybe(st.times()))
        end = draw(maybe(st.times()))
        if start is not None:
            body["start_time"] = start.isoformat()
        if end is not None:
            body["end_time"] = end.isoformat()
        return body
    if kind == "courses":
        body = {"drug": draw(st.sampled_from(DRUGS)), "start": draw(days)}
        regimen = draw(maybe(st.sampled_from(["label", "hermes", "olympus", "x"])))
        stop = draw(maybe(days))
        if regimen is not None:
            body["regimen"] = regimen
        if stop is not None:
            body["stop"] = stop
        return body
    near = st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 1, 25)).map(date.isoformat)
    return {"stop": draw(near | days), "stop_reason": draw(st.text(max_size=30))}


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (m.Patient, m.LabResult, m.Administration, m.Course, ApiToken)
    }


def target(world, kind: str) -> str:
    base = f"/patients/{world.patient.pk}"
    if kind == "stop":
        course = world.patient.course_set.filter(superseded_by__isnull=True).first()
        return f"{base}/courses/{course.pk}/stop"
    return f"{base}/{kind}"


def assert_refused(response, before: dict[str, int]) -> None:
    assert 400 <= response.status_code < 500, response.content
    assert isinstance(response.json()["detail"], str | list)
    assert counts() == before


@pytest.mark.parametrize("kind", list(FIELDS))
@FUZZ
@given(data=st.data())
def test_junk_bodies_are_refused_with_a_4xx_and_change_nothing(world, api_as, kind, data):
    api = api_as(world.nurse)
    body = data.draw(json_values | refused_object(kind), label="body")
    before = counts()

    with time_machine.travel(NOW, tick=False):
        response = api.post(target(world, kind), raw=json.dumps(body))

    assert_refused(response, before)


@pytest.mark.parametrize("kind", list(FIELDS))
@FUZZ
@given(raw=st.binary(max_size=300))
def test_bodies_that_are_not_json_text_are_refused(world, api_as, kind, raw):
    api = api_as(world.nurse)
    before = counts()

    with time_machine.travel(NOW, tick=False):
        response = api.post(target(world, kind), raw=raw)

    assert_refused(response, before)


@pytest.mark.parametrize("kind", list(FIELDS))
@FUZZ
@given(data=st.data())
def test_plausible_bodies_add_one_row_or_none_and_never_fail(world, api_as, kind, data):
    api = api_as(world.nurse)
    body = data.draw(plausible(kind), label="body")
    before = counts()

    with time_machine.travel(NOW, tick=False):
        response = api.post(target(world, kind), body)

    after = counts()
    if response.status_code in (200, 201):
        added = sum(after.values()) - sum(before.values())
        assert added == 1, (body, response.content)
    else:
        assert response.status_code in (409, 422), (body, response.content)
        assert after == before


query_values = st.one_of(
    days,
    st.sampled_from([*DRUGS, "aspirin", "", "0", "-1", "9" * 30, "2026-02-30", "\x00"]),
    st.text(max_size=12),
    st.integers(-(10**20), 10**20).map(str),
)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("", ["limit", "offset"]),
        ("/{id}/readiness", ["date", "drug"]),
        ("/{id}/plan", ["drug", "until"]),
        ("/{id}/due", ["today", "until"]),
        ("/{id}/results", ["limit", "offset"]),
    ],
)
@FUZZ
@given(data=st.data())
def test_read_endpoints_answer_random_queries_with_data_or_a_4xx(world, api_as, path, params, data):
    api = api_as(world.nurse)
    query = {
        name: data.draw(query_values, label=name)
        for name in data.draw(st.lists(st.sampled_from(params), unique=True), label="names")
    }

    with time_machine.travel(NOW, tick=False):
        response = api.get("/patients" + path.format(id=world.patient.pk), **query)

    assert response.status_code == 200 or 400 <= response.status_code < 500, (
        query,
        response.content,
    )
