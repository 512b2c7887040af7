"""CP-SAT optimizer for one center day, solved as lexicographic levels.

Levels, in order (all minimised; see docs/center.md for why each is measured this way):
1. `unplaced`: appointments left without a chair.
2. `late_minutes`: minutes by which an appointment's end plus its overrun allowance passes
   closing time (the overtime proxy).
3. `chair_peak`: the most patients in chairs at once (seated patients and a reserve that grows
   towards closing included); free chairs are what absorbs overruns.
4. `setup_peak`: the most set-ups in progress at once (seated patients included).
5. `preference_minutes`: sum of |start - preferred start|, course days weighted x3.

Each level is solved with the previous levels fixed at their best value. Before CP-SAT searches a
level (from the chair peak on, on days small enough), `optimize_relaxed` raises its bound by the
time-indexed relaxation and solves it as a MIP over few starts, which often proves the level
without any search. The model is hinted with first-come-first-served (or the
caller's schedule) and the result is compared with it at the end, so the optimizer is never worse
than the baseline, whatever the time limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.bounds import level_bounds
from msinfusion.center.chairs import schedule_from_placement
from msinfusion.center.grid import Grid
from msinfusion.center.instance import Instance
from msinfusion.center.optimize_model import LEVEL_NAMES, build
from msinfusion.center.optimize_relaxed import (
    PREFERENCE,
    LevelStart,
    Placement,
    peaks_solved_whole,
    relax_level,
)
from msinfusion.center.schedule import LevelResult, Schedule
from msinfusion.center.time_indexed import MAX_COLUMNS, MAX_SETUP_COLUMNS, columns
from msinfusion.center.validate import violations

_SHARE = (0.25, 0.3, 0.3, 0.3, 1.0)
"""Share of the remaining time each level may use; unused time flows to the next level."""


_SMALL_DAY_PEAK_SHARE = 0.5
"""A peak's share on days small enough for the MIP over every start (`FULL_PEAK_COLUMNS`): that MIP
needs 8-9 s when a peak stays open, and the preference level of such days is usually proven
within a few seconds. A peak that closes early leaves the time to the next level anyway."""


_FIRST_RELAXED = 2
"""The linear relaxation is used from the chair peak on: CP-SAT closes the first two levels on its
own (the energetic bound is usually tight there), the peaks and the preference minutes never."""


_PACE = 10_000
"""Start columns the relaxation gets through per second (a 400-appointment day's 44,000 took
3.5-6 s): a level with less time than that leaves it to CP-SAT, as the LP would not finish (with a
5-second limit, a 400-appointment day's waits were a quarter longer when it tried)."""

_FIRST_HINT_SHARE = 0.4
"""When the relaxation's rounded starts break a rule, CP-SAT first searches from them (this share
of the level's time), then from the best plan so far: the rounded starts are often far better than
that plan once repaired, and sometimes not repairable in the time."""


def optimize(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    workers: int = 2,
    seed: int = 0,
    hint: Schedule | None = None,
    deterministic_limit: float | None = None,
    progress: Callable[[int, str], None] | None = None,
) -> Schedule:
    """Best schedule found within `time_limit` seconds, with per-level objective, bound and gap.

    `deterministic_limit` also caps CP-SAT's deterministic time (about one second of one core,
    whatever the load): benchmarks on a shared machine use it to get comparable, repeatable runs.
    `progress(k, name)` is told when level `k` (0-4) starts: a 30-second solve should not look
    like a hung one.
    """
    began = time.perf_counter()
    deadline = began + max(time_limit, 0.0)
    grid = Grid(instance)
    reference = first_come_first_served(instance)
    ref_levels = grid.levels(grid.placement(reference))
    if hint is not None and not violations(instance, hint):
        hint_levels = grid.levels(grid.placement(hint))
        if hint_levels < ref_levels:
            reference, ref_levels = hint, hint_levels
    current = grid.placement(reference)
    values = list(ref_levels)
    model = build(grid)
    cp = model.cp
    lows = level_bounds(grid)
    size = columns(grid)
    det_time = 0.0
    results: list[LevelResult] = []
    proven: list[bool] = []
    for k, name in enumerate(LEVEL_NAMES):
        if progress is not None:
            progress(k, name)
        if k == 1:
            # Bounds valid for every plan that leaves at most values[0] unplaced.
            lows = level_bounds(grid, unplaced=values[0])
            for peak, low in zip(model.peaks, (lows[2], lows[3]), strict=True):
                cp.add(peak >= low)
        if k == PREFERENCE:
            model.search_near_wishes()
        bound = float(lows[k])
        hints: list[Placement | None] = [None]  # None: the best plan so far
        relax = size <= (MAX_SETUP_COLUMNS if name == "setup_peak" else MAX_COLUMNS)
        level_share = _SHARE[k]
        if name in ("chair_peak", "setup_peak") and peaks_solved_whole(grid):
            level_share = _SMALL_DAY_PEAK_SHARE
        seconds = (deadline - time.perf_counter()) * level_share
        if k >= _FIRST_RELAXED and values[k] > bound and relax and seconds * _PACE >= size:
            step = relax_level(
                instance, grid, model, k, LevelStart(bound, current, values), seconds
            )
            bound, current, values, hints = step.bound, step.current, step.values, step.hints
        for i, start_from in enumerate(hints):
            share = level_share * (_FIRST_HINT_SHARE if i < len(hints) - 1 else 1.0)
            budget = (deadline - time.perf_counter()) * share
            if values[k] <= bound or budget <= 0.02:
                break
            det_budget = None
            if deterministic_limit is not None:
                det_budget = max((deterministic_limit - det_time) * share, 0.01)
            model.hint(start_from if start_from is not None else current)
            cp.minimize(model.objectives[k])
            status, solver = _solve(cp, budget, det_budget, workers, seed)
            det_time += solver.deterministic_time
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = model.read(solver)
                found_levels = grid.levels(found)
                if found_levels[: k + 1] <= values[: k + 1]:
                    current, values = found, found_levels
                bound = max(bound, solver.best_objective_bound)
                if status == cp_model.OPTIMAL:
                    bound = max(bound, float(values[k]))
        bound = min(bound, float(values[k]))
        proven.append(values[k] <= bound)
        results.append(_level(name, values[k], bound))
        cp.add(model.objectives[k] <= values[k])

    schedule = schedule_from_placement(instance, grid, current)
    if schedule is None or violations(instance, schedule) or values > ref_levels:
        # Safety net: never hand out something worse than, or less safe than, the reference.
        schedule, values = reference, list(ref_levels)
        results = [_level(r.name, v, min(r.bound, v)) for r, v in zip(results, values, strict=True)]
        proven = [False] * len(results)
    top = next((r for r in results if r.objective > r.bound), results[-1])
    return Schedule(
        schedule.assignments,
        schedule.unplaced,
        objective=top.objective,
        bound=top.bound,
        gap=top.gap,
        status="optimal" if all(proven) else "feasible",
        levels=tuple(results),
        solve_seconds=time.perf_counter() - began,
        extra={
            "deterministic_time": round(det_time, 3),
            "intervals": model.intervals,
            "constraints": len(cp.proto.constraints),
        },
    )


def _solve(
    cp: cp_model.CpModel, seconds: float, det: float | None, workers: int, seed: int
) -> tuple[int, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.01)
    if det is not None:
        solver.parameters.max_deterministic_time = det
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    return solver.solve(cp), solver


def _level(name: str, value: float, bound: float) -> LevelResult:
    gap_abs = max(float(value) - bound, 0.0)
    gap = gap_abs / value if bound > 0 and value > 0 else None
    return LevelResult(name, float(value), float(bound), gap, gap_abs)
