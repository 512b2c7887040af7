"""Wearing-off across the patients of a center: proportions with intervals, by drug and interval.

Groups are (drug, dosing interval in weeks) and are never pooled: studies disagree on whether a
longer natalizumab interval brings more or less wearing-off (van Kempen 2019; Bringeland 2021; Toorop 2024 disagree), so every 4 and
6 weekly group is its own row.

Two proportions per group, with different meanings:
- the share of analysed patients whose diary gives "likely" (Wilson 95% interval). It is what the
  clinic sees, and it mixes missed cases (the test's power is below 1) with false alarms (5%);
- an estimate of the share with any wearing-off, from the overall p-values: a patient without one
  has a p-value above 0.5 half the time, so 1 - 2 x (share of p > 0.5) estimates the share with
  one (Storey's estimator with lambda = 0.5). Its interval is the Wilson interval of that count,
  transformed. It undercounts patients whose effect is too small to show in their diary.
Patients with "not enough data yet" are counted, not hidden, and are left out of both proportions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from msinfusion.errors import DiaryError

Z95 = 1.959963984540054
VERDICTS = ("likely", "unlikely", "insufficient_data")
STOREY_LAMBDA = 0.5


class VerdictLike(Protocol):
    """What the summary needs from a WearingOffResult."""

    verdict: str
    p_value: float | None


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval: keeps its coverage near 95% for small n and proportions near 0 or 1,
    where the textbook p +- 1.96 SE interval does not."""
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True, slots=True)
class GroupSummary:
    drug: str
    interval_weeks: int
    patients: int
    likely: int
    unlikely: int
    insufficient: int
    likely_share: float | None
    """Among analysed patients (likely + unlikely); None when nobody could be analysed."""
    likely_interval: tuple[float, float] | None
    prevalence: float | None
    """Estimated share with a wearing-off (see the module docstring); None without p-values."""
    prevalence_interval: tuple[float, float] | None

    @property
    def analysed(self) -> int:
        return self.likely + self.unlikely

    def to_json(self) -> dict[str, Any]:
        def rounded(pair: tuple[float, float] | None) -> list[float] | None:
            return None if pair is None else [round(pair[0], 4), round(pair[1], 4)]

        return {
            "drug": self.drug,
            "interval_weeks": self.interval_weeks,
            "patients": self.patients,
            "analysed": self.analysed,
            "likely": self.likely,
            "unlikely": self.unlikely,
            "insufficient_data": self.insufficient,
            "likely_share": None if self.likely_share is None else round(self.likely_share, 4),
            "likely_interval": rounded(self.likely_interval),
            "prevalence": None if self.prevalence is None else round(self.prevalence, 4),
            "prevalence_interval": rounded(self.prevalence_interval),
        }


def _prevalence(p_values: list[float]) -> tuple[float, tuple[float, float]] | None:
    n = len(p_values)
    if n == 0:
        return None
    high = sum(p > STOREY_LAMBDA for p in p_values)
    scale = 1 - STOREY_LAMBDA
    lo, hi = wilson(high, n)

    def share(q: float) -> float:
        return min(1.0, max(0.0, 1 - q / scale))

    return share(high / n), (share(hi), share(lo))


def _group(drug: str, weeks: int, results: list[VerdictLike]) -> GroupSummary:
    counts = {v: sum(r.verdict == v for r in results) for v in VERDICTS}
    analysed = counts["likely"] + counts["unlikely"]
    p_values = [r.p_value for r in results if r.verdict != "insufficient_data"]
    prevalence = None
    if all(p is not None for p in p_values):
        prevalence = _prevalence([float(p) for p in p_values])  # type: ignore[arg-type]
    return GroupSummary(
        drug=drug,
        interval_weeks=weeks,
        patients=len(results),
        likely=counts["likely"],
        unlikely=counts["unlikely"],
        insufficient=counts["insufficient_data"],
        likely_share=counts["likely"] / analysed if analysed else None,
        likely_interval=wilson(counts["likely"], analysed) if analysed else None,
        prevalence=prevalence[0] if prevalence else None,
        prevalence_interval=prevalence[1] if prevalence else None,
    )


def clinic_summary(rows: Iterable[tuple[str, int, VerdictLike]]) -> list[GroupSummary]:
    """One summary per (drug, interval in weeks), sorted by drug then interval."""
    groups: dict[tuple[str, int], list[VerdictLike]] = {}
    for i, (drug, weeks, result) in enumerate(rows):
        if not isinstance(drug, str) or not drug.strip():
            raise DiaryError(f"rows[{i}].drug", "must be a drug name")
        if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks <= 0:
            raise DiaryError(
                f"rows[{i}].interval_weeks", f"must be a positive whole number, not {weeks!r}"
            )
        if result.verdict not in VERDICTS:
            raise DiaryError(f"rows[{i}].verdict", f"unknown verdict {result.verdict!r}")
        groups.setdefault((drug.strip(), weeks), []).append(result)
    return [_group(drug, weeks, rs) for (drug, weeks), rs in sorted(groups.items())]
