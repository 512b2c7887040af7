"""Tables of bench/wearing_off.py: one per target group, each row with its Monte Carlo interval
and PASS / MISS, or "undecided" when the run is too small (or uses fewer bootstrap replicates than
the product) to tell."""

from __future__ import annotations

import itertools
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
from rich.console import Console
from rich.table import Table
from scipy.stats import beta

from msinfusion.diary.clinic import clinic_summary
from msinfusion.diary.oracle import oracle_test
from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.diary.wearing_off import analyse

console = Console(width=None if sys.stdout.isatty() else 150)
DRUGS = {"natalizumab": SimSpec.natalizumab, "ocrelizumab": SimSpec.ocrelizumab}
ONSET_TARGET = {"natalizumab": 3.5, "ocrelizumab": 7.0}
RATIO_TARGETS = {(1.0, 0.3): 0.9, (1.5, 0.5): 0.8}
"""(sigma, phi) -> minimal power / oracle power at a 1.5-point effect, 3 cycles."""
FULL_NULL_N = 5000
CLINIC_SIZE, CLINIC_SHARES = 300, (0.25, 0.4, 0.6)
"""Clinic size and true shares with wearing-off (prevalence anchors 25-61%, Ratchford 2014, van
Kempen 2019, the 2022 Amsterdam ocrelizumab cohort)."""
SMALL_POOL = 1500
"""Patients without wearing-off per drug below which a clinic pool is too coarse to judge."""


@dataclass(frozen=True)
class Cell:
    group: str  # "null" or "power"
    label: str
    drug: str
    spec: SimSpec
    n: int


@dataclass(frozen=True)
class Outcome:
    cell: int
    verdict: str
    p_value: float | None
    onset: float | None
    interval: tuple[float, float] | None
    true_onset: int
    oracle_likely: bool
    seconds: float
    oracle_seconds: float


def clopper_pearson(x: int, n: int) -> tuple[float, float]:
    lo = 0.0 if x == 0 else float(beta.ppf(0.025, x, n - x + 1))
    hi = 1.0 if x == n else float(beta.ppf(0.975, x + 1, n - x))
    return lo, hi


def pct(x: float | None) -> str:
    return "-" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def mark(ok: bool | None) -> str:
    return {True: "[green]PASS[/]", False: "[red]MISS[/]", None: "[yellow]undecided[/]"}[ok]


def false_positives(plan, results, verdicts: list) -> None:
    table = Table(title="False positives (no wearing-off): 'likely' verdicts, exact 95% CI")
    for col in ("drug", "nuisance", "n", "rate", "95% CI", "oracle", "target <= 5%, upper <= 6%"):
        table.add_column(col, justify="left" if col in ("drug", "nuisance") else "right")
    for i, c in enumerate(plan):
        if c.group != "null":
            continue
        rs = results[i]
        x, n = sum(r.verdict == "likely" for r in rs), len(rs)
        lo, hi = clopper_pearson(x, n)
        met = x / n <= 0.05 and hi <= 0.06
        # The target is stated for >= 5,000 patients; below that only a clear miss is a miss.
        ok = met if n >= FULL_NULL_N or met else (False if lo > 0.05 else None)
        verdicts.append((f"false positives {c.drug}, {c.label}", ok))
        oracle = np.mean([r.oracle_likely for r in rs])
        table.add_row(
            c.drug, c.label, str(n), pct(x / n), f"{pct(lo)}-{pct(hi)}", pct(oracle), mark(ok)
        )
    console.print(table)


