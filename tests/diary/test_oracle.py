"""The oracle test: exact on hand-made diaries, 5% false positives and the expected power on
simulated ones (a Monte Carlo of the same oracle: 0.83 at sigma 1.5 / phi 0.5, ~1.0 at 1.0 / 0.3)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from msinfusion.diary.entries import DiaryDay, Infusion
from msinfusion.diary.oracle import gls_shift, oracle_test
from msinfusion.diary.simulate import SimSpec, SimulatedDiary, Truth, simulate_diary

DAY0 = date(2025, 1, 6)


def hand_diary(values: dict[int, float], window: list[int], n: int, phi: float, sigma: float):
    truth = Truth(
        effect=1.0,
        overall_effect=1.0,
        onset_days_before=2,
        recovery_days=0,
        affected=("fatigue",),
        ar_phi=phi,
        noise_sd=sigma,
        symptom_sd=sigma,
        baselines={},
        drift_per_year=0.0,
        first_day=DAY0,
        window=np.isin(np.arange(n), window),
        relapse=np.zeros(n),
    )
    days = [DiaryDay(DAY0 + timedelta(days=i), {"fatigue": v}) for i, v in values.items()]
    return SimulatedDiary(days, [Infusion(DAY0, "natalizumab")], truth)


def test_independent_days_reduce_to_the_difference_of_means() -> None:
    """phi = 0: delta = mean(window) - mean(rest) = 6.5 - 3 = 3.5, design factor
    sqrt(1/4 + 1/2) = 0.866025. Known sigma 1: se 0.866025, z 4.041452, p = 1 - Phi(z) = 2.66e-5.
    Estimated: RSS = 2 + 0.5 on 4 df, sigma 0.790569, se 0.684653, t 5.112077; with 4 df,
    x = t / sqrt(4 + t^2) = 0.931268 and P(T <= t) = 1/2 + 3x/4 - x^3/4 = 0.996538."""
    diary = hand_diary({0: 2, 1: 3, 2: 4, 3: 3, 4: 6, 5: 7}, window=[4, 5], n=6, phi=0.0, sigma=1.0)
    known = oracle_test(diary, known_sigma=True)
    assert known.effect == pytest.approx(3.5)
    assert known.se == pytest.approx(0.8660254)
    assert known.z == pytest.approx(4.0414519)
    assert known.p_value == pytest.approx(2.66e-5, rel=0.01)
    estimated = oracle_test(diary)
    assert estimated.effect == pytest.approx(3.5)
    assert estimated.se == pytest.approx(0.684653, abs=1e-6)
    assert estimated.z == pytest.approx(5.112077, abs=1e-5)
    assert estimated.p_value == pytest.approx(1 - 0.996538, abs=2e-6)
    assert known.likely and estimated.likely


def test_missing_days_use_the_exact_ar1_covariance() -> None:
    """Against the textbook GLS with the full matrix Sigma_ij = sigma^2 phi^|t_i - t_j|."""
    rng = np.random.default_rng(4)
    t = np.sort(rng.choice(60, 35, replace=False))
    x = np.column_stack([(t % 28 >= 21).astype(float), np.ones(len(t)), t / 365])
    y = rng.normal(size=len(t)) + x[:, 0]
    phi, sigma = 0.6, 1.7
    cov = sigma**2 * phi ** np.abs(t[:, None] - t[None, :])
    prec = np.linalg.inv(cov)
    info = x.T @ prec @ x
    beta = np.linalg.solve(info, x.T @ prec @ y)
    effect, se = gls_shift(y, x, t, phi, sigma)
    assert effect == pytest.approx(beta[0])
    assert se == pytest.approx(np.sqrt(np.linalg.inv(info)[0, 0]))
    # Estimated sigma: the GLS residual quadratic form r' Sigma^-1 r / (n - p), Sigma with sigma 1.
    r = y - x @ beta
    s2 = (r @ (prec * sigma**2) @ r) / (len(t) - 3)
    _, se_hat = gls_shift(y, x, t, phi, None)
    assert se_hat == pytest.approx(np.sqrt(s2 * np.linalg.inv(info * sigma**2)[0, 0]))


def test_no_window_or_too_few_days_is_no_evidence() -> None:
    short = hand_diary({0: 2, 1: 9, 2: 9}, window=[1, 2], n=3, phi=0.0, sigma=1.0)
    assert oracle_test(short).p_value == 1.0 and not oracle_test(short).likely
    flat = hand_diary({0: 2, 1: 3, 2: 4, 3: 5}, window=[], n=4, phi=0.0, sigma=1.0)
    assert oracle_test(flat).p_value == 1.0


def rejection_rate(spec: SimSpec, n: int) -> float:
    return float(np.mean([oracle_test(simulate_diary(spec, s)).likely for s in range(n)]))


@pytest.mark.parametrize("phi", [0.0, 0.7])
def test_false_positive_rate_is_nominal(phi: float) -> None:
    """600 null diaries: SE of a 5% rate is 0.9 points; accept 3-7.5%."""
    spec = SimSpec.natalizumab(ar_phi=phi, relapse_rate=2.0, drift_per_year=1.0)
    assert 0.03 <= rejection_rate(spec, 600) <= 0.075


def test_power_matches_the_feasibility_table() -> None:
    """D.6 oracle power at delta 1.5: ~0.83 at sigma 1.5 / phi 0.5, 0.99-1.00 at 1.0 / 0.3
    (300 diaries: SE ~2 points; our simulated windows include the infusion day, a bit more)."""
    assert 0.75 <= rejection_rate(SimSpec.natalizumab(effect=1.5), 300) <= 0.95
    assert rejection_rate(SimSpec.natalizumab(effect=1.5, noise_sd=1.0, ar_phi=0.3), 300) >= 0.97
