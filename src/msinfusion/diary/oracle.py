"""The oracle: the best test of a wearing-off shift when the true model is known.

Used only by the benchmark, as the power limit no real analysis can beat. It is told what a real
analysis must estimate or search for: which days the wearing-off covers (the simulated window),
the autocorrelation phi, and the shape of any trend or relapse. It fits the overall score by
generalised least squares under the exact AR(1) correlation of the recorded days,
y = a + delta * window [+ b * time] [+ c * relapse profile] + AR(1) noise, and tests delta > 0
with t = delta_hat / se(delta_hat): for a single shift parameter, one-sided, the most powerful
test there is. The residual SD is estimated (t with n - p degrees of freedom) by default: ratings
clipped at 0 and rounded are less variable than the model's sigma, and a z-test with the model's
sigma is then conservative (3.6% instead of 5% at the default baseline of 3), which would
understate the limit. `known_sigma=True` gives the z-test with the model's sigma.

Irregular spacing (missing days) is handled exactly: an AR(1) observed at days t_1 < t_2 < ... is
Markov, so whitening each value by its predecessor, (y_k - phi^g y_{k-1}) / sqrt(1 - phi^(2g))
with g = t_k - t_{k-1}, gives independent errors of variance sigma^2 (Prais-Winsten for gaps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm
from scipy.stats import t as student_t

from msinfusion.diary.simulate import SimulatedDiary


@dataclass(frozen=True, slots=True)
class OracleResult:
    effect: float
    """Estimated shift of the overall score in the window, points."""
    se: float
    z: float
    """The t (or z, with known sigma) statistic."""
    p_value: float
    """One-sided: the window is worse than the rest."""
    likely: bool
    """p_value < alpha."""


def whiten(t: np.ndarray, phi: float) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (a, s) so that (x_k - a_k x_{k-1}) / s_k whitens an AR(1) seen at days t."""
    a = np.zeros(len(t))
    if phi and len(t) > 1:
        a[1:] = phi ** np.diff(t).astype(float)
    return a, np.sqrt(1 - a * a)


def gls_shift(
    y: np.ndarray, x: np.ndarray, t: np.ndarray, phi: float, sigma: float | None
) -> tuple[float, float]:
    """Estimate and SE of the first column's coefficient of x under AR(1)(phi) errors of SD sigma
    (None: estimated from the whitened residuals)."""
    a, s = whiten(t, phi)
    yw = y.copy()
    xw = x.copy()
    yw[1:] -= a[1:] * y[:-1]
    xw[1:] -= a[1:, None] * x[:-1]
    yw /= s
    xw /= s[:, None]
    beta, *_ = np.linalg.lstsq(xw, yw, rcond=None)
    cov = np.linalg.pinv(xw.T @ xw)
    if sigma is None:
        df = len(y) - np.linalg.matrix_rank(xw)
        sigma = float(np.sqrt(np.sum((yw - xw @ beta) ** 2) / df)) if df > 0 else float("inf")
    return float(beta[0]), float(sigma * np.sqrt(cov[0, 0]))


def oracle_test(
    diary: SimulatedDiary, *, alpha: float = 0.05, known_sigma: bool = False
) -> OracleResult:
    """One-sided GLS test of the overall score's shift in the true window."""
    truth = diary.truth
    scored = [(d.date, d.overall) for d in diary.days if d.overall is not None]
    t = np.array([(day - truth.first_day).days for day, _ in scored], dtype=np.int64)
    y = np.array([v for _, v in scored], dtype=float)
    w = truth.window[t].astype(float) if len(t) else np.zeros(0)
    columns = [w, np.ones(len(t))]
    if truth.drift_per_year:
        columns.append(t / 365.25)
    if truth.relapse.any():
        columns.append(truth.relapse[t])
    x = np.column_stack(columns) if len(t) else np.zeros((0, len(columns)))
    df = len(t) - (np.linalg.matrix_rank(x) if len(t) else 0)
    if df < 2 or w.min() == w.max():
        return OracleResult(0.0, float("inf"), 0.0, 1.0, False)
    sigma = max(truth.noise_sd, 1e-9) if known_sigma else None
    effect, se = gls_shift(y, x, t, truth.ar_phi, sigma)
    z = effect / se if se > 0 else 0.0
    p = float(norm.sf(z) if known_sigma else student_t.sf(z, df))
    return OracleResult(effect, se, z, p, p < alpha)
