"""The day's time-indexed program as a MIP over a few chosen start slots (HiGHS through SciPy).

The full time-indexed MIP of a 100-appointment day (about 10,000 columns) finds no plan within a
30-second limit, but its linear relaxation is nearly integral: most appointments put all their
weight on one start, the rest on two or three. Restricted to the starts the relaxation uses (and
the current plan's, so the current plan stays feasible), the MIP has a few hundred columns and
HiGHS solves it in a fraction of a second. Its plan often meets the relaxation's bound, which
proves the level optimal outright.

The MIP is solved over step variables (`Program.steps`), which HiGHS closes several times faster.
By default it leaves the chair groups (beds, isolation rooms, pinned chairs) out, as the relaxation
does, keeping only "those limited to beds fit in the beds" rows: with the groups, each start is one
column per group the appointment may use, and the symmetric copies make the MIP several times
slower. The plan's chairs are then chosen afterwards (`optimize_relaxed._valid_plan`), which
almost always succeeds; `grouped=True` keeps the groups, so every plan seats by construction.

Reduced-cost fixing makes it exact: with a plan of value U and the relaxation's Lagrangian bound
(`time_indexed.ReducedCosts`), any plan better than U uses only starts whose reduced cost fits
within U - step - base (every value is a multiple of the costs' step, 5 minutes for the
preference level). When that set is small, the MIP over it (plus the current plan) is solved to
optimality and its value is the level's optimum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from msinfusion.center.grid import Grid
from msinfusion.center.time_indexed import Program, ReducedCosts


class Restricted(NamedTuple):
    placement: dict[str, tuple[int, int]]
    """{id: (start slot, chair group)} of the best plan found."""
    value: int
    """Its value of the level."""
    optimal: bool
    """Whether HiGHS proved it optimal over the given starts."""
    lower: int
    """HiGHS's lower bound over the given starts (its dual bound, rounded up)."""


def solve_restricted(
    grid: Grid,
    level: int,
    fixed: Sequence[int],
    starts: Mapping[str, Iterable[int]],
    *,
    time_limit: float,
    grouped: bool = False,
) -> Restricted | None:
    """Best plan for `level` (2-4) using only `starts` per appointment, with the levels before it
    at most `fixed`; None when HiGHS finds no plan within `time_limit` seconds."""
    program = Program(grid, starts, grouped=grouped)
    if program.n == 0 or time_limit <= 0.01:
        return None
    cost, a, b, to_x = program.steps(*program.problem(level, fixed))
    upper = np.ones(program.n + 1)
    upper[-1] = np.inf if level in (2, 3) else 0.0
    result = milp(
        cost,
        constraints=[LinearConstraint(a, -np.inf, b)],
        integrality=np.ones(program.n + 1),
        bounds=Bounds(np.zeros(program.n + 1), upper),
        # Presolve spends seconds on these programs and removes almost nothing (a few of
        # thousands of columns); without it HiGHS reaches its first plan twice as fast.
        options={"time_limit": time_limit, "disp": False, "presolve": False},
    )
    if result.x is None:
        return None
    placement = program.placement(to_x @ np.round(result.x))
    value = grid.levels(placement)[level]
    # HiGHS calls a MIP optimal within a relative gap of 1e-4: on a 400-appointment day's
    # preference minutes (about 60,000) that is more than one 5-minute step, so the bound is its
    # dual bound, never the value itself.
    dual = getattr(result, "mip_dual_bound", None)
    if dual is not None and math.isfinite(dual):
        lower = min(value, math.ceil(dual - 1e-6))
    elif result.status == 0:
        lower = value
    else:  # stopped before any bound: nothing proven
        lower = 0
    return Restricted(placement, value, result.status == 0, lower)


def fitting_starts(costs: ReducedCosts, slack: float) -> dict[str, np.ndarray]:
    """Per appointment the starts whose reduced cost is at most `slack` (reduced-cost fixing:
    no plan with value <= base + slack uses any other start)."""
    return {
        aid: costs.first[aid] + np.flatnonzero(values <= slack)
        for aid, values in costs.slots.items()
    }


def with_plan(
    starts: Mapping[str, Iterable[int]], placement: Mapping[str, tuple[int, int]]
) -> dict[str, set[int]]:
    """`starts` plus each appointment's start in `placement` (so that plan stays feasible)."""
    out: dict[str, set[int]] = {aid: {int(t) for t in slots} for aid, slots in starts.items()}
    for aid, (slot, _group) in placement.items():
        out.setdefault(aid, set()).add(int(slot))
    return out