def power(plan, results, verdicts: list) -> dict[str, list[Outcome]]:
    table = Table(
        title="Power ('likely' when there is wearing-off) against the oracle, same diaries"
    )
    for col in (
        "drug",
        "cell",
        "n",
        "power",
        "95% CI",
        "oracle",
        "ratio",
        "insufficient",
        "target",
    ):
        table.add_column(col, justify="left" if col in ("drug", "cell") else "right")
    onset_pool: dict[str, list[Outcome]] = defaultdict(list)
    for i, c in enumerate(plan):
        if c.group != "power":
            continue
        rs = results[i]
        n = len(rs)
        x = sum(r.verdict == "likely" for r in rs)
        lo, hi = clopper_pearson(x, n)
        orc = float(np.mean([r.oracle_likely for r in rs]))
        ratio = (x / n) / orc if orc else float("nan")
        insufficient = np.mean([r.verdict == "insufficient_data" for r in rs])
        target = ""
        s = c.spec
        key = (s.noise_sd, s.ar_phi)
        if s.effect == 1.5 and s.n_cycles == 3 and key in RATIO_TARGETS:
            need = RATIO_TARGETS[key] * orc
            ok = None if lo < need <= hi else x / n >= need
            target = f">= {RATIO_TARGETS[key]} x oracle {mark(ok)}"
            verdicts.append((f"power/oracle {c.drug}, sd {key[0]} AR {key[1]}: {ratio:.2f}", ok))
            onset_pool[c.drug] += rs
        if s.n_cycles == 1:
            ok = x == 0
            target = f"never likely {mark(ok)}"
            verdicts.append((f"never 'likely' with 1 cycle, {c.drug}", ok))
        ratio_txt = f"{ratio:.2f}" if np.isfinite(ratio) else "-"
        table.add_row(
            c.drug, c.label, str(n), pct(x / n), f"{pct(lo)}-{pct(hi)}", pct(orc), ratio_txt,
            pct(insufficient), target,
        )  # fmt: skip
    console.print(table)
    return onset_pool


def onset(onset_pool: dict[str, list[Outcome]], verdicts: list) -> None:
    table = Table(
        title="Onset (days before the infusion is due), effect 1.5, 3 cycles, both target cells"
    )
    for col in (
        "drug",
        "estimated",
        "median |error|",
        "target",
        "intervals",
        "coverage",
        "target ",
    ):
        table.add_column(col, justify="right" if col != "drug" else "left")
    for drug, rs in onset_pool.items():
        est = [r for r in rs if r.onset is not None]
        err = [abs(r.onset - r.true_onset) for r in est]
        ivs = [r for r in rs if r.interval is not None]
        cover = [r.interval[0] <= r.true_onset <= r.interval[1] for r in ivs]
        med = float(np.median(err)) if err else float("nan")
        cov = float(np.mean(cover)) if cover else float("nan")
        ok_med = bool(err) and med <= ONSET_TARGET[drug]
        ok_cov = bool(cover) and cov >= 0.9
        if cover:
            c_lo, c_hi = clopper_pearson(sum(cover), len(cover))
            ok_cov = None if c_lo < 0.9 <= c_hi else ok_cov
        verdicts.append((f"onset median error {drug}: {med:.1f} d", ok_med))
        verdicts.append((f"onset interval coverage {drug}: {pct(cov)}", ok_cov))
        table.add_row(
            drug, f"{len(est)}/{len(rs)}", f"{med:.1f} d", f"<= {ONSET_TARGET[drug]} {mark(ok_med)}",
            str(len(ivs)), pct(cov), f">= 90% {mark(ok_cov)}",
        )  # fmt: skip
    console.print(table)


@dataclass
class _Row:
    verdict: str
    p_value: float | None


def rate(rs: list[Outcome], verdicts: tuple[str, ...]) -> float:
    return float(np.mean([r.verdict in verdicts for r in rs]))


@dataclass(frozen=True)
class PoolPatient:
    drug: str
    effect: float
    verdict: str
    p_value: float | None


CLINIC_NUISANCE: tuple[dict[str, float], ...] = (
    {"ar_phi": 0.0},
    {"ar_phi": 0.3},
    {},
    {"ar_phi": 0.7},
    {"drift_per_year": 1.0},
    {"relapse_rate": 2.0},
    {"mnar": 0.3},
    {"ar_phi": 0.7, "drift_per_year": 1.0, "relapse_rate": 2.0, "mnar": 0.3},
)
CLINIC_EFFECTS = (1.0, 1.5, 2.0)


