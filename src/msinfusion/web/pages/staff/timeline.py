"""The patient's treatment timeline: every stored row, corrected ones included, in date order.

Display only: rows become entries with a date, a kind, a sentence, who entered them and, for a row
that was corrected, the reason given by the row that replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse

from msinfusion.web.clinic import models as m
from msinfusion.web.pages.staff.common import drug_name, lab_name


@dataclass
class Entry:
    date: date
    kind: str
    text: str
    entered_at: datetime | None
    entered_by: str
    superseded: bool = False
    correction_reason: str = ""
    corrects: bool = False  # this row replaced an earlier one
    notes: list[str] = field(default_factory=list)
    correct_url: str = ""
    confirm_url: str = ""
    stop_url: str = ""
    resolve_url: str = ""


def _reason(row) -> tuple[bool, str]:
    """Whether the row was replaced, and the reason: the replacing row's, for a replaced row;
    the row's own for a row that replaced an earlier one."""
    newer = row.superseded_by
    if newer is None:
        return False, row.correction_reason
    return True, newer.correction_reason


def _base(row, day: date, kind: str, text: str) -> Entry:
    superseded, reason = _reason(row)
    who = row.entered_by.get_username() if row.entered_by_id and row.entered_by else ""
    return Entry(
        date=day,
        kind=kind,
        text=text,
        entered_at=row.entered_at,
        entered_by=who,
        superseded=superseded,
        correction_reason=reason,
        corrects=bool(row.correction_reason) and not superseded,
    )


def _rows(model, patient):
    return model.objects.filter(patient=patient).select_related("superseded_by", "entered_by")


def _value(r: m.LabResult) -> str:
    if r.value_number is not None:
        return f"{r.value_number:g} {r.unit or ''}".strip()
    return r.value_text


def _results(patient) -> list[Entry]:
    out = []
    for r in _rows(m.LabResult, patient).select_related("confirmed_by"):
        e = _base(r, r.date, "result", f"{lab_name(r.test)}: {_value(r)}")
        if r.assay:
            e.notes.append(f"assay {r.assay}")
        if r.patient_reported:
            e.notes.append(
                f"patient-reported, confirmed by {r.confirmed_by.get_username()}"
                if r.confirmed_by_id
                else "patient-reported, not yet confirmed"
            )
        if not e.superseded:
            e.correct_url = reverse("result_correct", args=[patient.pk, r.pk])
            if r.patient_reported and not r.confirmed_by_id:
                e.confirm_url = reverse("result_confirm", args=[patient.pk, r.pk])
        out.append(e)
    return out


def _administrations(patient) -> list[Entry]:
    out = []
    for a in _rows(m.Administration, patient):
        times = ""
        if a.start_time and a.end_time:
            times = f", {a.start_time:%H:%M}-{a.end_time:%H:%M}"
        elif a.start_time:
            times = f", started {a.start_time:%H:%M}"
        e = _base(a, a.date, "infusion", f"{drug_name(a.drug)} {a.dose_mg:g} mg given{times}")
        if a.dose_mg_per_m2:
            e.notes.append(f"{a.dose_mg_per_m2:g} mg/m²")
        if a.premedication:
            e.notes.append(f"premedication: {a.premedication}")
        if a.reaction != "none":
            e.notes.append(f"reaction: {a.reaction.replace('_', ' ')}")
        if a.reaction_notes:
            e.notes.append(a.reaction_notes)
        if a.lot:
            e.notes.append(f"lot {a.lot}")
        if not e.superseded:
            e.correct_url = reverse("administration_correct", args=[patient.pk, a.pk])
        out.append(e)
    return out


def _courses(patient) -> list[Entry]:
    out = []
    for c in _rows(m.Course, patient):
        regimen = f" ({c.regimen} regimen)" if c.regimen else ""
        e = _base(c, c.start, "course", f"{drug_name(c.drug)} course started{regimen}")
        if not e.superseded and c.stop is None:
            e.stop_url = reverse("course_stop", args=[patient.pk, c.pk])
        out.append(e)
        if c.stop is not None:
            why = f": {c.stop_reason}" if c.stop_reason else ""
            out.append(_base(c, c.stop, "course", f"{drug_name(c.drug)} course stopped{why}"))
    return out


def _programs(patient) -> list[Entry]:
    return [
        _base(
            p,
            p.date,
            "program",
            f"{p.get_program_display()}: {p.action}",
        )
        for p in _rows(m.ProgramAction, patient)
    ]


def _conditions(patient) -> list[Entry]:
    out = []
    for c in _rows(m.Condition, patient):
        name = c.get_condition_display()
        e = _base(c, c.date, "condition", f"{name.capitalize()} noted")
        if not e.superseded and c.resolved is None:
            e.resolve_url = reverse("condition_resolve", args=[patient.pk, c.pk])
        out.append(e)
        if c.resolved is not None:
            out.append(_base(c, c.resolved, "condition", f"{name.capitalize()} resolved"))
    return out


def timeline(patient: m.Patient) -> list[Entry]:
    """Newest first; on the same day, the most recently entered first."""
    entries = [
        *_courses(patient),
        *_administrations(patient),
        *_results(patient),
        *_programs(patient),
        *_conditions(patient),
    ]
    entries.sort(
        key=lambda e: (e.date, e.entered_at.timestamp() if e.entered_at else 0.0), reverse=True
    )
    return entries
