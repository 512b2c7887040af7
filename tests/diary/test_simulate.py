"""The diary simulator draws what its spec says: checked on pooled statistics of many diaries.

Seeds are fixed, so these pass or fail deterministically; tolerances are several Monte Carlo
standard errors wide (stated per test).
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import numpy as np
import pytest

from msinfusion.diary.entries import SYMPTOMS
from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.errors import DiaryError

# A level where clipping at 0 and 10 almost never happens, so means and variances are the model's.
MID = {"baseline": 5.0, "baseline_spread": 0.0, "missing": 0.0, "jitter_days": 0}


def overall_series(spec: SimSpec, seed: int) -> np.ndarray:
    """Overall score per calendar day (NaN on missing days)."""
    d = simulate_diary(spec, seed)
    out = np.full(len(d.truth.window), np.nan)
    for day in d.days:
        out[(day.date - d.truth.first_day).days] = day.overall
    return out


def test_same_seed_same_diary_and_other_seed_another() -> None:
    spec = SimSpec.natalizumab(effect=1.5, relapse_rate=3.0, mnar=0.3, skip_symptom=0.1)
    a, b, c = simulate_diary(spec, 11), simulate_diary(spec, 11), simulate_diary(spec, 12)
    assert a.days == b.days and a.infusions == b.infusions
    assert a.truth.relapse_starts == b.truth.relapse_starts
    assert a.days != c.days


def test_infusions_and_diary_span() -> None:
    spec = SimSpec.natalizumab(n_cycles=3, jitter_days=2, tail_days=7, missing=0.0)
    for seed in range(20):
        d = simulate_diary(spec, seed)
        assert len(d.infusions) == 4
        assert {i.drug for i in d.infusions} == {"natalizumab"}
        gaps = [(b.date - a.date).days for a, b in zip(d.infusions, d.infusions[1:], strict=False)]
        assert all(26 <= g <= 30 for g in gaps)
        assert d.days[0].date == d.infusions[0].date == spec.start
        assert d.days[-1].date == d.infusions[-1].date + timedelta(days=7)


def test_ratings_are_integers_clipped_to_0_10() -> None:
    spec = SimSpec(baseline=9.0, noise_sd=3.0, missing=0.0, effect=2.0)
    values = [
        v for s in range(20) for day in simulate_diary(spec, s).days for v in day.ratings.values()
    ]
    assert all(isinstance(v, int) and 0 <= v <= 10 for v in values)
    assert values.count(10) > len(values) / 4  # the clip is reached, not just never exceeded
    low = SimSpec(baseline=1.0, noise_sd=3.0, missing=0.0)
    assert 0 in [v for day in simulate_diary(low, 1).days for v in day.ratings.values()]


def test_missing_completely_at_random_rate() -> None:
    # 300 diaries x ~92 days: SE of the observed share ~0.003; tolerance 0.015.
    spec = SimSpec.natalizumab(missing=0.3)
    shares = [
        len(d.days) / len(d.truth.window) for d in (simulate_diary(spec, s) for s in range(300))
    ]
    assert np.mean(shares) == pytest.approx(0.7, abs=0.015)


def test_missing_in_runs_keeps_the_rate_with_longer_gaps() -> None:
    spec = SimSpec.ocrelizumab(missing=0.3, missing_run_days=4.0)
    observed = np.concatenate([simulate_diary(spec, s).truth.observed for s in range(100)])
    assert 1 - observed.mean() == pytest.approx(0.3, abs=0.03)
    gaps = [len(run) for run in "".join("x" if o else "." for o in observed).split("x") if run]
    mean_gap = np.mean(gaps)
    assert 3.0 < mean_gap < 5.0


def test_mnar_hides_bad_days() -> None:
    """Extra missingness on days with overall residual > 1 SD: P(bad) = 0.16, so mnar = 0.5
    removes about 0.7 x 0.16 x 0.5 = 5.6% of days, and the recorded days look better."""
    base = SimSpec.ocrelizumab(**{**MID, "missing": 0.3})
    mnar = SimSpec.ocrelizumab(**{**MID, "missing": 0.3}, mnar=0.5)
    n0 = n1 = 0
    m0, m1 = [], []
    for s in range(60):
        a, b = simulate_diary(base, s), simulate_diary(mnar, s)
        n0, n1 = n0 + len(a.days), n1 + len(b.days)
        m0 += [d.overall for d in a.days]
        m1 += [d.overall for d in b.days]
    assert n1 / n0 == pytest.approx(1 - 0.16 * 0.5, abs=0.02)
    assert np.mean(m0) - np.mean(m1) > 0.05


@pytest.mark.parametrize("phi", [0.0, 0.3, 0.7])
def test_overall_score_is_ar1_with_the_stated_sd(phi: float) -> None:
    """Long complete diaries: lag-1 and lag-2 autocorrelation of the overall score ~ phi, phi^2;
    SD ~ noise_sd (rounding adds a variance of 1/96). Tolerances ~3 SE of the pooled estimates."""
    spec = SimSpec.ocrelizumab(**MID, ar_phi=phi, noise_sd=1.0)
    lag1, lag2, var = [], [], []
    for s in range(40):
        y = overall_series(spec, s)
        y = y - y.mean()
        var.append(np.mean(y * y))
        lag1.append(np.mean(y[1:] * y[:-1]))
        lag2.append(np.mean(y[2:] * y[:-2]))
    assert np.sqrt(np.mean(var)) == pytest.approx(1.0, abs=0.06)
    assert np.mean(lag1) / np.mean(var) == pytest.approx(phi, abs=0.04)
    assert np.mean(lag2) / np.mean(var) == pytest.approx(phi**2, abs=0.05)


def test_symptoms_share_a_daily_factor() -> None:
    """Residual correlation between two symptoms ~ symptom_corr, a bit less after rounding
    (each symptom's SD is 1.33 here: 0.5 x 1.78 / (1.78 + 1/12) = 0.48)."""
    spec = SimSpec.ocrelizumab(**MID, ar_phi=0.0, noise_sd=1.0, symptom_corr=0.5)
    fatigue, mood = [], []
    for s in range(20):
        days = simulate_diary(spec, s).days
        f = np.array([d.ratings["fatigue"] for d in days], float)
        m = np.array([d.ratings["mood"] for d in days], float)
        fatigue.append(f - f.mean())
        mood.append(m - m.mean())
    f, m = np.concatenate(fatigue), np.concatenate(mood)
    assert np.corrcoef(f, m)[0, 1] == pytest.approx(0.48, abs=0.04)
    assert f.std() == pytest.approx(np.sqrt(1.0 / (0.5 + 0.5 / 8) + 1 / 12), abs=0.06)


def test_window_is_the_last_7_days_and_the_infusion_day() -> None:
    spec = SimSpec.natalizumab(jitter_days=0, onset_days_before=7, recovery_days=1, tail_days=7)
    truth = simulate_diary(spec, 3).truth
    on = set(np.flatnonzero(truth.window).tolist())
    expected = {0} | {d for k in (28, 56, 84) for d in range(k - 7, k + 1)}
    assert on == expected


def test_a_late_dose_lengthens_the_window_an_early_one_shortens_it() -> None:
    """Onset counts from the due date (last dose + 28); the window ends 2 days after the dose."""
    spec = SimSpec.natalizumab(jitter_days=3, onset_days_before=7, recovery_days=2)
    lengths = set()
    for seed in range(30):
        d = simulate_diary(spec, seed)
        doses = [(i.date - d.truth.first_day).days for i in d.infusions]
        for prev, dose in itertools.pairwise(doses):
            start = prev + 28 - 7
            assert d.truth.window[start : dose + 2].all()
            assert not d.truth.window[start - 1] and not d.truth.window[dose + 2]
            lengths.add(dose + 2 - start)
    assert lengths == set(range(9 - 3, 9 + 4))  # 7 + 2 days, +- 3 days of jitter


def test_onset_from_the_dose_given_ignores_the_delay() -> None:
    spec = SimSpec.natalizumab(jitter_days=3, recovery_days=1, onset_from="next_dose")
    d = simulate_diary(spec, 4)
    doses = [(i.date - d.truth.first_day).days for i in d.infusions]
    expected = set(range(0, 1)) | {x for dose in doses[1:] for x in range(dose - 7, dose + 1)}
    assert set(np.flatnonzero(d.truth.window).tolist()) == expected


def test_effect_shows_in_the_window_means() -> None:
    """All symptoms affected: the overall score is 1.5 higher in the window (SE ~0.03)."""
    spec = SimSpec.natalizumab(**MID, effect=1.5, noise_sd=1.0)
    inside, outside = [], []
    for s in range(200):
        d = simulate_diary(spec, s)
        y = overall_series(spec, s)
        inside.append(y[d.truth.window])
        outside.append(y[~d.truth.window])
    diff = np.mean(np.concatenate(inside)) - np.mean(np.concatenate(outside))
    assert diff == pytest.approx(1.5, abs=0.12)
    assert d.truth.overall_effect == 1.5 and d.truth.has_effect


def test_effect_only_on_affected_symptoms() -> None:
    spec = SimSpec.natalizumab(**MID, effect=2.0, affected=("fatigue",), ar_phi=0.0)
    gap = {"fatigue": [], "pain": []}
    for s in range(100):
        d = simulate_diary(spec, s)
        w = d.truth.window[[(x.date - d.truth.first_day).days for x in d.days]]
        for name in gap:
            v = np.array([x.ratings[name] for x in d.days], float)
            gap[name].append(v[w].mean() - v[~w].mean())
    assert np.mean(gap["fatigue"]) == pytest.approx(2.0, abs=0.15)
    assert np.mean(gap["pain"]) == pytest.approx(0.0, abs=0.15)
    assert d.truth.affected == ("fatigue",)
    assert d.truth.overall_effect == pytest.approx(2.0 / 8)


def test_no_effect_means_no_shift() -> None:
    d = simulate_diary(SimSpec.natalizumab(), 5)
    assert d.truth.overall_effect == 0 and not d.truth.has_effect


def test_drift_is_a_linear_trend() -> None:
    spec = SimSpec.ocrelizumab(**MID, drift_per_year=2.0, noise_sd=0.5, ar_phi=0.0)
    slopes = []
    for s in range(20):
        y = overall_series(spec, s)
        t = np.arange(len(y)) / 365.25
        slopes.append(np.polyfit(t, y, 1)[0])
    assert np.mean(slopes) == pytest.approx(2.0, abs=0.1)


def test_relapses_are_flagged_on_their_first_day_and_raise_scores() -> None:
    """The first day is always recorded, with walking at its peak: baseline 5 + 3 points."""
    spec = SimSpec.ocrelizumab(
        **{**MID, "missing": 0.5}, relapse_rate=3.0, relapse_size=3.0, noise_sd=0.5
    )
    walking_on_first_day = []
    for s in range(20):
        d = simulate_diary(spec, s)
        flagged = [x.date for x in d.days if x.relapse]
        assert flagged == sorted(set(d.truth.relapse_starts))
        by_date = {x.date: x for x in d.days}
        walking_on_first_day += [by_date[start].ratings["walking"] for start in flagged]
    # 3 a year over ~1.4 years x 20 diaries: about 85 expected.
    assert 60 < len(walking_on_first_day) < 110
    assert np.mean(walking_on_first_day) == pytest.approx(8.0, abs=0.25)


def test_ocrelizumab_onset_is_drawn_within_7_to_28_days() -> None:
    onsets = {
        simulate_diary(SimSpec.ocrelizumab(effect=1.0), s).truth.onset_days_before
        for s in range(60)
    }
    assert min(onsets) >= 7 and max(onsets) <= 28 and len(onsets) > 10


def test_random_affected_symptoms_follow_their_probabilities() -> None:
    spec = SimSpec.natalizumab(effect=1.0, affected="random")
    draws = [simulate_diary(spec, s).truth.affected for s in range(400)]
    share = {name: np.mean([name in a for a in draws]) for name in SYMPTOMS}
    assert share["fatigue"] == pytest.approx(0.8, abs=0.07)
    assert share["bladder"] == pytest.approx(0.1, abs=0.05)


def test_skipped_symptoms_are_absent_not_zero() -> None:
    d = simulate_diary(SimSpec.natalizumab(skip_symptom=0.3, missing=0.0), 2)
    counts = [len(x.ratings) for x in d.days]
    assert min(counts) >= 1 and np.mean(counts) == pytest.approx(8 * 0.7, abs=0.6)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"missing": 1.0}, "spec.missing"),
        ({"ar_phi": 1.0}, "spec.ar_phi"),
        ({"n_cycles": 0}, "spec.n_cycles"),
        ({"onset_days_before": 40}, "spec.onset_days_before"),
        ({"affected": ("fatigue", "headache")}, "spec.affected"),
        ({"onset_from": "plan"}, "spec.onset_from"),
    ],
)
def test_impossible_specs_are_refused_with_the_field(change: dict, field: str) -> None:
    with pytest.raises(DiaryError) as err:
        SimSpec(**change)
    assert err.value.field == field
