"""Numerical core of the wearing-off test: a prior-weighted likelihood-ratio statistic over candidate
wearing-off windows under AR(1) noise, calibrated by a parametric bootstrap, and the posterior of
the onset.

Model for one daily score y_t on the observed days t (whole days, gaps allowed):

    y_t = Z_t beta + delta * x_w(t) + e_t,   e_t stationary AR(1) with unknown phi, sigma

Z holds the nuisance terms (one level, a linear trend, a piecewise-linear bump after each relapse);
x_w is one candidate wearing-off window w (an onset, a recovery length and an anchor, see
`wearing_off_frame`). Gaps are exact for AR(1): the day after a gap of g days is predicted by
phi**g times the last recorded day (Markov property), so missing days need no filling.

Statistic: for each window, LR_w = the one-sided log-likelihood with the window minus the one
without it, each maximised over phi (and beta, sigma). The windows are combined as a Bayes factor,
S = log sum_w prior_w exp(LR_w), with prior weights from the published onsets: this spends the
test's power where wearing-off is reported to start instead of spreading it evenly over every
candidate as the maximum does. S is invariant to beta and sigma, so its null distribution depends
only on phi and on which days are recorded: the bootstrap simulates AR(1) noise on exactly the
recorded days and recomputes S. Scores recorded on the same days with the same bootstrap phi share
one set of simulated statistics (`NullCache`), which keeps each p-value exact on its own.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri
from scipy.stats import rankdata

PHI_GRID = np.round(np.arange(0.0, 0.951, 0.05), 2)
"""Autocorrelations tried; 0.05 apart is finer than a 3-cycle diary can tell apart."""
PHI_SLACK = 0.5
"""Log-likelihood drop that bounds the phi range the bootstrap takes its phi from (about 1 SE)."""


@dataclass(frozen=True)
class Design:
    t: np.ndarray
    """Day number of each recorded day, strictly increasing."""
    Z: np.ndarray
    """Nuisance columns (n x p), full column rank."""
    X: np.ndarray
    """One 0/1 column per candidate wearing-off window (n x W)."""
    onsets: np.ndarray
    """(W,) onset of each window, days before the infusion."""
    weights: np.ndarray
    """(W,) prior weight of each window, summing to 1."""
    shape: np.ndarray | None = None
    """Per nuisance column: True when it belongs to the cycle shape (kept in curves)."""


@dataclass(frozen=True)
class Basis:
    """Everything about a design that does not depend on the scores: computed once per pattern of
    recorded days and shared by every score recorded on those days."""

    n: int
    p: int
    W: int
    blocks: np.ndarray
    """(n, G * (p + W)): per phi, the whitened nuisance basis and the whitened windows made
    orthogonal to it, pulled back through the whitening so raw scores project directly."""
    dens: np.ndarray
    """(G, W) squared length of each orthogonalised window."""
    logdet: np.ndarray
    """(G,) log-determinant of the whitening (unit marginal variance)."""
    rdet: np.ndarray
    """(G,) log |det R| of the whitened nuisance basis (restricted likelihood)."""
    c1: np.ndarray
    c2: np.ndarray
    """Tridiagonal W'W per phi: |W y|^2 = (y*y) @ c1 + (y[1:]*y[:-1]) @ c2."""

    def single(self) -> Basis:
        """The same basis in single precision, for the bootstrap: its replicates are zero-mean
        noise (no cancellation) and the statistic needs 3 digits, not 15; it halves the time."""
        f = np.float32
        return Basis(
            self.n, self.p, self.W, self.blocks.astype(f), self.dens.astype(f),
            self.logdet.astype(f), self.rdet.astype(f), self.c1.astype(f), self.c2.astype(f),
        )  # fmt: skip


def _whitening(t: np.ndarray, phi: float) -> tuple[np.ndarray, np.ndarray]:
    """Row scales a and lag coefficients b: w_i = a_i (v_i - b_i v_{i-1}) (unit marginal variance)."""
    gaps = np.diff(t).astype(float)
    b = np.zeros(len(t))
    a = np.ones(len(t))
    if phi:
        b[1:] = phi**gaps
        a[1:] = 1.0 / np.sqrt(1.0 - b[1:] ** 2)
    return a, b


