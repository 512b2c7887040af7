"""Results, administrations and courses of one patient: list them, add them, stop a course.

Writes are for care staff (`can_write_clinical`); a patient may add their own results, stored as
patient-reported. Anyone else gets 403 and a denied audit row. Input is checked in this order:
shape (schemas.py, before the view runs), the catalog (the domain's `check_against`, before the
patient is looked up), then the patient (`patient_for`: 404 or the audit row), then what depends on
the patient (dates not in the future at the center, not before birth, no duplicate infusion).
Rows are never changed or deleted: stopping a course adds a stopped copy that supersedes it.
"""

from datetime import date
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from ninja import Path, Router, Status
from ninja.pagination import paginate

from msinfusion.care.record import Course as CourseRow
from msinfusion.care.record import PatientRecord, Result
from msinfusion.errors import RecordError
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.accounts.models import Role
from msinfusion.web.api.errors import READ_ERRORS, WRITE_ERRORS, Conflict, InputError
from msinfusion.web.api.pagination import Page
from msinfusion.web.api.patients import PatientId
from msinfusion.web.api.schemas import (
    MAX_ID,
    AdministrationIn,
    AdministrationOut,
    CourseIn,
    CourseOut,
    ResultIn,
    ResultOut,
    StopIn,
)
from msinfusion.web.audit.log import Action, Outcome, audit
from msinfusion.web.clinic.access import can_write_clinical, patient_for
from msinfusion.web.clinic.models import Administration, Course, LabResult, Patient
from msinfusion.web.clinic.services import today_at

CourseId = Annotated[int, Path(ge=1, le=MAX_ID, description="the course row's id")]

router = Router(tags=["clinical"])


# ---------------------------------------------------------------- checks


def _writer(request, patient_id: int, resource: str, action: str, patients_too=False) -> None:
    """403 (with a denied audit row) unless the caller may write this kind of row."""
    user = request.user
    if can_write_clinical(user) or (patients_too and user.role == Role.PATIENT):
        return
    audit(request, patient_id, action, resource, Outcome.DENIED)
    raise PermissionDenied("Only the care team can record this.")


def _catalog_check(**rows) -> None:
    """The domain's record validation of one new row; a problem becomes a 422 at its field."""
    try:
        PatientRecord.model_construct(**rows).check_against(default_catalog())
    except RecordError as exc:
        field = exc.field.split(".", 1)[1] if "." in exc.field else exc.field
        raise InputError(["body", *field.split(".")], exc.problem, "catalog") from None


def _when(patient: Patient, day: date, field: str) -> None:
    today = today_at(patient.center)
    if day > today:
        raise InputError(["body", field], f"must not be in the future (today is {today})")
    if patient.birth_date is not None and day < patient.birth_date:
        raise InputError(["body", field], "must not be before the patient's birth date")


# ---------------------------------------------------------------- results


@router.get("/{id}/results", response={200: list[ResultOut], **READ_ERRORS}, summary="Lab results")
@paginate(Page)
def list_results(request, id: PatientId):
    """The patient's current results, newest first (corrected rows are left out)."""
    patient = patient_for(request, id, "api.results")
    return LabResult.current.filter(patient=patient).order_by("-date", "-id")


@router.post("/{id}/results", response={201: ResultOut, **WRITE_ERRORS}, summary="Add a lab result")
def create_result(request, id: PatientId, payload: ResultIn):
    """Care staff enter results; a patient's own entries are stored as patient-reported."""
    _writer(request, id, "api.results", Action.CREATE, patients_too=True)
    number = not isinstance(payload.value, str)
    _catalog_check(
        results=(
            Result.model_construct(
                test=payload.test, value=payload.value, date=payload.date, unit=payload.unit
            ),
        )
    )
    patient = patient_for(request, id, "api.results", Action.CREATE)
    _when(patient, payload.date, "date")
    unit = payload.unit or (default_catalog().test(payload.test).unit if number else "")
    row = LabResult.objects.create(
        patient=patient,
        entered_by=request.user,
        test=payload.test,
        value_number=payload.value if number else None,
        value_text="" if number else payload.value,
        unit=unit,
        date=payload.date,
        assay=payload.assay or "",
        patient_reported=request.user.role == Role.PATIENT,
    )
    return Status(201, row)


# ---------------------------------------------------------------- administrations


@router.get(
    "/{id}/administrations",
    response={200: list[AdministrationOut], **READ_ERRORS},
    summary="Infusions given",
)
@paginate(Page)
def list_administrations(request, id: PatientId):
    """The infusions given, oldest first (corrected rows are left out)."""
    patient = patient_for(request, id, "api.administrations")
    return Administration.current.filter(patient=patient).order_by("date", "id")


