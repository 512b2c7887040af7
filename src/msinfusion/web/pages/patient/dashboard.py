"""The patient's own page: next infusion, readiness in plain words, tests, history and help.

Every clinical answer comes from the domain (`summary_for` -> plan, readiness, due-list;
`care.patient_guide` -> plain words; the catalog -> what to bring, programs, support). This module
only picks what to show and hands it to the template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from msinfusion.care.monitoring import DueTask
from msinfusion.care.patient_guide import (
    PlainReadiness,
    PlanFor,
    countdown_text,
    drug_title,
    plain_readiness,
    plan_for,
    program_status,
)
from msinfusion.care.plan import PlannedInfusion
from msinfusion.care.summary import PatientSummary
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.knowledge.model import Drug
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import (
    awaiting_confirmation,
    confirmed_summary,
    loaded,
    my_patient,
    patient_only,
)

STATUS_WORDS = {"cleared": "Cleared", "needs_review": "Needs review", "blocked": "Not ready yet"}
REACTION_WORDS = {
    "none": "No reaction",
    "mild": "Mild reaction",
    "moderate": "Moderate reaction",
    "serious": "Serious reaction",
    "life_threatening": "Life-threatening reaction",
    "hypersensitivity": "Allergic (hypersensitivity) reaction",
}


@dataclass(frozen=True)
class NextInfusion:
    drug: Drug
    title: str
    infusion: PlannedInfusion
    days: int
    countdown: str
    plan: PlanFor
    readiness: PlainReadiness | None
    status_words: str


@dataclass(frozen=True)
class DueRow:
    task: DueTask
    drug_title: str


def _next(summary: PatientSummary, today: date) -> NextInfusion | None:
    found = summary.next_infusion
    if found is None:
        return None
    status, infusion = found
    drug = default_catalog().drug(status.drug)
    plain = plain_readiness(status.readiness) if status.readiness is not None else None
    return NextInfusion(
        drug=drug,
        title=drug_title(drug),
        infusion=infusion,
        days=(infusion.date - today).days,
        countdown=countdown_text(infusion.date, today),
        plan=plan_for(infusion.chair, drug),
        readiness=plain,
        status_words=STATUS_WORDS.get(plain.status, plain.status) if plain else "",
    )


def _current_drugs(summary: PatientSummary) -> list[Drug]:
    """Drugs of ongoing courses; when every course has stopped, all drugs on the record."""
    catalog = default_catalog()
    ongoing = [s.drug for s in summary.drugs if not (s.plan and s.plan.stopped)]
    return [catalog.drug(d) for d in (ongoing or [s.drug for s in summary.drugs])]


def dashboard_context(request, patient, today: date) -> dict:
    """Everything the page shows; `patient` comes from `loaded()` (rows prefetched)."""
    confirmed = confirmed_summary(patient, today)
    record, summary = confirmed.record, confirmed.summary
    catalog = default_catalog()
    drugs = _current_drugs(summary)
    nxt = _next(summary, today)
    programs = [(d, p) for d in drugs if (p := program_status(d, record, today)) is not None]
    history = sorted(patient.cur_administrations, key=lambda a: (a.date, a.pk), reverse=True)
    reported = sorted(patient.cur_results, key=lambda r: (r.date, r.pk), reverse=True)
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[patient.calendar_token]))
    return {
        "patient": patient,
        "center": patient.center,
        "today": today,
        "next": nxt,
        "prepare_drug": nxt.drug if nxt else (drugs[0] if len(drugs) == 1 else None),
        "problems": [(catalog.drug(s.drug), s.problem) for s in summary.drugs if s.problem],
        "engine_problem": confirmed.problem,
        "stopped": [
            (catalog.drug(s.drug), s.plan.stopped)
            for s in summary.drugs
            if s.plan and s.plan.stopped
        ],
        "due": [DueRow(t, drug_title(catalog.drug(t.drug))) for t in summary.due],
        "overdue_count": len(summary.overdue),
        "history": [
            (a, drug_title(catalog.drug(a.drug)), REACTION_WORDS.get(a.reaction, a.reaction))
            for a in history
        ],
        "programs": programs,
        "support": [(d, d.support_programs) for d in drugs if d.support_programs],
        "reported": [(r, catalog.tests.get(r.test)) for r in awaiting_confirmation(reported)],
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
    }


@patient_only
@require_GET
def my_dashboard(request):
    patient = loaded(my_patient(request, "patient.dashboard"))
    context = dashboard_context(request, patient, today_at(patient.center))
    return render(request, "pages/patient/dashboard.html", context)
