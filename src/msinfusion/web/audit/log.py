"""Write audit rows. Every patient-data door calls `audit()` through the access helpers.

Each call counts the rows it wrote on the request (`rows_written`), so the request middleware can add
one "denied" row for a refused request that nobody audited (a login redirect, a 401, a 403 from a
role check) and never a second row for a request that was audited already.
"""

from __future__ import annotations

from collections.abc import Iterable

from msinfusion.web.audit.middleware import client_ip
from msinfusion.web.audit.models import Action, AuditEvent, Outcome

ROWS_ATTR = "_audit_rows_written"


def rows_written(request) -> int:
    """How many audit rows this request has written so far."""
    return getattr(request, ROWS_ATTR, 0)


def _count(request, n: int) -> None:
    setattr(request, ROWS_ATTR, rows_written(request) + n)


def _actor(request) -> tuple[int | None, str, str]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.pk, user.get_username(), user.role
    return None, getattr(request, "audit_actor", "anonymous"), "anonymous"


def _row(
    request, patient, action: str, resource: str, outcome: str, center_id: int | None = None
) -> AuditEvent:
    actor_id, actor, role = _actor(request)
    return AuditEvent(
        actor_id=actor_id,
        actor=actor,
        role=role,
        patient_id=getattr(patient, "pk", patient),
        center_id=getattr(patient, "center_id", None) or center_id,
        action=action,
        resource=resource,
        outcome=outcome,
        request_id=getattr(request, "request_id", "-"),
        ip=client_ip(request),
        method=request.method or "",
        path=request.path[:300],
    )


def audit(
    request,
    patient,
    action: str,
    resource: str,
    outcome: str = Outcome.SUCCESS,
    *,
    center_id: int | None = None,
) -> None:
    """One row for one access to one patient's data (patient may be None for a denied lookup).

    `center_id` names the center for rows without a patient (a center admin's own actions), so
    the center's audit page shows them.
    """
    _row(request, patient, action, resource, outcome, center_id).save()
    _count(request, 1)


def audit_many(request, patients: Iterable, action: str, resource: str) -> None:
    """One row per patient shown by a list page (worklist, patient list)."""
    rows = [_row(request, p, action, resource, Outcome.SUCCESS) for p in patients]
    AuditEvent.objects.bulk_create(rows)
    _count(request, len(rows))


__all__ = ["Action", "Outcome", "audit", "audit_many", "rows_written"]
