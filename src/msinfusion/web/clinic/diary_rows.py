"""Stored diary rows and infusions given -> the diary domain's `DiaryDay` and `Infusion`.

The one conversion every door onto the wearing-off analysis needs (the patient's cycle page, the
diary export, the clinician's visit report). Only current rows count: an edited diary day is its
latest version, a corrected administration its correction. Infusions are the administrations
actually given, never the plan.
"""

from __future__ import annotations

from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.web.clinic.models import Administration, DiaryEntry, Patient


def diary_day(entry: DiaryEntry) -> DiaryDay:
    return DiaryDay(entry.date, dict(entry.ratings), entry.relapse, entry.notes)


def diary_days(patient: Patient) -> list[DiaryDay]:
    """The patient's current diary, one day per date, in date order."""
    rows = DiaryEntry.current.filter(patient=patient).order_by("date")
    return [diary_day(e) for e in rows]


def given_infusions(patient: Patient) -> list[Infusion]:
    """The infusions given (current administration rows), in date order."""
    rows = Administration.current.filter(patient=patient).order_by("date", "drug")
    return [Infusion(a.date, a.drug) for a in rows]
