"""One patient's treatment at a glance: plan, readiness of the next infusion, due-list.

Worklists, dashboards and the benchmark all need the same three answers per patient; computing them
here once keeps every door consistent (and lets the plan be computed once, not three times).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from msinfusion.care.lazy_text import build_plain
from msinfusion.care.monitoring import DueTask, due_list
from msinfusion.care.plan import Plan, PlannedInfusion, plan_infusions
from msinfusion.care.readiness import Readiness, check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog


@dataclass(frozen=True)
class DrugStatus:
    drug: str
    plan: Plan | None
    next: PlannedInfusion | None
    readiness: Readiness | None
    problem: str | None = None  # why no plan could be made (e.g. rituximab without a regimen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug,
            "plan": self.plan.to_dict() if self.plan else None,
            "readiness": self.readiness.to_dict() if self.readiness else None,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class PatientSummary:
    patient: str
    today: date
    drugs: tuple[DrugStatus, ...]
    due: tuple[DueTask, ...]

    @property
    def next_infusion(self) -> tuple[DrugStatus, PlannedInfusion] | None:
        upcoming = [(s, s.next) for s in self.drugs if s.next is not None]
        return min(upcoming, key=lambda pair: pair[1].date) if upcoming else None

    @property
    def overdue(self) -> tuple[DueTask, ...]:
        return tuple(t for t in self.due if t.status == "overdue")

    def to_dict(self) -> dict[str, Any]:
        return {
            "patient": self.patient,
            "today": self.today.isoformat(),
            "drugs": [s.to_dict() for s in self.drugs],
            "due": [t.to_dict() for t in self.due],
        }


def readiness_day(infusion: PlannedInfusion, today: date) -> date:
    """The day the next infusion would happen: its due date, or today when that has passed."""
    return max(infusion.date, today)


def summarize(
    record: PatientRecord, today: date, *, catalog: Catalog | None = None, until: date | None = None
) -> PatientSummary:
    """Plan, readiness of the next infusion and the due-list for every drug the record mentions.

    The three share the work they have in common (the plan of each drug, see
    `PatientRecord.shared_work`).
    """
    catalog = catalog or default_catalog()
    with record.shared_work():
        statuses = [_drug_status(record, drug_id, today, catalog) for drug_id in record.drugs]
        due = tuple(due_list(record, today, until, catalog=catalog))
    return build_plain(
        PatientSummary,
        {"patient": record.id, "today": today, "drugs": tuple(statuses), "due": due},
    )


def _drug_status(record: PatientRecord, drug_id: str, today: date, catalog: Catalog) -> DrugStatus:
    drug = catalog.drug(drug_id)
    try:
        plan = plan_infusions(drug, record=record, today=today)
    except CareError as exc:
        return DrugStatus(drug_id, None, None, None, str(exc))
    nxt = plan.next
    readiness = (
        check_readiness(record, drug_id, readiness_day(nxt, today), catalog=catalog)
        if nxt is not None
        else None
    )
    return build_plain(
        DrugStatus,
        {"drug": drug_id, "plan": plan, "next": nxt, "readiness": readiness, "problem": None},
    )
