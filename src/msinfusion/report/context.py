"""Everything a visit report shows, worked out from the record as plain, pre-formatted values.

The template only lays things out: every date, number and sentence is formatted here, so the report
renders the same without Django settings (CLI, PDF) as inside the web app. No clinical decision is
made here either: plan, readiness, due-list, PML risk and the wearing-off verdict come from the
domain, and this module only gathers them and numbers their sources for the "Sources" list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from msinfusion.care.patient_guide import drug_title
from msinfusion.care.pml import NATALIZUMAB_DRUGS, estimate_for_record
from msinfusion.care.record import PatientRecord, Result
from msinfusion.care.summary import PatientSummary, summarize
from msinfusion.diary.charts import VERDICT_WORDS, cycle_chart_svg, symptom_charts
from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.errors import CareError, DiaryError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.report.timeline import lanes_of, timeline_svg

INFUSIONS_LISTED = 30
"""The infusions table lists the newest ones; older ones are counted in a line under it."""
_DOC_ID = re.compile(r"\bS\d+[a-z]?\b")
STATUS_WORDS = {"cleared": "cleared", "needs_review": "needs review", "blocked": "blocked"}
SEVERITY_WORDS = {"block": "blocks", "review": "review", "info": "note"}
TABLE_WORDS = {"us_label": "US label table", "index_stratified": "index-stratified table"}


def day_text(day: date | None) -> str:
    """2026-01-19 -> '19 Jan 2026' (no locale, no settings)."""
    return f"{day.day} {day:%b %Y}" if day else ""


def weekday_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def number_text(value: float | None, digits: int = 1) -> str:
    if value is None:
        return ""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def p_text(p: float | None) -> str:
    if p is None:
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def age_on(birth: date | None, today: date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass
class Sources:
    """Sources in order of first citation; each gets a number the report shows as [n]."""

    texts: list[str] = field(default_factory=list)

    def ref(self, source: object) -> int | None:
        text = str(source or "").strip()
        if not text:
            return None
        if text not in self.texts:
            self.texts.append(text)
        return self.texts.index(text) + 1

    def documents(self, catalog: Catalog) -> list[dict[str, str]]:
        """The catalog documents the cited facts name (S-ids), with title and address."""
        ids = dict.fromkeys(m for t in self.texts for m in _DOC_ID.findall(t))
        return [
            {
                "id": doc_id,
                "title": catalog.sources[doc_id].title,
                "url": catalog.sources[doc_id].url,
            }
            for doc_id in sorted(ids, key=_doc_order)
            if doc_id in catalog.sources
        ]


def _doc_order(doc_id: str) -> tuple[int, str]:
    digits = re.match(r"S(\d+)(.*)", doc_id)
    return (int(digits.group(1)), digits.group(2)) if digits else (10**6, doc_id)


def infusions_of(record: PatientRecord) -> list[Infusion]:
    """The record's administrations as the diary analysis reads them (given, not planned)."""
    return [Infusion(a.date, a.drug) for a in sorted(record.administrations, key=lambda a: a.date)]


# ---------------------------------------------------------------- sections


def header(record: PatientRecord, today: date, name: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": name,
        "birth_date": day_text(record.birth_date),
        "age": age_on(record.birth_date, today),
        "sex": record.sex or "",
        "ms_type": record.ms_type or "",
        "region": record.region,
        "height": number_text(record.height_cm),
        "weight": number_text(record.weight_kg),
        "prior_immunosuppressants": ", ".join(record.prior_immunosuppressants),
        "drugs": [names[d] for d in record.drugs],
    }


def infusion_rows(record: PatientRecord, names: dict[str, str]) -> dict[str, Any]:
    given = sorted(record.administrations, key=lambda a: a.date, reverse=True)
    rows = [
        {
            "date": day_text(a.date),
            "drug": names.get(a.drug, a.drug),
            "dose": (
                f"{number_text(a.dose_mg)} mg"
                if a.dose_mg
                else f"{number_text(a.dose_mg_per_m2)} mg/m²"
                if a.dose_mg_per_m2
                else ""
            ),
            "reaction": a.reaction.replace("_", " "),
            "had_reaction": a.reaction != "none",
            "lot": a.lot or "",
        }
        for a in given[:INFUSIONS_LISTED]
    ]
    older = given[INFUSIONS_LISTED:]
    return {
        "rows": rows,
        "total": len(given),
        "older": len(older),
        "older_from": day_text(older[-1].date) if older else "",
    }


