"""One objective level's work before CP-SAT searches it: the time-indexed relaxation's bound, then the
level as a MIP over few starts (`column_mip`), which often closes the level outright.

Why here and not in CP-SAT: CP-SAT's own relaxation of a cumulative is weak, so it rarely proves a
peak or the preference minutes; the time-indexed relaxation is strong and nearly integral, and a
MIP over the starts it uses is small enough for HiGHS to solve in a fraction of a second. What is
left open afterwards goes to CP-SAT, hinted from the best plan (docs/center.md).
"""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import numpy as np

from msinfusion.center.chairs import schedule_from_placement, schedule_from_slots
from msinfusion.center.column_mip import Restricted, fitting_starts, solve_restricted, with_plan
from msinfusion.center.grid import LEVEL_NAMES, Grid
from msinfusion.center.instance import Instance
from msinfusion.center.optimize_model import Model
from msinfusion.center.time_indexed import ReducedCosts, Relaxed, columns, lp_bound
from msinfusion.center.validate import violations

Placement = dict[str, tuple[int, int]]
"""{appointment id: (start slot, chair group)}."""

PREFERENCE = len(LEVEL_NAMES) - 1

_MIP_SHARE = {PREFERENCE: 0.8}
"""Share of a level's time (after the relaxation) the restricted MIPs may use before CP-SAT; the
preference level's MIPs are what finds its good plans, the peaks' CP-SAT closes well on its own."""
_DEFAULT_MIP_SHARE = 0.5

FULL_PEAK_COLUMNS = 6_000
"""Days with at most this many start columns (about 60 appointments) settle an open peak by the MIP
over every start: on a 60-appointment day whose set-up peak CP-SAT left at 4 against a bound of
3, HiGHS found 3 in 8 s; a 100-appointment day's (9,000-10,000 columns) took 24-44 s."""


def peaks_solved_whole(grid: Grid) -> bool:
    """Whether the day is small enough (`FULL_PEAK_COLUMNS`) for an open peak's MIP over every
    start."""
    return columns(grid) <= FULL_PEAK_COLUMNS


_FULL_PEAK_MIP_SHARE = 0.9
"""Share of such a level's time for its MIPs: the MIP over every start is exact, CP-SAT after it
rarely adds anything."""

_SUPPORT_ONLY_SHARE = 0.3
"""Share of the MIP time for the relaxation's starts alone, before the current plan's are added."""

_GROUPS_SECONDS = 1.0
"""Time CP-SAT may take to give fixed starts their chair groups (it needs a fraction of that)."""

_FIRST_COLUMNS = 1_000
"""Starts in the first round of reduced-cost fixing: about seven times the relaxation's own, a MIP
HiGHS solves in a few seconds."""

_PER_SECOND = 100
"""First-round starts per second of MIP time: 1,000-start rounds took 0.2-17 s, half of them
within 10 s."""

_FIRST_COLUMNS_FLOOR = 300
"""Fewest starts in a first round: about twice the relaxation's own on a 100-appointment day."""

_MAX_FIXED_COLUMNS = 4_000
"""Most starts in the larger round; with more, HiGHS rarely closes the MIP in the time left."""

