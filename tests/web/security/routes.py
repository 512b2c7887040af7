"""The explicit table of every route: how to build its URL and who may use it (B1, B2, B11, B23, B24).

Routes are collected automatically from the URLconf and from the OpenAPI schema; a route that is
not in this table fails `test_route_inventory.py`, naming what to add. Each entry says:

- `kind`: what the route touches, which decides the audit rows a call must write:
  PATIENT (one named patient: 1 row), SELF (the caller's own record: 1 row), LIST (one row per
  patient shown), CENTER (a center admin's function: 1 row without a patient), PUBLIC (no patient
  data: no row), FEED (the calendar feed, whose token is the credential; tested on its own);
- `methods`: the HTTP methods it accepts;
- `allowed`: the actors who get the success answer; `forbidden`: the signed-in actors refused as a
  function (403); every other signed-in actor gets 404 (the object is not theirs); anonymous
  callers are sent to the login page (HTML) or get 401 (API);
- `body`: for API writes, a valid JSON body, so the permission check is what decides the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

PATIENT, SELF, LIST, CENTER, PUBLIC, FEED = "patient", "self", "list", "center", "public", "feed"

ACTORS = (
    "patient",
    "neurologist",  # the patient's own neurologist
    "nurse",  # a nurse at the patient's center
    "other_patient",
    "outside_neurologist",  # a clinician of the same center outside the care team
    "other_center_nurse",
    "other_center_neurologist",
    "center_admin",
    "other_center_admin",
    "anonymous",
)
# world attribute of each actor's account
ACCOUNT = {
    "patient": "patient_user",
    "neurologist": "neurologist",
    "nurse": "nurse",
    "other_patient": "other_patient_user",
    "outside_neurologist": "outside_neurologist",
    "other_center_nurse": "other_center_nurse",
    "other_center_neurologist": "other_center_neurologist",
    "center_admin": "center_admin",
    "other_center_admin": "other_center_admin",
}
CARE_TEAM = frozenset({"neurologist", "nurse"})
OWN_RECORD = CARE_TEAM | {"patient"}  # who may see the world's patient
PATIENTS = frozenset({"patient", "other_patient"})
ADMINS = frozenset({"center_admin", "other_center_admin"})
STAFF = frozenset(
    {
        "neurologist",
        "nurse",
        "outside_neurologist",
        "other_center_nurse",
        "other_center_neurologist",
    }
)
SIGNED_IN = frozenset(ACTORS) - {"anonymous"}
NEUROLOGISTS = frozenset({"neurologist", "outside_neurologist", "other_center_neurologist"})
PLANNERS = frozenset({"nurse", "other_center_nurse"}) | ADMINS  # who may move a day's bookings

# answers that mean "the request was allowed" (a write with an empty form answers 400)
OK_GET = frozenset({200})
OK_POST = frozenset({200, 201, 302, 400})
OK_API_POST = frozenset({200, 201})


@dataclass(frozen=True)
class Route:
    kind: str
    methods: tuple[str, ...]
    allowed: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()
    body: dict | None = None
    ok: dict[str, frozenset[int]] = field(default_factory=dict)

    def expected_ok(self, method: str, api: bool) -> frozenset[int]:
        if method in self.ok:
            return self.ok[method]
        if method == "GET":
            return OK_GET
        return OK_API_POST if api else OK_POST


def staff_page(*methods: str) -> Route:
    """A care-team page about one patient: patients and admins are refused as a function."""
    return Route(PATIENT, methods, CARE_TEAM, PATIENTS | ADMINS)


def patient_page(*methods: str) -> Route:
    """A page of the patient's own area: staff and admins are refused as a function."""
    return Route(SELF, methods, PATIENTS, STAFF | ADMINS)


def center_page(*methods: str, objects: bool = False) -> Route:
    """A center-admin page; on objects of the first center the other center's admin gets 404."""
    allowed = {"center_admin"} if objects else ADMINS
    return Route(CENTER, methods, frozenset(allowed), PATIENTS | STAFF)


