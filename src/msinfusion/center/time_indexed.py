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

The same program over a few chosen starts, with chair groups, is the restricted MIP of
`column_mip`; the relaxation's dual prices give the reduced costs that choose them
(`ReducedCosts`). Over all starts the MIP finds no plan within the time limit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from msinfusion.center.grid import LEVEL_NAMES, STEP, Grid, Item
from msinfusion.center.pricing import near, solve_priced

MAX_COLUMNS = 60_000
"""Above this many x[i, t] columns (days of over about 500 appointments) the optimizer keeps the
energetic bound. Solved by pricing (`pricing`), a 400-appointment day's relaxation (about 44,000
columns) takes 4-8 s; solved whole it took longer than a level's share of a 30-second limit from
about 200 appointments on."""

MAX_SETUP_COLUMNS = 15_000
"""The set-up peak's relaxation is far more degenerate (many starts tie): on a 400-appointment day
pricing needed 28 s and gave the energetic bound (18) anyway, so above this many columns (about 150
appointments) that level keeps the energetic bound and all its time goes to CP-SAT."""

_TOLERANCE = 1e-6
"""How far below a whole number an LP value may fall and still round up to it (solver noise)."""


def columns(grid: Grid) -> int:
    """How many x[i, t] columns the relaxation of this day has (chair groups left out)."""
    return sum(it.l - it.e + 1 for it in grid.free if it.placeable)


