"""The two clinical writes a patient makes: a reported lab result and a diary entry.

Rows are never changed in place: saving a day's diary again creates a new row and marks the earlier
one `superseded_by` it, so the history of what the patient wrote stays readable.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.db import IntegrityError, transaction

from msinfusion.care.patient_guide import valid_ratings
from msinfusion.web.clinic.models import DiaryEntry, LabResult, Patient

EDIT_REASON = "edited by the patient (same day saved again)"


def save_result(patient: Patient, user, data: dict, kind: str | None) -> LabResult:
    """Store a patient-reported result; an attachment gets a random name with its real type."""
    upload = data.get("attachment")
    row = LabResult(
        patient=patient,
        entered_by=user,
        test=data["test"],
        value_number=data["value_number"],
        value_text=data["value_text"],
        unit=data["unit"],
        date=data["date"],
        assay=data.get("assay", ""),
        patient_reported=True,
    )
    if upload and kind:
        upload.name = f"{uuid.uuid4().hex}.{kind}"  # never the client's file name
        row.attachment = upload
    with transaction.atomic():
        row.save()
    return row


def _same(entry: DiaryEntry, ratings: dict, notes: str, relapse: bool) -> bool:
    return entry.ratings == ratings and entry.notes == notes and entry.relapse == relapse


def save_diary_entry(
    patient: Patient, user, day: date, ratings: dict, notes: str, relapse: bool
) -> tuple[DiaryEntry, str]:
    """Save the day's entry: (row, 'created' | 'superseded' | 'unchanged').

    The database allows one current entry per patient and day (a partial unique index that cannot
    be deferred), and `superseded_by` is unique. So an edit is three statements in one
    transaction, each leaving both constraints true: insert the new row already "superseded" (it
    points at a row nothing else points at, so it is not current), point the old row at the new
    one, then make the new row current. A concurrent save that loses on a constraint is retried.
    """
    ratings = valid_ratings(ratings)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _save(patient, user, day, ratings, notes, relapse)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _free_target(patient: Patient) -> DiaryEntry:
    """A diary row of the patient that no row points at yet (the start of some edit chain)."""
    return DiaryEntry.objects.filter(patient=patient, supersedes__isnull=True).order_by("pk")[0]


def _save(patient, user, day, ratings, notes, relapse):
    old = DiaryEntry.current.select_for_update().filter(patient=patient, date=day).first()
    fields = {"patient": patient, "entered_by": user, "date": day, "ratings": ratings}
    if old is None:
        row = DiaryEntry.objects.create(**fields, notes=notes, relapse=relapse)
        return row, "created"
    if _same(old, ratings, notes, relapse):
        return old, "unchanged"
    row = DiaryEntry.objects.create(
        **fields,
        notes=notes,
        relapse=relapse,
        superseded_by=_free_target(patient),
        correction_reason=EDIT_REASON,
    )
    old.superseded_by = row
    old.save(update_fields=["superseded_by"])
    row.superseded_by = None
    row.save(update_fields=["superseded_by"])
    return row, "superseded"
