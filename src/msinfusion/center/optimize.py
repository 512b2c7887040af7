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
level, its bound is raised by the time-indexed linear relaxation (`lp_bound`, on days small enough
for it to be quick) and added to the model as a cut, so CP-SAT stops as soon as it reaches it; then
the level is solved as a MIP over the relaxation's own starts (`column_mip`), which often meets
that bound and so proves the level without any search, and for the preference level over every
start reduced-cost fixing leaves. The model is hinted with first-come-first-served (or the
caller's schedule) and the result is compared with it at the end, so the optimizer is never worse
than the baseline, whatever the time limit.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.bounds import level_bounds
from msinfusion.center.chairs import assign_chairs
from msinfusion.center.column_mip import fitting_starts, solve_restricted, with_plan
from msinfusion.center.grid import STEP, Grid
from msinfusion.center.instance import Instance
from msinfusion.center.optimize_model import LEVEL_NAMES, Model, build
from msinfusion.center.schedule import Assignment, LevelResult, Schedule
from msinfusion.center.time_indexed import (
    MAX_COLUMNS,
    Relaxed,
    columns,
    lp_bound,
)
from msinfusion.center.validate import violations

_SHARE = (0.25, 0.3, 0.3, 0.3, 1.0)
"""Share of the remaining time each level may use; unused time flows to the next level."""


_FIRST_RELAXED = 2
"""The linear relaxation is used from the chair peak on: CP-SAT closes the first two levels on its
own (the energetic bound is usually tight there), the peaks and the preference minutes never."""

PREFERENCE = len(LEVEL_NAMES) - 1

_MIP_SHARE = 0.5
"""Share of a level's time the restricted MIPs may use before CP-SAT searches."""

_SUPPORT_ONLY_SHARE = 0.3
"""Share of the MIP time for the relaxation's starts alone, before the current plan's are added."""

_GROUPS_SECONDS = 1.0
"""Time CP-SAT may take to give fixed starts their chair groups (it needs a fraction of that)."""

_MAX_FIXED_COLUMNS = 4_000
"""Reduced-cost fixing is tried when it leaves at most this many starts (HiGHS then proves the
level within seconds); with more the gap is too wide for it to pay."""

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
) -> Schedule:
    """Best schedule found within `time_limit` seconds, with per-level objective, bound and gap.

    `deterministic_limit` also caps CP-SAT's deterministic time (about one second of one core,
    whatever the load): benchmarks on a shared machine use it to get comparable, repeatable runs.
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
    relax = columns(grid) <= MAX_COLUMNS
    det_time = 0.0
    results: list[LevelResult] = []
    proven: list[bool] = []
    for k, name in enumerate(LEVEL_NAMES):
        if k == 1:
            # Bounds valid for every plan that leaves at most values[0] unplaced.
            lows = level_bounds(grid, unplaced=values[0])
            for peak, low in zip(model.peaks, (lows[2], lows[3]), strict=True):
                cp.add(peak >= low)
        if k == PREFERENCE:
            model.search_near_wishes()
        bound = float(lows[k])
        hints: list[dict[str, tuple[int, int]] | None] = [None]  # None: the best plan so far
        sketch = None
        if k >= _FIRST_RELAXED and values[k] > bound and relax:
            seconds = (deadline - time.perf_counter()) * _SHARE[k]
            relaxed = lp_bound(grid, k, values[:k], time_limit=seconds)
            if relaxed is not None and bound < relaxed.bound <= values[k]:
                bound = float(relaxed.bound)
                cp.add(model.objectives[k] >= relaxed.bound)  # valid cut: CP-SAT may stop there
            if relaxed is not None and values[k] > bound:
                budget = (
                    (deadline - time.perf_counter())
                    * _SHARE[k]
                    * (0.8 if k == PREFERENCE else _MIP_SHARE)
                )
                found, optimum, sketch = _restricted(
                    instance, grid, model, k, values, relaxed, current, budget
                )
                if found is not None:
                    current, values = found, grid.levels(found)
                if optimum is not None:
                    bound = max(bound, float(optimum))
            if sketch is not None and values[k] > bound:
                hints = [_with_groups(sketch, current, grid), None]
            elif relaxed is not None and k == PREFERENCE:
                plan = _rounded_plan(instance, grid, relaxed.starts)
                if plan is None:  # search from the rounded starts first, then from the best plan
                    hints = [_with_groups(relaxed.starts, current, grid), None]
                elif _improves(grid.levels(plan), values, k):
                    current, values = plan, grid.levels(plan)
        for i, start_from in enumerate(hints):
            share = _SHARE[k] * (_FIRST_HINT_SHARE if i < len(hints) - 1 else 1.0)
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

    schedule = _to_schedule(instance, grid, current)
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


def _restricted(
    instance: Instance,
    grid: Grid,
    model: Model,
    k: int,
    values: list[int],
    relaxed: Relaxed,
    current: dict[str, tuple[int, int]],
    seconds: float,
) -> tuple[dict[str, tuple[int, int]] | None, int | None, dict[str, int] | None]:
    """The level as a MIP over few starts (`column_mip`): first the relaxation's own starts, then,
    for the preference level, every start reduced-cost fixing leaves. Returns a better valid
    plan (or None), the level's proven lower bound (or None) and, when the MIP's better plan
    cannot be seated in the chair groups, its starts (a search hint)."""
    ends = time.perf_counter() + seconds
    better: dict[str, tuple[int, int]] | None = None
    sketch: dict[str, int] | None = None
    best = values[k]
    found = None
    for plan_too, share in ((False, _SUPPORT_ONLY_SHARE), (True, 1.0)):
        # The relaxation's starts alone make the smallest MIP; the current plan's starts make it
        # always feasible, but bigger and slower.
        starts = with_plan(relaxed.support or {}, current if plan_too else {})
        seconds = (ends - time.perf_counter()) * share
        found = solve_restricted(grid, k, values[:k], starts, time_limit=seconds, grouped=True)
        if found is not None:
            break
    plan = None if found is None else _valid_plan(instance, grid, model, found.placement, values, k)
    if found is not None and plan is not None and found.value < best:
        better, best = plan, found.value
    elif found is not None and found.value < best:
        sketch = {aid: slot for aid, (slot, _g) in found.placement.items()}
    if best <= relaxed.bound:
        return better, best, sketch
    if relaxed.costs is None:
        return better, None, sketch
    fitting = fitting_starts(relaxed.costs, best - 1 - relaxed.costs.base)
    if sum(v.size for v in fitting.values()) > _MAX_FIXED_COLUMNS:
        return better, None, sketch
    starts = with_plan(fitting, better or current)
    found = solve_restricted(
        grid, k, values[:k], starts, time_limit=ends - time.perf_counter(), grouped=False
    )
    if found is None:
        return better, None, sketch
    plan = _valid_plan(instance, grid, model, found.placement, values, k)
    if plan is not None and found.value < best:
        better, best = plan, found.value
    # Every start a better plan could use was in the MIP: its lower bound holds for the level.
    return better, min(best, found.lower), sketch


def _valid_plan(
    instance: Instance,
    grid: Grid,
    model: Model,
    placement: dict[str, tuple[int, int]],
    values: list[int],
    k: int,
) -> dict[str, tuple[int, int]] | None:
    """The placement's starts as a plan of the model, if they keep every hard rule and the levels
    before `k`: chairs coloured greedily, or, when greedy colouring fails (it does not look
    ahead: a patient without needs may take the bed a later patient needs), each appointment's
    chair group chosen by CP-SAT with every start fixed."""
    if grid.levels(placement)[:k] > values[:k]:
        return None
    slots = {aid: slot for aid, (slot, _g) in placement.items()}
    for schedule in (_to_schedule(instance, grid, placement), _schedule(instance, slots)):
        if schedule is not None and not violations(instance, schedule):
            return grid.placement(schedule)
    if len(grid.groups) < 2:
        return None
    grouped = model.with_starts(slots, _GROUPS_SECONDS)
    if grouped is None:
        return None
    schedule = _to_schedule(instance, grid, grouped)
    if schedule is None or violations(instance, schedule):
        return None
    return grouped


def _better(grid: Grid, found: dict[str, tuple[int, int]], values: list[int], k: int) -> bool:
    """Whether `found` keeps the levels before `k` and improves level `k`."""
    levels = grid.levels(found)
    return levels[:k] <= values[:k] and levels[k] < values[k]


def _improves(levels: list[int], values: list[int], k: int) -> bool:
    return levels[:k] <= values[:k] and levels[k] < values[k]


def _with_groups(
    starts: dict[str, int], current: dict[str, tuple[int, int]], grid: Grid
) -> dict[str, tuple[int, int]]:
    """Rounded starts with each appointment's chair group from the current plan (or its first)."""
    return {
        aid: (slot, current[aid][1] if aid in current else grid.by_id[aid].groups[0])
        for aid, slot in starts.items()
    }


