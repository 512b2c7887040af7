"""What every staff page shares: the role gate, today's date at the clinic, and form rendering."""

from __future__ import annotations

from datetime import date, datetime
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import PatientSummary
from msinfusion.care.worklist import work_for
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.accounts.models import Role
from msinfusion.web.clinic.access import can_write_clinical
from msinfusion.web.clinic.choices import DRUG_NAMES
from msinfusion.web.clinic.models import Patient
from msinfusion.web.clinic.records import to_record
from msinfusion.web.clinic.services import today_at

STAFF_ROLES = (Role.NURSE, Role.NEUROLOGIST)


def staff_required(view):
    """Logged-in nurses and neurologists only; any other role gets 403 (no patient is looked up)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role not in STAFF_ROLES:
            raise PermissionDenied("care staff only")
        if request.method == "POST" and not can_write_clinical(request.user):
            raise PermissionDenied("cannot write clinical rows")
        return view(request, *args, **kwargs)

    return wrapped


def staff_today(user) -> date:
    """Today at the staff member's center (UTC when the account has no center)."""
    if user.center_id:
        return today_at(user.center)
    return datetime.now(ZoneInfo("UTC")).date()


def drug_name(drug_id: str) -> str:
    return DRUG_NAMES.get(drug_id, drug_id)


def lab_name(test_id: str | None) -> str:
    if not test_id:
        return ""
    found = default_catalog().tests.get(test_id)
    return found.name if found else test_id


def record_and_work(patient: Patient, today: date):
    """The patient's domain record, summary (None if the care logic cannot answer) and work."""
    record: PatientRecord = to_record(patient)
    summary: PatientSummary | None
    summary, work = work_for(record, today, catalog=default_catalog())
    return record, summary, work


def render_form(
    request,
    patient: Patient,
    form,
    *,
    title: str,
    submit: str,
    intro: str = "",
    aside: list | None = None,
    status: int = 200,
):
    """One template for every staff form: fields with their errors, CSRF, a cancel link."""
    context = {
        "patient": patient,
        "form": form,
        "title": title,
        "submit": submit,
        "intro": intro,
        "aside": aside or [],
    }
    return render(request, "pages/staff/form.html", context, status=status)


def bound(form_class, request, **kwargs):
    """The form, bound to the POST data on a POST (even an empty one), unbound on a GET."""
    data = request.POST if request.method == "POST" else None
    return form_class(data, **kwargs)
