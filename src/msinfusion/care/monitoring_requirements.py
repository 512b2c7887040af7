"""Pre-infusion requirements on the monitoring due-list (`care.monitoring`, source 2).

For each infusion the plan gives in [today, until], each baseline / per-infusion requirement that
applies (`requirements.requirement_applies`) and has no usable result for that infusion
(`requirements.usable_result`) is a task due on the latest day the sample can be drawn, the
infusion day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from msinfusion.care.due_task import TEST_KIND, DueTask
from msinfusion.care.lazy_text import build_shared
from msinfusion.care.plan import Plan, PlannedInfusion
from msinfusion.care.record import PatientRecord
from msinfusion.care.requirements import (
    ResultWindow,
    childbearing_unknown,
    freshness,
    result_window,
    usable_result,
)
from msinfusion.knowledge.catalog import Catalog
from msinfusion.knowledge.model import Drug, Requirement


def requirement_tasks(
    drug: Drug, plan: Plan, record: PatientRecord, catalog: Catalog, today: date, until: date
) -> list[DueTask]:
    """A task for every requirement an infusion in [today, until] still lacks a usable result for.

    Which requirements apply is `requirements.requirement_applies`: the record's part (region,
    childbearing potential) is the same for every infusion, so it is decided once here and only
    the infusion's part (`when`) per infusion.
    """
    tasks = []
    region = record.region
    not_childbearing = record.childbearing_potential is False
    applicable = [
        (req, when, valid, fields)
        for req, when, req_region, childbearing, valid, fields in _requirement_items(catalog, drug)
        if (req_region is None or req_region == region) and not (childbearing and not_childbearing)
    ]
    if not applicable:
        return tasks
    # an infusion that is neither the first one nor starts a block can only need a requirement
    # checked before every infusion
    whens = {item[1] for item in applicable}
    every, course = "every_infusion" in whens, "course_start" in whens
    for infusion in plan.infusions:
        number, block_start = infusion.number, infusion.block_start
        if not every and number != 1 and not (course and block_start):
            continue  # no requirement applies to it
        day = infusion.date
        if not today <= day <= until:
            continue
        previous = infusion.previous_dose
        for req, when, valid, fields in applicable:
            if (when == "first_infusion" and number != 1) or (
                when == "course_start" and not block_start
            ):
                continue
            if usable_result(record, req, day, previous, valid_days=valid) is not None:
                continue
            window = result_window(req, day, previous, valid_days=valid)
            tasks.append(
                build_shared(
                    DueTask,
                    (_requirement_reason, req, infusion, window, valid, record),
                    fields,
                    date=window.by,
                    status="overdue" if window.by < today else "upcoming",
                )
            )
    return tasks


_Requirements = tuple[tuple[Requirement, str, str | None, bool, int | None, dict[str, Any]], ...]
_REQUIREMENTS: dict[tuple[int, int], tuple[Catalog, Drug, _Requirements]] = {}


def _requirement_items(catalog: Catalog, drug: Drug) -> _Requirements:
    """The drug's requirements with what deciding whether one applies reads (`when`, region,
    childbearing potential only), their test's validity and the fields every task of the
    requirement shares, read once per catalog."""
    known = _REQUIREMENTS.get((id(catalog), id(drug)))
    if known is not None and known[0] is catalog and known[1] is drug:
        return known[2]
    items = []
    for req in drug.requirements:
        test = catalog.test(req.test)
        fields = {
            "task": test.name,
            "test": req.test,
            "drug": drug.id,
            "source": req.source.text,
            "rule": req.id,
            "kind": TEST_KIND[test.kind],
        }
        childbearing = req.applies_to == "childbearing_potential"
        items.append((req, req.when, req.region, childbearing, test.valid_days, fields))
    if len(_REQUIREMENTS) > 256:
        _REQUIREMENTS.clear()
    _REQUIREMENTS[(id(catalog), id(drug))] = (catalog, drug, tuple(items))
    return tuple(items)


def _requirement_reason(
    req: Requirement,
    infusion: PlannedInfusion,
    window: ResultWindow,
    valid: int | None,
    record: PatientRecord,
) -> dict[str, str]:
    fresh = freshness(req, valid)
    rule = "any earlier result counts" if fresh == "any date" else f"result must be {fresh}"
    reason = (
        f"before {infusion.label} on {infusion.date.isoformat()}: "
        f"{req.message.rstrip('.')}; {rule} (draw {window.describe()})"
    )
    if childbearing_unknown(req, record):
        reason += "; applies because childbearing potential is not recorded"
    return {"reason": reason}
