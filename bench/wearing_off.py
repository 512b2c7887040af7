"""Wearing-off analysis on simulated diaries with a known truth (accuracy targets in docs/wearing-off.md).

For natalizumab (28-day cycles) and ocrelizumab (168-day cycles), 3 cycles, 30% of days missing:
- false positives of the "likely" verdict, with exact (Clopper-Pearson) 95% intervals, in every
  nuisance cell: autocorrelation 0 / 0.3 / 0.5 / 0.7, drift 1 point a year, relapses, missing not at
  random on bad days, and all of them at once;
- power by effect size and diary length, beside the oracle's (diary.oracle: GLS z-test that knows
  the true window, phi and sigma) measured on the same diaries, and the ratio at the target cells;
- onset error (median absolute, days) and how often the onset interval covers the truth;
- clinic-level intervals (diary.clinic) against the true proportions, on clinics of 300 patients
  (true shares 25%, 40%, 60% with wearing-off) resampled from a pool of simulated patients of
  every nuisance setting and effects of 1-2 points (its own simulation: --clinic-pool per arm);
- the share of "not enough data yet" by diary length (never "likely" with one cycle);
- time per diary (full analysis, 999 replicates; p50 / p95) and its ratio to the oracle's time.

    uv run python bench/wearing_off.py --quick   # minutes; Monte Carlo error printed per cell
    uv run python bench/wearing_off.py           # >= 5,000 null patients per cell: hours
    uv run python bench/wearing_off.py --clinic-only   # clinic level alone (2 x 2,000 per drug)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import defaultdict
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from msinfusion.diary.oracle import oracle_test
from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.diary.wearing_off import analyse_overall_only
from wearing_off_report import (
    DRUGS,
    FULL_NULL_N,
    Cell,
    Outcome,
    PoolPatient,
    clinic_spec,
    clinics,
    console,
    false_positives,
    insufficient,
    mark,
    onset,
    power,
    timing,
)


def cells(null_n: dict[str, int], power_n: dict[str, int], drugs: list[str]) -> list[Cell]:
    out: list[Cell] = []
    for drug in drugs:
        make = DRUGS[drug]
        base = make(missing=0.3, n_cycles=3, noise_sd=1.5, ar_phi=0.5)
        nn = null_n[drug]
        for phi in (0.0, 0.3, 0.5, 0.7):
            out.append(Cell("null", f"AR {phi}", drug, replace(base, ar_phi=phi), nn))
        out += [
            Cell("null", "AR 0.5, drift 1/yr", drug, replace(base, drift_per_year=1.0), nn),
            Cell("null", "AR 0.5, relapses 2/yr", drug, replace(base, relapse_rate=2.0), nn),
            Cell("null", "AR 0.5, MNAR 0.3", drug, replace(base, mnar=0.3), nn),
            Cell(
                "null",
                "AR 0.7 + drift + relapses + MNAR",
                drug,
                replace(base, ar_phi=0.7, drift_per_year=1.0, relapse_rate=2.0, mnar=0.3),
                nn,
            ),
        ]
        pn = power_n[drug]
        for effect in (0.5, 1.0, 1.5, 2.0):
            spec = replace(base, effect=effect)
            out.append(Cell("power", f"sd 1.5, AR 0.5, effect {effect}, 3 cycles", drug, spec, pn))
        spec = replace(base, effect=1.5, noise_sd=1.0, ar_phi=0.3)
        out.append(Cell("power", "sd 1.0, AR 0.3, effect 1.5, 3 cycles", drug, spec, pn))
        for k in (1, 2, 4):
            spec = replace(base, effect=1.5, n_cycles=k)
            out.append(Cell("power", f"sd 1.5, AR 0.5, effect 1.5, {k} cycles", drug, spec, pn))
    return out


def run_one(task: tuple[int, SimSpec, int, int]) -> Outcome:
    index, spec, seed, reps = task
    diary = simulate_diary(spec, seed)
    t0 = time.perf_counter()
    r = analyse_overall_only(diary.days, diary.infusions, permutations=reps, seed=seed)
    t1 = time.perf_counter()
    o = oracle_test(diary)
    t2 = time.perf_counter()
    return Outcome(
        index,
        r.verdict,
        r.p_value,
        r.onset_days_before,
        r.onset_interval,
        diary.truth.onset_days_before,
        o.likely,
        t1 - t0,
        t2 - t1,
    )


def run_cells(plan: list[Cell], reps: int, workers: int) -> dict[int, list[Outcome]]:
    tasks = [(i, c.spec, 1_000_003 * i + s, reps) for i, c in enumerate(plan) for s in range(c.n)]
    results: dict[int, list[Outcome]] = defaultdict(list)
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        job = bar.add_task("simulated patients", total=len(tasks))
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for out in pool.imap_unordered(run_one, tasks, chunksize=4):
                results[out.cell].append(out)
                bar.advance(job)
    return results


def save_outcomes(path: Path, plan: list[Cell], results: dict[int, list[Outcome]]) -> None:
    """One JSON line per simulated patient with its cell, so a later reading (another decision
    level, another summary) needs no new simulation."""
    with path.open("w") as out:
        for i, cell in enumerate(plan):
            for r in sorted(results.get(i, []), key=lambda o: o.p_value or 0.0):
                row = {"group": cell.group, "label": cell.label, "drug": cell.drug, **asdict(r)}
                out.write(json.dumps(row) + "\n")
    console.print(f"  Outcomes written to {path}")


def run_pool_one(task: tuple[str, int, bool, int]) -> PoolPatient:
    drug, i, with_effect, reps = task
    spec = clinic_spec(drug, i, with_effect)
    seed = 7_000_000 + 2 * i + with_effect + (0 if drug == "natalizumab" else 50_000_000)
    diary = simulate_diary(spec, seed)
    r = analyse_overall_only(diary.days, diary.infusions, permutations=reps, seed=seed)
    return PoolPatient(drug, spec.effect, r.verdict, r.p_value)


def run_pool(per_arm: int, reps: int, workers: int, drugs: list[str]) -> list[PoolPatient]:
    """Patients for the clinic level: per drug, `per_arm` without and `per_arm` with wearing-off."""
    tasks = [(d, i, w, reps) for d in drugs for w in (False, True) for i in range(per_arm)]
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeElapsedColumn())
    out: list[PoolPatient] = []
    with Progress(*columns, console=console, transient=True) as bar:
        job = bar.add_task("clinic pool", total=len(tasks))
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for r in pool.imap_unordered(run_pool_one, tasks, chunksize=8):
                out.append(r)
                bar.advance(job)
    return out


def clinic_level(args: argparse.Namespace, drugs: list[str], verdicts: list) -> None:
    per_arm = args.clinic_pool or (300 if args.quick else 2000)
    repeats = args.clinics or (100 if args.quick else 200)
    reps = args.permutations or 199
    started = time.perf_counter()
    pool = run_pool(per_arm, reps, args.workers, drugs)
    console.print(
        f"[bold]Clinic pool[/]: {len(pool):,} simulated patients, {reps} bootstrap replicates,"
        f" {(time.perf_counter() - started) / 60:.1f} min"
    )
    clinics(pool, verdicts, repeats)


def summarise(verdicts: list) -> None:
    summary = Table(
        title="Targets (undecided: this run is too small, or too few replicates, to tell)"
    )
    summary.add_column("target", justify="left")
    summary.add_column("result", justify="right")
    for name, ok in verdicts:
        summary.add_row(name, mark(ok))
    console.print(summary)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small cells: a few minutes")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--permutations", type=int, help="bootstrap replicates per diary")
    ap.add_argument("--null-n", type=int, help="null patients per false-positive cell")
    ap.add_argument("--power-n", type=int, help="patients per power cell")
    ap.add_argument("--timing-n", type=int, help="diaries timed per drug")
    ap.add_argument("--drug", choices=sorted(DRUGS), action="append", help="only this drug")
    ap.add_argument("--clinic-pool", type=int, help="clinic pool: patients per arm per drug")
    ap.add_argument("--clinics", type=int, help="simulated clinics per drug and true share")
    ap.add_argument("--clinic-only", action="store_true", help="only the clinic level")
    ap.add_argument(
        "--save", type=Path, help="write every simulated patient's outcome here (JSON lines)"
    )
    args = ap.parse_args()
    if args.clinic_only:
        verdicts: list[tuple[str, bool | None]] = []
        clinic_level(args, args.drug or list(DRUGS), verdicts)
        summarise(verdicts)
        return
    if args.quick:
        null_n = {"natalizumab": 60, "ocrelizumab": 25}
        power_n = {"natalizumab": 40, "ocrelizumab": 20}
        reps, timing_n = 199, 3
    else:
        null_n = dict.fromkeys(DRUGS, FULL_NULL_N)
        power_n = {"natalizumab": 1000, "ocrelizumab": 1000}
        reps, timing_n = 999, 50
    if args.null_n:
        null_n = dict.fromkeys(DRUGS, args.null_n)
    if args.power_n:
        power_n = dict.fromkeys(DRUGS, args.power_n)
    reps = args.permutations or reps
    timing_n = args.timing_n or timing_n
    drugs = args.drug or list(DRUGS)
    plan = cells(null_n, power_n, drugs)
    total = sum(c.n for c in plan)
    console.print(
        f"[bold]Wearing-off bench[/]: {total:,} simulated patients in {len(plan)} cells,"
        f" {reps} bootstrap replicates each, {args.workers} processes"
        + (" (--quick: small cells, read the confidence intervals)" if args.quick else "")
    )
    started = time.perf_counter()
    results = run_cells(plan, reps, args.workers)
    elapsed = time.perf_counter() - started
    if args.save:
        save_outcomes(args.save, plan, results)
    verdicts = []
    false_positives(plan, results, verdicts)
    for drug in drugs:
        nn = null_n[drug]
        se = np.sqrt(0.05 * 0.95 / nn)
        console.print(f"  Monte Carlo SE of a 5% rate, {drug}, n = {nn}: +-{100 * se:.1f} points")
    onset_pool = power(plan, results, verdicts)
    for drug in drugs:
        pn = power_n[drug]
        console.print(
            f"  Monte Carlo SE of a power near 80%, {drug}, n = {pn}: +-{100 * np.sqrt(0.16 / pn):.1f} points"
        )
    onset(onset_pool, verdicts)
    insufficient(plan, results, verdicts)
    clinic_level(args, drugs, verdicts)
    timing(timing_n, verdicts, drugs)
    every = [r for rs in results.values() for r in rs]
    console.print(
        f"  Bench mode ({reps} replicates, overall score only): {total / elapsed:.1f} patients/s on"
        f" {args.workers} processes; per diary p50 {np.median([r.seconds for r in every]):.3f} s,"
        f" p95 {np.percentile([r.seconds for r in every], 95):.3f} s; oracle p50"
        f" {1e3 * np.median([r.oracle_seconds for r in every]):.2f} ms"
    )
    per_10k = 10_000 / (total / elapsed) / 60
    ok = (per_10k <= 10) if reps >= 999 else None
    verdicts.append((f"10,000 patients on {args.workers} processes: {per_10k:.0f} min", ok))
    console.print(f"  Total {elapsed / 60:.1f} min for {total:,} patients.")
    summarise(verdicts)


if __name__ == "__main__":
    main()
