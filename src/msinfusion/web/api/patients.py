"""Patients and what the domain says about them: plan, readiness and due-list.

Each endpoint goes through `patient_for` (one patient: 404 and a denied audit row when the caller
may not see it) or `visible_patients` plus one audit row per listed patient. The answers are the
domain's own `to_dict()` shapes; this module only chooses defaults and converts errors.
"""

from datetime import date
from typing import Annotated

from ninja import Path, Query, Router
from ninja.pagination import paginate

from msinfusion.care.monitoring import due_list
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import DrugId
from msinfusion.care.summary import summarize
from msinfusion.dates import add_months
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.api.errors import (
    READ_ERRORS,
    ErrorOut,
    InputError,
    ValidationOut,
    care_error,
)
from msinfusion.web.api.pagination import AuditedPatientPage
from msinfusion.web.api.schemas import (
    MAX_ID,
    Day,
    DueOut,
    PatientDetailOut,
    PatientOut,
    PlansOut,
    ReadinessOut,
)
from msinfusion.web.clinic.access import patient_for, visible_patients
from msinfusion.web.clinic.models import Course
from msinfusion.web.clinic.records import to_record
from msinfusion.web.clinic.services import today_at

PatientId = Annotated[int, Path(ge=1, le=MAX_ID, description="the patient's id")]
MAX_HORIZON_MONTHS = 120  # plans and due-lists look at most 10 years ahead

router = Router(tags=["patients"])


@router.get(
    "", response={200: list[PatientOut], 401: ErrorOut, 422: ValidationOut}, summary="List patients"
)
@paginate(AuditedPatientPage, resource="api.patients")
def list_patients(request):
    """The patients the caller may see, by name."""
    return (
        visible_patients(request.user)
        .select_related("center", "neurologist")
        .order_by("name", "id")
    )


@router.get("/{id}", response={200: PatientDetailOut, **READ_ERRORS}, summary="One patient")
def get_patient(request, id: PatientId):
    """Demographics and the patient's current (not superseded) courses."""
    patient = patient_for(request, id, "api.patient")
    patient.current_courses = list(Course.current.filter(patient=patient))
    return patient


def _horizon_check(until: date | None, today: date, name: str) -> None:
    if until is not None and until > add_months(today, MAX_HORIZON_MONTHS):
        raise InputError(
            ["query", name], f"must be at most {MAX_HORIZON_MONTHS // 12} years after {today}"
        )


@router.get("/{id}/readiness", response={200: ReadinessOut, **READ_ERRORS}, summary="Readiness")
def readiness(
    request,
    id: PatientId,
    day: Annotated[Day | None, Query(alias="date", description="infusion date")] = None,
    drug: Annotated[DrugId | None, Query(description="drug of the infusion")] = None,
):
    """Is the patient cleared for an infusion? Without `drug`: the drug of the next planned
    infusion; without `date`: that infusion's due date, or today when it is overdue."""
    patient = patient_for(request, id, "api.readiness")
    record = to_record(patient)
    catalog = default_catalog()
    today = today_at(patient.center)
    summary = None
    try:
        if drug is None:
            summary = summarize(record, today, catalog=catalog)
            nxt = summary.next_infusion
            if nxt is None:
                msg = "no infusion is planned for this patient: give the drug"
                raise InputError(["query", "drug"], msg)
            drug = nxt[0].drug
        if day is not None:
            return check_readiness(record, drug, day, catalog=catalog).to_dict()
        summary = summary or summarize(record, today, catalog=catalog)
        status = next((s for s in summary.drugs if s.drug == drug), None)
        if status is None or status.readiness is None:
            msg = (status and status.problem) or f"no {drug} infusion is planned: give the date"
            raise InputError(["query", "date"], msg)
        return status.readiness.to_dict()
    except CareError as exc:
        raise care_error(exc, {"drug": "drug", "date": "date", "day": "date"}) from None


@router.get("/{id}/plan", response={200: PlansOut, **READ_ERRORS}, summary="Infusion plan")
def plan(
    request,
    id: PatientId,
    drug: Annotated[DrugId | None, Query(description="only this drug")] = None,
    until: Annotated[Day | None, Query(description="plan up to this date")] = None,
):
    """The future infusions of each drug of the record (default horizon: 12 months)."""
    patient = patient_for(request, id, "api.plan")
    today = today_at(patient.center)
    _horizon_check(until, today, "until")
    record = to_record(patient)
    catalog = default_catalog()
    if drug is not None and drug not in record.drugs:
        raise InputError(["query", "drug"], f"the record has no {drug} course or infusion")
    plans, problems = [], []
    for drug_id in [drug] if drug else record.drugs:
        try:
            found = plan_infusions(catalog.drug(drug_id), record=record, until=until, today=today)
        except CareError as exc:
            problems.append({"drug": drug_id, "field": exc.field, "message": exc.problem})
            continue
        plans.append(found.to_dict())
    return {"today": today, "until": until, "plans": plans, "problems": problems}


@router.get("/{id}/due", response={200: DueOut, **READ_ERRORS}, summary="Due-list")
def due(
    request,
    id: PatientId,
    today: Annotated[Day | None, Query(description="default: today at the center")] = None,
    until: Annotated[Day | None, Query(description="default: 12 months after today")] = None,
):
    """Monitoring and pre-infusion tasks that are overdue or due by `until`."""
    patient = patient_for(request, id, "api.due")
    today = today or today_at(patient.center)
    if until is not None and until < today:
        raise InputError(["query", "until"], f"must not be before today ({today.isoformat()})")
    _horizon_check(until, today, "until")
    until = until or add_months(today, 12)
    try:
        tasks = due_list(to_record(patient), today, until, catalog=default_catalog())
    except CareError as exc:
        raise care_error(exc, {"today": "today", "until": "until"}) from None
    return {"today": today, "until": until, "due": [t.to_dict() for t in tasks]}