def _value_text(result: Result, catalog: Catalog) -> str:
    if isinstance(result.value, str):
        return result.value
    test = catalog.tests.get(result.test)
    unit = result.unit or (test.unit if test else "")
    return f"{number_text(result.value, 2)} {unit}".strip()


def result_rows(record: PatientRecord, today: date, catalog: Catalog) -> list[dict[str, Any]]:
    """The latest result of each test, newest first: what the team looks at before an infusion."""
    latest: dict[str, Result] = {}
    for r in record.results:
        if r.date <= today and (r.test not in latest or r.date >= latest[r.test].date):
            latest[r.test] = r
    rows = []
    for r in sorted(latest.values(), key=lambda r: (r.date, r.test), reverse=True):
        test = catalog.tests.get(r.test)
        rows.append(
            {
                "date": day_text(r.date),
                "test": test.name if test else r.test,
                "value": _value_text(r, catalog),
                "assay": r.assay or "",
                "days_ago": (today - r.date).days,
            }
        )
    return rows


def due_rows(
    summary: PatientSummary, today: date, names: dict[str, str], sources: Sources
) -> list[dict[str, Any]]:
    """The due-list, overdue first (oldest first), then upcoming by date."""
    ordered = sorted(summary.due, key=lambda t: (t.status != "overdue", t.date))
    return [
        {
            "date": day_text(t.date),
            "task": t.task,
            "drug": names.get(t.drug, t.drug),
            "overdue": t.status == "overdue",
            "status": "overdue" if t.status == "overdue" else f"in {(t.date - today).days} days",
            "reason": t.reason,
            "ref": sources.ref(t.source),
        }
        for t in ordered
    ]


def readiness_blocks(
    summary: PatientSummary, today: date, names: dict[str, str], sources: Sources
) -> list[dict[str, Any]]:
    """Per drug: the next planned infusion and its readiness verdict with every reason."""
    out = []
    for status in summary.drugs:
        block: dict[str, Any] = {"drug": names.get(status.drug, status.drug)}
        if status.problem:
            block["problem"] = status.problem
        elif status.plan is not None and status.plan.stopped is not None:
            block["stopped"] = day_text(status.plan.stopped)
        nxt = status.next
        if nxt is not None:
            block["next"] = {
                "date": weekday_text(nxt.date),
                "overdue": nxt.date < today,
                "label": nxt.label,
                "dose": f"{number_text(nxt.dose_mg)} mg" if nxt.dose_mg else "",
                "window": f"{day_text(nxt.earliest)} to {day_text(nxt.latest)}",
                "why": nxt.why,
                "chair": nxt.chair_minutes,
            }
        r = status.readiness
        if r is not None:
            block["readiness"] = {
                "status": r.status,
                "status_words": STATUS_WORDS.get(r.status, r.status),
                "day": weekday_text(r.date),
                "reasons": [
                    {
                        "severity": reason.severity,
                        "severity_words": SEVERITY_WORDS.get(reason.severity, reason.severity),
                        "rule": reason.rule,
                        "message": reason.message,
                        "ref": sources.ref(reason.source),
                    }
                    for reason in r.reasons
                ],
            }
        if status.plan is not None and status.plan.cumulative_mg_per_m2 is not None:
            block["cumulative"] = f"{number_text(status.plan.cumulative_mg_per_m2)} mg/m²"
        out.append(block)
    return out


def pml_block(record: PatientRecord, today: date, sources: Sources) -> dict[str, Any] | None:
    """Natalizumab only: the figure, the table and band used, the basis and the explanation."""
    if not any(d in NATALIZUMAB_DRUGS for d in record.drugs):
        return None
    pml = estimate_for_record(record, today)
    return {
        "shown": pml.shown(),
        "table": TABLE_WORDS.get(pml.table, "no table (no estimate)"),
        "band": f"{pml.band} months" if pml.band else "",
        "basis": pml.basis,
        "explanation": pml.explanation,
        "flags": [f.replace("_", " ") for f in pml.flags],
        "ref": sources.ref(pml.source),
    }