_PARALLEL_ROUNDS = 2
"""Fixing rounds at once: one per core of the machines this runs on."""


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
    relaxed = lp_bound(grid, k, values[:k], time_limit=seconds, plan=current)
    if relaxed is None:
        return start
    if bound < relaxed.bound <= values[k]:
        bound = float(relaxed.bound)
        model.cp.add(model.objectives[k] >= relaxed.bound)  # valid cut: CP-SAT may stop there
    sketch = None
    if values[k] > bound:
        left = seconds - (time.perf_counter() - began)
        share = _MIP_SHARE.get(k, _DEFAULT_MIP_SHARE)
        if k < PREFERENCE and peaks_solved_whole(grid):
            share = _FULL_PEAK_MIP_SHARE
        budget = left * share
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
    preference level, the starts reduced-cost fixing leaves (`_fixed_rounds`), and for a peak on a
    small day (`FULL_PEAK_COLUMNS`), every start. Returns a better
    valid plan (or None), the level's proven lower bound (or None) and, when the MIP's better plan
    cannot be seated in the chair groups, its starts (a search hint)."""
    ends = time.perf_counter() + seconds
    best = values[k]
    better, sketch = None, None
    # The relaxation's starts alone make the smallest MIP; the current plan's starts make it
    # always feasible, but bigger and slower. With reduced costs (the preference level) the first
    # fixing round does better than the latter at once.
    tries = (
        ((False, _SUPPORT_ONLY_SHARE),)
        if relaxed.costs is not None
        else ((False, _SUPPORT_ONLY_SHARE), (True, 1.0))
    )
    for plan_too, share in tries:
        starts = with_plan(relaxed.support or {}, current if plan_too else {})
        limit = (ends - time.perf_counter()) * share
        found, better, sketch = _solve_seated(
            instance, grid, model, k, values, starts, time.perf_counter() + limit
        )
        if found is not None:
            break
    if better is not None:
        best = grid.levels(better)[k]
    if best <= relaxed.bound:
        return better, best, sketch
    if relaxed.costs is None:
        if not peaks_solved_whole(grid):
            return better, None, sketch
        # A peak on a small day: the MIP over every start settles it (its bound is the level's,
        # the program being the day's without chair groups, which only relaxes it).
        every = {it.id: range(it.e, it.l + 1) for it in grid.free if it.placeable}
        found, plan, late_sketch = _solve_seated(
            instance, grid, model, k, values, with_plan(every, better or current), ends
        )
        return plan or better, None if found is None else found.lower, late_sketch or sketch
    rounds = _fixed_rounds(instance, grid, model, k, values, relaxed.costs, better or current, ends)
    return rounds[0] or better, rounds[1], sketch


def _fixed_rounds(
    instance: Instance,
    grid: Grid,
    model: Model,
    k: int,
    values: list[int],
    costs: ReducedCosts,
    plan: Placement,
    ends: float,
) -> tuple[Placement | None, int | None]:
    """Reduced-cost fixing in rounds: the MIP over the starts whose reduced cost is at most a
    slack s. Every plan of value <= base + s uses only such starts, so a MIP value V with
    V - step <= base + s is the level's optimum (values are multiples of `step`), and the MIP's
    bound or the first multiple of `step` above base + s, whichever is lower, bounds the level in
    any case, whatever the other rounds do.

    Two rounds run side by side, one on each core (HiGHS's MIP search uses one): the cheapest
    starts (`_FIRST_COLUMNS`), which often hold the optimum and close fast, and up to
    `_MAX_FIXED_COLUMNS`, slower but exact more often. Which one proves the level first differs
    from day to day; the first proof cancels the other. When a round ends with a better plan, a
    round over every start a still better plan may use follows, if that set is new and small
    enough, or smaller than a round still running. Returns a better valid plan (or None) and
    the bound."""
    flat = np.sort(np.concatenate([np.zeros(0), *costs.slots.values()]))
    if flat.size == 0:
        return None, None
    rounds = _Rounds(grid.levels(plan)[k], costs, flat)
    # With little time (a short limit), a smaller first round still finishes.
    first = int(
        min(_FIRST_COLUMNS, max(_FIRST_COLUMNS_FLOOR, (ends - time.perf_counter()) * _PER_SECOND))
    )
    stop = threading.Event()

    def solve(
        slack: float, best: int, incumbent: Placement, proving: bool
    ) -> tuple[float, Restricted | None, Placement | None, bool]:
        starts = with_plan(fitting_starts(costs, slack), incumbent)
        found, seated, sketch = _solve_seated(
            instance,
            grid,
            model,
            k,
            [*values[:k], best],
            starts,
            ends,
            stop,
            incumbent if proving else None,
        )
        return slack, found, seated, sketch is not None

    with ThreadPoolExecutor(max_workers=_PARALLEL_ROUNDS) as pool:
        running: set[Future] = set()
        for cap in (first, _MAX_FIXED_COLUMNS):
            slack = rounds.next_slack(cap)
            if slack is None:
                return rounds.better, rounds.best  # no plan is better than the base allows
            if rounds.new(slack):
                running.add(pool.submit(solve, slack, rounds.best, plan, False))
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                slack, found, seated, unseated = future.result()
                rounds.record(slack, found, seated, grid, k)
                if unseated:
                    rounds.closed = True  # a plan the chairs cannot take: left to CP-SAT
            if rounds.closed or rounds.proven():
                stop.set()
                continue
            slack = rounds.next_slack(_MAX_FIXED_COLUMNS)
            if slack is not None and rounds.new(slack) and time.perf_counter() < ends:
                # A round after a better plan: if it has every start a still better plan may
                # use, it is there to prove, and handed that plan HiGHS skips its own search for
                # plans (its root sub-MIPs: most of the time of such a MIP).
                exact = slack >= rounds.best - costs.step - costs.base
                incumbent = rounds.better or plan
                running.add(pool.submit(solve, slack, rounds.best, incumbent, exact))
    return rounds.better, None if rounds.lower is None else min(rounds.lower, rounds.best)


@dataclass
class _Rounds:
    """What the fixing rounds have found so far: the best value, its plan, the bound."""

    best: int
    costs: ReducedCosts
    flat: np.ndarray
    """Every start's reduced cost, sorted."""
    better: Placement | None = None
    lower: int | None = None
    slacks: list[float] = field(default_factory=list)
    closed: bool = False

    def next_slack(self, cap: int) -> float | None:
        """The slack of a round over about `cap` starts (or every start a plan better than the
        best may use, if fewer); None when no plan can be better than the best."""
        step, base = self.costs.step, self.costs.base
        exact = self.best - step - base
        if exact < 0:
            return None
        cheapest = float(self.flat[min(cap, self.flat.size) - 1])
        # Up to the next multiple of step: those starts cost little and may be what lets this
        # round prove its value.
        slack = step * math.ceil((base + cheapest) / step) - base
        if np.searchsorted(self.flat, slack, side="right") > 2 * cap:
            slack = cheapest  # many ties below the boundary: a MIP that size would not finish
        return min(exact, slack)

    def new(self, slack: float) -> bool:
        """Whether a round with this slack is worth starting: it looks at starts no earlier round
        had, or it is exact (every start a better plan may use) and smaller than the rounds
        still running, so it proves the level sooner."""
        exact = slack >= self.best - self.costs.step - self.costs.base
        if slack in self.slacks or (self.slacks and slack <= max(self.slacks) and not exact):
            return False
        self.slacks.append(slack)
        return True

    def record(
        self,
        slack: float,
        found: Restricted | None,
        seated: Placement | None,
        grid: Grid,
        k: int,
    ) -> None:
        if found is None:
            return
        step, base = self.costs.step, self.costs.base
        beyond = step * (math.floor((base + slack) / step) + 1)
        proven = step * math.ceil(found.lower / step)  # values are multiples of it
        self.lower = max(self.lower or 0, min(proven, beyond))
        value = grid.levels(seated)[k] if seated is not None else None
        if value is not None and value < self.best:
            self.better, self.best = seated, value

    def proven(self) -> bool:
        return self.lower is not None and self.lower >= self.best


def _solve_seated(
    instance: Instance,
    grid: Grid,
    model: Model,
    k: int,
    values: list[int],
    starts: dict[str, set[int]],
    ends: float,
    stop: threading.Event | None = None,
    incumbent: Placement | None = None,
) -> tuple[Restricted | None, Placement | None, dict[str, int] | None]:
    """The restricted MIP over `starts` without chair groups, and its plan seated if it improves
    level `k`. When it cannot be seated (someone without needs would hold a bed a later patient
    needs), the same starts with the chair groups: slower, but seated by construction. Returns
    the MIP's result (the grouped one after a fallback), the seated plan or None, and the
    unseated starts (a search hint) when even the fallback found none. `incumbent`, a valid plan
    within `starts`, is the MIPs' first solution (`solve_restricted`)."""

    def mip(grouped: bool) -> Restricted | None:
        left = ends - time.perf_counter()
        return solve_restricted(
            grid,
            k,
            values[:k],
            starts,
            time_limit=left,
            grouped=grouped,
            stop=stop,
            incumbent=incumbent,
        )

    found = mip(grouped=False)
    plan, sketch = _seated(instance, grid, model, found, values, k)
    if sketch is None:
        return found, plan, None
    grouped = mip(grouped=True)
    plan, _ = _seated(instance, grid, model, grouped, values, k)
    if grouped is None:
        return found, None, sketch
    if found is not None:  # both bounds hold for the grouped program over these starts
        grouped = grouped._replace(lower=max(grouped.lower, found.lower))
    return grouped, plan, None if plan is not None else sketch


def _seated(
    instance: Instance,
    grid: Grid,
    model: Model,
    found: Restricted | None,
    values: list[int],
    k: int,
) -> tuple[Placement | None, dict[str, int] | None]:
    """A restricted MIP's plan as a valid plan if it improves level `k` (chair groups chosen by
    `_valid_plan`); otherwise, if it improves the level but cannot be seated, its starts."""
    if found is None or found.value >= values[k]:
        return None, None
    plan = _valid_plan(instance, grid, model, found.placement, values, k)
    if plan is not None:
        return plan, None
    return None, {aid: slot for aid, (slot, _g) in found.placement.items()}


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
