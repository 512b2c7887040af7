"""B1 IDOR matrix, B2 audit completeness and B24 cross-center isolation, over every route.

For each route of the URLconf and each operation of the OpenAPI schema, every actor calls every
accepted method (each call in its own savepoint, so calls do not affect each other):

- the answer: allowed -> success; refused as a function -> 403; someone else's object -> 404;
  anonymous -> 302 to the login page (pages) or 401 (API);
- the audit rows it writes: exactly one per access, every field filled (actor, patient, action,
  outcome, UTC time, the request's own id, client address); a refused call writes one "denied" row;
- no leak: a caller who may not see the patient never gets the patient's name or birth date, and a
  refused call changes no row of any table.

A route in the URLconf without a row in routes.py fails here too (and in test_route_inventory.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse

from msinfusion.web.clinic.access import visible_patients
from msinfusion.web.clinic.models import Patient

from . import inventory
from .conftest import (
    audit_since,
    call,
    client_for,
    foreign_values,
    html_kwargs,
    last_audit_id,
    snapshot,
    url_values,
)
from .routes import (
    ACCOUNT,
    ACTORS,
    API,
    CENTER,
    FEED,
    HTML,
    LIST,
    OWN_RECORD,
    PATIENT,
    PUBLIC,
    SELF,
    Route,
    api_bodies,
    queries,
)

SECRETS_OF_THE_PATIENT = ("Alice Example", "1988-03-14", "March 14, 1988", "14 Mar 1988")
ACTIONS = {"C", "R", "U", "D", "E"}
OUTCOMES = {"success", "denied", "failed"}
OBJECT_KWARGS = {"result_id", "administration_id", "course_id", "condition_id"}


def _html_keys() -> list[str]:
    return sorted(set(HTML) | set(inventory.html_routes()))


def _build_html_url(name: str, values: dict) -> str:
    kwargs = {}
    for param in html_kwargs(name):
        if param not in values:
            pytest.fail(
                f"route {name}: no value for the URL parameter {param!r}; add it to url_values"
            )
        kwargs[param] = values[param]
    query = queries().get(name)
    return reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")


def _build_api_url(operation: str, values: dict) -> str:
    path = operation.split(" ", 1)[1]
    for param in ("id", "course_id"):
        path = path.replace("{" + param + "}", str(values[param]))
    assert "{" not in path, f"{operation}: no value for a path parameter; add it to url_values"
    return path


def expectation(route: Route, actor: str, method: str, api: bool) -> tuple[str, frozenset[int]]:
    """(verdict, acceptable status codes) of one actor calling one route."""
    if route.kind == PUBLIC and not route.allowed:
        return "ok", route.expected_ok(method, api)
    if actor == "anonymous":
        return "anonymous", frozenset({401} if api else {302})
    if actor in route.allowed:
        return "ok", route.expected_ok(method, api)
    if actor in route.forbidden:
        return "forbidden", frozenset({403})
    return "not_found", frozenset({404})


def _own_patient(world, actor: str) -> Patient | None:
    return {"patient": world.patient, "other_patient": world.other_patient}.get(actor)


def _row_problems(rows, response, *, patient_required: bool) -> list[str]:
    problems = []
    request_id = response.get("X-Request-ID")
    for r in rows:
        missing = [
            name
            for name, ok in (
                ("actor", bool(r.actor)),
                ("role", bool(r.role)),
                ("patient", r.patient_id is not None or not patient_required),
                ("action", r.action in ACTIONS),
                ("outcome", r.outcome in OUTCOMES),
                ("UTC timestamp", r.at is not None and r.at.utcoffset() == timedelta(0)),
                ("request id of this request", bool(request_id) and r.request_id == request_id),
                ("ip", bool(r.ip)),
                ("resource", bool(r.resource)),
            )
            if not ok
        ]
        if missing:
            problems.append(f"audit row {r.pk} lacks {', '.join(missing)}")
    return problems


def _audit_problems(world, route, actor, verdict, rows, response) -> list[str]:
    outcomes = [r.outcome for r in rows]
    if route.kind == PUBLIC:
        return [] if not rows else [f"a public route wrote audit rows: {outcomes}"]
    if verdict == "anonymous" and route.kind != PATIENT:
        return [] if not rows else [f"an anonymous call without a patient wrote {outcomes}"]
    if route.kind == LIST and verdict == "ok":
        user = getattr(world, ACCOUNT[actor])
        visible = set(visible_patients(user).values_list("pk", flat=True))
        ids = [r.patient_id for r in rows]
        problems = _row_problems(rows, response, patient_required=True)
        if len(ids) != len(set(ids)):
            problems.append(f"a listed patient was audited twice: {ids}")
        if not set(ids) <= visible:
            problems.append(f"audit rows name patients the caller cannot see: {set(ids) - visible}")
        if set(outcomes) - {"success"}:
            problems.append(f"list rows with outcome {outcomes}")
        return problems
    if len(rows) != 1:
        return [f"expected exactly 1 audit row, got {len(rows)}: {outcomes}"]
    row = rows[0]
    want = "success" if verdict == "ok" else "denied"
    problems = []
    if row.outcome != want and not (want == "success" and row.outcome == "failed"):
        problems.append(f"audit outcome {row.outcome!r}, expected {want!r}")
    patient_required = route.kind == PATIENT or (route.kind == SELF and verdict == "ok")
    problems += _row_problems(rows, response, patient_required=patient_required)
    if route.kind == PATIENT and row.patient_id != world.patient.pk:
        problems.append(f"audit row names patient {row.patient_id}, not {world.patient.pk}")
    if route.kind == SELF and verdict == "ok":
        own = _own_patient(world, actor)
        if row.patient_id != own.pk:
            problems.append(f"audit row names patient {row.patient_id}, not the caller's {own.pk}")
    if route.kind == CENTER and row.patient_id is not None:
        problems.append("a center-admin row names a patient")
    return problems


def _body_text(response) -> str:
    if getattr(response, "streaming", False):
        # consuming the stream closes the file the way the test client expects (closing the
        # response directly would fire request_finished and close the database connection)
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def check_call(world, extras, route, actor, method, url, body, api) -> list[str]:
    """Make one call in a savepoint and list what is wrong with it."""
    verdict, statuses = expectation(route, actor, method, api)
    with transaction.atomic():
        client = client_for(world, extras, actor, api=api)
        marker = last_audit_id()
        before = snapshot() if verdict != "ok" else None
        response = call(client, method, url, body, api)
        rows = audit_since(marker)
        problems = []
        if response.status_code not in statuses:
            problems.append(f"status {response.status_code}, expected {sorted(statuses)}")
        redirect = response.get("Location", "")
        if verdict == "anonymous" and not api and not redirect.startswith("/login/"):
            problems.append(f"anonymous answer goes to {redirect!r}, not the login page")
        problems += _audit_problems(world, route, actor, verdict, rows, response)
        text = _body_text(response)
        if actor not in OWN_RECORD:
            leaked = [s for s in SECRETS_OF_THE_PATIENT if s in text]
            if leaked:
                problems.append(f"LEAK: the response shows {leaked}")
        if before is not None and snapshot() != before:
            problems.append("a refused call changed stored rows")
        transaction.set_rollback(True)
    return [f"{method} {url} as {actor}: {p}" for p in problems]


@pytest.mark.parametrize("name", _html_keys())
def test_page_route_matrix(world, extras, name):
    if name not in HTML:
        pytest.fail(f"route {name!r} has no entry in tests/web/security/routes.py HTML")
    if name not in inventory.html_routes():
        pytest.fail(f"route {name!r} is in the matrix but not in the URLconf (missing or renamed)")
    route = HTML[name]
    if route.kind == FEED:
        pytest.skip("the calendar feed's token is its credential: test_b01_calendar_feed.py")
    url = _build_html_url(name, url_values(world, extras))
    problems = []
    for method in route.methods:
        for actor in ACTORS:
            problems += check_call(world, extras, route, actor, method, url, None, api=False)
    assert not problems, "\n".join(problems)


def _api_keys() -> list[str]:
    return sorted(API)


@pytest.mark.parametrize("operation", _api_keys())
def test_api_operation_matrix(world, extras, operation):
    route = API[operation]
    method = operation.split(" ", 1)[0]
    url = _build_api_url(operation, url_values(world, extras))
    body = api_bodies().get(operation)
    problems = []
    for actor in ACTORS:
        problems += check_call(world, extras, route, actor, method, url, body, api=True)
    assert not problems, "\n".join(problems)


def _object_routes() -> list[str]:
    return sorted(
        name
        for name, route in HTML.items()
        if route.kind == PATIENT
        and name in inventory.html_routes()
        and OBJECT_KWARGS & set(html_kwargs(name))
    )


@pytest.mark.parametrize("name", _object_routes())
def test_another_patients_row_under_this_patients_id_is_not_found(world, extras, name):
    """BOLA: the nurse may see both patients, but a row of one is never reached via the other."""
    route = HTML[name]
    values = {**url_values(world, extras), **foreign_values(world, extras)}
    url = _build_html_url(name, values)
    problems = []
    for method in route.methods:
        with transaction.atomic():
            client = client_for(world, extras, "nurse")
            before = snapshot()
            response = call(client, method, url)
            if response.status_code != 404:
                problems.append(f"{method} {url}: status {response.status_code}, expected 404")
            if snapshot() != before:
                problems.append(f"{method} {url}: changed stored rows")
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def test_api_stop_of_another_patients_course_is_not_found(world, extras):
    operation = "POST /api/v1/patients/{id}/courses/{course_id}/stop"
    values = {**url_values(world, extras), **foreign_values(world, extras)}
    client = client_for(world, extras, "nurse", api=True)
    before = snapshot()
    url = _build_api_url(operation, values)
    response = call(client, "POST", url, api_bodies()[operation], api=True)
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize("name", sorted(n for n, r in HTML.items() if r.kind != PUBLIC))
def test_unlisted_methods_are_refused(world, extras, name):
    """The table's methods are the route's methods: any other one answers 405."""
    route = HTML[name]
    if name not in inventory.html_routes():
        pytest.fail(f"route {name!r} is in the matrix but not in the URLconf")
    actor = sorted(route.allowed)[0] if route.allowed else "anonymous"
    url = _build_html_url(name, url_values(world, extras))
    for method in {"GET", "POST"} - set(route.methods):
        with transaction.atomic():
            client = client_for(world, extras, actor)
            response = call(client, method, url)
            assert response.status_code == 405, f"{method} {url} as {actor}: {response.status_code}"
            transaction.set_rollback(True)


def test_the_leak_check_recognises_the_patient(world, extras):
    """The care team's page does show the patient, so the secrets above are the real ones."""
    client = client_for(world, extras, "nurse")
    text = client.get(_build_html_url("patient_detail", url_values(world, extras))).content.decode()
    assert [s for s in SECRETS_OF_THE_PATIENT if s in text] == ["Alice Example", "14 Mar 1988"]
