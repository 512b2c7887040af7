"""Stored rows -> the domain's PatientRecord: the only conversion the web doors need."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from msinfusion.care.record import (
    Administration as AdmRow,
)
from msinfusion.care.record import (
    Checklist as ChecklistRow,
)
from msinfusion.care.record import (
    Condition as ConditionRow,
)
from msinfusion.care.record import (
    Course as CourseRow,
)
from msinfusion.care.record import (
    Event as EventRow,
)
from msinfusion.care.record import (
    PatientRecord,
    ProgramAction,
    Result,
    Vaccination,
)
from msinfusion.web.clinic import models as m

RELATIONS = {
    "results": m.LabResult,
    "administrations": m.Administration,
    "courses": m.Course,
    "conditions": m.Condition,
    "vaccinations": m.Vaccination,
    "events": m.ClinicalEvent,
    "programs": m.ProgramAction,
    "checklists": m.Checklist,
}


def with_current_rows(queryset):
    """Prefetch every current clinical row, so building many records costs a fixed query count."""
    lookups = [
        Prefetch(
            f"{model.__name__.lower()}_set", queryset=model.current.all(), to_attr=f"cur_{name}"
        )
        for name, model in RELATIONS.items()
    ]
    return queryset.prefetch_related(*lookups)


def _rows(patient: m.Patient, name: str) -> Iterable:
    cached = getattr(patient, f"cur_{name}", None)
    rows = cached if cached is not None else RELATIONS[name].current.filter(patient=patient)
    if name == "results":
        # a result the patient typed in counts only once a clinician has confirmed it
        return [r for r in rows if not r.patient_reported or r.confirmed_at is not None]
    return rows


def to_record(patient: m.Patient) -> PatientRecord:
    """The patient's current record, validated like any other door's input."""
    return PatientRecord.model_construct(
        id=str(patient.pk),
        birth_date=patient.birth_date,
        sex=patient.sex or None,
        childbearing_potential=patient.childbearing_potential,
        height_cm=patient.height_cm,
        weight_kg=patient.weight_kg,
        ms_type=patient.ms_type or None,
        region=patient.region or "US",
        prior_immunosuppressants=tuple(patient.prior_immunosuppressants or ()),
        results=tuple(
            Result.model_construct(
                test=r.test, value=r.value, date=r.date, unit=r.unit or None, assay=r.assay or None
            )
            for r in _rows(patient, "results")
        ),
        administrations=tuple(
            AdmRow.model_construct(
                drug=a.drug,
                date=a.date,
                dose_mg=a.dose_mg,
                dose_mg_per_m2=a.dose_mg_per_m2,
                reaction=a.reaction,
                lot=a.lot or None,
            )
            for a in _rows(patient, "administrations")
        ),
        courses=tuple(
            CourseRow.model_construct(
                drug=c.drug, start=c.start, stop=c.stop, regimen=c.regimen or None
            )
            for c in _rows(patient, "courses")
        ),
        conditions=tuple(
            ConditionRow.model_construct(condition=c.condition, date=c.date, resolved=c.resolved)
            for c in _rows(patient, "conditions")
        ),
        vaccinations=tuple(
            Vaccination.model_construct(vaccine=v.vaccine, live=v.live, date=v.date)
            for v in _rows(patient, "vaccinations")
        ),
        events=tuple(
            EventRow.model_construct(event=e.event, date=e.date) for e in _rows(patient, "events")
        ),
        programs=tuple(
            ProgramAction.model_construct(program=p.program, action=p.action, date=p.date)
            for p in _rows(patient, "programs")
        ),
        checklists=tuple(
            ChecklistRow.model_construct(program=c.program, date=c.date, answers=c.answers)
            for c in _rows(patient, "checklists")
        ),
    )
