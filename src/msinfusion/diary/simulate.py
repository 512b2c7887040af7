"""Simulated symptom diaries with a known truth, to measure the wearing-off analysis.

No public daily MS diary exists (none of the published cohorts shared theirs), so accuracy is measured on diaries drawn from
a model calibrated to the studies instead: per-symptom 0-10 ratings around a baseline, AR(1)
day-to-day noise with a shared daily factor (bad days are bad for several symptoms at once), slow
drift, relapses as 2-6 week bumps, missing days (at random, and extra ones on bad days), infusions a
few days off schedule, and, when `effect > 0`, a wearing-off bump that starts `onset_days_before`
the next dose is due (last dose + cycle) and ends `recovery_days` after it is actually given.

Scale convention: `noise_sd` is the SD of the daily *overall* score's residual (mean of the eight
symptoms), because the study values and the accuracy targets ("noise sd 1.5, 1.5-point effect") are
about one score. Each symptom's own SD follows from `symptom_corr`. `effect` is added to every
affected symptom; with the default (all symptoms affected) it is also the overall score's shift.
Ratings are then rounded and clipped to 0-10 like a real diary, so near 0 the recorded scores vary
less than `noise_sd` and a shift shows a little less than `effect`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy.signal import lfilter

from msinfusion.diary.entries import SYMPTOMS, DiaryDay, Infusion
from msinfusion.errors import DiaryError

Range = int | tuple[int, int]
"""A fixed number of days, or (lo, hi) drawn uniformly per patient."""

AFFECTED_PROBABILITY: Mapping[str, float] = {
    "fatigue": 0.8,
    "cognition": 0.6,
    "walking": 0.5,
    "numbness": 0.4,
    "pain": 0.2,
    "mood": 0.2,
    "sleep": 0.2,
    "bladder": 0.1,
}
"""Chance a symptom is affected when `affected="random"`: fatigue, cognition, walking and sensory
symptoms are the ones reported most (Ratchford 2014; Amsterdam ocrelizumab cohort 2022)."""

RELAPSE_SYMPTOMS = ("fatigue", "walking", "numbness")
"""Always hit by a relapse; the other symptoms get a random share of the bump."""


@dataclass(frozen=True)
class SimSpec:
    """One simulated patient population. Defaults: natalizumab every 28 days (Ratchford et al. 2014)."""

    drug: str = "natalizumab"
    cycle_days: int = 28
    """Planned dosing interval: 28 natalizumab Q4W (42 for every 6 weeks), 168 ocrelizumab."""
    n_cycles: int = 3
    """Complete cycles in the diary: n_cycles + 1 infusions, the diary starting on the first."""
    tail_days: int = 7
    """Diary days after the last infusion (to see the recovery after it)."""
    lead_days: int = 0
    """Diary days before the first infusion (none by default)."""
    baseline: float = 3.0
    """Mean rating of a symptom on a good day; each symptom's own level varies around it."""
    baseline_spread: float = 1.0
    """SD between the eight symptoms' baselines (clipped to 1-9)."""
    noise_sd: float = 1.5
    """Daily residual SD of the overall score (B18: about 1.7 on a 0-10 scale)."""
    ar_phi: float = 0.5
    """Day-to-day autocorrelation of the residual (no MS value published: sweep 0-0.7)."""
    symptom_corr: float = 0.5
    """Correlation between two symptoms' residuals on the same day (a shared daily factor; no
    published value, 0.5 assumed)."""
    missing: float = 0.3
    """Share of days with no entry, missing completely at random."""
    missing_run_days: float = 1.0
    """Mean length of a gap; 1 = each day independent, more = holidays, forgotten weeks."""
    mnar: float = 0.0
    """Extra chance of no entry on a bad day (overall residual above one noise_sd)."""
    skip_symptom: float = 0.0
    """Chance one symptom is left unrated on a day with an entry."""
    drift_per_year: float = 0.0
    """Linear trend of every symptom, points per year (disease course, season, life)."""
    effect: float = 0.0
    """Wearing-off: points added to each affected symptom in the window; 0 = no wearing-off."""
    onset_days_before: Range = 7
    """Window start, days before the next dose is due: natalizumab 7 (B1), ocrelizumab 7-28 (B8)."""
    onset_from: str = "last_dose"
    """"last_dose": onset counts back from the due date (last dose + cycle_days), so a late dose
    lengthens the window and an early one shortens it; "next_dose": from the dose actually given."""
    recovery_days: Range = 1
    """Days from the infusion day on that are still affected: 1 = better the day after (B1)."""
    affected: tuple[str, ...] | str = SYMPTOMS
    """Symptoms with the wearing-off, or "random" (drawn per patient by AFFECTED_PROBABILITY)."""
    relapse_rate: float = 0.0
    """Relapses per year (on-treatment rates are 0.1-0.3; benches stress with more)."""
    relapse_size: float = 2.0
    """Peak of a relapse bump in points, falling linearly to 0 over 14-42 days."""
    jitter_days: int = 2
    """Each infusion is given up to this many days before or after it is due."""
    start: date = date(2025, 1, 6)
    """Date of the first infusion."""

    def __post_init__(self) -> None:
        def need(ok: bool, name: str, problem: str) -> None:
            if not ok:
                raise DiaryError(f"spec.{name}", problem)

        need(self.cycle_days >= 14, "cycle_days", "must be at least 14")
        need(self.n_cycles >= 1, "n_cycles", "must be at least 1")
        need(self.tail_days >= 0 and self.lead_days >= 0, "tail_days", "must not be negative")
        need(self.noise_sd >= 0, "noise_sd", "must not be negative")
        need(-1 < self.ar_phi < 1, "ar_phi", "must be between -1 and 1")
        need(0 <= self.symptom_corr <= 1, "symptom_corr", "must be between 0 and 1")
        need(0 <= self.missing < 1, "missing", "must be in [0, 1)")
        need(0 <= self.mnar <= 1 and 0 <= self.skip_symptom < 1, "mnar", "must be in [0, 1]")
        need(self.missing_run_days >= 1, "missing_run_days", "must be at least 1")
        need(self.effect >= 0 and self.relapse_rate >= 0, "effect", "must not be negative")
        need(0 <= self.jitter_days < self.cycle_days // 2, "jitter_days", "out of range")
        for name in ("onset_days_before", "recovery_days"):
            lo, hi = _bounds(getattr(self, name))
            need(0 <= lo <= hi < self.cycle_days, name, "must be within the cycle")
        need(self.onset_from in ("last_dose", "next_dose"), "onset_from", "last_dose or next_dose")
        if self.affected != "random":
            unknown = set(self.affected) - set(SYMPTOMS)
            need(not unknown and bool(self.affected), "affected", f"unknown {sorted(unknown)}")

    @classmethod
    def natalizumab(cls, **changes: object) -> SimSpec:
        """Natalizumab every 4 weeks: worse the last 7 days, better the day after (B1)."""
        return cls(**changes)  # type: ignore[arg-type]

    @classmethod
    def ocrelizumab(cls, **changes: object) -> SimSpec:
        """Ocrelizumab every 24 weeks: onset 1-4 weeks before, gone within the first week (B8)."""
        preset: dict[str, object] = {
            "drug": "ocrelizumab",
            "cycle_days": 168,
            "onset_days_before": (7, 28),
            "recovery_days": (1, 7),
            "jitter_days": 7,
        }
        return cls(**{**preset, **changes})  # type: ignore[arg-type]

    @property
    def symptom_sd(self) -> float:
        """Each symptom's residual SD that gives the overall score the SD `noise_sd`."""
        k = len(SYMPTOMS)
        return self.noise_sd / np.sqrt(self.symptom_corr + (1 - self.symptom_corr) / k)


@dataclass(frozen=True, eq=False)
class Truth:
    """What the analysis should find. Day arrays run over the calendar from `first_day`."""

    effect: float
    """Points added to each affected symptom in the window."""
    overall_effect: float
    """Shift of the overall score in the window (effect x share of symptoms affected)."""
    onset_days_before: int
    recovery_days: int
    affected: tuple[str, ...]
    ar_phi: float
    noise_sd: float
    symptom_sd: float
    baselines: Mapping[str, float]
    drift_per_year: float
    first_day: date
    window: np.ndarray
    """Per calendar day: True when the wearing-off is on (whatever `effect` is)."""
    relapse: np.ndarray
    """Per calendar day: relapse bump on the overall score, in points."""
    relapse_starts: tuple[date, ...] = ()
    observed: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """Per calendar day: True when the diary has an entry."""

    @property
    def has_effect(self) -> bool:
        return self.overall_effect > 0


@dataclass(frozen=True, eq=False)
class SimulatedDiary:
    days: list[DiaryDay]
    infusions: list[Infusion]
    truth: Truth


def _bounds(value: Range) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _draw(rng: np.random.Generator, value: Range) -> int:
    lo, hi = _bounds(value)
    return lo if lo == hi else int(rng.integers(lo, hi + 1))


def _ar1(rng: np.random.Generator, phi: float, shape: tuple[int, int]) -> np.ndarray:
    """Stationary unit-variance AR(1) series along the last axis."""
    e = rng.standard_normal(shape)
    e[:, 1:] *= np.sqrt(1 - phi * phi)
    return lfilter([1.0], [1.0, -phi], e, axis=1) if phi else e


def _gaps(rng: np.random.Generator, n: int, p: float, run: float) -> np.ndarray:
    """Missing days as alternating runs: mean gap `run` days, overall share `p` (MCAR)."""
    if p <= 0:
        return np.zeros(n, bool)
    if run <= 1:
        return rng.random(n) < p
    mean_obs = run * (1 - p) / p
    k = int(n / (run + mean_obs)) * 2 + 20
    gaps = rng.geometric(1 / run, k)
    obs = rng.geometric(min(1.0, 1 / mean_obs), k)
    lengths = np.column_stack([obs, gaps]).ravel()
    state = np.tile([False, True], k)
    out = np.repeat(state, lengths)
    offset = int(rng.integers(0, max(1, len(out) - n)))  # start anywhere in the pattern
    return out[offset : offset + n]


def _infusion_days(rng: np.random.Generator, spec: SimSpec) -> np.ndarray:
    """Day index (from the first infusion) of each infusion; each given within jitter of due."""
    jitter = rng.integers(-spec.jitter_days, spec.jitter_days + 1, spec.n_cycles)
    return np.concatenate([[0], np.cumsum(spec.cycle_days + jitter)])


def simulate_diary(spec: SimSpec, seed: int) -> SimulatedDiary:
    """One patient's diary and infusions, drawn from `spec`; the same seed gives the same diary."""
    rng = np.random.default_rng(seed)
    doses = _infusion_days(rng, spec)
    n = spec.lead_days + int(doses[-1]) + spec.tail_days + 1
    t = np.arange(n) - spec.lead_days  # day relative to the first infusion
    k = len(SYMPTOMS)

    onset = _draw(rng, spec.onset_days_before)
    recovery = _draw(rng, spec.recovery_days)
    if spec.affected == "random":
        probs = np.array([AFFECTED_PROBABILITY[s] for s in SYMPTOMS])
        hit = rng.random(k) < probs
        if not hit.any():
            hit[0] = True
        affected = tuple(s for s, h in zip(SYMPTOMS, hit, strict=True) if h)
    else:
        affected = tuple(s for s in SYMPTOMS if s in spec.affected)
    weight = np.array([s in affected for s in SYMPTOMS], float)

    # Window: from `onset` days before the dose is due (previous dose + cycle: worsening follows
    # the time since the last dose, B1 reports onset as "21 days after infusion") or before the
    # dose actually given, until `recovery` days after the dose is given. The patient is on
    # maintenance, so the first infusion also ends a window.
    window = np.zeros(n, bool)
    for i, dose in enumerate(doses):
        anchor = doses[i - 1] + spec.cycle_days if i and spec.onset_from == "last_dose" else dose
        window |= (t >= anchor - onset) & (t < dose + recovery)

    # Relapses: Poisson arrivals, a linear bump per relapse with a random share per symptom.
    relapse = np.zeros((k, n))
    n_relapses = rng.poisson(spec.relapse_rate * n / 365.25)
    starts = np.sort(rng.integers(0, n, n_relapses))
    for s0 in starts:
        length = int(rng.integers(14, 43))
        bump = spec.relapse_size * np.clip(1 - (np.arange(n) - s0) / length, 0, 1)
        bump[:s0] = 0
        share = rng.random(k)
        share[[SYMPTOMS.index(s) for s in RELAPSE_SYMPTOMS]] = 1.0
        relapse += share[:, None] * bump

    baselines = np.clip(spec.baseline + spec.baseline_spread * rng.standard_normal(k), 1, 9)
    sd = spec.symptom_sd
    rho = spec.symptom_corr
    noise = _ar1(rng, spec.ar_phi, (k + 1, n))
    resid = sd * (np.sqrt(rho) * noise[0] + np.sqrt(1 - rho) * noise[1:])
    drift = spec.drift_per_year * t / 365.25
    latent = baselines[:, None] + drift + relapse + resid
    latent += spec.effect * weight[:, None] * window
    ratings = np.clip(np.rint(latent), 0, 10).astype(int)

    missing = _gaps(rng, n, spec.missing, spec.missing_run_days)
    if spec.mnar:
        bad = resid.mean(axis=0) + relapse.mean(axis=0) + spec.effect * weight.mean() * window
        missing |= (bad > spec.noise_sd) & (rng.random(n) < spec.mnar)
    missing[starts] = False  # a relapse is written down on its first day
    skipped = rng.random((k, n)) < spec.skip_symptom if spec.skip_symptom else None

    first_day = spec.start - timedelta(days=spec.lead_days)
    relapse_day = np.zeros(n, bool)
    relapse_day[starts] = True
    keep = np.flatnonzero(~missing)
    rows = ratings[:, keep].T.tolist()
    flags = relapse_day[keep].tolist()
    dates = [first_day + timedelta(days=i) for i in keep.tolist()]
    if spec.skip_symptom:
        skip_rows = skipped[:, keep].T.tolist()
        ratings_of = [
            {s: v for s, v, x in zip(SYMPTOMS, row, sk, strict=True) if not x}
            or {SYMPTOMS[0]: row[0]}
            for row, sk in zip(rows, skip_rows, strict=True)
        ]
    else:
        ratings_of = [dict(zip(SYMPTOMS, row, strict=True)) for row in rows]
    days = [DiaryDay(*a) for a in zip(dates, ratings_of, flags, strict=True)]
    infusions = [Infusion(spec.start + timedelta(days=int(d)), spec.drug) for d in doses]

    truth = Truth(
        effect=spec.effect,
        overall_effect=spec.effect * len(affected) / k,
        onset_days_before=onset,
        recovery_days=recovery,
        affected=affected,
        ar_phi=spec.ar_phi,
        noise_sd=spec.noise_sd,
        symptom_sd=sd,
        baselines=dict(zip(SYMPTOMS, baselines.tolist(), strict=True)),
        drift_per_year=spec.drift_per_year,
        first_day=first_day,
        window=window,
        relapse=relapse.mean(axis=0),
        relapse_starts=tuple(first_day + timedelta(days=int(s)) for s in starts),
        observed=~missing,
    )
    return SimulatedDiary(days, infusions, truth)
