"""Glue between stored rows and the domain: today's date at a center, records and summaries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from msinfusion.care.summary import PatientSummary, summarize
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.clinic.models import Center, Patient
from msinfusion.web.clinic.records import to_record


def today_at(center: Center) -> date:
    """The calendar date at the center right now (infusions happen on the center's days)."""
    return datetime.now(ZoneInfo(center.timezone)).date()


def summary_for(patient: Patient, today: date | None = None) -> PatientSummary:
    """The patient's plan, readiness and due-list, computed by the domain code."""
    return summarize(
        to_record(patient), today or today_at(patient.center), catalog=default_catalog()
    )