class Program:
    """Columns x[i, t] (or x[i, t, g] with chair groups) and the rows of every rule and level.

    Without `columns`, every allowed start of every placeable appointment, chair groups left out
    (the relaxation). With `columns` = {id: start slots}, only those starts, each once per chair
    group the appointment may use when `grouped` (the restricted MIP, `column_mip`)."""

    def __init__(
        self,
        grid: Grid,
        columns: Mapping[str, Iterable[int]] | None = None,
        grouped: bool = False,
    ) -> None:
        self.grid = grid
        self.items: list[Item] = [it for it in grid.free if it.placeable]
        item: list[np.ndarray] = []
        start: list[np.ndarray] = []
        group: list[np.ndarray] = []
        for k, it in enumerate(self.items):
            if columns is None:
                slots = np.arange(it.e, it.l + 1)
            else:
                slots = np.unique(np.asarray(list(columns.get(it.id, ())), dtype=np.int64))
                slots = slots[(slots >= it.e) & (slots <= it.l)]
            for gg in it.groups if grouped else (-1,):
                item.append(np.full(slots.size, k, dtype=np.int64))
                start.append(slots)
                group.append(np.full(slots.size, gg, dtype=np.int64))
        empty = np.zeros(0, dtype=np.int64)
        self.item = np.concatenate(item) if item else empty
        self.start = np.concatenate(start) if start else empty
        self.group = np.concatenate(group) if group else empty
        self.grouped = grouped
        self.columns_given = columns is not None
        self.n = self.start.size
        self.never = len(grid.free) - len(self.items)
        self.chair = self.cover(np.array([it.d for it in self.items], dtype=np.int64))
        self.setup = self.cover(np.array([it.ns for it in self.items], dtype=np.int64))

    def cover(self, lengths: np.ndarray) -> sp.csr_matrix:
        """Slot-by-column matrix: 1 where the column's appointment uses the slot (`lengths`
        slots from its start)."""
        g = self.grid
        per_col = lengths[self.item] if self.n else np.zeros(0, dtype=np.int64)
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
            (
                sp.csr_matrix(
                    (np.ones(self.n), (self.item, np.arange(self.n))),
                    shape=(len(self.items), self.n),
                ),
                1.0,
            ),
            (self.chair, g.chair_res),
            (self.setup, g.start_res),
        ]
        if self.grouped and len(g.groups) > 1:
            for gg, grp in enumerate(g.groups):
                mask = sp.diags((self.group == gg).astype(float))
                out.append((self.chair @ mask, grp.residual))
        elif len(g.groups) > 1:
            out.extend(self._needs_rows())
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

    def _needs_rows(self) -> list[tuple[sp.spmatrix, np.ndarray]]:
        """Without chair groups: for each set of groups some appointments are limited to (beds,
        say), those appointments fit in these groups' chairs at every slot. A necessary condition
        (not sufficient: see `_valid_plan`), so a relaxation and a MIP keep being relaxations."""
        everyone = tuple(range(len(self.grid.groups)))
        limited = {it.groups for it in self.items if it.groups != everyone}
        out = []
        for allowed in sorted(limited):
            inside = np.array([set(it.groups) <= set(allowed) for it in self.items])
            residual = sum(self.grid.groups[gg].residual for gg in allowed)
            mask = sp.diags(inside[self.item].astype(float))
            out.append((self.chair @ mask, residual))
        return out

    def problem(
        self, level: int, fixed: Sequence[int]
    ) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray]:
        """`(cost, A, b)` of min cost.(x, P) s.t. A (x, P) <= b; the last column P is the peak of
        levels 2 and 3 (unused, cost 0, otherwise)."""
        n, m = self.n, self.grid.n
        mats, ubs = self.rows(level, fixed)
        mats = [sp.hstack([a, sp.csr_matrix((a.shape[0], 1))]) for a in mats]
        cost = np.zeros(n + 1)
        if level == 0:
            cost[:n] = -1.0  # most placed
        elif level == 1:
            cost[:n] = STEP * self.late()
        elif level in (2, 3):  # min P: load + fixed load <= P in every slot
            load = self.chair if level == 2 else self.setup
            fixed_load = self.grid.chair_fixed if level == 2 else self.grid.seated_starting
            mats.append(sp.hstack([load, sp.csr_matrix(np.full((m, 1), -1.0))]))
            ubs.append(-fixed_load.astype(float))
            cost[n] = 1.0
        else:
            cost[:n] = self.preference()
        return cost, sp.vstack(mats, format="csr"), np.concatenate(ubs)

    def steps(
        self, cost: np.ndarray, a: sp.csr_matrix, b: np.ndarray
    ) -> tuple[np.ndarray, sp.csr_matrix, np.ndarray, sp.csr_matrix]:
        """`problem`'s program over step variables: z[j] = 1 when the appointment has started by
        column j's start (its columns are in start order), so x = D z. The same program with the
        same relaxation, but a chair row sees a start and an end instead of every slot between
        (a tenth of the nonzeros), and HiGHS branching on z ("started by t or not") closes these
        MIPs several times faster. Returns `(cost, A, b, D)` with rows z[j] <= z[j + 1] added."""
        total = a.shape[1]
        block = self.item * (len(self.grid.groups) + 1) + (self.group + 1)
        same = np.flatnonzero(block[1:] == block[:-1])  # z[j] and z[j + 1] of one appointment
        ones = np.ones(same.size)
        d = sp.csr_matrix(
            (
                np.concatenate([np.ones(total), -ones]),
                (
                    np.concatenate([np.arange(total), same + 1]),
                    np.concatenate([np.arange(total), same]),
                ),
            ),
            shape=(total, total),
        )
        az = (a @ d).tocsr()
        az.eliminate_zeros()
        rise = sp.csr_matrix(
            (
                np.concatenate([ones, -ones]),
                (np.tile(np.arange(same.size), 2), np.concatenate([same, same + 1])),
            ),
            shape=(same.size, total),
        )
        return (
            cost @ d,
            sp.vstack([az, rise], format="csr"),
            np.concatenate([b, np.zeros(same.size)]),
            d,
        )

    def steps_of(self, plan: Mapping[str, tuple[int, int]], level: int) -> np.ndarray | None:
        """`plan` as a solution of `steps`'s program: z = 1 from each appointment's start on in
        its block of columns, then the peak column (levels 2 and 3; 0 otherwise). None when one
        of the plan's starts is not a column of this program."""
        index = {it.id: k for k, it in enumerate(self.items)}
        x = np.zeros(self.n)
        z = np.zeros(self.n)
        for aid, (slot, group) in plan.items():
            if aid not in index:
                return None
            block = self.item == index[aid]
            if self.grouped:
                block &= self.group == group
            if not np.any(block & (self.start == slot)):
                return None
            x[block & (self.start == slot)] = 1.0
            z[block & (self.start >= slot)] = 1.0
        peak = 0.0
        if level in (2, 3):
            load = self.chair if level == 2 else self.setup
            fixed = self.grid.chair_fixed if level == 2 else self.grid.seated_starting
            peak = float(np.max(load @ x + fixed, initial=0.0))
        return np.append(z, peak)

    def placement(self, x: np.ndarray) -> dict[str, tuple[int, int]]:
        """An integer solution as {id: (start slot, chair group)}."""
        return {
            self.items[self.item[j]].id: (int(self.start[j]), max(int(self.group[j]), 0))
            for j in np.flatnonzero(x[: self.n] > 0.5)
        }

    def reduced_costs(
        self, cost: np.ndarray, a: sp.csr_matrix, b: np.ndarray, marginals: np.ndarray
    ) -> ReducedCosts:
        """The Lagrangian bound and per-start costs from the rows' dual prices (see
        `ReducedCosts`); x-only rows, every column in [0, 1]. Only for the full program (every
        start of every appointment, no groups): `slots` is indexed by start - first."""
        if self.columns_given or self.grouped:
            raise ValueError("reduced costs need the full program")
        y = np.minimum(np.asarray(marginals, dtype=float), 0.0)  # sign noise would break validity
        rc = cost - a.T @ y
        below = np.minimum(rc, 0.0)  # columns that pay to be left at 0
        base = float(y @ b + below.sum())
        base -= _TOLERANCE * (1.0 + abs(base))
        plus, minus = np.maximum(rc, 0.0), -below
        per_item = np.bincount(self.item, weights=minus, minlength=len(self.items))
        first: dict[str, int] = {}
        slots: dict[str, np.ndarray] = {}
        unplaced: dict[str, float] = {}
        bounds = np.concatenate([[0], np.cumsum([it.l - it.e + 1 for it in self.items])])
        for k, it in enumerate(self.items):
            lo, hi = bounds[k], bounds[k + 1]
            first[it.id] = it.e
            slots[it.id] = plus[lo:hi] + per_item[k] - minus[lo:hi]
            unplaced[it.id] = float(per_item[k])
        return ReducedCosts(base, first, slots, unplaced, granularity(cost))

    def near(self, plan: Mapping[str, tuple[int, int]], level: int) -> np.ndarray:
        """Mask of the full program's columns near each appointment's start in `plan` (and, for
        the preference level, near its wish), plus the peak column: where pricing starts."""
        if self.columns_given or self.grouped:
            raise ValueError("pricing needs the full program")
        centres: dict[int, list[int]] = {}
        for k, it in enumerate(self.items):
            around = [plan[it.id][0]] if it.id in plan else []
            if level == len(LEVEL_NAMES) - 1 and it.pref is not None:
                around.append(it.pref // STEP)
            centres[k] = around
        first = np.array([it.e for it in self.items], dtype=np.int64)
        count = np.array([it.l - it.e + 1 for it in self.items], dtype=np.int64)
        return np.append(near(first, count, centres), True)

    def support(self, x: np.ndarray, least: float = 0.01) -> dict[str, np.ndarray]:
        """Per appointment the start slots with weight of at least `least`."""
        on = x >= least
        out: dict[str, list[int]] = {}
        for k, t in zip(self.item[on], self.start[on], strict=True):
            out.setdefault(self.items[k].id, []).append(int(t))
        return {aid: np.array(v) for aid, v in out.items()}

    def rounded(self, x: np.ndarray) -> dict[str, int]:
        """Per appointment with any weight, the start slot of its heaviest column."""
        order = np.lexsort((-x, self.item))  # by appointment, heaviest column first
        first = np.ones(order.size, dtype=bool)
        first[1:] = self.item[order][1:] != self.item[order][:-1]
        best = order[first]
        return {self.items[self.item[j]].id: int(self.start[j]) for j in best if x[j] > _TOLERANCE}


class ReducedCosts(NamedTuple):
    """What the relaxation's dual prices say about each appointment's start (Lagrangian bound).

    For any plan that keeps the rules and the earlier levels,
    `level value >= base + sum over appointments of cost(its start)`, where `cost` is
    `slots[start - first]` for a placed appointment and `unplaced` for one left out; every cost is
    >= 0. Dual prices y <= 0 of the rows A x <= b give it: c x >= y b + (c - A'y) x for every such
    x, whatever y (so solver noise in y weakens the bound, it cannot make it wrong)."""

    base: float
    first: dict[str, int]
    """Per appointment its first allowed start slot (index 0 of `slots`)."""
    slots: dict[str, np.ndarray]
    unplaced: dict[str, float]
    step: int = 1
    """Every plan's value is a multiple of this (`granularity`): a better plan than U is worth at
    most U - step."""


class Relaxed(NamedTuple):
    bound: int
    """The level's lower bound: the relaxation's value rounded up (to a multiple of the costs'
    `granularity`)."""
    starts: dict[str, int]
    """Per appointment the start slot the relaxation gives the most weight (a rounded plan: a
    search hint, not necessarily feasible)."""
    costs: ReducedCosts | None = None
    """Reduced costs per start (the preference level only)."""
    support: dict[str, np.ndarray] | None = None
    """Per appointment the start slots the relaxation gives any weight."""


def granularity(cost: np.ndarray) -> int:
    """The greatest common divisor of the costs when they are whole numbers (else 1): every
    plan's value is a multiple of it, so a bound rounds up to the next multiple. Preference
    minutes on the 5-minute grid with wishes on whole 5 minutes are multiples of 5.
    """
    whole = np.round(cost)
    if not np.allclose(cost, whole, rtol=0.0, atol=1e-9):
        return 1
    step = int(np.gcd.reduce(np.abs(whole).astype(np.int64)))
    return max(step, 1)


def lp_bound(
    grid: Grid,
    level: int,
    fixed: Sequence[int],
    *,
    time_limit: float = 10.0,
    plan: Mapping[str, tuple[int, int]] | None = None,
) -> Relaxed | None:
    """Lower bound of `level` (0-4, `grid.LEVEL_NAMES`) with levels before it at most `fixed`.

    With `plan` (a placement keeping `fixed`), the LP is solved by pricing from the starts near
    that plan's (`pricing`), several times faster than over every start at once.
    None when the relaxation was not solved to optimality within `time_limit` seconds (only an
    optimal LP value is a bound) or when it is infeasible (then the earlier values cannot hold on
    this grid, which the caller's own checks report).
    """
    if grid.n == 0:
        return None
    program = Program(grid)
    n = program.n
    if n == 0:
        return None
    cost, a, b = program.problem(level, fixed)
    upper = np.ones(n + 1)
    upper[n] = np.inf
    if plan is None:
        result = linprog(
            cost,
            A_ub=a,
            b_ub=b,
            bounds=np.stack([np.zeros(n + 1), upper], axis=1),
            method="highs-ipm",  # interior point: steadier than simplex on these degenerate LPs
            options={"time_limit": max(time_limit, 0.01)},
        )
        if result.status != 0:
            return None
        x_all, value, marginals = result.x, float(result.fun), result.ineqlin.marginals
    else:
        priced = solve_priced(
            cost,
            a,
            b,
            upper,
            program.near(plan, level),
            group=np.append(program.item, -1),
            time_limit=time_limit,
            always=1,
        )
        if priced is None:
            return None
        x_all, value, marginals = priced.x, priced.value, priced.marginals
    x = x_all[:n]
    costs = None
    if level == len(LEVEL_NAMES) - 1:
        costs = program.reduced_costs(cost[:n], a[:, :n], b, marginals)
    if level == 0:
        bound = program.never + len(program.items) - math.floor(-value + _TOLERANCE)
    else:
        step = granularity(cost)
        bound = max(0, step * math.ceil((value - _TOLERANCE) / step))
    return Relaxed(bound, program.rounded(x), costs, program.support(x))
