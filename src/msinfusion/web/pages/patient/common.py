"""What every patient-area page shares: the role gate, "my" patient, and the summary to show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import PatientSummary, summarize
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.models import LabResult, Patient
from msinfusion.web.clinic.records import to_record, with_current_rows


def patient_only(view):
    """Pages for the patient role: anonymous -> login, any other role -> 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role != Role.PATIENT:
            raise PermissionDenied("patients only")
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def my_patient(request, resource: str, action: str = Action.READ) -> Patient:
    """The logged-in patient's own record, through the one permission check (404 if none)."""
    try:
        pk = request.user.patient.pk
    except ObjectDoesNotExist:
        pk = None
    return patient_for(request, pk, resource, action)


def counts_for_care(row: LabResult) -> bool:
    """A patient-reported result counts for readiness and plans only once a clinician confirms it."""
    return not row.patient_reported or row.confirmed_at is not None


def awaiting_confirmation(rows) -> list[LabResult]:
    return [r for r in rows if not counts_for_care(r)]


def loaded(patient: Patient) -> Patient:
    """The patient with every current clinical row prefetched (a fixed number of queries)."""
    return with_current_rows(Patient.objects.select_related("center").filter(pk=patient.pk)).get()


def confirmed_record(patient: Patient) -> PatientRecord:
    """The domain record without unconfirmed patient-reported results.

    `patient` must come from `loaded()`: the record is built from its prefetched rows with the
    unconfirmed results left out, so a number a patient typed never clears (or blocks) an infusion
    by itself. The prefetched rows are left as they were.
    """
    rows = patient.cur_results
    patient.cur_results = [r for r in rows if counts_for_care(r)]
    try:
        return to_record(patient)
    finally:
        patient.cur_results = rows


@dataclass(frozen=True)
class Confirmed:
    record: PatientRecord
    summary: PatientSummary
    problem: str | None  # why the care engine could not answer (the page still shows the rest)


def confirmed_summary(patient: Patient, today: date) -> Confirmed:
    """Record and summary (plan, readiness, due-list) as `services.summary_for` computes them.

    A question the care engine cannot answer (e.g. rituximab with no regimen chosen: no plan for
    that drug) must not break the patient's page: `problem` says why, the rest still shows.
    """
    record = confirmed_record(patient)
    try:
        summary = summarize(record, today, catalog=default_catalog())
    except CareError as exc:
        return Confirmed(record, PatientSummary(record.id, today, (), ()), str(exc))
    problems = [f"{s.drug}: {s.problem}" for s in summary.drugs if s.problem]
    return Confirmed(record, summary, "; ".join(problems) or None)
