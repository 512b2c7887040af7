"""Results, administrations and courses through the API: what is stored, and what is refused where.

Time is 2026-01-20 10:00 at the world's center (New York); the world patient was born 1988-03-14
and had ocrelizumab infusion 1 on 2026-01-05.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from tests.web.api.conftest import audit_rows

from msinfusion.web.clinic import models as m

NOW = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)
travel = time_machine.travel(NOW, tick=False)


@pytest.fixture
def nurse(world, api_as):
    return api_as(world.nurse)


def path(world, what: str) -> str:
    return f"/patients/{world.patient.pk}/{what}"


def locs(response) -> list[list]:
    assert response.status_code == 422, response.content
    return [e["loc"] for e in response.json()["detail"]]


# ---------------------------------------------------------------- results


@travel
def test_a_nurse_records_a_numeric_result_in_the_tests_unit(world, nurse):
    response = nurse.post(
        path(world, "results"), {"test": "anc", "value": 1800, "date": "2026-01-19"}
    )

    assert response.status_code == 201
    row = m.LabResult.objects.get(pk=response.json()["id"])
    assert (row.test, row.value_number, row.value_text, row.unit) == ("anc", 1800, "", "cells/uL")
    assert (row.entered_by, row.patient_reported) == (world.nurse, False)
    assert response.json()["unit"] == "cells/uL"
    assert [(r.patient_id, r.action, r.resource, r.outcome) for r in audit_rows()] == [
        (world.patient.pk, "C", "api.results", "success")
    ]


@travel
def test_a_patients_own_result_is_stored_as_patient_reported(world, api_as):
    response = api_as(world.patient_user).post(
        path(world, "results"), {"test": "anti_hbc", "value": "negative", "date": "2026-01-18"}
    )

    assert response.status_code == 201
    assert response.json()["patient_reported"] is True
    row = m.LabResult.objects.get(pk=response.json()["id"])
    assert (row.value_text, row.value_number, row.unit) == ("negative", None, "")


@travel
def test_the_results_list_is_newest_first_and_leaves_corrected_rows_out(world, nurse):
    wrong = m.LabResult.objects.create(
        patient=world.patient,
        test="anc",
        value_number=18000,
        unit="cells/uL",
        date=date(2026, 1, 19),
    )
    right = m.LabResult.objects.create(
        patient=world.patient,
        test="anc",
        value_number=1800,
        unit="cells/uL",
        date=date(2026, 1, 19),
    )
    wrong.superseded_by = right
    wrong.save()

    body = nurse.get(path(world, "results")).json()

    assert body["count"] == 2
    assert [(r["test"], r["value"]) for r in body["items"]] == [
        ("anc", 1800.0),
        ("hbsag", "negative"),
    ]


@travel
@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"test": "ldl", "value": 100, "date": "2026-01-19"}, ["body", "test"]),
        ({"test": "anc", "value": "negative", "date": "2026-01-19"}, ["body", "value"]),
        ({"test": "hbsag", "value": 3, "date": "2026-01-19"}, ["body", "value"]),
        ({"test": "anc", "value": 1800, "unit": "10^9/L", "date": "2026-01-19"}, ["body", "unit"]),
        ({"test": "anc", "value": -1, "date": "2026-01-19"}, ["body", "value"]),
        ({"test": "anc", "value": "1800", "date": "2026-01-19"}, ["body", "value"]),
        ({"test": "anc", "value": True, "date": "2026-01-19"}, ["body", "value"]),
        ({"test": "anc", "value": 1800, "date": "2026-01-21"}, ["body", "date"]),  # future
        ({"test": "anc", "value": 1800, "date": "1988-03-13"}, ["body", "date"]),  # before birth
        ({"test": "anc", "value": 1800, "date": "1899-12-31"}, ["body", "date"]),
        ({"test": "anc", "value": 1800, "date": "19/01/2026"}, ["body", "date"]),
        ({"test": "anc", "value": 1800}, ["body", "date"]),
        ({"test": "anc", "value": 1800, "date": "2026-01-19", "lab": "x"}, ["body", "lab"]),
        (
            {"test": "anc", "value": 1800, "date": "2026-01-19", "assay": "a\x00b"},
            ["body", "assay"],
        ),
        ({"test": "an\ud800c", "value": 1800, "date": "2026-01-19"}, ["body", "test"]),
    ],
)
def test_a_bad_result_is_a_422_at_its_field_and_stores_nothing(world, nurse, body, loc):
    response = nurse.post(path(world, "results"), body)

    assert locs(response) == [loc]
    assert m.LabResult.objects.count() == 3  # the world's three


@travel
def test_a_value_that_is_nan_or_infinite_is_refused(world, nurse):
    for raw in ("NaN", "Infinity", "1e400"):
        body = '{"test": "anc", "date": "2026-01-19", "value": ' + raw + "}"
        assert locs(nurse.post(path(world, "results"), raw=body)) == [["body", "value"]]


def test_today_is_the_centers_day_not_utcs(world, nurse):
    # 02:00 UTC on the 21st is still the 20th in New York
    with time_machine.travel(datetime(2026, 1, 21, 2, 0, tzinfo=UTC), tick=False):
        response = nurse.post(
            path(world, "results"), {"test": "anc", "value": 1800, "date": "2026-01-21"}
        )

    assert locs(response) == [["body", "date"]]
    assert "today is 2026-01-20" in response.json()["detail"][0]["msg"]


@travel
def test_a_body_refused_before_the_patient_is_looked_up_leaves_no_audit_row(world, nurse):
    nurse.post(path(world, "results"), {"test": "ldl", "value": 1, "date": "2026-01-19"})
    nurse.post(path(world, "results"), {"test": "anc"})

    assert audit_rows() == []


# ---------------------------------------------------------------- administrations

GIVEN = {
    "drug": "ocrelizumab",
    "date": "2026-01-19",
    "start_time": "09:10",
    "end_time": "11:40",
    "dose_mg": 300,
    "premedication": "methylprednisolone 100 mg IV, diphenhydramine, acetaminophen",
    "reaction": "mild",
    "reaction_notes": "throat irritation, slowed rate",
    "lot": "OC26-0042",
}


@travel
def test_a_nurse_records_an_infusion_with_every_detail(world, nurse):
    response = nurse.post(path(world, "administrations"), GIVEN)

    assert response.status_code == 201
    row = m.Administration.objects.get(pk=response.json()["id"])
    assert (row.date, row.start_time, row.end_time, row.dose_mg) == (
        date(2026, 1, 19),
        time(9, 10),
        time(11, 40),
        300,
    )
    assert (row.reaction, row.lot, row.entered_by) == ("mild", "OC26-0042", world.nurse)
    assert response.json()["premedication"] == GIVEN["premedication"]
    assert [(r.action, r.resource) for r in audit_rows()] == [("C", "api.administrations")]


@travel
def test_after_infusion_2_is_recorded_the_plan_moves_to_the_first_600_mg_dose(world, nurse):
    nurse.post(path(world, "administrations"), GIVEN)

    plan = nurse.get(path(world, "plan")).json()["plans"][0]

    assert plan["given"] == 2
    assert (plan["infusions"][0]["date"], plan["infusions"][0]["dose_mg"]) == ("2026-06-22", 600.0)


@travel
def test_a_second_infusion_of_the_drug_on_the_same_day_is_a_409(world, nurse):
    response = nurse.post(
        path(world, "administrations"),
        {"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": 300},
    )

    assert response.status_code == 409
    assert "already recorded" in response.json()["detail"]
    assert m.Administration.objects.filter(patient=world.patient).count() == 1


@travel
def test_a_corrected_infusion_does_not_block_its_replacement(world, nurse):
    old = m.Administration.objects.get(patient=world.patient)
    placeholder = m.Administration.objects.create(
        patient=world.patient, drug="ocrelizumab", date=date(2026, 1, 6), dose_mg=300
    )
    old.superseded_by = placeholder
    old.save()

    response = nurse.post(
        path(world, "administrations"),
        {"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": 300},
    )

    assert response.status_code == 201


@travel
@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"dose_mg": 0}, ["body", "dose_mg"]),
        ({"dose_mg": -300}, ["body", "dose_mg"]),
        ({"dose_mg": "300"}, ["body", "dose_mg"]),
        ({"dose_mg": True}, ["body", "dose_mg"]),
        ({"dose_mg": 1e9}, ["body", "dose_mg"]),
        ({"dose_mg": None}, ["body", "dose_mg"]),
        ({"drug": "ocrevus"}, ["body", "drug"]),
        ({"reaction": "terrible"}, ["body", "reaction"]),
        ({"end_time": "09:00"}, ["body", "end_time"]),
        ({"start_time": "09:10+01:00"}, ["body", "start_time"]),
        ({"start_time": "25:00"}, ["body", "start_time"]),
        ({"date": "2026-01-21"}, ["body", "date"]),
        ({"date": "1980-01-01"}, ["body", "date"]),
        ({"lot": "L" * 61}, ["body", "lot"]),
        ({"premedication": ["steroid"]}, ["body", "premedication"]),
        ({"weight_kg": 64}, ["body", "weight_kg"]),
    ],
)
def test_a_bad_administration_is_a_422_at_its_field_and_stores_nothing(world, nurse, change, loc):
    response = nurse.post(path(world, "administrations"), {**GIVEN, **change})

    assert locs(response) == [loc]
    assert m.Administration.objects.count() == 3


# ---------------------------------------------------------------- courses


@travel
def test_a_neurologist_starts_a_course(world, api_as):
    response = api_as(world.neurologist).post(
        path(world, "courses"), {"drug": "rituximab", "start": "2026-02-01", "regimen": "hermes"}
    )

    assert response.status_code == 201
    course = m.Course.objects.get(pk=response.json()["id"])
    assert (course.drug, course.start, course.regimen, course.stop) == (
        "rituximab",
        date(2026, 2, 1),
        "hermes",
        None,
    )
    listed = api_as(world.neurologist).get(path(world, "courses")).json()
    assert [c["drug"] for c in listed["items"]] == ["ocrelizumab", "rituximab"]


@travel
def test_a_past_course_can_be_recorded_with_its_stop(world, nurse):
    response = nurse.post(
        path(world, "courses"),
        {"drug": "natalizumab", "start": "2020-01-01", "stop": "2025-06-30", "stop_reason": "JCV+"},
    )

    assert response.status_code == 201
    assert (response.json()["stop"], response.json()["stop_reason"]) == ("2025-06-30", "JCV+")


@travel
@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"drug": "rituximab", "start": "2026-02-01"}, ["body", "regimen"]),  # no default regimen
        ({"drug": "ocrelizumab", "start": "2026-02-01", "regimen": "hermes"}, ["body", "regimen"]),
        ({"drug": "ocrelizumab", "start": "2026-02-01", "stop": "2026-01-31"}, ["body", "stop"]),
        ({"drug": "ocrelizumab", "start": "2026-01-01", "stop": "2026-01-21"}, ["body", "stop"]),
        (
            {"drug": "ocrelizumab", "start": "2026-01-01", "stop_reason": "x"},
            ["body", "stop_reason"],
        ),
        ({"drug": "ocrelizumab", "start": "1980-01-01"}, ["body", "start"]),
        ({"drug": "ocrelizumab"}, ["body", "start"]),
        ({"drug": "fingolimod", "start": "2026-02-01"}, ["body", "drug"]),
    ],
)
def test_a_bad_course_is_a_422_at_its_field(world, nurse, body, loc):
    response = nurse.post(path(world, "courses"), body)

    assert locs(response) == [loc]
    assert m.Course.objects.count() == 3


@travel
def test_stopping_a_course_supersedes_it_with_a_stopped_copy(world, nurse):
    course = world.patient.course_set.get()

    response = nurse.post(
        path(world, f"courses/{course.pk}/stop"), {"stop": "2026-01-20", "stop_reason": "pregnancy"}
    )

    assert response.status_code == 200
    body = response.json()
    course.refresh_from_db()
    assert course.superseded_by_id == body["id"]
    assert course.stop is None  # the old row is kept as it was
    stopped = m.Course.objects.get(pk=body["id"])
    assert (stopped.start, stopped.stop, stopped.stop_reason, stopped.entered_by) == (
        date(2026, 1, 5),
        date(2026, 1, 20),
        "pregnancy",
        world.nurse,
    )
    assert [c["id"] for c in nurse.get(path(world, "courses")).json()["items"]] == [stopped.pk]
    plan = nurse.get(path(world, "plan")).json()["plans"][0]
    assert (plan["infusions"], plan["stopped"]) == ([], "2026-01-20")
    assert [(r.action, r.resource) for r in audit_rows()[:1]] == [("U", "api.courses")]


@travel
def test_a_course_stops_once(world, nurse):
    course = world.patient.course_set.get()
    stopped = nurse.post(path(world, f"courses/{course.pk}/stop"), {"stop": "2026-01-20"}).json()

    again = nurse.post(path(world, f"courses/{stopped['id']}/stop"), {"stop": "2026-01-20"})
    superseded = nurse.post(path(world, f"courses/{course.pk}/stop"), {"stop": "2026-01-20"})

    assert again.status_code == 409
    assert superseded.status_code == 404
    assert m.Course.objects.filter(patient=world.patient).count() == 2


@travel
@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"stop": "2026-01-04"}, ["body", "stop"]),  # before the course start
        ({"stop": "2026-01-21"}, ["body", "stop"]),  # future
        ({}, ["body", "stop"]),
        ({"stop": "2026-01-20", "why": "x"}, ["body", "why"]),
    ],
)
def test_a_bad_stop_is_a_422_and_the_course_runs_on(world, nurse, body, loc):
    course = world.patient.course_set.get()

    response = nurse.post(path(world, f"courses/{course.pk}/stop"), body)

    assert locs(response) == [loc]
    course.refresh_from_db()
    assert course.superseded_by is None


# ---------------------------------------------------------------- races


@travel
def test_a_stop_racing_another_change_of_the_course_is_a_409_and_leaves_no_trace(
    world, nurse, monkeypatch
):
    from msinfusion.web.api import clinical

    course = world.patient.course_set.get()
    check_dates = clinical._when

    def someone_else_stops_it_meanwhile(patient, day, field):
        check_dates(patient, day, field)
        theirs = m.Course.objects.create(
            patient=patient, drug=course.drug, start=course.start, stop=date(2026, 1, 19)
        )
        m.Course.objects.filter(pk=course.pk).update(superseded_by=theirs)

    monkeypatch.setattr(clinical, "_when", someone_else_stops_it_meanwhile)

    response = nurse.post(path(world, f"courses/{course.pk}/stop"), {"stop": "2026-01-20"})

    assert response.status_code == 409
    current = m.Course.current.filter(patient=world.patient)
    assert [c.stop for c in current] == [date(2026, 1, 19)]  # theirs, and nothing of ours
    assert m.Course.objects.filter(patient=world.patient).count() == 2


@travel
def test_an_infusion_recorded_twice_at_the_same_moment_is_stored_once(world, nurse, monkeypatch):
    from msinfusion.web.api import clinical

    check_dates = clinical._when

    def someone_else_records_it_meanwhile(patient, day, field):
        check_dates(patient, day, field)
        m.Administration.objects.create(patient=patient, drug="ocrelizumab", date=day, dose_mg=300)

    monkeypatch.setattr(clinical, "_when", someone_else_records_it_meanwhile)

    response = nurse.post(path(world, "administrations"), GIVEN)

    assert response.status_code == 409
    assert (
        m.Administration.current.filter(patient=world.patient, date=date(2026, 1, 19)).count() == 1
    )
