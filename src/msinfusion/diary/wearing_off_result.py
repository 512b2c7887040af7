"""What the wearing-off analysis returns (`wearing_off.analyse`), and its JSON form: the contract
the patient page, the CLI, the visit report and the bench read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Verdict = Literal["likely", "unlikely", "insufficient_data"]


@dataclass(frozen=True, slots=True)
class CurvePoint:
    day: float
    """Days since the last infusion: the day itself (daily bins) or the middle of a weekly bin."""
    mean: float
    lo: float
    hi: float
    n: int


@dataclass(frozen=True)
class SymptomResult:
    verdict: Verdict
    p_value: float | None
    effect: float | None
    """Late window minus mid-cycle, in rating points (positive = worse late)."""
    recovery: float | None
    """Late window minus the days just after the recovery, in points (positive = improved)."""
    onset_days_before: int | None
    late_days: int
    """Length of the late window the effect is measured over."""
    curve: list[CurvePoint] = field(default_factory=list)
    reason: str = ""
    """Why the data cannot answer (insufficient_data only)."""
    onset_interval: tuple[int, int] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "p_value": _round(self.p_value, 4),
            "effect": _round(self.effect, 2),
            "curve": [_point_json(c) for c in self.curve],
        }


@dataclass(frozen=True)
class WearingOffResult:
    verdict: Verdict
    p_value: float | None
    onset_days_before: float | None
    onset_interval: tuple[float, float] | None
    symptoms: dict[str, SymptomResult]
    overall: SymptomResult
    explanation: str
    """For the patient ("your overall score ...")."""
    cycle_days: int | None
    cycles_used: int
    drug: str | None
    explanation_clinician: str = ""
    """The same in the third person ("the patient's overall score ..."), for the visit report."""

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "p_value": _round(self.p_value, 4),
            "onset_days_before": self.onset_days_before,
            "onset_interval": list(self.onset_interval) if self.onset_interval else None,
            "symptoms": {name: r.to_json() for name, r in self.symptoms.items()},
            "explanation": self.explanation,
            "explanation_clinician": self.explanation_clinician,
            "effect": _round(self.overall.effect, 2),
            "curve": [_point_json(c) for c in self.overall.curve],
            "cycle_days": self.cycle_days,
            "cycles_used": self.cycles_used,
            "drug": self.drug,
        }


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _point_json(c: CurvePoint) -> dict[str, Any]:
    return {"day": c.day, "mean": round(c.mean, 2), "lo": round(c.lo, 2), "hi": round(c.hi, 2),
            "n": c.n}  # fmt: skip
