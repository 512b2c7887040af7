"""Center scheduling: the CP-SAT optimizer against first-come-first-served, on simulated days.

For each size (appointments/chairs) and each generated day (bench/center_days.py): the requests
of the day (demand 80-105% of the chair-hours) are booked first-come-first-served (FCFS, the
reference measured in the same run) as they arrive; a request FCFS cannot fit goes to another day
and a later one takes its place (`booked_day`: booked load 70-85%). The optimizer then re-plans
that booked day (hinted with FCFS); both are checked with the independent validator and simulated
with the SAME seeds (paired: each appointment's no-show, lateness and chair time are the same
under both schedules), so the KPIs compare the same patients. Each KPI is reported as
optimizer/FCFS per day, with a 95% t interval over days. Separately, on the raw request list,
both place what they can: how many more patients the optimizer fits into the day.

A clairvoyant plan (re-solved knowing the drawn chair times and no-shows of one replication) shows
how much of the FCFS-to-perfect-information gap the optimizer closes. Under the wait definition
used here (start minus the later of booked start and arrival) a clairvoyant plan has no wait at
all, so the "start after the wished time" delay is reported next to it.

    uv run python bench/center.py --quick        # a few days, short limits (< 3 min)
    uv run python bench/center.py                # 5 sizes x 30 days, 30 s limit (long)
    uv run python bench/center.py --sizes 100/24,400/60 --days 10 --time-limit 10

The machine is shared: wall times are noisy; CP-SAT's deterministic time is printed next to them.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from scipy import stats

sys.path.insert(0, str(Path(__file__).parent))

from center_days import SIZES, booked_day, booked_load, generate_day
from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.instance import Instance
from msinfusion.center.schedule import Schedule
from msinfusion.center.simulate import Noise, SimulationResult, realised, simulate
from msinfusion.center.validate import violations

console = Console(width=None if Console().is_terminal else 150)
RATIO_KPIS = (
    ("wait_mean_min", "mean wait", "<=", 0.60),
    ("wait_p90_min", "p90 wait", "<=", 0.70),
    ("overtime_min", "overtime", "<=", 0.70),
    ("chair_utilization", "chair util.", ">=", 1.00),
    ("nurse_peak", "nurse peak", None, None),
    ("delay_mean_min", "start after wish", None, None),
)


@dataclass
class DayResult:
    n: int
    chairs: int
    seed: int
    load: float
    fcfs: Schedule
    opt: Schedule
    fcfs_s: float
    opt_s: float
    violations: int
    fcfs_sim: SimulationResult
    opt_sim: SimulationResult
    requests: tuple[int, int, int] = (0, 0, 0)
    """On the raw request list: (requests, placed by FCFS, placed by the optimizer)."""
    clair: list[tuple[int, float, float]] = field(default_factory=list)
    """(replication, clairvoyant mean wait, clairvoyant mean start-after-wish)."""

    def ratio(self, kpi: str) -> float | None:
        base = self.fcfs_sim.mean(kpi)
        return None if base <= 0 else self.opt_sim.mean(kpi) / base


def optimizer():
    try:
        from msinfusion.center.optimize import optimize
    except ImportError as exc:
        raise SystemExit(f"the optimizer is not available: {exc}") from None
    return optimize


def run_day(n: int, chairs: int, seed: int, args: argparse.Namespace) -> DayResult:
    optimize = optimizer()
    demand = 0.8 + 0.25 * random.Random(seed).random()
    day = booked_day(n, chairs, seed, demand)
    t0 = time.perf_counter()
    fcfs = first_come_first_served(day)
    fcfs_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    opt = optimize(day, time_limit=args.time_limit, workers=2, seed=0, hint=fcfs)
    opt_s = time.perf_counter() - t0
    bad = len(violations(day, fcfs)) + len(violations(day, opt))
    fcfs_sim = simulate(day, fcfs, runs=args.runs, seed=seed)
    opt_sim = simulate(day, opt, runs=args.runs, seed=seed)
    result = DayResult(
        n, chairs, seed, booked_load(day), fcfs, opt, fcfs_s, opt_s, bad, fcfs_sim, opt_sim
    )
    requests = generate_day(n, chairs, seed, demand)
    limit = min(args.time_limit, args.request_time_limit)
    placed = optimize(requests, time_limit=limit, workers=2, seed=0)
    result.violations += len(violations(requests, placed))
    result.requests = (
        len(requests.appointments),
        len(first_come_first_served(requests).assignments),
        len(placed.assignments),
    )
    if n <= args.clairvoyant_max_size:
        for run in range(min(args.clairvoyant, args.runs)):
            result.clair.append((run, *clairvoyant(day, seed, run, args)))
    return result


def clairvoyant(
    day: Instance, seed: int, run: int, args: argparse.Namespace
) -> tuple[float, float]:
    """Mean wait and start-after-wish of a plan made knowing replication `run` in advance."""
    known = realised(day, seed=seed, run=run)
    plan = optimizer()(
        known,
        time_limit=args.clairvoyant_time_limit,
        workers=2,
        seed=0,
        hint=first_come_first_served(known),
    )
    replay = simulate(known, plan, runs=1, seed=seed, noise=Noise.none()).runs[0]
    return replay.wait_mean_min, replay.delay_mean_min


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t interval; a single value has no interval."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return mean, math.nan, math.nan
    half = stats.t.ppf(0.975, len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


def fmt_interval(values: list[float]) -> str:
    if not values:
        return "-"
    mean, lo, hi = interval(values)
    return f"{mean:.2f}" if math.isnan(lo) else f"{mean:.2f} [{lo:.2f}, {hi:.2f}]"


def gap_of(s: Schedule) -> float:
    if s.gap is not None:
        return float(s.gap)
    return 0.0 if s.status == "optimal" else math.inf


def solver_table(results: list[DayResult]) -> Table:
    table = Table(title="solver, per size (means over days)")
    for col in (
        "size",
        "days",
        "load",
        "FCFS ms",
        "opt s",
        "det. time",
        "optimal",
        "objective",
        "bound",
        "gap",
        "booked (opt - FCFS, min)",
        "requests placed FCFS / opt",
        "violations",
    ):
        table.add_column(col, justify="right")
    for (n, chairs), rows in by_size(results).items():
        extra = [float(r.opt.extra.get("deterministic_time", math.nan)) for r in rows]
        booked = [len(r.opt.assignments) - len(r.fcfs.assignments) for r in rows]
        req = [statistics.fmean(r.requests[i] for r in rows) for i in range(3)]
        table.add_row(
            f"{n}/{chairs}",
            str(len(rows)),
            f"{statistics.fmean(r.load for r in rows):.2f}",
            f"{1000 * statistics.fmean(r.fcfs_s for r in rows):.0f}",
            f"{statistics.fmean(r.opt_s for r in rows):.1f}",
            f"{statistics.fmean(extra):.1f}",
            f"{sum(r.opt.status == 'optimal' for r in rows)}/{len(rows)}",
            _num(statistics.fmean(_f(r.opt.objective) for r in rows)),
            _num(statistics.fmean(_f(r.opt.bound) for r in rows)),
            _mean_pct([r.opt.gap for r in rows]),
            f"{statistics.fmean(len(r.fcfs.assignments) for r in rows):.0f} ({min(booked):+d})",
            f"{req[1]:.1f} / {req[2]:.1f} of {req[0]:.0f}",
            str(sum(r.violations for r in rows)),
        )
    return table


def level_table(results: list[DayResult]) -> Table:
    """Objective, bound and gap of each lexicographic level (relative where the bound is > 0)."""
    table = Table(title="optimizer levels (means over days)")
    for col in ("size", "level", "objective", "bound", "rel. gap", "abs. gap"):
        table.add_column(col, justify="left" if col == "level" else "right")
    for (n, chairs), rows in by_size(results).items():
        levels: dict[str, list] = {}
        for r in rows:
            for lv in r.opt.levels:
                levels.setdefault(lv.name, []).append(lv)
        for name, lvs in levels.items():
            table.add_row(
                f"{n}/{chairs}",
                name,
                _num(statistics.fmean(lv.objective for lv in lvs)),
                _num(statistics.fmean(lv.bound for lv in lvs)),
                _mean_pct([lv.gap for lv in lvs]),
                f"{statistics.fmean(lv.gap_abs for lv in lvs):,.1f}",
            )
    return table


def kpi_table(results: list[DayResult]) -> Table:
    table = Table(title="simulated KPIs: optimizer / FCFS per day, mean [95% t interval over days]")
    table.add_column("size", justify="right")
    for _, label, *_ in RATIO_KPIS:
        table.add_column(label, justify="right")
    table.add_column("FCFS wait / opt wait min", justify="right")
    table.add_column("gap closed: wait / wish", justify="right")
    groups = [*by_size(results).items(), (("all", ""), results)]
    for (n, chairs), rows in groups:
        cells = []
        for kpi, *_ in RATIO_KPIS:
            cells.append(fmt_interval([x for r in rows if (x := r.ratio(kpi)) is not None]))
        waits = (
            f"{statistics.fmean(r.fcfs_sim.mean('wait_mean_min') for r in rows):.1f} / "
            f"{statistics.fmean(r.opt_sim.mean('wait_mean_min') for r in rows):.1f}"
        )
        label = f"{n}/{chairs}" if chairs else "all"
        table.add_row(label, *cells, waits, gap_closed(rows))
    return table


def gap_closed(rows: list[DayResult]) -> str:
    """Share of the FCFS-to-clairvoyant gap the optimizer closes, over the (day, run) pairs."""
    parts = []
    for kpi, index in (("wait_mean_min", 1), ("delay_mean_min", 2)):
        closed = total = 0.0
        for r in rows:
            for entry in r.clair:
                run = entry[0]
                f = getattr(r.fcfs_sim.runs[run], kpi)
                o = getattr(r.opt_sim.runs[run], kpi)
                closed += f - o
                total += f - entry[index]
        parts.append("-" if total <= 0 else f"{100 * closed / total:.0f}%")
    return " / ".join(parts)


def by_size(results: list[DayResult]) -> dict[tuple[int, int], list[DayResult]]:
    out: dict[tuple[int, int], list[DayResult]] = {}
    for r in results:
        out.setdefault((r.n, r.chairs), []).append(r)
    return out


def _f(x: float | None) -> float:
    return math.nan if x is None else float(x)


def _num(x: float) -> str:
    return "-" if math.isnan(x) else f"{x:,.0f}"


def _mean_pct(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{100 * statistics.fmean(known):.2f}%" if known else "-"


def sim_speed(results: list[DayResult]) -> tuple[float, float]:
    """Seconds for 1,000 replications of a 400-appointment day, and the FCFS time of that day."""
    day = generate_day(400, 60, seed=424242)
    t0 = time.perf_counter()
    fcfs = first_come_first_served(day)
    fcfs_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    simulate(day, fcfs, runs=1000, seed=1)
    return time.perf_counter() - t0, fcfs_s


def verdicts(results: list[DayResult], sim_s: float) -> list[tuple[str, bool, str]]:
    out = []
    for kpi, label, op, target in RATIO_KPIS:
        if op is None:
            continue
        values = [x for r in results if (x := r.ratio(kpi)) is not None]
        mean = statistics.fmean(values) if values else math.nan
        ok = mean <= target if op == "<=" else mean >= target
        out.append((f"{label} ratio {op} {target:.2f}", bool(values) and ok, f"{mean:.2f}"))
    worse = [
        r.seed
        for r in results
        if len(r.opt.assignments) < len(r.fcfs.assignments) or r.requests[2] < r.requests[1]
    ]
    out.append(("placed >= FCFS on every day", not worse, f"{len(worse)} days fewer"))
    bad = sum(r.violations for r in results)
    out.append(("zero hard-rule violations", bad == 0, f"{bad}"))
    small = [r for r in results if r.n <= 100]
    if small:
        share = sum(r.opt.status == "optimal" for r in small) / len(small)
        out.append(
            (f"<=100 appointments optimal >= 90% ({len(small)} days)", share >= 0.9, f"{share:.0%}")
        )
    big = [r for r in results if r.n >= 400]
    if big:
        gaps = [gap_of(r.opt) for r in big]
        two = sum(g <= 0.02 for g in gaps) / len(gaps)
        five = sum(g <= 0.05 for g in gaps) / len(gaps)
        out.append((f"400 gap <= 2% ({len(big)} days)", two == 1.0, f"{two:.0%}"))
        out.append(("400 gap never > 5%", five == 1.0, f"{five:.0%} within 5%"))
    out.append(("simulate 1,000 x 400 < 60 s", sim_s < 60, f"{sim_s:.1f} s"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few days, short limits (< 3 min)")
    parser.add_argument("--days", type=int, help="days per size (default 30; quick 3)")
    parser.add_argument("--sizes", help="appointments/chairs list, e.g. 60/20,400/60")
    parser.add_argument("--time-limit", type=float, help="optimizer seconds (default 30; quick 5)")
    parser.add_argument("--runs", type=int, help="paired replications per day (200; quick 100)")
    parser.add_argument(
        "--clairvoyant", type=int, help="clairvoyant replications per day (2; quick 1)"
    )
    parser.add_argument(
        "--clairvoyant-max-size", type=int, help="largest day with a clairvoyant plan"
    )
    args = parser.parse_args()
    q = args.quick
    sizes = (
        [tuple(int(x) for x in s.split("/")) for s in args.sizes.split(",")]
        if args.sizes
        else ([(60, 20), (100, 24), (400, 60)] if q else list(SIZES))
    )
    args.days = args.days or (3 if q else 30)
    args.time_limit = args.time_limit or (5.0 if q else 30.0)
    args.runs = args.runs or (100 if q else 200)
    args.clairvoyant = args.clairvoyant if args.clairvoyant is not None else (1 if q else 2)
    args.clairvoyant_max_size = args.clairvoyant_max_size or (100 if q else 400)
    args.clairvoyant_time_limit = min(args.time_limit, 5.0 if q else 10.0)
    args.request_time_limit = 2.0 if q else 10.0
    results: list[DayResult] = []
    plan = [(n, c, 1000 * n + d) for n, c in sizes for d in range(_days(args, n))]
    start = time.perf_counter()
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("days", total=len(plan))
        for n, chairs, seed in plan:
            bar.update(task, description=f"{n}/{chairs} day {seed % 1000 + 1}")
            results.append(run_day(n, chairs, seed, args))
            bar.advance(task)
            if not console.is_terminal:  # a log, for runs left in the background
                print(day_line(results[-1]), file=sys.stderr, flush=True)
    console.print(
        f"{len(results)} days, {args.runs} paired replications each, optimizer limit "
        f"{args.time_limit:g} s (2 workers), clairvoyant on {args.clairvoyant} replication(s) of "
        f"days <= {args.clairvoyant_max_size} appointments; {time.perf_counter() - start:.0f} s"
    )
    console.print(solver_table(results))
    console.print(level_table(results))
    console.print(kpi_table(results))
    sim_s, fcfs_s = sim_speed(results)
    console.print(
        f"simulation: 1,000 replications of a 400-appointment day in {sim_s:.1f} s "
        f"({sim_s / fcfs_s:,.0f}x the FCFS booking of that day, {1000 * fcfs_s:.0f} ms)"
    )
    for label, ok, value in verdicts(results, sim_s):
        mark = "[bold green]PASS[/]" if ok else "[bold red]MISS[/]"
        console.print(f"{mark}  {label}: {value}")
    if q:
        console.print("(quick mode: few days and a short time limit; targets are for the full run)")


def day_line(r: DayResult) -> str:
    """One day's outcome in a line: what a long run writes as it goes when nobody watches."""
    wait = r.ratio("wait_mean_min")
    gap = "-" if r.opt.gap is None else f"{100 * r.opt.gap:.2f}%"
    return (
        f"{r.n}/{r.chairs} day {r.seed % 1000 + 1}: {r.opt.status}, gap {gap}, "
        f"{r.opt_s:.1f} s, wait ratio {'-' if wait is None else f'{wait:.2f}'}"
    )


def _days(args: argparse.Namespace, n: int) -> int:
    """Quick mode keeps the 400-appointment days to 2: each costs a full time limit."""
    return min(args.days, 2) if args.quick and n >= 400 else args.days


if __name__ == "__main__":
    main()
