"""Lower bounds for the objective levels from the day's time-indexed linear relaxation.

CP-SAT proves a min-max level (the peaks) or a sum of deviations (preference minutes) only by
search: its own relaxation of a cumulative is weak. The time-indexed formulation is the classic
strong one for this kind of problem: a variable x[i, t] in [0, 1] for "appointment i starts in slot
t", one row per slot and resource saying what is in use there. Its linear relaxation, solved by
HiGHS (through SciPy), closes the peak levels on most days of up to 100 appointments; levels are
whole numbers, so the relaxation's value rounded up is the bound.

The relaxation keeps every rule of the model except which chair group an appointment sits in
(beds, isolation rooms): dropping a rule only weakens a lower bound, never makes it wrong. Earlier
levels enter as the lexicographic solve fixed them (`level <= value`), so a bound is what this
level could reach given those, which is what CP-SAT's own bound means too.

Tried and left out: the same program as a MIP (HiGHS branch-and-cut) for the preference level. On
a 60-appointment day it proved an optimum 23% below CP-SAT's plan, but took over a minute, and
found no plan at all within 20 seconds once the chair groups were kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from msinfusion.center.grid import STEP, Grid, Item

MAX_COLUMNS = 15_000
"""Above this many x[i, t] columns (about 200 appointments) the relaxation takes longer than a
level's share of a 30-second limit on a 2-core machine; the optimizer then keeps the energetic
bound."""

_TOLERANCE = 1e-6
"""How far below a whole number an LP value may fall and still round up to it (solver noise)."""


def columns(grid: Grid) -> int:
    """How many x[i, t] columns the relaxation of this day has (chair groups left out)."""
    return sum(it.l - it.e + 1 for it in grid.free if it.placeable)


class _Program:
    """Columns x[i, t] and the rows of every rule and level, as `(matrix, upper bound)`."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.items: list[Item] = [it for it in grid.free if it.placeable]
        starts = [np.arange(it.e, it.l + 1) for it in self.items]
        sizes = np.array([s.size for s in starts], dtype=np.int64)
        self.item = np.repeat(np.arange(len(self.items)), sizes)
        self.start = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        self.n = self.start.size
        self.never = len(grid.free) - len(self.items)
        self.chair = self.cover(np.array([it.d for it in self.items], dtype=np.int64))
        self.setup = self.cover(np.array([it.ns for it in self.items], dtype=np.int64))

    def cover(self, lengths: np.ndarray) -> sp.csr_matrix:
        """Slot-by-column matrix: 1 where the column's appointment uses the slot (`lengths`
        slots from its start)."""
        g = self.grid
        per_col = lengths[self.item]
        total = int(per_col.sum())
        cols = np.repeat(np.arange(self.n), per_col)
        first = np.repeat(np.cumsum(per_col) - per_col, per_col)
        rows = np.repeat(self.start - g.t0, per_col) + (np.arange(total) - first)
        return sp.csr_matrix((np.ones(total), (rows, cols)), shape=(g.n, self.n))

    def late(self) -> np.ndarray:
        late_from = np.array([it.late_from for it in self.items], dtype=np.int64)[self.item]
        return np.maximum(0, self.start - late_from + 1).astype(float)

    def preference(self) -> np.ndarray:
        pref = np.array([it.pref if it.pref is not None else -1 for it in self.items])
        weight = np.array([it.weight if it.pref is not None else 0 for it in self.items])
        return (weight[self.item] * np.abs(STEP * self.start - pref[self.item])).astype(float)

    def rows(self, level: int, fixed: Sequence[int]) -> tuple[list[sp.spmatrix], list[np.ndarray]]:
        """Every rule, and the levels before `level` at most their `fixed` values (x only)."""
        g = self.grid
        out: list[tuple[sp.spmatrix, np.ndarray | float]] = [
            (sp.csr_matrix((np.ones(self.n), (self.item, np.arange(self.n)))), 1.0),
            (self.chair, g.chair_res),
            (self.setup, g.start_res),
        ]
        if level > 0:  # at most fixed[0] unplaced: at least this many placed
            placed = len(self.items) - (fixed[0] - self.never)
            out.append((-sp.csr_matrix(np.ones((1, self.n))), -placed))
        if level > 1:
            out.append((sp.csr_matrix(self.late()[None, :]), fixed[1] / STEP))
        if level > 2:
            out.append((self.chair, fixed[2] - g.chair_fixed))
        if level > 3:
            out.append((self.setup, fixed[3] - g.seated_starting))
        mats = [m for m, _ in out]
        ubs = [np.broadcast_to(np.asarray(b, dtype=float), (m.shape[0],)) for m, b in out]
        return mats, ubs

    def rounded(self, x: np.ndarray) -> dict[str, int]:
        """Per appointment with any weight, the start slot of its heaviest column."""
        order = np.lexsort((-x, self.item))  # by appointment, heaviest column first
        first = np.ones(order.size, dtype=bool)
        first[1:] = self.item[order][1:] != self.item[order][:-1]
        best = order[first]
        return {self.items[self.item[j]].id: int(self.start[j]) for j in best if x[j] > _TOLERANCE}


class Relaxed(NamedTuple):
    bound: int
    """The level's lower bound: the relaxation's value rounded up."""
    starts: dict[str, int]
    """Per appointment the start slot the relaxation gives the most weight (a rounded plan: a
    search hint, not necessarily feasible)."""


def lp_bound(
    grid: Grid, level: int, fixed: Sequence[int], *, time_limit: float = 10.0
) -> Relaxed | None:
    """Lower bound of `level` (0-4, `grid.LEVEL_NAMES`) with levels before it at most `fixed`.

    None when the relaxation was not solved to optimality within `time_limit` seconds (only an
    optimal LP value is a bound) or when it is infeasible (then the earlier values cannot hold on
    this grid, which the caller's own checks report).
    """
    if grid.n == 0:
        return None
    program = _Program(grid)
    n, m = program.n, grid.n
    if n == 0:
        return None
    mats, ubs = program.rows(level, fixed)
    mats = [sp.hstack([a, sp.csr_matrix((a.shape[0], 1))]) for a in mats]
    cost = np.zeros(n + 1)
    if level == 0:
        cost[:n] = -1.0  # most placed
    elif level == 1:
        cost[:n] = STEP * program.late()
    elif level in (2, 3):  # min P: load + fixed load <= P in every slot
        load = program.chair if level == 2 else program.setup
        fixed_load = grid.chair_fixed if level == 2 else grid.seated_starting
        mats.append(sp.hstack([load, sp.csr_matrix(np.full((m, 1), -1.0))]))
        ubs.append(-fixed_load.astype(float))
        cost[n] = 1.0
    else:
        cost[:n] = program.preference()
    result = linprog(
        cost,
        A_ub=sp.vstack(mats, format="csr"),
        b_ub=np.concatenate(ubs),
        bounds=[(0.0, 1.0)] * n + [(0.0, None)],
        method="highs-ipm",  # interior point: steadier than simplex on these degenerate LPs
        options={"time_limit": max(time_limit, 0.01)},
    )
    if result.status != 0:
        return None
    value = float(result.fun)
    if level == 0:
        bound = program.never + len(program.items) - math.floor(-value + _TOLERANCE)
    else:
        bound = max(0, math.ceil(value - _TOLERANCE))
    return Relaxed(bound, program.rounded(result.x[:n]))
