"""Write audit rows. Every patient-data door calls `audit()` through the access helpers."""

from __future__ import annotations

from collections.abc import Iterable

from msinfusion.web.audit.middleware import client_ip
from msinfusion.web.audit.models import Action, AuditEvent, Outcome


def _actor(request) -> tuple[int | None, str, str]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk, user.get_username(), user.role
    return None, getattr(request, "audit_actor", "anonymous"), "anonymous"


def _row(request, patient, action: str, resource: str, outcome: str) -> AuditEvent:
    actor_id, actor, role = _actor(request)
    return AuditEvent(
        actor_id=actor_id,
        actor=actor,
        role=role,
        patient_id=getattr(patient, "pk", patient),
        center_id=getattr(patient, "center_id", None),
        action=action,
        resource=resource,
        outcome=outcome,
        request_id=getattr(request, "request_id", "-"),
        ip=client_ip(request),
        method=request.method or "",
        path=request.path[:300],
    )


def audit(request, patient, action: str, resource: str, outcome: str = Outcome.SUCCESS) -> None:
    """One row for one access to one patient's data (patient may be None for a denied lookup)."""
    _row(request, patient, action, resource, outcome).save()


def audit_many(request, patients: Iterable, action: str, resource: str) -> None:
    """One row per patient shown by a list page (worklist, patient list)."""
    AuditEvent.objects.bulk_create(
        [_row(request, p, action, resource, Outcome.SUCCESS) for p in patients]
    )


__all__ = ["Action", "Outcome", "audit", "audit_many"]
