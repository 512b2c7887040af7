"""One objective level's work before CP-SAT searches it: the time-indexed relaxation's bound, then the
level as a MIP over few starts (`column_mip`), which often closes the level outright.

Why here and not in CP-SAT: CP-SAT's own relaxation of a cumulative is weak, so it rarely proves a
peak or the preference minutes; the time-indexed relaxation is strong and nearly integral, and a
MIP over the starts it uses is small enough for HiGHS to solve in a fraction of a second. What is
left open afterwards goes to CP-SAT, hinted from the best plan (docs/center.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from msinfusion.center.chairs import schedule_from_placement, schedule_from_slots
from msinfusion.center.column_mip import fitting_starts, solve_restricted, with_plan
from msinfusion.center.grid import LEVEL_NAMES, Grid
from msinfusion.center.instance import Instance
from msinfusion.center.optimize_model import Model
from msinfusion.center.time_indexed import Relaxed, lp_bound
from msinfusion.center.validate import violations

Placement = dict[str, tuple[int, int]]
"""{appointment id: (start slot, chair group)}."""

PREFERENCE = len(LEVEL_NAMES) - 1

_MIP_SHARE = {PREFERENCE: 0.8}
"""Share of a level's time (after the relaxation) the restricted MIPs may use before CP-SAT; the
preference level's MIPs are what finds its good plans, the peaks' CP-SAT closes well on its own."""
_DEFAULT_MIP_SHARE = 0.5

_SUPPORT_ONLY_SHARE = 0.3
"""Share of the MIP time for the relaxation's starts alone, before the current plan's are added."""

_GROUPS_SECONDS = 1.0
"""Time CP-SAT may take to give fixed starts their chair groups (it needs a fraction of that)."""

_MAX_FIXED_COLUMNS = 4_000
"""Reduced-cost fixing is tried when it leaves at most this many starts; with more the gap is too
wide for HiGHS to close in the time."""


@dataclass
class LevelStart:
    """What the relaxation step leaves for CP-SAT at one level."""

    bound: float
    current: Placement
    values: list[int]
    hints: list[Placement | None] = field(default_factory=lambda: [None])
    """Where CP-SAT searches from, in order (None: the best plan so far)."""


def relax_level(
    instance: Instance,
    grid: Grid,
    model: Model,
    k: int,
    start: LevelStart,
    seconds: float,
) -> LevelStart:
    """Raise level `k`'s bound by the relaxation (added to the model as a cut), improve the plan by
    the restricted MIPs, and choose CP-SAT's hints; within `seconds`."""
    began = time.perf_counter()
    bound, current, values = start.bound, start.current, list(start.values)
    relaxed = lp_bound(grid, k, values[:k], time_limit=seconds)
    if relaxed is None:
        return start
    if bound < relaxed.bound <= values[k]:
        bound = float(relaxed.bound)
        model.cp.add(model.objectives[k] >= relaxed.bound)  # valid cut: CP-SAT may stop there
    sketch = None
    if values[k] > bound:
        left = seconds - (time.perf_counter() - began)
        budget = left * _MIP_SHARE.get(k, _DEFAULT_MIP_SHARE)
        found, optimum, sketch = _restricted(
            instance, grid, model, k, values, relaxed, current, budget
        )
        if found is not None:
            current, values = found, grid.levels(found)
        if optimum is not None:
            bound = max(bound, float(optimum))
    hints: list[Placement | None] = [None]
    if sketch is not None and values[k] > bound:
        hints = [_with_groups(sketch, current, grid), None]
    elif k == PREFERENCE and values[k] > bound:
        plan = _valid_plan(instance, grid, None, _with_groups(relaxed.starts, {}, grid), values, k)
        if plan is None:  # search from the rounded starts first, then from the best plan
            hints = [_with_groups(relaxed.starts, current, grid), None]
        elif grid.levels(plan)[k] < values[k]:
            current, values = plan, grid.levels(plan)
    return LevelStart(bound, current, values, hints)


def _restricted(
    instance: Instance,
    grid: Grid,
    model: Model,
    k: int,
    values: list[int],
    relaxed: Relaxed,
    current: Placement,
    seconds: float,
) -> tuple[Placement | None, int | None, dict[str, int] | None]:
    """The level as a MIP over few starts: first the relaxation's own starts, then, for the
    preference level, every start reduced-cost fixing leaves. Returns a better valid plan (or
    None), the level's proven lower bound (or None) and, when the MIP's better plan cannot be
    seated in the chair groups, its starts (a search hint)."""
    ends = time.perf_counter() + seconds
    better: Placement | None = None
    sketch: dict[str, int] | None = None
    best = values[k]
    found = None
    for plan_too, share in ((False, _SUPPORT_ONLY_SHARE), (True, 1.0)):
        # The relaxation's starts alone make the smallest MIP; the current plan's starts make it
        # always feasible, but bigger and slower.
        starts = with_plan(relaxed.support or {}, current if plan_too else {})
        limit = (ends - time.perf_counter()) * share
        found = solve_restricted(grid, k, values[:k], starts, time_limit=limit, grouped=True)
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
    limit = ends - time.perf_counter()
    found = solve_restricted(grid, k, values[:k], starts, time_limit=limit, grouped=False)
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
    model: Model | None,
    placement: Placement,
    values: list[int],
    k: int,
) -> Placement | None:
    """The placement's starts as a plan of the model, if they keep every hard rule and the levels
    before `k`: chairs coloured per group, or greedily, or, when greedy colouring fails (it does
    not look ahead: a patient without needs may take the bed a later patient needs), each
    appointment's chair group chosen by CP-SAT with every start fixed (when `model` is given)."""
    if grid.levels(placement)[:k] > values[:k]:
        return None
    slots = {aid: slot for aid, (slot, _g) in placement.items()}
    for schedule in (
        schedule_from_placement(instance, grid, placement),
        schedule_from_slots(instance, slots),
    ):
        if schedule is not None and not violations(instance, schedule):
            return grid.placement(schedule)
    if model is None or len(grid.groups) < 2:
        return None
    grouped = model.with_starts(slots, _GROUPS_SECONDS)
    if grouped is None:
        return None
    schedule = schedule_from_placement(instance, grid, grouped)
    if schedule is None or violations(instance, schedule):
        return None
    return grouped


def _with_groups(starts: dict[str, int], current: Placement, grid: Grid) -> Placement:
    """Start slots with each appointment's chair group from the current plan (or its first)."""
    return {
        aid: (slot, current[aid][1] if aid in current else grid.by_id[aid].groups[0])
        for aid, slot in starts.items()
    }