def _whiten(m: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """W m for a matrix whose rows are days."""
    out = m.copy()
    out[1:] -= b[1:, None] * m[:-1]
    out *= a[:, None]
    return out


def _whiten_t(m: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """W' m (the transpose of the whitening), rows are days."""
    out = a[:, None] * m
    out[:-1] -= (a[1:] * b[1:])[:, None] * m[1:]
    return out


def prepare(design: Design, phis: np.ndarray = PHI_GRID) -> Basis:
    """Whiten and orthogonalise the design once per phi (QR of the small nuisance block)."""
    n, p = design.Z.shape
    G, W = len(phis), design.X.shape[1]
    width = p + W
    blocks = np.empty((n, G * width))
    dens = np.empty((G, W))
    logdet = np.empty(G)
    rdet = np.empty(G)
    c1 = np.empty((n, G))
    c2 = np.empty((max(n - 1, 0), G))
    for g, phi in enumerate(phis):
        a, b = _whitening(design.t, float(phi))
        q, r = np.linalg.qr(_whiten(design.Z, a, b))
        wx = _whiten(design.X, a, b)
        xt = wx - q @ (q.T @ wx)
        dens[g] = (xt * xt).sum(axis=0)
        blocks[:, g * width : (g + 1) * width] = _whiten_t(np.hstack([q, xt]), a, b)
        logdet[g] = np.log(a).sum()
        rdet[g] = np.log(np.abs(np.diag(r))).sum()
        a2 = a * a
        c1[:, g] = a2
        c1[:-1, g] += a2[1:] * b[1:] ** 2
        c2[:, g] = -2.0 * a2[1:] * b[1:]
    return Basis(n, p, W, blocks, dens, logdet, rdet, c1, c2)


@dataclass(frozen=True)
class Scan:
    lr: np.ndarray
    """(W, B) one-sided profile log-likelihood ratio of each window (>= 0)."""
    delta: np.ndarray
    """(W, B) window effect at the phi that maximises that window's likelihood."""
    phi: np.ndarray
    """(W, B) that phi."""
    reml0: np.ndarray
    """(G, B) restricted log-likelihood without any window (a less biased phi)."""
    rss: np.ndarray
    """(W, B) whitened residual sum of squares at that phi (two-sided fit)."""

    def statistic(self, weights: np.ndarray) -> np.ndarray:
        """(B,) S = log sum_w prior_w exp(LR_w) >= 0."""
        return _log_mix(self.lr, weights)


def _log_mix(lr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    top = lr.max(axis=0)
    return top + np.log(weights @ np.exp(lr - top[None, :]))


def scan(basis: Basis, y: np.ndarray, detail: bool = False) -> Scan:
    """Profile the likelihood over phi for every window and every row of y (B x n).

    One matrix product covers all replicates, phi values and windows; the replicates' whitened sums
    of squares come from the tridiagonal form of W'W, so no replicate is ever whitened. `detail`
    also returns the per-window effect, phi and residual (needed for the patient's own diary only).
    """
    n, p, W = basis.n, basis.p, basis.W
    G, B = len(basis.logdet), y.shape[0]
    proj = (y @ basis.blocks).reshape(B, G, p + W)
    ss = (y * y) @ basis.c1 + (y[:, 1:] * y[:, :-1]) @ basis.c2  # (B, G)
    rss0 = np.maximum(ss - np.einsum("bgp,bgp->bg", proj[:, :, :p], proj[:, :, :p]), 1e-300)
    l0 = -0.5 * n * np.log(rss0) + basis.logdet[None, :]  # (B, G)
    reml0 = -0.5 * (n - p) * np.log(rss0) + (basis.logdet - basis.rdet)[None, :]
    num = proj[:, :, p:]  # (B, G, W)
    inv_den = np.where(basis.dens > 1e-9, 1.0 / np.maximum(basis.dens, 1e-300), 0.0)
    # Share of the residual the window explains, one-sided: 0 when the window makes it better.
    frac = np.where(num > 0, num * num * inv_den[None] / rss0[:, :, None], 0.0)
    l1 = l0[:, :, None] - 0.5 * n * np.log1p(-np.minimum(frac, 1 - 1e-6))
    best = l1.argmax(axis=1)  # (B, W)
    lr = np.take_along_axis(l1, best[:, None, :], axis=1)[:, 0, :] - l0.max(axis=1)[:, None]
    if not detail:
        return Scan(lr.T, np.empty(0), np.empty(0), reml0.T, np.empty(0))
    g_num = np.take_along_axis(num, best[:, None, :], axis=1)[:, 0, :]
    g_rss0 = np.take_along_axis(rss0, best, axis=1)
    delta = g_num * inv_den[best, np.arange(W)[None, :]]
    rss = np.maximum(g_rss0 - delta * g_num, 1e-300)
    return Scan(lr.T, delta.T, PHI_GRID[best].T, reml0.T, rss.T)


def ar1_noise(
    rng: np.random.Generator,
    t: np.ndarray,
    phi: float,
    reps: int,
    innovations: np.ndarray | None = None,
) -> np.ndarray:
    """(reps, n) stationary unit-variance AR(1) noise on the recorded days t only: the value after a
    gap of g days is phi**g times the last one plus fresh noise (no unrecorded day is drawn).
    The fresh noise is Gaussian, or drawn with replacement from `innovations` (mean 0, SD 1)."""
    if innovations is None:
        z = rng.standard_normal((len(t), reps))
    else:
        z = rng.choice(innovations, size=(len(t), reps))
    if phi:
        lag = phi ** np.diff(t).astype(float)
        fresh = np.sqrt(1.0 - lag * lag)
        for k in range(1, len(t)):
            z[k] *= fresh[k - 1]
            z[k] += lag[k - 1] * z[k - 1]
    return np.ascontiguousarray(z.T)


def null_phi(reml0: np.ndarray) -> float:
    """The critical value grows with phi, and an estimate below the truth would make the test too
    eager: the bootstrap simulates at the upper end of the one-standard-error REML range of phi."""
    return float(PHI_GRID[np.flatnonzero(reml0 >= reml0.max() - PHI_SLACK).max()])


@dataclass
class NullCache:
    """Bootstrap statistics by (pattern of recorded days, phi): the null distribution of S depends
    on nothing else, so scores with the same pattern and phi share one simulation."""

    reps: int
    seed: int
    _stats: dict[tuple[bytes, float], np.ndarray] = field(default_factory=dict)
    _single: dict[int, Basis] = field(default_factory=dict)

    def statistics(
        self, design: Design, basis: Basis, phi: float, innovations: np.ndarray | None = None
    ) -> np.ndarray:
        pattern = design.t.tobytes() + design.X.tobytes() + design.Z.tobytes()
        if innovations is not None:
            pattern += innovations.tobytes()
        key = (pattern, phi)
        if key not in self._stats:
            # Seeded by the pattern and phi, not by the order scores are analysed in: the same
            # diary always gets the same answer.
            rng = np.random.default_rng([self.seed, zlib.crc32(key[0]), round(phi * 100)])
            noise = ar1_noise(rng, design.t, phi, self.reps, innovations).astype(np.float32)
            if id(basis) not in self._single:
                self._single[id(basis)] = basis.single()
            sims = scan(self._single[id(basis)], noise).statistic(design.weights)
            self._stats[key] = sims.astype(float)
        return self._stats[key]


@dataclass(frozen=True)
class Fit:
    statistic: float
    p_value: float
    phi_null: float
    """Autocorrelation the bootstrap simulates."""
    posterior: np.ndarray
    """(W,) posterior probability of each window given wearing-off (prior x likelihood ratio)."""
    window: int
    """Index of the most probable window."""
    delta: float
    phi: float
    sigma: float
    """Marginal SD of the residual with the most probable window."""


def normal_scores(y: np.ndarray) -> np.ndarray:
    """The scores replaced by the normal quantiles of their ranks (ties share a mid-rank).

    The bootstrap simulates Gaussian AR(1) noise, but a daily mean of 0-10 ratings clipped at 0 is
    skewed (good days pile up near the floor, bad spells stretch upwards); the normal scores have
    the shape the calibration assumes. The ratings are ordinal: the test then depends only on
    their order (any monotone rescaling of the 0-10 scale gives the same p-value) and, as with
    van der Waerden's rank test, loses almost nothing when the scores were Gaussian already. On
    the simulated diaries its effect on the false-positive rate is within Monte Carlo error
    (docs/wearing-off.md).
    """
    n = len(y)
    if n == 0:
        return y.astype(float)
    return ndtri((rankdata(y) - 0.5) / n)


def surprises(design: Design, y: np.ndarray, phi: float) -> np.ndarray:
    """The day-to-day surprises of the score with no wearing-off (whitened residuals at phi),
    standardised: scores near the bottom of the scale jump up more than down, and Gaussian
    surprises would miss that skew (a one-sided test then says "likely" too often)."""
    a, b = _whitening(design.t, phi)
    wz, wy = _whiten(design.Z, a, b), _whiten(y[:, None], a, b)[:, 0]
    beta, *_ = np.linalg.lstsq(wz, wy, rcond=None)
    r = wy - wz @ beta
    sd = r.std()
    return (r - r.mean()) / sd if sd > 0 else np.zeros(len(r))


def fit(
    design: Design,
    basis: Basis,
    y: np.ndarray,
    nulls: NullCache,
    coarse: bool = False,
    resample: bool = False,
) -> Fit:
    """Observed statistic, bootstrap p-value and the window posterior. `coarse` rounds the
    bootstrap phi up to a multiple of 0.1 (more careful, and shared by more scores); `resample`
    draws the bootstrap's day-to-day surprises from the score's own (`surprises`)."""
    obs = scan(basis, y[None, :], detail=True)
    stat = float(obs.statistic(design.weights)[0])
    phi0 = null_phi(obs.reml0[:, 0])
    if coarse:
        phi0 = min(float(PHI_GRID[-1]), float(np.ceil(round(phi0 * 10, 6)) / 10))
    own = surprises(design, y, phi0) if resample else None
    sims = nulls.statistics(design, basis, phi0, own)
    p_value = (1 + int((sims >= stat - 1e-10).sum())) / (len(sims) + 1)
    log_post = np.log(np.maximum(design.weights, 1e-300)) + obs.lr[:, 0]
    post = np.exp(log_post - log_post.max())
    post /= post.sum()
    w = int(np.argmax(post))
    return Fit(
        statistic=stat,
        p_value=p_value,
        phi_null=phi0,
        posterior=post,
        window=w,
        delta=float(obs.delta[w, 0]),
        phi=float(obs.phi[w, 0]),
        sigma=float(np.sqrt(obs.rss[w, 0] / basis.n)),
    )


def onset_estimate(design: Design, fitted: Fit, level: float = 0.95) -> tuple[int, int, int]:
    """Most probable onset and the smallest set of onsets holding `level` of the posterior (as an
    interval lo..hi), the posterior summed over the windows' recovery lengths and anchors."""
    onsets = np.unique(design.onsets)
    mass = np.array([fitted.posterior[design.onsets == d].sum() for d in onsets])
    order = np.argsort(-mass, kind="stable")
    k = int(np.searchsorted(np.cumsum(mass[order]), level - 1e-12)) + 1
    chosen = onsets[order[:k]]
    return int(onsets[order[0]]), int(chosen.min()), int(chosen.max())


def band_variance(t: np.ndarray, phi: float) -> float:
    """sum_{i,j} phi^|t_i - t_j|: variance of a sum of AR(1) values with unit marginal variance."""
    if len(t) == 0:
        return 0.0
    lag = np.abs(t[:, None] - t[None, :]).astype(float)
    return float((phi**lag).sum()) if phi else float(len(t))
