"""Staff enter and correct lab results and infusions given.

GET shows the form, POST saves it. Every request goes through `patient_for` (a POST is audited as a
create or update); bad input re-renders the form with the errors and status 400; a correction
saves a new row and keeps the old one, marked superseded.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.models import Administration, LabResult
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.staff.common import (
    bound,
    drug_name,
    lab_name,
    record_and_work,
    render_form,
    staff_required,
)
from msinfusion.web.pages.staff.corrections import AlreadyCorrected, supersede
from msinfusion.web.pages.staff.forms import (
    AdministrationCorrectionForm,
    AdministrationForm,
    ResultCorrectionForm,
    ResultForm,
)

RACE = "Someone else corrected this entry in the meantime: reload the patient page and check it."


def access(request, patient_id, resource: str, write: str):
    """The patient, audited as `write` on a POST and as a read on a GET."""
    action = write if request.method == "POST" else Action.READ
    return patient_for(request, patient_id, resource, action)


# ---------------------------------------------------------------- lab results


def _result_row(form, patient, user) -> LabResult:
    data = form.cleaned_data
    return LabResult(
        patient=patient,
        test=data["test"],
        value_number=data["value_number"],
        value_text=data["value_text"],
        unit=data["unit"],
        date=data["date"],
        assay=data.get("assay") or "",
        patient_reported=False,
        entered_by=user,
        confirmed_by=user,  # entered by care staff: confirmed
        confirmed_at=timezone.now(),
    )


@require_http_methods(["GET", "POST"])
@staff_required
def result_new(request, patient_id: int):
    patient = access(request, patient_id, "staff.result", Action.CREATE)
    today = today_at(patient.center)
    form = bound(ResultForm, request, patient=patient, today=today, initial={"date": today})
    if request.method == "POST":
        if form.is_valid():
            row = _result_row(form, patient, request.user)
            row.save()
            messages.success(request, f"{lab_name(row.test)} result of {row.date} recorded.")
            return redirect("patient_detail", patient.pk)
        return render_form(
            request, patient, form, title="Record a lab result", submit="Save result", status=400
        )
    return render_form(request, patient, form, title="Record a lab result", submit="Save result")


@require_POST
@staff_required
def result_confirm(request, patient_id: int, result_id: int):
    patient = patient_for(request, patient_id, "staff.result", Action.UPDATE)
    row = get_object_or_404(LabResult.current, patient=patient, pk=result_id)
    updated = LabResult.current.filter(pk=row.pk, confirmed_by__isnull=True).update(
        confirmed_by=request.user, confirmed_at=timezone.now()
    )
    if updated:
        messages.success(request, f"{lab_name(row.test)} result of {row.date} confirmed.")
    else:
        messages.info(request, f"{lab_name(row.test)} result of {row.date} was already confirmed.")
    return redirect("patient_detail", patient.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def result_correct(request, patient_id: int, result_id: int):
    patient = access(request, patient_id, "staff.result", Action.UPDATE)
    old = get_object_or_404(LabResult.current, patient=patient, pk=result_id)
    today = today_at(patient.center)
    initial = {
        "test": old.test,
        "value": old.value_text or f"{old.value_number:g}",
        "unit": old.unit,
        "date": old.date,
        "assay": old.assay,
    }
    form = bound(ResultCorrectionForm, request, patient=patient, today=today, initial=initial)
    title = f"Correct the {lab_name(old.test)} result of {old.date}"
    if request.method == "POST" and form.is_valid():
        new = _result_row(form, patient, request.user)
        new.attachment = old.attachment
        try:
            supersede(old, new, form.cleaned_data["reason"])
        except AlreadyCorrected:
            form.add_error(None, RACE)
        else:
            messages.success(
                request, f"{lab_name(new.test)} result corrected; the old entry is kept."
            )
            return redirect("patient_detail", patient.pk)
    status = 400 if request.method == "POST" else 200
    return render_form(request, patient, form, title=title, submit="Save correction", status=status)


# ---------------------------------------------------------------- administrations


def _administration_row(form, patient, user) -> Administration:
    data = form.cleaned_data
    return Administration(
        patient=patient,
        drug=data["drug"],
        date=data["date"],
        start_time=data.get("start_time"),
        end_time=data.get("end_time"),
        dose_mg=data["dose_mg"],
        dose_mg_per_m2=data.get("dose_mg_per_m2"),
        premedication=data.get("premedication") or "",
        reaction=data["reaction"],
        reaction_notes=data.get("reaction_notes") or "",
        lot=data.get("lot") or "",
        entered_by=user,
    )


def _planned_aside(patient, today) -> tuple[dict, list]:
    """Initial values and a reminder from the plan: the next infusion and its premedication."""
    _, summary, _ = record_and_work(patient, today)
    nxt = summary.next_infusion if summary else None
    if nxt is None:
        return {"date": today}, []
    status, infusion = nxt
    initial = {"date": today, "drug": status.drug, "dose_mg": infusion.dose_mg}
    if infusion.dose_mg is not None:
        initial["dose_mg"] = f"{infusion.dose_mg:g}"
    readiness = status.readiness
    if infusion.dose_mg_per_m2:
        initial["dose_mg_per_m2"] = infusion.dose_mg_per_m2
    drug = default_catalog().drug(status.drug)
    aside = [
        {
            "text": f"Planned: {drug_name(status.drug)}, {infusion.label}, due {infusion.date}"
            + (f", {infusion.dose_mg:g} mg" if infusion.dose_mg else ""),
            "source": infusion.dose_basis,
        }
    ]
    if readiness is not None:
        words = readiness.status.replace("_", " ")
        aside.append(
            {"text": f"Readiness on {readiness.date}: {words}", "status": readiness.status}
        )
        aside += [
            {"text": r.message, "source": r.source, "severity": r.severity}
            for r in readiness.reasons
            if r.severity != "info"
        ]
    aside += [
        {
            "text": f"Premedication: {p.drug} {p.dose}, {p.timing}"
            + ("" if p.required else " (optional)"),
            "source": str(p.source),
        }
        for p in drug.infusion.premedication
    ]
    return initial, aside


def _save_administration(request, form, patient, old=None) -> str | None:
    """Save (or save as a correction); the error to show on the form if it could not be saved."""
    row = _administration_row(form, patient, request.user)
    try:
        if old is None:
            with transaction.atomic():  # a refused insert rolls back only itself
                row.save()
        else:
            supersede(old, row, form.cleaned_data["reason"])
    except AlreadyCorrected:
        return RACE
    except IntegrityError:
        return "An infusion of this drug on this day is already recorded; correct that entry."
    return None


@require_http_methods(["GET", "POST"])
@staff_required
def administration_new(request, patient_id: int):
    patient = access(request, patient_id, "staff.administration", Action.CREATE)
    today = today_at(patient.center)
    initial, aside = _planned_aside(patient, today)
    form = bound(AdministrationForm, request, patient=patient, today=today, initial=initial)
    title = "Record an infusion given"
    if request.method == "POST" and form.is_valid():
        error = _save_administration(request, form, patient)
        if error is None:
            data = form.cleaned_data
            messages.success(
                request, f"{drug_name(data['drug'])} infusion of {data['date']} recorded."
            )
            return redirect("patient_detail", patient.pk)
        form.add_error("date", error)
    status = 400 if request.method == "POST" else 200
    return render_form(
        request, patient, form, title=title, submit="Save infusion", aside=aside, status=status
    )


@require_http_methods(["GET", "POST"])
@staff_required
def administration_correct(request, patient_id: int, administration_id: int):
    patient = access(request, patient_id, "staff.administration", Action.UPDATE)
    old = get_object_or_404(Administration.current, patient=patient, pk=administration_id)
    today = today_at(patient.center)
    fields = [
        "drug",
        "date",
        "start_time",
        "end_time",
        "dose_mg",
        "dose_mg_per_m2",
        "premedication",
        "reaction",
        "reaction_notes",
        "lot",
    ]
    initial = {name: getattr(old, name) for name in fields}
    form = bound(
        AdministrationCorrectionForm,
        request,
        patient=patient,
        today=today,
        replacing=old,
        initial=initial,
    )
    title = f"Correct the {drug_name(old.drug)} infusion of {old.date}"
    if request.method == "POST" and form.is_valid():
        error = _save_administration(request, form, patient, old)
        if error is None:
            messages.success(request, "Infusion corrected; the old entry is kept.")
            return redirect("patient_detail", patient.pk)
        form.add_error(None, error)
    status = 400 if request.method == "POST" else 200
    return render_form(request, patient, form, title=title, submit="Save correction", status=status)
