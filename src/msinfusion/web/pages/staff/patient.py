"""The patient page for the care team, and its readiness panel (reloaded by htmx for a chosen date)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.shortcuts import render
from django.views.decorators.http import require_GET

from msinfusion.care.pml import NATALIZUMAB_DRUGS, estimate_for_record
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import PatientSummary
from msinfusion.dates import add_months
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.staff.common import drug_name, record_and_work, staff_required
from msinfusion.web.pages.staff.timeline import timeline

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOOK_BACK = timedelta(days=366)
LOOK_AHEAD_MONTHS = 24
DUE_SOON_DAYS = 90


class BadDate(ValueError):
    pass


def _ongoing(status) -> bool:
    return status.plan is not None and status.plan.stopped is None


def parse_day(raw: str | None, today: date) -> date:
    """A YYYY-MM-DD date within a year back and two years ahead of today, else BadDate."""
    if not raw or not ISO_DATE.match(raw):
        raise BadDate("Enter a date as YYYY-MM-DD.")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"{raw} is not a calendar date.") from None
    low, high = today - LOOK_BACK, add_months(today, LOOK_AHEAD_MONTHS)
    if not low <= day <= high:
        raise BadDate(f"Choose a date between {low} and {high}.")
    return day


def readiness_items(
    record: PatientRecord, summary: PatientSummary | None, day: date | None
) -> list[dict]:
    """Readiness per ongoing drug: of its next infusion, or on `day` when one is chosen."""
    if summary is None:
        return []
    items = []
    for status in summary.drugs:
        if status.problem:
            items.append({"drug": drug_name(status.drug), "problem": status.problem})
            continue
        if not _ongoing(status):
            continue
        readiness = status.readiness
        if day is not None:
            try:
                readiness = check_readiness(record, status.drug, day, catalog=default_catalog())
            except CareError as exc:
                items.append({"drug": drug_name(status.drug), "problem": str(exc)})
                continue
        if readiness is not None:
            items.append({"drug": drug_name(status.drug), "readiness": readiness})
    return items


def _panel_context(patient, record, summary, today, raw_day):
    error, day = "", None
    if raw_day is not None:
        try:
            day = parse_day(raw_day, today)
        except BadDate as exc:
            error = str(exc)
    items = [] if error else readiness_items(record, summary, day)
    shown_day = day or next((i["readiness"].date for i in items if "readiness" in i), None)
    return {
        "patient": patient,
        "today": today,
        "chosen": day,
        "picker_value": shown_day.isoformat() if shown_day else (raw_day or ""),
        "chosen_raw": raw_day or "",
        "date_error": error,
        "min_day": today - LOOK_BACK,
        "max_day": add_months(today, LOOK_AHEAD_MONTHS),
        "items": items,
    }


def _plans(summary: PatientSummary | None) -> list[dict]:
    if summary is None:
        return []
    catalog = default_catalog()
    out = []
    for status in summary.drugs:
        drug = catalog.drug(status.drug)
        plan = status.plan
        regimen = None
        if plan is not None:
            regimen = next((r for r in drug.regimens if r.id == plan.regimen), None)
        out.append(
            {
                "drug": drug_name(status.drug),
                "plan": plan,
                "regimen": regimen,
                "problem": status.problem,
                "premedication": drug.infusion.premedication if _ongoing(status) else (),
            }
        )
    return out


def _due_rows(summary: PatientSummary | None, today: date) -> dict:
    """The due-list split for display: overdue or due soon first, the rest folded away."""
    rows = [
        {"task": t, "drug": drug_name(t.drug), "days": (t.date - today).days}
        for t in (summary.due if summary else ())
    ]
    soon = [r for r in rows if r["days"] <= DUE_SOON_DAYS]
    later = [r for r in rows if r["days"] > DUE_SOON_DAYS]
    return {"due_soon": soon, "due_later": later, "soon_days": DUE_SOON_DAYS}


def _age(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@require_GET
@staff_required
def patient_detail(request, patient_id: int):
    patient = patient_for(request, patient_id, "staff.patient")
    today = today_at(patient.center)
    record, summary, work = record_and_work(patient, today)
    panel = _panel_context(patient, record, summary, today, request.GET.get("date"))
    on_natalizumab = any(d in NATALIZUMAB_DRUGS for d in record.drugs)
    context = {
        **panel,
        "age": _age(patient.birth_date, today),
        "summary": summary,
        "problems": work.problems,
        "plans": _plans(summary),
        **_due_rows(summary, today),
        "pml": estimate_for_record(record, today) if on_natalizumab else None,
        "pml_change": work.pml,
        "timeline": timeline(patient),
    }
    status = 400 if panel["date_error"] else 200
    return render(request, "pages/staff/patient_detail.html", context, status=status)


@require_GET
@staff_required
def readiness_partial(request, patient_id: int):
    patient = patient_for(request, patient_id, "staff.readiness")
    today = today_at(patient.center)
    raw = request.GET.get("date", "")
    try:
        parse_day(raw, today)
    except BadDate:
        panel = _panel_context(patient, None, None, today, raw)
        return render(request, "pages/staff/_readiness_result.html", panel, status=400)
    record, summary, _ = record_and_work(patient, today)
    panel = _panel_context(patient, record, summary, today, raw)
    return render(request, "pages/staff/_readiness_result.html", panel)
