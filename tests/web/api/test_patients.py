"""The patient list, one patient, and the domain's answers about them: plan, readiness, due-list.

The world patient had ocrelizumab infusion 1 (300 mg) on 2026-01-05. By the label (OCR-D1) infusion
2 is 300 mg 14 days later, 2026-01-19; the first 600 mg subsequent dose is due 24 weeks after
infusion 1 (OCR-D2), 2026-06-22; serum immunoglobulins are due 12 months after the first infusion
(OCR-M2), 2027-01-05.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.web.api.conftest import audit_rows

from msinfusion.care.monitoring import due_list
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.records import to_record

JAN_10 = datetime(2026, 1, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York


def names(response) -> list[str]:
    return [p["name"] for p in response.json()["items"]]


# ---------------------------------------------------------------- the list


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("patient_user", ["Alice Example"]),
        ("neurologist", ["Alice Example"]),
        ("nurse", ["Alice Example", "Bob Example"]),
        ("outside_neurologist", ["Bob Example"]),
        ("other_center_nurse", ["Carol Example"]),
        ("center_admin", []),
    ],
)
def test_the_list_holds_exactly_the_patients_the_caller_may_see(world, api_as, actor, expected):
    response = api_as(getattr(world, actor)).get("/patients")

    assert response.status_code == 200
    assert names(response) == expected
    assert response.json()["count"] == len(expected)
    rows = audit_rows()
    assert sorted(r.patient_id for r in rows) == sorted(
        m.Patient.objects.get(name=n).pk for n in expected
    )
    assert {(r.action, r.resource, r.outcome) for r in rows} <= {("R", "api.patients", "success")}


def test_a_listed_patient_shows_demographics_center_and_neurologist(world, api_as):
    item = api_as(world.neurologist).get("/patients").json()["items"][0]

    assert item == {
        "id": world.patient.pk,
        "name": "Alice Example",
        "birth_date": "1988-03-14",
        "sex": "female",
        "childbearing_potential": False,
        "height_cm": 168.0,
        "weight_kg": 64.0,
        "ms_type": "RRMS",
        "region": "US",
        "center": {
            "id": world.center.pk,
            "name": "Lakeside Infusion Center",
            "timezone": "America/New_York",
        },
        "neurologist": "neuro",
    }


def test_pages_audit_only_the_patients_on_the_page(world, api_as):
    response = api_as(world.nurse).get("/patients", limit=1, offset=1)

    assert response.json()["count"] == 2
    assert names(response) == ["Bob Example"]
    assert [r.patient_id for r in audit_rows()] == [world.other_patient.pk]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"limit": 0}, ["query", "limit"]),
        ({"limit": 201}, ["query", "limit"]),
        ({"limit": "ten"}, ["query", "limit"]),
        ({"offset": -1}, ["query", "offset"]),
        ({"offset": 10**12}, ["query", "offset"]),
        ({"offset": "9" * 30}, ["query", "offset"]),
    ],
)
def test_a_page_outside_the_bounds_is_a_422(world, api_as, params, loc):
    response = api_as(world.nurse).get("/patients", **params)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
    assert audit_rows() == []


def test_the_list_costs_the_same_queries_for_2_and_for_22_patients(world, api_as):
    api = api_as(world.nurse)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/patients").status_code == 200
        return len(queries)

    api.get("/patients")  # the token's last_used is written on first use only
    small = count()
    for i in range(20):
        m.Patient.objects.create(center=world.center, name=f"Extra {i:02d}")
    assert count() == small


# ---------------------------------------------------------------- one patient


def test_a_patient_comes_with_the_current_courses_only(world, api_as):
    old = world.patient.course_set.get()
    new = m.Course.objects.create(
        patient=world.patient, drug="ocrelizumab", start=date(2026, 1, 5), regimen="label"
    )
    old.superseded_by = new
    old.save()

    response = api_as(world.patient_user).get(f"/patients/{world.patient.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Alice Example"
    assert [(c["id"], c["drug"], c["start"], c["regimen"]) for c in body["courses"]] == [
        (new.pk, "ocrelizumab", "2026-01-05", "label")
    ]
    assert [(r.patient_id, r.action, r.resource) for r in audit_rows()] == [
        (world.patient.pk, "R", "api.patient")
    ]


# ---------------------------------------------------------------- plan


@time_machine.travel(JAN_10, tick=False)
def test_the_plan_continues_from_infusion_1_per_the_label(world, api_as):
    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/plan")

    assert response.status_code == 200
    body = response.json()
    assert body["today"] == "2026-01-10"
    assert body["problems"] == []
    (plan,) = body["plans"]
    assert (plan["drug"], plan["regimen"], plan["given"]) == ("ocrelizumab", "label", 1)
    first, second = plan["infusions"][:2]
    assert (first["date"], first["dose_mg"], first["label"]) == (
        "2026-01-19",
        300.0,
        "initial dose 2 of 2",
    )
    assert (second["date"], second["dose_mg"]) == ("2026-06-22", 600.0)
    drug = default_catalog().drug("ocrelizumab")
    expected = plan_infusions(drug, record=to_record(world.patient), today=date(2026, 1, 10))
    assert plan == expected.to_dict()  # nothing lost or renamed on the way out
    assert [(r.action, r.resource) for r in audit_rows()] == [("R", "api.plan")]


@time_machine.travel(JAN_10, tick=False)
def test_until_cuts_the_plan(world, api_as):
    response = api_as(world.nurse).get(
        f"/patients/{world.patient.pk}/plan", drug="ocrelizumab", until="2026-02-01"
    )

    assert [i["date"] for i in response.json()["plans"][0]["infusions"]] == ["2026-01-19"]
    assert response.json()["until"] == "2026-02-01"


@time_machine.travel(JAN_10, tick=False)
@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"drug": "natalizumab"}, ["query", "drug"]),  # not in this record
        ({"drug": "aspirin"}, ["query", "drug"]),
        ({"until": "2036-01-11"}, ["query", "until"]),  # more than 10 years ahead
        ({"until": "2026-02-30"}, ["query", "until"]),
    ],
)
def test_a_plan_request_it_cannot_answer_is_a_422(world, api_as, params, loc):
    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/plan", **params)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]


def test_a_drug_without_a_plan_is_reported_as_a_problem_not_an_error(world, api_as):
    m.Course.objects.create(patient=world.patient, drug="rituximab", start=date(2026, 2, 1))

    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/plan")

    assert response.status_code == 200
    assert [p["drug"] for p in response.json()["plans"]] == ["ocrelizumab"]
    (problem,) = response.json()["problems"]
    assert (problem["drug"], problem["field"]) == ("rituximab", "regimen")
    assert "no default regimen" in problem["message"]


# ---------------------------------------------------------------- readiness


@time_machine.travel(JAN_10, tick=False)
def test_readiness_defaults_to_the_next_infusion_on_its_due_date(world, api_as):
    response = api_as(world.patient_user).get(f"/patients/{world.patient.pk}/readiness")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "drug", "date", "label", "reasons"}
    assert (body["drug"], body["date"], body["label"]) == (
        "ocrelizumab",
        "2026-01-19",
        "initial dose 2 of 2",
    )
    record = to_record(world.patient)
    assert body == check_readiness(record, "ocrelizumab", date(2026, 1, 19)).to_dict()
    assert [(r.action, r.resource) for r in audit_rows()] == [("R", "api.readiness")]


def test_an_overdue_infusion_is_checked_for_today(world, api_as):
    with time_machine.travel(datetime(2026, 2, 3, 15, 0, tzinfo=UTC), tick=False):
        body = api_as(world.nurse).get(f"/patients/{world.patient.pk}/readiness").json()

    assert (body["date"], body["label"]) == ("2026-02-03", "initial dose 2 of 2")


@time_machine.travel(JAN_10, tick=False)
def test_readiness_before_the_booking_window_needs_review_with_its_reason(world, api_as):
    response = api_as(world.nurse).get(
        f"/patients/{world.patient.pk}/readiness", date="2026-01-12", drug="ocrelizumab"
    )

    body = response.json()
    assert body["status"] == "needs_review"  # window opens 3 days before 2026-01-19
    assert [r["rule"] for r in body["reasons"]] == ["spacing.before_window"]
    assert set(body["reasons"][0]) == {"rule", "severity", "test", "message", "source"}


@time_machine.travel(JAN_10, tick=False)
def test_readiness_for_a_date_alone_uses_the_next_infusions_drug(world, api_as):
    body = (
        api_as(world.nurse).get(f"/patients/{world.patient.pk}/readiness", date="2026-01-20").json()
    )

    assert (body["drug"], body["date"]) == ("ocrelizumab", "2026-01-20")


@time_machine.travel(JAN_10, tick=False)
def test_readiness_for_a_first_infusion_of_a_new_drug_needs_its_date(world, api_as):
    api = api_as(world.nurse)
    path = f"/patients/{world.patient.pk}/readiness"

    without_date = api.get(path, drug="natalizumab")
    with_date = api.get(path, drug="natalizumab", date="2026-02-02")

    assert without_date.status_code == 422
    assert without_date.json()["detail"][0]["loc"] == ["query", "date"]
    assert with_date.status_code == 200
    assert with_date.json()["drug"] == "natalizumab"


@time_machine.travel(JAN_10, tick=False)
def test_readiness_for_a_patient_with_no_treatment_needs_a_drug(world, api_as):
    patient = m.Patient.objects.create(center=world.center, name="Dora New")

    response = api_as(world.nurse).get(f"/patients/{patient.pk}/readiness")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "drug"]
    assert [(r.patient_id, r.outcome) for r in audit_rows()] == [(patient.pk, "success")]


@pytest.mark.parametrize(
    "params",
    [{"date": "2026-13-01"}, {"date": "1899-12-31"}, {"date": "tomorrow"}, {"drug": "Ocrevus"}],
)
def test_a_malformed_readiness_query_is_a_422_naming_it(world, api_as, params):
    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/readiness", **params)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", *params]]


def test_a_rituximab_course_without_regimen_is_a_422_about_the_record(world, api_as):
    patient = m.Patient.objects.create(center=world.center, name="Eve Rituximab")
    m.Course.objects.create(patient=patient, drug="rituximab", start=date(2026, 2, 1))

    response = api_as(world.nurse).get(
        f"/patients/{patient.pk}/readiness", drug="rituximab", date="2026-02-01"
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["record", "regimen"]


# ---------------------------------------------------------------- due-list


@time_machine.travel(JAN_10, tick=False)
def test_the_due_list_runs_12_months_from_today_at_the_center(world, api_as):
    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/due")

    assert response.status_code == 200
    body = response.json()
    assert (body["today"], body["until"]) == ("2026-01-10", "2027-01-10")
    assert ("2027-01-05", "igg", "upcoming") in [
        (t["date"], t["test"], t["status"]) for t in body["due"]
    ]
    expected = due_list(to_record(world.patient), date(2026, 1, 10), date(2027, 1, 10))
    assert body["due"] == [t.to_dict() for t in expected]
    assert [(r.action, r.resource) for r in audit_rows()] == [("R", "api.due")]


def test_the_due_list_takes_its_own_today_and_until(world, api_as):
    body = (
        api_as(world.nurse)
        .get(f"/patients/{world.patient.pk}/due", today="2026-12-01", until="2027-02-01")
        .json()
    )

    assert (body["today"], body["until"]) == ("2026-12-01", "2027-02-01")
    assert [(t["date"], t["test"]) for t in body["due"]] == [("2027-01-05", "igg")]


@pytest.mark.parametrize(
    ("params", "loc"),
    [
        ({"today": "2026-06-01", "until": "2026-05-01"}, ["query", "until"]),
        ({"today": "2026-06-01", "until": "2037-01-01"}, ["query", "until"]),
        ({"today": "9999-12-31"}, ["query", "today"]),
        ({"until": "not-a-date"}, ["query", "until"]),
    ],
)
def test_a_due_list_query_it_cannot_answer_is_a_422(world, api_as, params, loc):
    response = api_as(world.nurse).get(f"/patients/{world.patient.pk}/due", **params)

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
