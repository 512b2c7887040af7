"""The CP-SAT model of one center day on the 5-minute grid (see docs/center.md for the maths).

Per movable appointment: a start variable, a presence literal, one optional interval per chair
group it may use (only one group for most days), a nurse-start interval and an in-chair interval.
Three kinds of cumulative: chairs per group, nurse starts, patients in chairs (the smaller of the
chair count and the nurse monitoring ratio). Time-varying capacity is a fixed maximum plus fixed
blocking intervals; headroom for the objective is optional one-slot "reserve" intervals.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from msinfusion.center.grid import CHAIR_TIERS, LATE_WEIGHT, STEP, Grid, Item

LEVEL_NAMES = ("unplaced", "nurse_peak_minutes", "wait_overtime_proxy", "preference_minutes")


@dataclass
class Model:
    grid: Grid
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    present: dict[str, cp_model.IntVar] = field(default_factory=dict)
    in_group: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    late: dict[str, cp_model.IntVar] = field(default_factory=dict)
    dev: dict[str, cp_model.IntVar] = field(default_factory=dict)
    peak_res: dict[int, cp_model.IntVar] = field(default_factory=dict)
    tier_res: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    objectives: list[cp_model.LinearExprT] = field(default_factory=list)
    warm_up: dict[int, cp_model.LinearExprT] = field(default_factory=dict)
    """Per level, an easier objective solved first to give the level's search a better start."""
    intervals: int = 0
    twins: list[list[str]] = field(default_factory=list)
    """Interchangeable appointments (same times, needs and weights), in booking order."""

    # ---------------------------------------------------------------------------- hints

    def hint(self, placement: Mapping[str, tuple[int, int]]) -> None:
        """Hint every variable from a placement {id: (start slot, group)}."""
        g = self.grid
        cp = self.cp
        cp.clear_hints()
        placement = self.canonical(placement)
        start_load = np.zeros(g.n + 1, dtype=np.int64)
        chair_load = np.zeros(g.n + 1, dtype=np.int64)
        for it in g.free:
            if it.id not in self.start:
                continue
            if it.id in placement:
                s, grp = placement[it.id]
                s = min(max(s, it.e), it.l)
                cp.add_hint(self.present[it.id], 1)
                start_load[s - g.t0 : s - g.t0 + it.ns] += 1
                chair_load[s - g.t0 : s - g.t0 + it.d] += 1
            else:
                s, grp = it.e, -1
                cp.add_hint(self.present[it.id], 0)
            cp.add_hint(self.start[it.id], s)
            for gg in it.groups:
                if (it.id, gg) in self.in_group:
                    cp.add_hint(self.in_group[it.id, gg], int(gg == grp))
            if it.id in self.late:
                on = it.id in placement
                cp.add_hint(self.late[it.id], max(0, s - it.late_from + 1) if on else 0)
            if it.id in self.dev and it.pref is not None:
                on = it.id in placement
                cp.add_hint(self.dev[it.id], abs(STEP * s - it.pref) if on else 0)
        for i, lit in self.peak_res.items():
            cp.add_hint(lit, int(start_load[i] <= g.start_res[i] - 1))
        for (i, k), lit in self.tier_res.items():
            cp.add_hint(lit, int(chair_load[i] <= g.chair_res[i] - k * g.tier))

    def canonical(self, placement: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """The same plan with twins swapped so it obeys the symmetry-breaking order."""
        out = dict(placement)
        for ids in self.twins:
            taken = sorted(out.pop(aid) for aid in ids if aid in out)
            out.update(zip(ids, taken, strict=False))
        return out

    def read(self, solver: cp_model.CpSolver) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for it in self.grid.free:
            if it.id in self.present and solver.boolean_value(self.present[it.id]):
                grp = next(
                    (
                        gg
                        for gg in it.groups
                        if (it.id, gg) not in self.in_group
                        or solver.boolean_value(self.in_group[it.id, gg])
                    ),
                    it.groups[0],
                )
                out[it.id] = (solver.value(self.start[it.id]), grp)
        return out


def build(grid: Grid) -> Model:
    m = Model(grid)
    cp = m.cp
    g = grid
    multi = len(g.groups) > 1
    chair_iv: list[list[cp_model.IntervalVar]] = [[] for _ in g.groups]
    start_iv: list[cp_model.IntervalVar] = []
    seat_iv: list[cp_model.IntervalVar] = []
    unplaceable = 0
    for it in g.free:
        if not it.placeable:
            unplaceable += 1
            continue
        s = cp.new_int_var(it.e, it.l, f"s_{it.index}")
        p = cp.new_bool_var(f"p_{it.index}")
        m.start[it.id], m.present[it.id] = s, p
        seat = cp.new_optional_fixed_size_interval_var(s, it.d, p, f"c_{it.index}")
        seat_iv.append(seat)
        if it.ns:
            start_iv.append(cp.new_optional_fixed_size_interval_var(s, it.ns, p, f"n_{it.index}"))
        if multi:
            lits = []
            for gg in it.groups:
                lit = cp.new_bool_var(f"g_{it.index}_{gg}")
                m.in_group[it.id, gg] = lit
                lits.append(lit)
                chair_iv[gg].append(
                    cp.new_optional_fixed_size_interval_var(s, it.d, lit, f"cg_{it.index}_{gg}")
                )
            cp.add(sum(lits) == p)
        _late_and_dev(m, it, s, p)
    m.intervals = len(seat_iv) + len(start_iv) + sum(len(x) for x in chair_iv)
    _break_symmetry(m)

    if multi:
        for gg, grp in enumerate(g.groups):
            if chair_iv[gg]:
                _profile_cumulative(m, chair_iv[gg], grp.residual)
    # Nurse starts, with one-slot reserves: a reserved slot keeps one start free (level 2).
    cov_s = g.coverable("start")
    reserves = []
    for i in np.flatnonzero(cov_s & (g.start_res >= 1)):
        lit = cp.new_bool_var(f"r_{i}")
        m.peak_res[int(i)] = lit
        reserves.append((cp.new_optional_fixed_size_interval_var(g.t0 + int(i), 1, lit, ""), 1))
    if start_iv:
        _profile_cumulative(m, start_iv, g.start_res, reserves)
    # Patients in chairs, with headroom tiers of `tier` chairs (level 3).
    cov_c = g.coverable("chair")
    tiers = []
    for i in np.flatnonzero(cov_c):
        prev = None
        for k in range(1, CHAIR_TIERS + 1):
            if g.chair_res[i] - k * g.tier < 0:
                break
            lit = cp.new_bool_var(f"t_{i}_{k}")
            m.tier_res[int(i), k] = lit
            if prev is not None:
                cp.add_implication(lit, prev)
            prev = lit
            iv = cp.new_optional_fixed_size_interval_var(g.t0 + int(i), 1, lit, "")
            tiers.append((iv, g.tier))
    _profile_cumulative(m, seat_iv, g.chair_res, tiers)
    m.intervals += len(reserves) + len(tiers)

    present = list(m.present.values())
    m.objectives = [
        unplaceable + len(present) - sum(present),
        STEP * (len(m.peak_res) - sum(m.peak_res.values())),
        STEP * (len(m.tier_res) - sum(m.tier_res.values()) + LATE_WEIGHT * sum(m.late.values())),
        sum(g.by_id[aid].weight * v for aid, v in m.dev.items()),
    ]
    if m.late:
        # Lateness is separable per appointment and quick to optimise; the headroom tiers are not.
        m.warm_up[2] = sum(m.late.values())
    return m


def _break_symmetry(m: Model) -> None:
    """Twins are placed first-booked first and in start order: same optimum, far less search."""
    classes: dict[tuple, list[str]] = {}
    for it in m.grid.free:
        if it.id in m.start:
            key = (it.e, it.l, it.d, it.ns, it.groups, it.late_from, it.pref, it.weight)
            classes.setdefault(key, []).append(it.id)
    m.twins = [ids for ids in classes.values() if len(ids) > 1]
    for ids in m.twins:
        for first, second in itertools.pairwise(ids):
            m.cp.add_implication(m.present[second], m.present[first])
            m.cp.add(m.start[first] <= m.start[second]).only_enforce_if(m.present[second])


def _late_and_dev(m: Model, it: Item, s: cp_model.IntVar, p: cp_model.IntVar) -> None:
    cp = m.cp
    if it.l >= it.late_from:
        late = cp.new_int_var(0, it.l - it.late_from + 1, f"late_{it.index}")
        cp.add(late >= s - it.late_from + 1).only_enforce_if(p)
        m.late[it.id] = late
    if it.pref is not None:
        span = max(abs(STEP * it.e - it.pref), abs(STEP * it.l - it.pref))
        dev = cp.new_int_var(0, span, f"dev_{it.index}")
        cp.add(dev >= STEP * s - it.pref).only_enforce_if(p)
        cp.add(dev >= it.pref - STEP * s).only_enforce_if(p)
        m.dev[it.id] = dev


def _profile_cumulative(
    m: Model,
    intervals: list[cp_model.IntervalVar],
    residual: np.ndarray,
    extra: list[tuple[cp_model.IntervalVar, int]] = (),  # type: ignore[assignment]
) -> None:
    """Cumulative with a capacity that varies by slot: max capacity + fixed blocking intervals."""
    cp, t0 = m.cp, m.grid.t0
    cap = int(residual.max()) if residual.size else 0
    ivs = list(intervals)
    demands = [1] * len(ivs)
    i = 0
    while i < residual.size:
        gap = cap - int(residual[i])
        j = i
        while j < residual.size and cap - int(residual[j]) == gap:
            j += 1
        if gap > 0:
            ivs.append(cp.new_fixed_size_interval_var(t0 + i, j - i, ""))
            demands.append(gap)
        i = j
    for iv, dem in extra:
        ivs.append(iv)
        demands.append(dem)
    cp.add_cumulative(ivs, demands, cap)
