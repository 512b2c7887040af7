"""Readiness: is a patient cleared for an infusion of a drug on a day?

The verdict is `cleared`, `needs_review` or `blocked`, with every reason that led to it. Each reason
has a stable `rule` id (the catalog rule id, with a suffix such as `.missing`, `.expired`,
`.threshold`, or a generic id such as `spacing.too_short`), the test involved, a message a nurse can
act on and the source of the rule. Status: blocked if any `block` reason, else needs_review if any
`review` reason, else cleared; `info` reasons never change it.

The infusion being checked is the next one the plan gives once the record is cut at the day
(`record.as_of(day)`: administrations on or after the day are not history).
"""

from __future__ import annotations

from datetime import date

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.plan import (
    Plan,
    PlannedInfusion,
    choose_regimen,
    current_course,
    plan_infusions,
)
from msinfusion.care.readiness_course import CourseRules
from msinfusion.care.readiness_reasons import Readiness, Reason
from msinfusion.care.readiness_results import ResultRules
from msinfusion.care.readiness_safety import SafetyRules
from msinfusion.care.record import PatientRecord
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Block, Drug

__all__ = ["Readiness", "Reason", "check_readiness"]


def check_readiness(
    record: PatientRecord,
    drug_id: str,
    day: date,
    *,
    catalog: Catalog | None = None,
    regimen_id: str | None = None,
) -> Readiness:
    """Is the patient cleared for an infusion of `drug_id` on `day`?

    Raises CareError("drug", ...) for an unknown drug and CareError("regimen", ...) when the drug
    has no default regimen (rituximab) and neither the course nor the caller names one.
    """
    catalog = catalog or default_catalog()
    try:
        drug = catalog.drug(drug_id)
    except KeyError as exc:
        raise CareError("drug", str(exc.args[0])) from None
    rec = record.as_of(day)
    regimen = choose_regimen(drug, regimen_id, current_course(rec, drug))
    check = _Check(catalog, drug, regimen, rec, day)
    plan = plan_infusions(
        drug,
        record=rec,
        start=day,
        until=_horizon(rec, drug, day),
        regimen_id=regimen.id,
        max_count=1,
    )
    infusion = plan.next or check.after_empty_plan(plan)
    if infusion is not None:
        check.infusion_rules(infusion, plan)
    return check.verdict(infusion)


def _horizon(rec: PatientRecord, drug: Drug, day: date) -> date:
    """Far enough that the plan reaches the next infusion: every regimen interval is under 2 years."""
    starts = [c.start for c in rec.courses_of(drug.id)]
    return add_months(max([day, *starts]), 24)


class _Check(CourseRules, ResultRules, SafetyRules):
    """Collects the reasons for one drug on one day: every rule family, in the order a nurse
    reads them."""

    def infusion_rules(self, infusion: PlannedInfusion, plan: Plan) -> None:
        block = self._block(infusion)
        if plan.off_label:
            self.add(
                "regimen.off_label",
                "info",
                f"Off-label in MS: {self.regimen.name}; the plan follows the prescriber's chosen "
                "regimen and inherits no other drug's rules.",
                self.drug.off_label_source or self.regimen.source,
            )
        self.spacing(infusion, block)
        self.dose(infusion)
        self.requirements(infusion)
        self.contraindications()
        self.pregnancy_test()
        self.vaccines(infusion)
        self.program()

    def _block(self, infusion: PlannedInfusion) -> Block:
        block_id = infusion.block_id.removesuffix(".additional")
        blocks = self.regimen.blocks
        for block in blocks:
            if block.id == block_id:
                return block
        return blocks[-1]
