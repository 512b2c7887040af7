"""The symptom diary: a quick entry for one day and the recent days, on a phone in under 30 s."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from msinfusion.care.patient_guide import DIARY_SYMPTOMS, symptom_labels
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.models import DiaryEntry
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import my_patient, patient_only
from msinfusion.web.pages.patient.forms import DiaryForm
from msinfusion.web.pages.patient.reminders import reminder_form
from msinfusion.web.pages.patient.writes import save_diary_entry

RESOURCE = "patient.diary"
RECENT_DAYS = 30
SAVED = {
    "created": "Saved. Thank you.",
    "superseded": "Updated: this replaces what you saved earlier for that day (both are kept).",
    "unchanged": "Nothing changed for that day.",
}


def _day_from_query(request, today: date) -> date:
    """?date=YYYY-MM-DD picks a day to edit; anything else (or a future day) means today."""
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return today
    return day if day <= today else today


def _initial(entry: DiaryEntry | None, day: date) -> dict:
    if entry is None:
        return {"date": day}
    return {"date": day, "notes": entry.notes, "relapse": entry.relapse, **entry.ratings}


@patient_only
@require_http_methods(["GET", "POST"])
def my_diary(request):
    posting = request.method == "POST"
    patient = my_patient(request, RESOURCE, Action.CREATE if posting else Action.READ)
    today = today_at(patient.center)
    if posting:
        form = DiaryForm(request.POST, today=today)
        if form.is_valid():
            data = form.cleaned_data
            _, outcome = save_diary_entry(
                patient, request.user, data["date"], data["ratings"], data["notes"], data["relapse"]
            )
            messages.success(request, SAVED[outcome])
            return redirect(reverse("my_diary"))
        editing = None
    else:
        day = _day_from_query(request, today)
        editing = DiaryEntry.current.filter(patient=patient, date=day).first()
        form = DiaryForm(initial=_initial(editing, day), today=today)
    recent = (
        DiaryEntry.current.filter(patient=patient, date__gte=today - timedelta(days=RECENT_DAYS))
        .annotate(edited=Exists(DiaryEntry.objects.filter(superseded_by=OuterRef("pk"))))
        .order_by("-date")
    )
    return render(
        request,
        "pages/patient/diary.html",
        {
            "form": form,
            "editing": editing,
            "today": today,
            "symptom_count": len(DIARY_SYMPTOMS),
            "recent": [(e, list(symptom_labels(e.ratings))) for e in recent],
            "reminder": reminder_form(patient),
            "reminder_on": patient.diary_reminder_since is not None,
        },
        status=400 if posting else 200,
    )
