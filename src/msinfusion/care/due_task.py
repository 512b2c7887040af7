"""A task on the monitoring due-list (`care.monitoring`), and the kinds of task there are.

Its own module so that both sources of the list (monitoring items, `care.monitoring`; pre-infusion
requirements, `care.monitoring_requirements`) can build tasks; `care.monitoring` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from msinfusion.care.lazy_text import LazyText

Status = Literal["overdue", "upcoming"]

TEST_KIND = {"lab": "test", "screening": "test", "imaging": "scan", "exam": "exam"}
"""Task kind of a pre-infusion requirement, from the test vocabulary's kind."""


@dataclass(frozen=True)
class DueTask(LazyText):
    """One task on the due-list; `rule` is the catalog monitoring or requirement id.

    The `reason` of a task on a computed due-list is written when first read (`care.lazy_text`).
    """

    _lazy_fields = frozenset({"reason"})

    date: date
    task: str
    test: str | None
    drug: str
    status: Status
    reason: str
    source: str
    rule: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "task": self.task,
            "test": self.test,
            "drug": self.drug,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "rule": self.rule,
            "kind": self.kind,
        }


DueTask.__module__ = "msinfusion.care.monitoring"  # where it has always been imported from