HTML: dict[str, Route] = {
    # public and navigation
    "home": Route(PUBLIC, ("GET",), ok={"GET": frozenset({302})}),
    "health": Route(PUBLIC, ("GET",)),
    "login": Route(PUBLIC, ("GET", "POST")),
    "logout": Route(PUBLIC, ("POST",), ok={"POST": frozenset({302})}),
    # the patient's own area
    "my_dashboard": patient_page("GET"),
    "my_result_new": patient_page("GET", "POST"),
    "my_diary": patient_page("GET", "POST"),
    "my_calendar_rotate": patient_page("POST"),
    "my_cycle": patient_page("GET"),
    "my_diary_csv": patient_page("GET"),
    "my_diary_fhir": patient_page("GET"),
    "my_diary_import": patient_page("GET", "POST"),
    "my_diary_reminder": patient_page("POST"),
    "calendar_feed": Route(FEED, ("GET",)),
    # an uploaded result file: the patient and the care team
    "result_file": Route(PATIENT, ("GET",), OWN_RECORD),
    # the care team's pages
    "worklist": Route(LIST, ("GET",), STAFF, PATIENTS | ADMINS),
    "patient_list": Route(LIST, ("GET",), STAFF, PATIENTS | ADMINS),
    "patient_detail": staff_page("GET"),
    "readiness_partial": staff_page("GET"),  # htmx partial
    "visit_report": staff_page("GET"),
    "visit_report_pdf": staff_page("GET"),
    "result_new": staff_page("GET", "POST"),
    "result_confirm": staff_page("POST"),
    "result_correct": staff_page("GET", "POST"),
    "administration_new": staff_page("GET", "POST"),
    "administration_correct": staff_page("GET", "POST"),
    "course_new": staff_page("GET", "POST"),
    "course_stop": staff_page("GET", "POST"),
    "program_action_new": staff_page("GET", "POST"),
    "condition_new": staff_page("GET", "POST"),
    "condition_resolve": staff_page("GET", "POST"),
    # center administration
    "center_admin": center_page("GET"),
    "staff_new": center_page("GET", "POST"),
    "staff_deactivate": center_page("POST", objects=True),
    "staff_reactivate": center_page("POST", objects=True),
    "chairs": center_page("GET", "POST"),
    "chair_deactivate": center_page("POST", objects=True),
    "chair_reactivate": center_page("POST", objects=True),
    "opening_hours": center_page("GET", "POST"),
    "nurse_settings": center_page("GET", "POST"),
    "nurse_shifts": center_page("GET", "POST"),
    "nurse_shift_remove": center_page("POST", objects=True),
    "audit_log": center_page("GET"),
    # the day board (staff and admins of a center, each for their own) and chair bookings
    "board": Route(LIST, ("GET",), STAFF | ADMINS, PATIENTS),
    "board_optimise": Route(CENTER, ("POST",), PLANNERS, PATIENTS | NEUROLOGISTS),
    "board_apply": Route(CENTER, ("POST",), PLANNERS, PATIENTS | NEUROLOGISTS),
    "booking_new": staff_page("GET", "POST"),
    "booking_cancel": staff_page("POST"),
}


def _days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


def api_bodies() -> dict[str, dict]:
    """Valid bodies for the API's writes (dates relative to today: never in the future)."""
    return {
        "POST /api/v1/patients/{id}/results": {
            "test": "hbsag",
            "value": "negative",
            "date": _days_ago(2),
        },
        "POST /api/v1/patients/{id}/administrations": {
            "drug": "ocrelizumab",
            "date": _days_ago(2),
            "dose_mg": 300.0,
        },
        "POST /api/v1/patients/{id}/courses": {"drug": "ocrelizumab", "start": _days_ago(2)},
        "POST /api/v1/patients/{id}/courses/{course_id}/stop": {"stop": _days_ago(1)},
        "POST /api/v1/auth/token": {"username": "pat", "password": "correct horse battery staple"},
    }


def queries() -> dict[str, str]:
    """Query strings a route needs to answer its success case."""
    return {"readiness_partial": f"date={date.today().isoformat()}"}


def api_read() -> Route:
    return Route(PATIENT, ("GET",), OWN_RECORD)


def api_write(patients_too: bool = False) -> Route:
    allowed = OWN_RECORD if patients_too else CARE_TEAM
    forbidden = ADMINS if patients_too else ADMINS | PATIENTS
    return Route(PATIENT, ("POST",), frozenset(allowed), forbidden)


API: dict[str, Route] = {
    "POST /api/v1/auth/token": Route(PUBLIC, ("POST",)),
    "DELETE /api/v1/auth/token": Route(
        PUBLIC, ("DELETE",), SIGNED_IN, ok={"DELETE": frozenset({204})}
    ),
    "GET /api/v1/patients": Route(LIST, ("GET",), SIGNED_IN),
    "GET /api/v1/patients/{id}": api_read(),
    "GET /api/v1/patients/{id}/readiness": api_read(),
    "GET /api/v1/patients/{id}/plan": api_read(),
    "GET /api/v1/patients/{id}/due": api_read(),
    "GET /api/v1/patients/{id}/results": api_read(),
    "POST /api/v1/patients/{id}/results": api_write(patients_too=True),
    "GET /api/v1/patients/{id}/administrations": api_read(),
    "POST /api/v1/patients/{id}/administrations": api_write(),
    "GET /api/v1/patients/{id}/courses": api_read(),
    "POST /api/v1/patients/{id}/courses": api_write(),
    "POST /api/v1/patients/{id}/courses/{course_id}/stop": api_write(),
}

# URL patterns of the API namespace that are not operations of the schema
API_EXTRA_PATTERNS = {"api/v1/openapi.json", "api/v1/docs", "api/v1/"}

# The routes the product promises (reported when missing, never silently skipped)
PLANNED_HTML = [
    "my_dashboard",
    "my_result_new",
    "my_diary",
    "my_calendar_rotate",
    "calendar_feed",
    "result_file",
    "worklist",
    "patient_list",
    "patient_detail",
    "readiness_partial",
    "result_new",
    "result_confirm",
    "result_correct",
    "administration_new",
    "administration_correct",
    "course_new",
    "course_stop",
    "program_action_new",
    "condition_new",
    "condition_resolve",
]
