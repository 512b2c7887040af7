"""Every operation of the OpenAPI schema, for every actor: 401, 403, 404 or the data (B1, B2).

The list of operations below must equal the schema's: a new endpoint fails these tests until it is
added here with its kind, and from then on it is covered by the 401 test, the actor matrix and the
audit-row checks.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from tests.web.api.conftest import BASE, audit_rows

from msinfusion.web.audit.models import AuditEvent

NOW = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)  # 10:00 at the world's center (New York)

# kind: read (any member of the care team and the patient), results (the same, writing),
# staff (nurse or neurologist writing), list, token (no token needed), self (the caller's token)
OPERATIONS = {
    ("post", "/auth/token"): "token",
    ("delete", "/auth/token"): "self",
    ("get", "/patients"): "list",
    ("get", "/patients/{id}"): "read",
    ("get", "/patients/{id}/readiness"): "read",
    ("get", "/patients/{id}/plan"): "read",
    ("get", "/patients/{id}/due"): "read",
    ("get", "/patients/{id}/results"): "read",
    ("post", "/patients/{id}/results"): "results",
    ("get", "/patients/{id}/administrations"): "read",
    ("post", "/patients/{id}/administrations"): "staff",
    ("get", "/patients/{id}/courses"): "read",
    ("post", "/patients/{id}/courses"): "staff",
    ("post", "/patients/{id}/courses/{course_id}/stop"): "staff",
}
BODIES = {
    "/patients/{id}/results": {"test": "anc", "value": 1500, "date": "2026-01-19"},
    "/patients/{id}/administrations": {"drug": "ocrelizumab", "date": "2026-01-19", "dose_mg": 300},
    "/patients/{id}/courses": {"drug": "ocrelizumab", "start": "2026-01-20", "regimen": "label"},
    "/patients/{id}/courses/{course_id}/stop": {"stop": "2026-01-20", "stop_reason": "switching"},
}
PATIENT_OPS = [op for op, kind in OPERATIONS.items() if kind in ("read", "results", "staff")]

# who may do what to `world.patient`; everyone else with a token gets 404 (403 for a write they may
# never make, whoever the patient is)
ALLOWED = {
    "read": {"patient_user", "neurologist", "nurse"},
    "results": {"patient_user", "neurologist", "nurse"},
    "staff": {"neurologist", "nurse"},
}
NEVER_WRITES = {"patient_user", "other_patient_user", "center_admin", "other_center_admin"}
ACTORS = [
    "patient_user",
    "neurologist",
    "nurse",
    "other_patient_user",
    "outside_neurologist",
    "other_center_nurse",
    "other_center_neurologist",
    "center_admin",
    "other_center_admin",
]


def schema_operations(client) -> set[tuple[str, str]]:
    schema = client.get(BASE + "/openapi.json").json()
    return {
        (method, path.removeprefix(BASE))
        for path, methods in schema["paths"].items()
        for method in methods
    }


def url(template: str, patient) -> str:
    course = patient.course_set.filter(superseded_by__isnull=True).first()
    return template.format(id=patient.pk, course_id=course.pk if course else 1)


def expected_status(actor: str, method: str, template: str) -> int:
    kind = OPERATIONS[(method, template)]
    patient_reporting = kind == "results" and actor in ("patient_user", "other_patient_user")
    if method != "get" and actor in NEVER_WRITES and not patient_reporting:
        return 403
    if actor not in ALLOWED[kind]:
        return 404
    return 201 if method == "post" and not template.endswith("/stop") else 200


def test_the_schema_lists_exactly_the_operations_these_tests_cover(client, db):
    assert schema_operations(client) == set(OPERATIONS)


def test_the_schema_is_served_without_a_token(client, db):
    response = client.get(BASE + "/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "msinfusion API"


def test_no_docs_page_loads_scripts_from_elsewhere(client, db):
    response = client.get(BASE + "/docs")

    assert response.status_code in (200, 404)
    assert b'<script src="http' not in response.content
    assert b"cdn." not in response.content


def test_every_operation_but_getting_a_token_answers_401_without_one(client, world, api_as):
    anonymous = api_as(None)
    for method, template in sorted(schema_operations(client)):
        if OPERATIONS.get((method, template)) == "token":
            continue
        before = AuditEvent.objects.count()

        response = anonymous.call(method, url(template, world.patient), BODIES.get(template))

        assert response.status_code == 401, (method, template)
        assert response.json()["detail"].startswith("A valid API token is required")
        rows = list(AuditEvent.objects.order_by("id")[before:])
        if "{id}" in template:  # a refused attempt on a patient's data is recorded once
            assert [(r.patient_id, r.actor, r.outcome) for r in rows] == [
                (world.patient.pk, "anonymous", "denied")
            ], (method, template)
        else:
            assert rows == [], (method, template)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(("method", "template"), PATIENT_OPS)
def test_each_actor_gets_the_data_a_403_or_a_404_with_one_audit_row(
    world, api_as, actor, method, template
):
    api = api_as(getattr(world, actor))
    want = expected_status(actor, method, template)

    response = api.call(method, url(template, world.patient), BODIES.get(template))

    assert response.status_code == want, response.content
    assert response["Cache-Control"] == "no-store"
    rows = audit_rows()
    assert len(rows) == 1
    row = rows[0]
    assert row.patient_id == world.patient.pk
    assert row.actor == getattr(world, actor).username
    assert row.outcome == ("success" if want < 400 else "denied")
    assert row.action == {"get": "R"}.get(method, "U" if template.endswith("/stop") else "C")
    assert row.resource.startswith("api.")
    assert row.request_id == response["X-Request-ID"]
    assert row.ip == "127.0.0.1"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("method", "template"), PATIENT_OPS)
def test_staff_of_another_center_cannot_reach_its_patients_and_the_404_reveals_nothing(
    world, api_as, method, template
):
    api = api_as(world.nurse)  # the far patient belongs to the other center
    hidden = api.call(method, url(template, world.far_patient), BODIES.get(template))
    missing = api.call(
        method,
        template.format(id=world.far_patient.pk + 1000, course_id=1),
        BODIES.get(template),
    )

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"detail": "Not found"}
    assert [r.outcome for r in audit_rows()] == ["denied", "denied"]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("method", "template"), PATIENT_OPS)
def test_their_own_center_admin_has_no_clinical_access(world, api_as, method, template):
    response = api_as(world.center_admin).call(
        method, url(template, world.patient), BODIES.get(template)
    )

    assert response.status_code == (404 if method == "get" else 403)
    assert [(r.patient_id, r.outcome) for r in audit_rows()] == [(world.patient.pk, "denied")]


def test_a_stop_for_a_course_of_another_patient_is_a_404(world, api_as):
    others_course = world.other_patient.course_set.get()
    api = api_as(world.nurse)  # may see both patients of the center

    with time_machine.travel(NOW, tick=False):
        response = api.post(
            f"/patients/{world.patient.pk}/courses/{others_course.pk}/stop",
            {"stop": "2026-01-20"},
        )

    assert response.status_code == 404
    others_course.refresh_from_db()
    assert others_course.superseded_by is None


@pytest.mark.parametrize("bad_id", ["0", "-1", "abc", "1.5", str(2**63), "9" * 40])
def test_a_patient_id_that_cannot_exist_is_a_422_for_the_path(world, api_as, bad_id):
    response = api_as(world.nurse).get(f"/patients/{bad_id}")

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["path", "id"]]
    assert AuditEvent.objects.count() == 0  # no patient was looked up
