"""The one permission check every page and endpoint uses for patient data.

A patient sees only their own record. A nurse sees the patients of their center; a neurologist sees
the patients whose care team they are on (their `neurologist`). Nobody else sees any patient: center
admins manage staff, chairs and the audit log, not clinical data. A refused lookup answers 404 (the
patient's existence is not revealed) and writes a "denied" audit row.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from msinfusion.web.accounts.models import Role
from msinfusion.web.audit.log import Action, Outcome, audit
from msinfusion.web.clinic.models import Patient


def visible_patients(user) -> QuerySet[Patient]:
    """The patients `user` may see, as a queryset (for lists, worklists and the API)."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if user.role == Role.NURSE and user.center_id:
        return Patient.objects.filter(center_id=user.center_id)
    if user.role == Role.NEUROLOGIST and user.center_id:
        return Patient.objects.filter(center_id=user.center_id, neurologist=user)
    return Patient.objects.none()


def can_see(user, patient: Patient) -> bool:
    return visible_patients(user).filter(pk=patient.pk).exists()


def can_write_clinical(user) -> bool:
    """Care staff enter results, administrations and courses; patients only report results/diary."""
    return user.is_authenticated and user.role in (Role.NURSE, Role.NEUROLOGIST)


def patient_for(request, patient_id, resource: str, action: str = Action.READ) -> Patient:
    """The patient if the requester may see it, else Http404; the access is audit-logged either way."""
    try:
        pk = int(patient_id)
    except (TypeError, ValueError):
        pk = None
    if pk is not None and not 0 < pk < 2**63:
        pk = None  # outside the database's id range: no such patient, not an error
    patient = (
        visible_patients(request.user).select_related("center").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if patient is None:
        audit(request, pk, action, resource, Outcome.DENIED)
        raise Http404("No such patient")
    audit(request, patient, action, resource)
    return patient