def clinic_spec(drug: str, i: int, with_effect: bool) -> SimSpec:
    """The i-th patient of a clinic pool: every nuisance setting, noise SD 1.5 or 1.0, and for
    those with wearing-off an effect of 1, 1.5 or 2 points: a clinic's patients are not alike."""
    spec = DRUGS[drug](missing=0.3, n_cycles=3, noise_sd=(1.5, 1.0)[i // 8 % 2], ar_phi=0.5)
    spec = replace(spec, **CLINIC_NUISANCE[i % len(CLINIC_NUISANCE)])
    return replace(spec, effect=CLINIC_EFFECTS[i % 3] if with_effect else 0.0)


def clinics(pool: list[PoolPatient], verdicts: list, repeats: int, seed: int = 5) -> None:
    """Clinics of 300 drawn with replacement from a pool of simulated patients (half without
    wearing-off, half with), each patient with wearing-off with probability `share`. The pool is
    the population, so the true shares among analysed patients are known exactly."""
    table = Table(
        title=f"Clinic level: {repeats} clinics of {CLINIC_SIZE} per row, drawn from the pool"
    )
    for col in (
        "drug", "true share", "proportion", "its true value", "mean estimate", "mean width",
        "coverage", "95% CI", "target >= 93%",
    ):  # fmt: skip
        table.add_column(col, justify="left" if col in ("drug", "proportion") else "right")
    rng = np.random.default_rng(seed)
    for drug in DRUGS:
        null = [r for r in pool if r.drug == drug and r.effect == 0]
        alt = [r for r in pool if r.drug == drug and r.effect > 0]
        if not null or not alt:
            continue
        high = [r.p_value > 0.5 for r in null if r.verdict != "insufficient_data"]
        lo, hi = clopper_pearson(sum(high), len(high))
        console.print(
            f"  {drug}: pool of {len(null)} patients without and {len(alt)} with wearing-off"
            f" (effects {', '.join(map(str, CLINIC_EFFECTS))}); share of p > 0.5 without it"
            f" {pct(np.mean(high))} ({pct(lo)}-{pct(hi)}), of 'likely' with it"
            f" {pct(rate(alt, ('likely',)) / rate(alt, ('likely', 'unlikely')))}"
        )
        a_alt, a_null = rate(alt, ("likely", "unlikely")), rate(null, ("likely", "unlikely"))
        l_alt, l_null = rate(alt, ("likely",)), rate(null, ("likely",))
        for share in CLINIC_SHARES:
            analysed = share * a_alt + (1 - share) * a_null
            truths = {
                "likely": (share * l_alt + (1 - share) * l_null) / analysed,
                "prevalence": share * a_alt / analysed,
            }
            hits: dict[str, list[bool]] = {"likely": [], "prevalence": []}
            widths: dict[str, list[float]] = {"likely": [], "prevalence": []}
            ests: dict[str, list[float]] = {"likely": [], "prevalence": []}
            for _ in range(repeats):
                has = rng.random(CLINIC_SIZE) < share
                picks = [
                    alt[rng.integers(len(alt))] if h else null[rng.integers(len(null))] for h in has
                ]
                weeks = 4 if drug == "natalizumab" else 24
                (g,) = clinic_summary((drug, weeks, _Row(r.verdict, r.p_value)) for r in picks)
                for name, est, iv in (
                    ("likely", g.likely_share, g.likely_interval),
                    ("prevalence", g.prevalence, g.prevalence_interval),
                ):
                    if iv is not None and est is not None:
                        hits[name].append(iv[0] <= truths[name] <= iv[1])
                        widths[name].append(iv[1] - iv[0])
                        ests[name].append(est)
            for name, label in (
                ("likely", "share of 'likely' verdicts (Wilson)"),
                ("prevalence", "share with wearing-off (mixture)"),
            ):
                x, n = sum(hits[name]), len(hits[name])
                cov = x / n if n else float("nan")
                c_lo, c_hi = clopper_pearson(x, n) if n else (0.0, 1.0)
                ok: bool | None = cov >= 0.93 if (cov >= 0.93 or c_hi < 0.93) else None
                if not ok and len(null) < SMALL_POOL:
                    ok = None  # a small pool is a coarse population
                verdicts.append((f"clinic coverage {drug}, share {share}, {name}: {pct(cov)}", ok))
                table.add_row(
                    drug, pct(share), label, pct(truths[name]), pct(np.mean(ests[name])),
                    pct(np.mean(widths[name])), pct(cov), f"{pct(c_lo)}-{pct(c_hi)}", mark(ok),
                )  # fmt: skip
    console.print(table)
    console.print(
        "  Clinics are resampled from the finite pool above, which is the population whose true"
        " values are shown; a small pool (--quick) is a coarse population. Wearing-off counts for"
        " the true share whatever its size; a very small one looks like none to every method."
    )


def insufficient(plan, results, verdicts: list) -> None:
    """Share of "not enough data yet" by diary length (effect 1.5, sd 1.5, AR 0.5): it must fall
    as the diary grows, and one cycle (no complete cycle after an infusion) is never "likely"."""
    table = Table(title="'Not enough data yet' by diary length (effect 1.5, sd 1.5, AR 0.5)")
    table.add_column("drug", justify="left")
    lengths = (1, 2, 3, 4)
    for k in lengths:
        table.add_column(f"{k} cycle{'s' if k > 1 else ''}", justify="right")
    table.add_column("falls with length", justify="right")
    for drug in DRUGS:
        shares = []
        for k in lengths:
            rs = [
                r
                for i, c in enumerate(plan)
                if (c.drug, c.group, c.spec.n_cycles, c.spec.effect) == (drug, "power", k, 1.5)
                and (c.spec.noise_sd, c.spec.ar_phi) == (1.5, 0.5)
                for r in results[i]
            ]
            shares.append(rate(rs, ("insufficient_data",)) if rs else float("nan"))
        if all(np.isnan(shares)):
            continue
        ok = all(a >= b for a, b in itertools.pairwise(shares))
        verdicts.append((f"'not enough data' falls with diary length, {drug}", ok))
        table.add_row(drug, *(pct(x) for x in shares), mark(ok))
    console.print(table)


def timing(n: int, verdicts: list, drugs: list[str]) -> None:
    """Full analysis (all symptoms, 999 replicates) in this process, beside the oracle. Wall time
    is what a user waits; CPU time shows how much of it is other processes on a busy machine."""
    table = Table(title=f"Time per diary, full analysis with 999 replicates ({n} diaries per drug)")
    for col in ("drug", "wall p50", "wall p95", "CPU p95", "oracle p50", "oracle p95"):
        table.add_column(col, justify="right" if col != "drug" else "left")
    for col in ("ratio to oracle (p50)", "target p95 < 1 s"):
        table.add_column(col, justify="right")
    for drug in drugs:
        spec = DRUGS[drug](effect=1.5)
        wall, cpu, orc = [], [], []
        for s in range(n):
            d = simulate_diary(spec, 900_000 + s)
            c0, t0 = time.process_time(), time.perf_counter()
            analyse(d.days, d.infusions, permutations=999, seed=s)
            c1, t1 = time.process_time(), time.perf_counter()
            oracle_test(d)
            orc.append(time.perf_counter() - t1)
            wall.append(t1 - t0)
            cpu.append(c1 - c0)
        p95 = float(np.percentile(wall, 95))
        ok = p95 < 1.0
        verdicts.append(
            (f"time per diary {drug}: p95 {p95:.2f} s (CPU {np.percentile(cpu, 95):.2f} s)", ok)
        )
        table.add_row(
            drug, f"{np.median(wall):.3f} s", f"{p95:.3f} s", f"{np.percentile(cpu, 95):.3f} s",
            f"{1e3 * np.median(orc):.2f} ms", f"{1e3 * np.percentile(orc, 95):.2f} ms",
            f"{np.median(wall) / np.median(orc):.0f}x", mark(ok),
        )  # fmt: skip
    console.print(table)