@router.post(
    "/{id}/administrations",
    response={201: AdministrationOut, **WRITE_ERRORS},
    summary="Record an infusion",
)
def create_administration(request, id: PatientId, payload: AdministrationIn):
    """Record an infusion given; a second infusion of the same drug on the same day is a 409."""
    _writer(request, id, "api.administrations", Action.CREATE)
    patient = patient_for(request, id, "api.administrations", Action.CREATE)
    _when(patient, payload.date, "date")
    same_day = Administration.current.filter(patient=patient, drug=payload.drug, date=payload.date)
    if same_day.exists():
        raise Conflict(f"an infusion of {payload.drug} on {payload.date} is already recorded")
    try:
        with transaction.atomic():
            row = Administration.objects.create(
                patient=patient, entered_by=request.user, **payload.model_dump()
            )
    except IntegrityError:  # the same infusion recorded at the same moment by someone else
        raise Conflict(
            f"an infusion of {payload.drug} on {payload.date} is already recorded"
        ) from None
    return Status(201, row)


# ---------------------------------------------------------------- courses


@router.get("/{id}/courses", response={200: list[CourseOut], **READ_ERRORS}, summary="Courses")
@paginate(Page)
def list_courses(request, id: PatientId):
    """The patient's current course rows, by start date (stopped courses included)."""
    patient = patient_for(request, id, "api.courses")
    return Course.current.filter(patient=patient).order_by("start", "id")


@router.post("/{id}/courses", response={201: CourseOut, **WRITE_ERRORS}, summary="Start a course")
def create_course(request, id: PatientId, payload: CourseIn):
    """Start a course (or record a past one with its stop date)."""
    _writer(request, id, "api.courses", Action.CREATE)
    drug = default_catalog().drug(payload.drug)
    if payload.regimen is None and not any(r.default for r in drug.regimens):
        raise InputError(
            ["body", "regimen"],
            f"{drug.id} has no default regimen; choose one of {', '.join(drug.regimen_ids)}",
            "catalog",
        )
    if payload.stop_reason and payload.stop is None:
        raise InputError(["body", "stop_reason"], "give it together with stop")
    _catalog_check(
        courses=(
            CourseRow.model_construct(
                drug=payload.drug, start=payload.start, stop=payload.stop, regimen=payload.regimen
            ),
        )
    )
    patient = patient_for(request, id, "api.courses", Action.CREATE)
    if payload.stop is not None:
        _when(patient, payload.stop, "stop")
    if patient.birth_date is not None and payload.start < patient.birth_date:
        raise InputError(["body", "start"], "must not be before the patient's birth date")
    row = Course.objects.create(
        patient=patient,
        entered_by=request.user,
        drug=payload.drug,
        start=payload.start,
        stop=payload.stop,
        regimen=payload.regimen or "",
        stop_reason=payload.stop_reason,
    )
    return Status(201, row)


@router.post(
    "/{id}/courses/{course_id}/stop",
    response={200: CourseOut, **WRITE_ERRORS},
    summary="Stop a course",
)
def stop_course(request, id: PatientId, course_id: CourseId, payload: StopIn):
    """Stop a running course. The answer is the new, stopped row; it supersedes the old one,
    which stays in the history (so the course's id changes)."""
    _writer(request, id, "api.courses", Action.UPDATE)
    patient = patient_for(request, id, "api.courses", Action.UPDATE)
    course = Course.current.filter(patient=patient, pk=course_id).first()
    if course is None:
        raise Http404("No such course")
    if course.stop is not None:
        raise Conflict(f"this course already stopped on {course.stop}")
    if payload.stop < course.start:
        raise InputError(["body", "stop"], f"must not be before the course start ({course.start})")
    _when(patient, payload.stop, "stop")
    try:
        with transaction.atomic():
            stopped = Course.objects.create(
                patient=patient,
                entered_by=request.user,
                drug=course.drug,
                start=course.start,
                regimen=course.regimen,
                stop=payload.stop,
                stop_reason=payload.stop_reason,
                correction_reason="course stopped",
            )
            claimed = Course.objects.filter(pk=course.pk, superseded_by__isnull=True).update(
                superseded_by=stopped
            )
            if not claimed:
                raise Conflict("this course was changed at the same moment; reload it")
    except IntegrityError:
        raise Conflict("this course was changed at the same moment; reload it") from None
    return stopped
