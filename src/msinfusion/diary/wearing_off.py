"""Wearing-off analysis of one patient's diary: is the end of the infusion cycle worse than its
middle, and better again after the infusion? Method, calibration and limits: docs/wearing-off.md.

In short: each recorded day is placed in its cycle (cycles.align, real infusions); a regression with
one overall level, a linear trend, relapse bumps and AR(1) day-to-day noise is compared with and
without a wearing-off window (an onset before the infusion, a recovery of 1-2 days, or up to a week
for long cycles, after it; `wearing_off_frame`); the likelihood ratios of all candidate windows are
averaged with prior weights from the published onsets and calibrated by a parametric bootstrap on
AR(1) noise (`wearing_off_stats`). The top-level verdict is about the overall score (mean of the
recorded symptoms), which pools the symptoms' shared signal and averages their noise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from msinfusion.diary import wearing_off_stats as st
from msinfusion.diary.cycles import Alignment, align
from msinfusion.diary.entries import OVERALL, SYMPTOMS, DiaryDay, Infusion
from msinfusion.diary.wearing_off_frame import Frame, design, frame, pick_drug
from msinfusion.diary.wearing_off_result import (
    CurvePoint,
    SymptomResult,
    Verdict,
    WearingOffResult,
)
from msinfusion.errors import DiaryError

__all__ = [
    "CurvePoint",
    "SymptomResult",
    "Verdict",
    "WearingOffResult",
    "analyse",
    "analyse_overall_only",
    "chance_words",
]

ALPHA = 0.04
"""Decision level of "likely". The target is a false-positive rate of at most 5% in every nuisance
setting, not 5% on average: an exactly calibrated 5% test reads 5.0-5.1% where the bootstrap's
autocorrelation is estimated (ocrelizumab at phi 0.3 and 0.5, with drift; n = 5,000 each), so half
of such runs would land above 5%. Deciding at 4% keeps a margin for that estimate and for Monte
Carlo error; the p-value itself is reported unchanged (docs/wearing-off.md, step 4)."""


# --- one score ----------------------------------------------------------------------------------


def _score_values(fr: Frame, score: str) -> np.ndarray:
    if score == OVERALL:
        vals = [d.day.overall for d in fr.days]
    else:
        vals = [d.day.ratings.get(score) for d in fr.days]
    return np.array([np.nan if v is None else float(v) for v in vals])


def _enough(fr: Frame, obs: np.ndarray) -> str:
    """'' when the data can answer; otherwise the plain-words reason they cannot."""
    w = fr.win
    usable = obs & ~fr.in_relapse
    late = usable & (fr.until >= 1) & (fr.until <= w.late_default)
    mid = usable & (fr.since >= w.transition_end) & (fr.until > w.late_default)
    covered = [
        c
        for c in fr.cycles
        if c.complete
        and int((late & (fr.seg == c.index)).sum()) >= w.min_late_per_cycle
        and int((mid & (fr.seg == c.index)).sum()) >= w.min_mid_per_cycle
    ]
    ends = {c.end for c in covered}
    if not any(c.start in ends for c in covered):
        return (
            "it needs at least two complete cycles in a row with diary entries both late in the "
            "cycle and mid-cycle (one full cycle on each side of an infusion)"
        )
    if late.sum() < w.min_late_total or mid.sum() < w.min_mid_total:
        return (
            f"it needs at least {w.min_late_total} recorded days in the last {w.late_default} days "
            f"before infusions and {w.min_mid_total} mid-cycle (has {int(late.sum())} and "
            f"{int(mid.sum())})"
        )
    return ""


class _Shared:
    """Work shared by the scores of one diary: designs and their whitened bases by pattern of
    recorded days, and the bootstrap statistics by pattern and phi (`st.NullCache`)."""

    def __init__(self, reps: int, seed: int) -> None:
        self.nulls = st.NullCache(reps, seed)
        self._designs: dict[bytes, tuple[st.Design, st.Basis]] = {}

    def design(self, fr: Frame, obs: np.ndarray) -> tuple[st.Design, st.Basis]:
        key = obs.tobytes()
        if key not in self._designs:
            made = design(fr, obs)
            self._designs[key] = (made, st.prepare(made))
        return self._designs[key]


def _analyse_score(fr: Frame, score: str, shared: _Shared, interval: bool) -> SymptomResult:
    y_all = _score_values(fr, score)
    obs = ~np.isnan(y_all)
    curve_only = SymptomResult("insufficient_data", None, None, None, None, 0)
    if obs.sum() < 4:
        return curve_only
    reason = _enough(fr, obs)
    y = y_all[obs]
    if reason:
        made = design(fr, obs)
        nuisance = _nuisance_fit(made, y, 0.0)
        return SymptomResult(
            "insufficient_data", None, None, None, None, 0,
            _curve(fr, obs, y, made, nuisance, 0.0), reason,
        )  # fmt: skip
    made, basis = shared.design(fr, obs)
    # The test sees the scores' ranks as normal scores (`st.normal_scores`: why); the effect,
    # the recovery and the curve stay in points.
    z = st.normal_scores(y)
    fitted = st.fit(made, basis, z, shared.nulls, coarse=not interval, resample=interval)
    nuisance = _nuisance_fit(made, y, fitted.phi_null)
    significant = fitted.p_value < ALPHA
    onset, lo, hi = st.onset_estimate(made, fitted)
    late_days = onset if significant else fr.win.late_default
    effect, recovery = _contrasts(fr, obs, y - nuisance.all, late_days)
    likely = significant and effect > 0 and recovery > 0
    interval_days = None
    if likely and interval:
        # The onset is counted back from the infusion actually given; infusions a few days off
        # schedule move it by that much between cycles, which a single-onset model cannot see.
        lengths = [c.length for c in fr.cycles if c.length is not None]
        slack = int(np.ceil(max(abs(n - fr.length) for n in lengths) / 2)) if lengths else 0
        interval_days = (max(0, lo - slack), hi + slack)
    return SymptomResult(
        verdict="likely" if likely else "unlikely",
        p_value=fitted.p_value,
        effect=effect,
        recovery=recovery,
        onset_days_before=late_days if likely else None,
        late_days=late_days,
        curve=_curve(fr, obs, y, made, nuisance, fitted.phi_null),
        onset_interval=interval_days,
    )


@dataclass(frozen=True)
class _Nuisance:
    fitted: np.ndarray
    """Fitted nuisance terms except the transition level (that one is part of the cycle shape)."""
    all: np.ndarray
    sigma: float


def _nuisance_fit(design: st.Design, y: np.ndarray, phi: float) -> _Nuisance:
    a, b = st._whitening(design.t, phi)
    wz = st._whiten(design.Z, a, b)
    wy = st._whiten(y[:, None], a, b)[:, 0]
    beta, *_ = np.linalg.lstsq(wz, wy, rcond=None)
    resid = wy - wz @ beta
    sigma = float(np.sqrt((resid @ resid) / max(1, len(y) - design.Z.shape[1])))
    fitted = design.Z[:, ~design.shape] @ beta[~design.shape]
    return _Nuisance(fitted=fitted - fitted.mean(), all=design.Z @ beta, sigma=sigma)


def _contrasts(
    fr: Frame, obs: np.ndarray, resid: np.ndarray, late_days: int
) -> tuple[float, float]:
    """Late minus mid-cycle, and late minus the days just after the recovery, on the residuals."""
    w = fr.win
    keep = ~fr.in_relapse[obs]
    since, until = fr.since[obs], fr.until[obs]
    late = keep & (until >= 1) & (until <= late_days)
    mid = keep & (since >= w.transition_end) & ((until > late_days) | (until < 0))
    post = mid & (since < w.transition_end + w.post_days)
    if not late.any() or not mid.any():
        return 0.0, 0.0
    late_mean = float(resid[late].mean())
    effect = late_mean - float(resid[mid].mean())
    recovery = late_mean - float(resid[post].mean()) if post.any() else 0.0
    return effect, recovery


def _curve(
    fr: Frame, obs: np.ndarray, y: np.ndarray, design: st.Design, nu: _Nuisance, phi: float
) -> list[CurvePoint]:
    """Score by day of the cycle, trend and relapses taken out; pointwise 95% intervals."""
    L, width = fr.length, fr.win.curve_bin
    since, until = fr.since[obs], fr.until[obs]
    # First half of a cycle by days since the infusion, second half by days until the next one,
    # so a delayed infusion's late days line up with the other cycles' late days.
    pos = np.where((until >= 0) & (until < since), L - until, since)
    keep = (pos >= 0) & (pos < L) & ~fr.in_relapse[obs]
    adjusted = y - nu.fitted
    out: list[CurvePoint] = []
    for start in range(0, L, width):
        sel = keep & (pos >= start) & (pos < start + width)
        n = int(sel.sum())
        if not n:
            continue
        mean = float(adjusted[sel].mean())
        se = nu.sigma * np.sqrt(st.band_variance(design.t[sel], phi)) / n
        day = float(start) if width == 1 else start + (min(width, L - start) - 1) / 2
        out.append(CurvePoint(day, mean, mean - 1.96 * se, mean + 1.96 * se, n))
    return out


# --- the public analysis ------------------------------------------------------------------------


def analyse(
    days: Iterable[DiaryDay],
    infusions: Iterable[Infusion],
    *,
    permutations: int = 999,
    seed: int = 0,
    symptoms: bool = True,
    drug: str | None = None,
    interval_weeks: int | None = None,
) -> WearingOffResult:
    """Wearing-off verdict, p-value, onset and curves for the overall score and each symptom.

    `permutations` is the number of bootstrap replicates (the name is kept for callers; the
    null distribution is simulated, not permuted). `symptoms=False` skips the per-symptom work.
    `drug` defaults to the drug of the latest infusion; `interval_weeks` keeps only the cycles of
    that length (e.g. 4 or 6 for natalizumab) so dosing intervals are never pooled silently.
    """
    if (permutations + 1) * ALPHA <= 1:
        least = int(1 / ALPHA)
        raise DiaryError("permutations", f"must be at least {least} for a p-value below {ALPHA}")
    alignment = align(days, infusions)
    chosen = pick_drug(alignment, drug)
    fr = frame(alignment, chosen, interval_weeks) if chosen else None
    if fr is None:
        return _empty(alignment, chosen)
    shared = _Shared(permutations, seed)
    overall = _analyse_score(fr, OVERALL, shared, True)
    per: dict[str, SymptomResult] = {}
    if symptoms:
        recorded = {k for d in fr.days for k in d.day.ratings}
        for name in SYMPTOMS:
            if name in recorded:
                per[name] = _analyse_score(fr, name, shared, False)
        per = _holm(per)
    complete = sum(1 for c in fr.cycles if c.complete)
    return WearingOffResult(
        verdict=overall.verdict,
        p_value=overall.p_value,
        onset_days_before=None
        if overall.onset_days_before is None
        else float(overall.onset_days_before),
        onset_interval=(
            None
            if overall.onset_interval is None
            else (float(overall.onset_interval[0]), float(overall.onset_interval[1]))
        ),
        symptoms=per,
        overall=overall,
        explanation=_explain(overall, per, fr, complete),
        explanation_clinician=_explain(overall, per, fr, complete, clinician=True),
        cycle_days=fr.length,
        cycles_used=complete,
        drug=chosen,
    )


def analyse_overall_only(
    days: Iterable[DiaryDay],
    infusions: Iterable[Infusion],
    *,
    permutations: int = 999,
    seed: int = 0,
) -> WearingOffResult:
    """The overall-score verdict only (no per-symptom tests): what a large benchmark needs."""
    return analyse(days, infusions, permutations=permutations, seed=seed, symptoms=False)


def _empty(alignment: Alignment, drug: str | None) -> WearingOffResult:
    why = (
        "no infusions were given"
        if not alignment.infusions
        else "there is no complete infusion cycle (two infusions of the same drug) in the diary"
    )
    nothing = SymptomResult("insufficient_data", None, None, None, None, 0, [], why)
    words = f"Not enough data yet: {why}."
    return WearingOffResult(
        "insufficient_data", None, None, None, {}, nothing,
        words, alignment.typical_length(drug), 0, drug, words,
    )  # fmt: skip


def _holm(results: dict[str, SymptomResult]) -> dict[str, SymptomResult]:
    """Holm-adjust the symptoms' p-values (eight tests at once would otherwise flag one symptom
    in a third of diaries with no wearing-off) and re-derive their verdicts."""
    tested = sorted((r.p_value, k) for k, r in results.items() if r.p_value is not None)
    m = len(tested)
    adjusted: dict[str, float] = {}
    running = 0.0
    for i, (p, k) in enumerate(tested):
        running = max(running, min(1.0, (m - i) * p))
        adjusted[k] = running
    out: dict[str, SymptomResult] = {}
    for k, r in results.items():
        if k not in adjusted:
            out[k] = r
            continue
        p = adjusted[k]
        likely = p < ALPHA and (r.effect or 0) > 0 and (r.recovery or 0) > 0
        out[k] = SymptomResult(
            "likely" if likely else "unlikely", p, r.effect, r.recovery,
            r.onset_days_before if likely else None, r.late_days, r.curve, r.reason,
        )  # fmt: skip
    return out


def _chance(p: float) -> str:
    for limit, words in (
        (0.001, "1 in 1,000"), (0.01, "1 in 100"), (ALPHA, "1 in 25"), (0.05, "1 in 20"),
    ):  # fmt: skip
        if p < limit:
            return f"fewer than {words}"
    return f"about {max(1, round(p * 100))} in 100"


def _explain(
    overall: SymptomResult,
    per: dict[str, SymptomResult],
    fr: Frame,
    complete: int,
    clinician: bool = False,
) -> str:
    """The verdict and why, in plain words: to the patient ("your overall score"), or about the
    patient for the clinician's visit report ("the patient's overall score")."""
    if overall.verdict == "insufficient_data":
        return f"Not enough data yet: {overall.reason}."
    whose, like = ("the patient's", "this one") if clinician else ("your", "yours")
    days = "1 day" if fr.win.bump_after == 1 else f"{fr.win.transition_end} days"
    effect = overall.effect or 0.0
    size = f"{abs(effect):.1f} points {'worse' if effect >= 0 else 'better'}"
    late = f"in the last {overall.late_days} days before an infusion than mid-cycle"
    chance = (
        "Random day-to-day variation would give a difference at least this clear in "
        f"{_chance(overall.p_value or 1.0)} diaries like {like}."
    )
    if overall.verdict == "likely":
        named = [k for k, r in per.items() if r.verdict == "likely"]
        which = f" Clearest in: {', '.join(named)}." if named else ""
        return (
            f"Wearing-off likely. In {complete} cycles, {whose} overall score was {size} {late}, "
            f"and improved within {days} after it. {chance}{which}"
        )
    if effect <= 0:
        why = "the end of the cycle was not worse than the middle"
    elif (overall.p_value or 1.0) >= ALPHA:
        why = (
            "a difference this size is within normal day-to-day variation (the verdict needs"
            f" fewer than {_chance_limit()})"
        )
    else:
        why = "but scores did not improve after the infusion, as they would with wearing-off"
    return (
        f"Wearing-off unlikely. In {complete} cycles, {whose} overall score was {size} {late}: "
        f"{why}. {chance}"
    )


def _chance_limit() -> str:
    return f"1 in {round(1 / ALPHA)}"


def chance_words(p: float) -> str:
    """'fewer than 1 in 100' etc.: how the explanation says a p-value (for reports)."""
    return _chance(p)
