"""A request id for every request (response header, logs, audit rows), the client address, and a
"denied" audit row for refused requests on patient routes that no view got to audit.
"""

from __future__ import annotations

import contextvars
import logging
import uuid

from django.conf import settings

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
log = logging.getLogger("msinfusion.audit")

# URL keyword arguments that name a clinical row, and the model that row lives in (its patient is
# the one a refused request tried to reach).
OBJECT_KWARGS = {
    "result_id": "LabResult",
    "administration_id": "Administration",
    "course_id": "Course",
    "condition_id": "Condition",
    "program_action_id": "ProgramAction",
    "vaccination_id": "Vaccination",
    "event_id": "ClinicalEvent",
    "checklist_id": "Checklist",
    "entry_id": "DiaryEntry",
}
API_PATIENTS = "api/v1/patients/<id>"
METHOD_ACTION = {"GET": "R", "HEAD": "R", "POST": "C", "PUT": "U", "PATCH": "U", "DELETE": "D"}


def client_ip(request) -> str:
    """REMOTE_ADDR, or the trusted proxy's header when one is configured (never X-Forwarded-For
    from the client itself, which anyone can set)."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        value = request.META.get(header, "").split(",")[-1].strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR") or "0.0.0.0"


def _db_id(value) -> int | None:
    """An id the database can hold, else None (a 20-digit id in a URL is no patient, not a crash)."""
    number = int(value)
    return number if 0 < number < 2**63 else None


def patient_named_by(request) -> int | None:
    """The patient id a request's URL points at: `patient_id`, or the patient of a clinical row."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    kwargs = match.kwargs
    try:
        if "patient_id" in kwargs:
            return _db_id(kwargs["patient_id"])
        if "id" in kwargs and "api" in match.namespaces and match.route.startswith(API_PATIENTS):
            return _db_id(kwargs["id"])  # the API's /patients/{id}/...
        from django.apps import apps

        for name, model_name in OBJECT_KWARGS.items():
            if name in kwargs:
                model = apps.get_model("clinic", model_name)
                row_id = _db_id(kwargs[name])
                if row_id is None:
                    return None
                return model.objects.filter(pk=row_id).values_list("patient_id", flat=True).first()
    except (TypeError, ValueError):
        return None
    return None


def _refused(request, response) -> bool:
    status = response.status_code
    if status in (401, 403, 404):
        return True
    user = getattr(request, "user", None)
    anonymous = user is None or not user.is_authenticated
    return (
        status == 302
        and anonymous
        and response.get("Location", "").startswith(settings.LOGIN_URL_PATH)
    )


def audit_refusal(request, response) -> None:
    """Add the one "denied" row for a refused request that wrote no audit row itself.

    A 403 by a logged-in user is always recorded (a function refused, e.g. a patient opening a
    staff page); a login redirect, 401 or 404 is recorded when the URL names a patient.
    """
    from msinfusion.web.audit.log import Outcome, audit, rows_written

    if rows_written(request) or not _refused(request, response):
        return
    if getattr(request, "resolver_match", None) is None:
        return
    patient_id = patient_named_by(request)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    if patient_id is None and not (response.status_code == 403 and signed_in):
        return
    from msinfusion.web.clinic.models import Patient

    patient = Patient.objects.filter(pk=patient_id).first() if patient_id is not None else None
    resource = request.resolver_match.view_name or "unknown"
    action = METHOD_ACTION.get(request.method or "", "E")
    audit(request, patient or patient_id, action, resource[:80], Outcome.DENIED)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
            try:
                audit_refusal(request, response)
            except Exception:
                log.exception("could not write the audit row for a refused request")
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True
