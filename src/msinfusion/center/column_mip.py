"""The day's time-indexed program as a MIP over a few chosen start slots (HiGHS through highspy).

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
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import highspy
import numpy as np
import scipy.sparse as sp

from msinfusion.center.grid import Grid
from msinfusion.center.time_indexed import Program, ReducedCosts, granularity


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
    stop: threading.Event | None = None,
    incumbent: Mapping[str, tuple[int, int]] | None = None,
) -> Restricted | None:
    """Best plan for `level` (2-4) using only `starts` per appointment, with the levels before it
    at most `fixed`; None when HiGHS finds no plan within `time_limit` seconds (or before `stop`
    is set: rounds running side by side cancel each other once one proves the level).

    `incumbent`, a plan whose every start is among `starts` and which keeps `fixed`, is handed to
    HiGHS as its first solution, and HiGHS's own search for plans (its root sub-MIPs: RINS, RENS,
    root reduced cost) is switched off, for a MIP that is there to prove a good plan optimal: on
    an open 100-appointment day those sub-MIPs took 19 of the 24 s of a 4,000-start MIP that one
    branching node then proved. Without an incumbent they stay on: they are what finds good plans."""
    program = Program(grid, starts, grouped=grouped)
    if program.n == 0 or time_limit <= 0.01:
        return None
    cost, a, b, to_x = program.steps(*program.problem(level, fixed))
    upper = np.ones(program.n + 1)
    upper[-1] = np.inf if level in (2, 3) else 0.0
    step = granularity(cost)
    start = None if incumbent is None else program.steps_of(incumbent, level)
    solved = _highs_mip(cost, a, b, upper, time_limit, step, stop, start)
    if solved is None:
        return None
    z, dual, optimal = solved
    placement = program.placement(to_x @ np.round(z))
    value = grid.levels(placement)[level]
    # The bound is HiGHS's dual bound, never the value itself: HiGHS's own "optimal" allows a
    # small gap (and a cancelled or timed-out run has a bound below the value). Every value is a
    # multiple of `step`, so the bound rounds up to one.
    lower = min(value, step * math.ceil((dual - 1e-6) / step)) if math.isfinite(dual) else 0
    return Restricted(placement, value, optimal and lower >= value, lower)


def _highs_mip(
    cost: np.ndarray,
    a: sp.csr_matrix,
    b: np.ndarray,
    upper: np.ndarray,
    time_limit: float,
    step: int,
    stop: threading.Event | None,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, float, bool] | None:
    """min cost.z s.t. a z <= b, 0 <= z <= upper, z integer, by HiGHS: the best solution, the
    dual bound and whether it is proven optimal; None when no solution was found. `stop`, when
    set from another thread, interrupts the search (HiGHS releases the GIL while it runs).
    `start`, a feasible z, is HiGHS's first solution; with it the sub-MIP heuristics are off."""
    n = cost.size
    mip = highspy.Highs()
    mip.silent()
    mip.addVars(n, np.zeros(n), upper.astype(float))
    columns = np.arange(n, dtype=np.int32)
    mip.changeColsCost(n, columns, cost.astype(float))
    mip.changeColsIntegrality(n, columns, np.full(n, highspy.HighsVarType.kInteger))
    mip.addRows(
        a.shape[0],
        np.full(a.shape[0], -highspy.kHighsInf),
        np.asarray(b, dtype=float),
        a.nnz,
        a.indptr.astype(np.int32),
        a.indices.astype(np.int32),
        a.data.astype(float),
    )
    mip.setOptionValue("time_limit", max(float(time_limit), 0.01))
    # One thread: rounds run side by side in short-lived threads, and a HiGHS scheduler with worker
    # threads of its own can deadlock when the thread that started it exits (HiGHS #1886).
    mip.setOptionValue("threads", 1)
    # Presolve spends seconds on these programs and removes almost nothing (a few of thousands of
    # columns); without it HiGHS reaches its first plan twice as fast.
    mip.setOptionValue("presolve", "off")
    # Every plan's value is a multiple of `step`: a bound within one step of the value proves it
    # (the same rounding as `lower` below, so HiGHS stops as soon as that bound proves the value).
    mip.setOptionValue("mip_rel_gap", 0.0)
    mip.setOptionValue("mip_abs_gap", (1.0 - 1e-6) * step)
    if start is not None:
        for heuristic in ("rins", "rens", "root_reduced_cost"):
            mip.setOptionValue(f"mip_heuristic_run_{heuristic}", False)
        given = highspy.HighsSolution()
        given.col_value = start.astype(float).tolist()
        given.value_valid = True
        mip.setSolution(given)
    if stop is not None:
        mip.cbMipInterrupt += lambda event: event.interrupt() if stop.is_set() else None
    mip.run()
    info = mip.getInfo()
    if info.primal_solution_status != highspy.SolutionStatus.kSolutionStatusFeasible:
        return None
    z = np.asarray(mip.getSolution().col_value, dtype=float)
    optimal = mip.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return z, float(info.mip_dual_bound), optimal


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