def diary_block(
    diary: Sequence[DiaryDay], record: PatientRecord, wearing_off: Any
) -> dict[str, Any]:
    """The diary's coverage, the verdict in plain words and the charts; or why there are none."""
    if not diary:
        return {"state": "no_diary", "headline": "No symptom diary recorded."}
    days = sorted(diary, key=lambda d: d.date)
    coverage = {
        "days": len(days),
        "first": day_text(days[0].date),
        "last": day_text(days[-1].date),
        "relapse_days": sum(1 for d in days if d.relapse),
    }
    if wearing_off is None:
        try:
            wearing_off = analyse_diary(days, record)
        except DiaryError as exc:
            return {
                "state": "insufficient_data",
                "headline": "Not enough data yet.",
                "explanation": exc.problem,
                "coverage": coverage,
            }
    result = wearing_off
    verdict = result.verdict
    likely = verdict == "likely"
    onset = result.onset_days_before if likely else None
    interval = result.onset_interval if likely else None
    headline = VERDICT_WORDS.get(verdict, verdict).capitalize() + "."
    explanation = (getattr(result, "explanation_clinician", "") or result.explanation or "").strip()
    if explanation.lower().startswith(headline.lower()):
        explanation = explanation[len(headline) :].strip()  # said once, in the headline
    block: dict[str, Any] = {
        "state": verdict,
        "headline": headline,
        "explanation": explanation,
        "cycles": getattr(result, "cycles_used", None),
        "p": p_text(result.p_value),
        "coverage": coverage,
        "cycle_days": result.cycle_days,
    }
    if onset is not None:
        block["onset"] = (
            f"Worsening begins about {number_text(onset, 0)} days before the infusion is due"
            + (
                f" (95% interval {number_text(min(interval), 0)} to "
                f"{number_text(max(interval), 0)} days)."
                if interval and len(interval) == 2
                else "."
            )
        )
    if result.cycle_days:
        block["overall_svg"] = cycle_chart_svg(
            result.overall,
            cycle_days=result.cycle_days,
            title="Overall (mean of the rated symptoms)",
            onset_days_before=onset,
            onset_interval=interval,
        )
        block["symptoms"] = [
            {
                "label": c.label,
                "verdict": c.verdict,
                "verdict_words": c.verdict_short,
                "p": p_text(c.p_value),
                "svg": c.svg,
            }
            for c in symptom_charts(result)
        ]
    return block


def analyse_diary(days: Sequence[DiaryDay], record: PatientRecord) -> Any:
    """The wearing-off analysis of a diary against the record's real administrations."""
    from msinfusion.diary.wearing_off import analyse

    return analyse(list(days), infusions_of(record))


def build(
    record: PatientRecord,
    today: date,
    *,
    diary: Sequence[DiaryDay] = (),
    wearing_off: Any = None,
    generated_by: str = "",
    patient_name: str = "",
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """The report's whole context, in the order the report reads."""
    catalog = catalog or default_catalog()
    names = {d: drug_title(catalog.drug(d)) for d in catalog.drugs}
    problems: list[str] = []
    try:
        summary = summarize(record, today, catalog=catalog)
    except CareError as exc:  # the report still shows what it can, and says what it cannot
        summary = PatientSummary(record.id, today, (), ())
        problems.append(str(exc))
    sources = Sources()
    planned = {s.drug: (s.next.date if s.next else None) for s in summary.drugs}
    context = {
        "today": day_text(today),
        "today_iso": today.isoformat(),
        "generated_by": generated_by,
        "problems": problems,
        "patient": header(record, today, patient_name, names),
        "timeline_svg": timeline_svg(lanes_of(record, names, planned), today),
        "infusions": infusion_rows(record, names),
        "readiness": readiness_blocks(summary, today, names, sources),
        "results": result_rows(record, today, catalog),
        "due": due_rows(summary, today, names, sources),
        "overdue_count": len(summary.overdue),
        "pml": pml_block(record, today, sources),
        "diary": diary_block(diary, record, wearing_off),
    }
    context["sources"] = [{"n": i + 1, "text": t} for i, t in enumerate(sources.texts)]
    context["documents"] = sources.documents(catalog)
    return context
