"""The reasons a readiness check gives and the verdict they add up to.

Part of `care.readiness`: the rule families (`readiness_course`, `readiness_results`,
`readiness_safety`) each add reasons to one `Collector`, which turns them into the verdict.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from msinfusion.care.lazy_text import build_plain
from msinfusion.care.plan import PlannedInfusion, reactions_of
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import Catalog
from msinfusion.knowledge.model import Drug, Regimen, Source

Severity = Literal["block", "review", "info"]
Status = Literal["cleared", "needs_review", "blocked"]

_ORDER = {"block": 0, "review": 1, "info": 2}
_severity = operator.attrgetter("severity")
_by_date = operator.attrgetter("date")


def _severity_order(reason: Reason) -> int:
    return _ORDER[reason.severity]


@dataclass(frozen=True)
class Reason:
    rule: str
    severity: Severity
    test: str | None
    message: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "test": self.test,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class Readiness:
    status: Status
    drug: str
    date: date
    reasons: tuple[Reason, ...]
    infusion: PlannedInfusion | None

    @property
    def rules(self) -> list[str]:
        return [r.rule for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "drug": self.drug,
            "date": self.date.isoformat(),
            "label": self.infusion.label if self.infusion else None,
            "reasons": [r.to_dict() for r in self.reasons],
        }


class Collector:
    """Collects the reasons for one drug on one day; the rule families are its mixins."""

    def __init__(
        self, catalog: Catalog, drug: Drug, regimen: Regimen, rec: PatientRecord, day: date
    ) -> None:
        self.catalog = catalog
        self.drug = drug
        self.regimen = regimen
        self.rec = rec
        self.day = day
        self.given = rec.administrations_of(drug.id)
        self.reactions = reactions_of(rec, drug.id)
        self.previous_dose = self.given[-1].date if self.given else None
        self.reasons: list[Reason] = []

    def add(
        self,
        rule: str,
        severity: Severity,
        message: str,
        source: Source | str,
        test: str | None = None,
    ) -> None:
        cited = _cite(self.catalog, source) if isinstance(source, Source) else source
        self.reasons.append(
            build_plain(
                Reason,
                {
                    "rule": rule,
                    "severity": severity,
                    "test": test,
                    "message": message,
                    "source": cited,
                },
            )
        )

    def test_name(self, test: str) -> str:
        found = self.catalog.tests.get(test)
        return f"{found.name} ({test})" if found else test

    def verdict(self, infusion: PlannedInfusion | None) -> Readiness:
        found = self.reasons
        reasons = tuple(sorted(found, key=_severity_order) if len(found) > 1 else found)
        severities = set(map(_severity, reasons))
        status: Status = (
            "blocked"
            if "block" in severities
            else "needs_review"
            if "review" in severities
            else "cleared"
        )
        return build_plain(
            Readiness,
            {
                "status": status,
                "drug": self.drug.id,
                "date": self.day,
                "reasons": reasons,
                "infusion": infusion,
            },
        )


_CITED: dict[tuple[int, int], tuple[Catalog, Source, str]] = {}


def _cite(catalog: Catalog, source: Source) -> str:
    """`catalog.cite(source)`, kept per catalog and source: reasons cite the same few sources."""
    key = (id(catalog), id(source))
    known = _CITED.get(key)
    if known is not None and known[0] is catalog and known[1] is source:
        return known[2]
    if len(_CITED) > 4096:
        _CITED.clear()
    text = catalog.cite(source)
    _CITED[key] = (catalog, source, text)
    return text
