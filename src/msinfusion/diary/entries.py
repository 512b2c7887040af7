"""The diary's data: one day of symptom ratings, and the infusions a diary is aligned to.

Ratings are 0 (no problem) to 10 (worst), per symptom; a symptom not rated that day is absent
(not zero). The symptom keys are those of the patient's diary form (care.patient_guide).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from msinfusion.care.patient_guide import DIARY_SYMPTOMS

SYMPTOMS: tuple[str, ...] = tuple(key for key, _ in DIARY_SYMPTOMS)
SYMPTOM_LABELS: Mapping[str, str] = dict(DIARY_SYMPTOMS)
OVERALL = "overall"
"""The overall score of a day: the mean of the symptoms recorded that day."""


@dataclass(frozen=True, slots=True)
class DiaryDay:
    date: date
    ratings: Mapping[str, float] = field(default_factory=dict)
    relapse: bool = False
    notes: str = ""

    @property
    def overall(self) -> float | None:
        """Mean of the recorded symptoms; None when nothing was rated."""
        values = [v for v in self.ratings.values() if v is not None]
        return sum(values) / len(values) if values else None


@dataclass(frozen=True, slots=True)
class Infusion:
    """An infusion actually given (real administrations, not the plan)."""

    date: date
    drug: str
