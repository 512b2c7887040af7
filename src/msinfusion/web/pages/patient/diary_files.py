"""The diary as a file: export (CSV or FHIR JSON) and import (CSV or FHIR JSON) for the patient.

Import rules (the page says them too):
- A file that cannot be read at all (not UTF-8, no `date` column, unknown column, not JSON) changes
  nothing and says why.
- Each bad or duplicate row is listed by line (CSV) or JSON path (FHIR); the good rows are saved,
  all of them in one transaction, each through `save_diary_entry` so a day already stored becomes
  a new version and the earlier one stays in its history.
- Import adds to what is stored, it never erases: a symptom the file leaves empty keeps its stored
  rating, empty notes keep the stored notes, and a stored relapse flag stays set.
- Days in the future are refused; older history (paper diaries, other apps) is welcome.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from msinfusion.diary.csv_io import read_diary_csv, write_diary_csv
from msinfusion.diary.entries import DiaryDay
from msinfusion.errors import DiaryError
from msinfusion.interop.fhir_diary import from_questionnaire_responses, to_bundle
from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.diary_rows import diary_days
from msinfusion.web.clinic.models import DiaryEntry, Patient
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import my_patient, patient_only
from msinfusion.web.pages.patient.writes import save_diary_entry

EXPORT = "patient.diary.export"
IMPORT = "patient.diary.import"
IMPORT_MAX_BYTES = 2 * 1024 * 1024  # a day a line: decades of diary fit in far less


class DiaryImportForm(forms.Form):
    file = forms.FileField(
        label="Diary file (CSV or FHIR JSON)",
        help_text="CSV with a first row naming the columns: date, then any of fatigue, walking, "
        "pain, numbness, bladder, cognition, mood, sleep (0 to 10), relapse (1 or 0), notes.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > min(IMPORT_MAX_BYTES, settings.MAX_UPLOAD_BYTES):
            raise forms.ValidationError("The file is too big for a diary (the limit is 2 MB).")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This file is not text in UTF-8: in your spreadsheet, save it as 'CSV UTF-8'."
            ) from None


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@patient_only
@require_GET
def export_csv(request):
    patient = my_patient(request, EXPORT, Action.READ)
    return _download(
        write_diary_csv(diary_days(patient)), "text/csv; charset=utf-8", "my-symptom-diary.csv"
    )


@patient_only
@require_GET
def export_fhir(request):
    patient = my_patient(request, EXPORT, Action.READ)
    bundle = to_bundle(f"Patient/{patient.pk}", diary_days(patient))
    return _download(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        "application/fhir+json; charset=utf-8",
        "my-symptom-diary.fhir.json",
    )


def _parse(text: str, today) -> tuple[list[DiaryDay], list[str]]:
    """Days and problems (as lines to show); DiaryError when the file cannot be read at all."""
    if text.lstrip().startswith(("{", "[")):
        days, problems = from_questionnaire_responses(text)
        if not days and problems and not problems[0].path:
            raise DiaryError("file", problems[0].problem)
        future = [d for d in days if d.date > today]
        shown = [str(p) for p in problems]
        shown += [f"{d.date.isoformat()}: a day in the future" for d in future]
        return [d for d in days if d.date <= today], shown
    days, line_problems = read_diary_csv(text, today=today)
    return days, [str(p) for p in line_problems]


def _merged(stored: DiaryEntry | None, day: DiaryDay) -> tuple[dict, str, bool]:
    """What the day becomes: the file's values over the stored ones, never erasing any."""
    ratings = {k: int(v) for k, v in day.ratings.items()}
    if stored is None:
        return ratings, day.notes, day.relapse
    return (
        {**stored.ratings, **ratings},
        day.notes or stored.notes,
        day.relapse or stored.relapse,
    )


def import_days(patient: Patient, user, days: list[DiaryDay]) -> dict[str, int]:
    """Save the days in one transaction; counts of 'created', 'superseded' and 'unchanged'."""
    counts = {"created": 0, "superseded": 0, "unchanged": 0}
    with transaction.atomic():
        stored = {
            e.date: e
            for e in DiaryEntry.current.filter(patient=patient, date__in=[d.date for d in days])
        }
        for day in days:
            ratings, notes, relapse = _merged(stored.get(day.date), day)
            _, outcome = save_diary_entry(patient, user, day.date, ratings, notes, relapse)
            counts[outcome] += 1
    return counts


@patient_only
@require_http_methods(["GET", "POST"])
def import_diary(request):
    posting = request.method == "POST"
    patient = my_patient(request, IMPORT, Action.CREATE if posting else Action.READ)
    today = today_at(patient.center)
    context: dict = {"form": DiaryImportForm(), "problems": [], "counts": None, "fatal": None}
    status = 200
    if posting:
        form = DiaryImportForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            status = 400
        else:
            try:
                days, problems = _parse(form.cleaned_data["file"], today)
            except DiaryError as exc:
                context["fatal"] = str(exc)
                status = 400
            else:
                context["problems"] = problems
                context["counts"] = import_days(patient, request.user, days)
                context["form"] = DiaryImportForm()
    return render(request, "pages/patient/diary_import.html", context, status=status)
