"""The center's audit log: read-only, filterable, paginated. No route anywhere edits or deletes it.

A center's rows are the ones about its patients (`center_id`, or a patient of the center), plus
everything done by its staff and by its patients' own accounts (so a nurse's refused attempt on
another center's patient shows here too). Times are shown and filtered in UTC, as stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from msinfusion.web.accounts.models import User
from msinfusion.web.audit.log import Action
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import Patient
from msinfusion.web.pages.center.access import center_admin_only, record
from msinfusion.web.pages.center.forms import AuditFilterForm

PER_PAGE = 50
AUDIT_LOG = "center.audit_log"


def rows_of(center):
    """Every audit row that belongs to `center`'s log."""
    patients = Patient.objects.filter(center=center)
    actors = User.objects.filter(
        Q(center=center) | Q(pk__in=patients.filter(user__isnull=False).values("user_id"))
    )
    return AuditEvent.objects.filter(
        Q(center_id=center.pk)
        | Q(patient_id__in=patients.values("pk"))
        | Q(actor_id__in=actors.values("pk"))
    )


def _filtered(rows, data: dict):
    if data.get("patient"):
        rows = rows.filter(patient_id=data["patient"])
    if data.get("actor"):
        rows = rows.filter(actor__iexact=data["actor"].strip())
    if data.get("outcome"):
        rows = rows.filter(outcome=data["outcome"])
    if data.get("date_from"):
        rows = rows.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=UTC))
    if data.get("date_to"):
        end = datetime.combine(data["date_to"] + timedelta(days=1), time.min, tzinfo=UTC)
        rows = rows.filter(at__lt=end)
    return rows


@require_GET
@center_admin_only(AUDIT_LOG)
def audit_log(request, center):
    form = AuditFilterForm(request.GET)
    status = 200
    if form.is_valid():
        rows = _filtered(rows_of(center), form.cleaned_data)
    else:
        rows, status = AuditEvent.objects.none(), 400
    record(request, center, AUDIT_LOG, Action.READ)
    page = Paginator(rows.order_by("-at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in request.GET.items() if k != "page" and v}
    context = {
        "center": center,
        "form": form,
        "page": page,
        "query": urlencode(filters),
    }
    return render(request, "pages/center/audit_log.html", context, status=status)
