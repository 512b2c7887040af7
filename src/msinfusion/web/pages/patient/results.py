"""A patient reports a lab result (typed, with an optional photo or PDF); anyone allowed downloads files.

Reported results are stored with `patient_reported=True` and count for readiness only after a
clinician confirms them; until then the patient sees them as waiting for confirmation.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.access import patient_for
from msinfusion.web.clinic.models import LabResult
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import awaiting_confirmation, my_patient, patient_only
from msinfusion.web.pages.patient.forms import QUALITATIVE, ResultForm
from msinfusion.web.pages.patient.uploads import CONTENT_TYPES, sniff
from msinfusion.web.pages.patient.writes import save_result

RESOURCE = "patient.results"


@patient_only
@require_http_methods(["GET", "POST"])
def result_new(request):
    posting = request.method == "POST"
    patient = my_patient(request, RESOURCE, Action.CREATE if posting else Action.READ)
    today = today_at(patient.center)
    form = ResultForm(
        request.POST if posting else None,
        request.FILES if posting else None,
        today=today,
        birth_date=patient.birth_date,
    )
    if posting and form.is_valid():
        save_result(patient, request.user, form.cleaned_data, form.kind)
        messages.success(
            request,
            "Thank you: your result is saved. It shows as waiting for your care team to confirm "
            "it; it counts for your treatment once they have.",
        )
        return redirect("my_dashboard")
    rows = LabResult.current.filter(patient=patient, patient_reported=True)[:20]
    tests = default_catalog().tests
    return render(
        request,
        "pages/patient/result_form.html",
        {
            "patient": patient,
            "form": form,
            "qualitative": QUALITATIVE,
            "reported": [(r, tests.get(r.test)) for r in rows],
            "waiting": {r.pk for r in awaiting_confirmation(rows)},
        },
        status=400 if posting else 200,
    )


@login_required
@require_GET
def result_file(request, patient_id: int, result_id: int):
    patient = patient_for(request, patient_id, "patient.result_file")
    row = LabResult.objects.filter(patient=patient, pk=result_id).exclude(attachment="").first()
    if row is None:
        raise Http404("No such file")
    try:
        handle = row.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("No such file") from None
    kind = sniff(handle)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{row.test}-{row.date.isoformat()}.{kind or 'bin'}",
        content_type=CONTENT_TYPES.get(kind or "", "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
