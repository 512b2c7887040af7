"""The worklist and the patient list of the care team.

The worklist loads every visible patient with their current rows in a fixed number of queries
(`with_current_rows`), lets the domain sort them into sections (`care.worklist`) and shows them;
one audit row is written per patient shown.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from msinfusion.care.worklist import build_worklist, work_for
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.audit.log import Action, audit_many
from msinfusion.web.clinic.access import visible_patients
from msinfusion.web.clinic.records import to_record, with_current_rows
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.staff.common import drug_name, staff_required, staff_today

PAGE_SIZE = 25


def _todays(patients) -> dict[int, object]:
    """Today at each patient's center, computed once per center."""
    days: dict[int, object] = {}
    for p in patients:
        if p.center_id not in days:
            days[p.center_id] = today_at(p.center)
    return days


@require_GET
@staff_required
def worklist(request):
    patients = list(with_current_rows(visible_patients(request.user).select_related("center")))
    catalog = default_catalog()
    days = _todays(patients)
    entries = [(p, work_for(to_record(p), days[p.center_id], catalog=catalog)[1]) for p in patients]
    work = build_worklist(entries)
    shown = work.patients()
    audit_many(request, shown, Action.READ, "staff.worklist")
    context = {
        "today": staff_today(request.user),
        "checked": len(patients),
        "shown": len(shown),
        "due": [
            {"patient": p, "drug": drug_name(d.drug), "item": d, "overdue_days": -d.days}
            for p, d in work.due
        ],
        "blocked": [{"patient": p, "drug": drug_name(b.drug), "item": b} for p, b in work.blocked],
        "overdue": [
            {
                "patient": p,
                "drug": drug_name(t.drug),
                "item": t,
                "days": (days[p.center_id] - t.date).days,
            }
            for p, t in work.overdue
        ],
        "pml": [{"patient": p, "item": c} for p, c in work.pml],
        "authorizations": [
            {"patient": p, "drug": drug_name(a.drug), "item": a} for p, a in work.authorizations
        ],
        "problems": [{"patient": p, "problem": problem} for p, problem in work.problems],
    }
    return render(request, "pages/staff/worklist.html", context)


@require_GET
@staff_required
def patient_list(request):
    query = (request.GET.get("q") or "").strip()[:100]
    patients = visible_patients(request.user).select_related("center", "neurologist")
    if query:
        patients = patients.filter(name__icontains=query)
    ordered = with_current_rows(patients.order_by("name", "pk"))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    days = _todays(rows)
    catalog = default_catalog()
    items = []
    for p in rows:
        summary, work = work_for(to_record(p), days[p.center_id], catalog=catalog)
        nxt = summary.next_infusion if summary else None
        items.append(
            {
                "patient": p,
                "drugs": [drug_name(s.drug) for s in summary.drugs] if summary else [],
                "next": nxt[1] if nxt else None,
                "next_drug": drug_name(nxt[0].drug) if nxt else "",
                "readiness": nxt[0].readiness if nxt else None,
                "problem": "; ".join(work.problems),
            }
        )
    audit_many(request, rows, Action.READ, "staff.patient_list")
    return render(
        request,
        "pages/staff/patient_list.html",
        {"page": page, "items": items, "query": query},
    )