def _rounded_plan(
    instance: Instance, grid: Grid, starts: dict[str, int]
) -> dict[str, tuple[int, int]] | None:
    """The relaxation's rounded starts as a placement, if they keep every hard rule."""
    schedule = _schedule(instance, starts)
    if schedule is None or violations(instance, schedule):
        return None
    return grid.placement(schedule)


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


def _to_schedule(
    instance: Instance, grid: Grid, placement: dict[str, tuple[int, int]]
) -> Schedule | None:
    """Placement on the grid -> chairs and minutes; None if the chairs cannot be coloured."""
    return _schedule(
        instance,
        {aid: s for aid, (s, _g) in placement.items()},
        {aid: grid.groups[g].chairs for aid, (_s, g) in placement.items()},
    )


def _schedule(
    instance: Instance, slots: dict[str, int], allowed: dict[str, tuple[int, ...]] | None = None
) -> Schedule | None:
    """Start slots (seated patients keep theirs) -> a schedule with chairs coloured greedily,
    within `allowed` chairs per appointment if given; None if the chairs cannot be coloured."""
    starts = {aid: STEP * s for aid, s in slots.items()}
    for a in instance.appointments:
        if a.seated is not None:
            starts[a.id] = a.seated.start
    try:
        chairs = assign_chairs(instance, starts, allowed=allowed)
    except ValueError:
        return None
    assignments = tuple(
        Assignment(a.id, chairs[a.id], starts[a.id])
        for a in instance.appointments
        if a.id in starts
    )
    unplaced = tuple(a.id for a in instance.appointments if a.id not in starts)
    return Schedule(assignments, unplaced)
