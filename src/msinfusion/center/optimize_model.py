"""The CP-SAT model of one center day on the 5-minute grid (see docs/center.md for the maths).

Per movable appointment: a start variable, a presence literal, one optional interval per chair
group it may use (only one group for most days), a nurse set-up interval and an in-chair interval.
Hard rules are three kinds of cumulative: chairs per group, set-ups against nurses on shift,
patients in chairs against the smaller of the chair count and the nurse monitoring ratio.
Time-varying capacity is a fixed maximum plus fixed blocking intervals.

The two peak levels are min-max objectives: the same set-up (or in-chair) intervals, plus the fixed
load of seated patients, go into one more cumulative whose capacity is an integer variable. CP-SAT
propagates such a capacity directly (its own energetic reasoning gives the bound), which is why the
peaks close quickly where the earlier "minutes at capacity" counts never did.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from msinfusion.center.grid import LEVEL_NAMES, STEP, Grid, Item

__all__ = ["LEVEL_NAMES", "Model", "build"]


@dataclass
class Model:
    grid: Grid
    cp: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    start: dict[str, cp_model.IntVar] = field(default_factory=dict)
    present: dict[str, cp_model.IntVar] = field(default_factory=dict)
    in_group: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    late: dict[str, cp_model.IntVar] = field(default_factory=dict)
    dev: dict[str, cp_model.IntVar] = field(default_factory=dict)
    peaks: list[cp_model.IntVar] = field(default_factory=list)
    """Capacity variables of the chair peak (level 3) and the set-up peak (level 4)."""
    objectives: list[cp_model.LinearExprT] = field(default_factory=list)
    intervals: int = 0
    twins: list[list[str]] = field(default_factory=list)
    """Interchangeable appointments (same times, needs and weights), in booking order."""

    def with_starts(
        self, slots: Mapping[str, int], seconds: float
    ) -> dict[str, tuple[int, int]] | None:
        """Chair groups for these fixed starts (everyone else unplaced), or None if there are
        none: the model's own rules decide, so the result is a plan of the model. Twins' starts
        are swapped into the model's symmetry-breaking order first (else no plan would exist)."""
        order = self.canonical({aid: (slot, 0) for aid, slot in slots.items()})
        slots = {aid: slot for aid, (slot, _g) in order.items()}
        cp = self.cp.clone()
        for aid, s in self.start.items():
            if aid in slots:
                cp.add(s == slots[aid])
                cp.add(self.present[aid] == 1)
            else:
                cp.add(self.present[aid] == 0)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1
        if solver.solve(cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return self.read(solver)

    # ---------------------------------------------------------------------------- hints

    def hint(self, placement: Mapping[str, tuple[int, int]]) -> None:
        """Hint every variable from a placement {id: (start slot, group)}."""
        g = self.grid
        cp = self.cp
        cp.clear_hints()
        placement = self.canonical(placement)
        for it in g.free:
            if it.id not in self.start:
                continue
            on = it.id in placement
            if on:
                s, grp = placement[it.id]
                s = min(max(s, it.e), it.l)
            else:
                s, grp = it.e, -1
            cp.add_hint(self.present[it.id], int(on))
            cp.add_hint(self.start[it.id], s)
            for gg in it.groups:
                if (it.id, gg) in self.in_group:
                    cp.add_hint(self.in_group[it.id, gg], int(gg == grp))
            if it.id in self.late:
                cp.add_hint(self.late[it.id], max(0, s - it.late_from + 1) if on else 0)
            if it.id in self.dev and it.pref is not None:
                cp.add_hint(self.dev[it.id], abs(STEP * s - it.pref) if on else 0)
        values = g.levels({k: v for k, v in placement.items() if k in self.start})
        for var, value in zip(self.peaks, (values[2], values[3]), strict=True):
            cp.add_hint(var, value)

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

    def search_near_wishes(self) -> None:
        """Decision strategy for the preference level: try each start nearest its wish first."""
        order = sorted(
            (it for it in self.grid.free if it.id in self.dev),
            key=lambda it: (-it.weight, it.l - it.e, it.index),
        )
        if order:
            self.cp.add_decision_strategy(
                [self.dev[it.id] for it in order],
                cp_model.CHOOSE_FIRST,
                cp_model.SELECT_MIN_VALUE,
            )


def build(grid: Grid, lows: Sequence[int] | None = None) -> Model:
    """The model; `lows` = known lower bounds of the levels (they narrow the peak variables)."""
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
        seat_iv.append(cp.new_optional_fixed_size_interval_var(s, it.d, p, f"c_{it.index}"))
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
    if start_iv:
        _profile_cumulative(m, start_iv, g.start_res)
    _profile_cumulative(m, seat_iv, g.chair_res)

    lows = list(lows) if lows is not None else [0] * len(LEVEL_NAMES)
    for k, ivs, fixed, res in (
        (2, seat_iv, g.chair_fixed, g.chair_res),
        (3, start_iv, g.seated_starting, g.start_res),
    ):
        top = int((res + fixed).max(initial=0))
        low = min(max(lows[k], int(fixed.max(initial=0))), top)
        peak = cp.new_int_var(low, top, LEVEL_NAMES[k])
        m.peaks.append(peak)
        _peak_cumulative(m, ivs, fixed, peak)

    present = list(m.present.values())
    m.objectives = [
        unplaceable + len(present) - sum(present),
        STEP * sum(m.late.values()),
        m.peaks[0],
        m.peaks[1],
        sum(g.by_id[aid].weight * v for aid, v in m.dev.items()),
    ]
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


def _runs(values: np.ndarray) -> list[tuple[int, int, int]]:
    """(first slot, length, value) of each maximal run of equal, non-zero values."""
    out = []
    i = 0
    while i < values.size:
        j = i
        while j < values.size and values[j] == values[i]:
            j += 1
        if values[i] > 0:
            out.append((i, j - i, int(values[i])))
        i = j
    return out


def _profile_cumulative(
    m: Model, intervals: list[cp_model.IntervalVar], residual: np.ndarray
) -> None:
    """Cumulative with a capacity that varies by slot: max capacity + fixed blocking intervals."""
    cp, t0 = m.cp, m.grid.t0
    cap = int(residual.max()) if residual.size else 0
    ivs = list(intervals)
    demands = [1] * len(ivs)
    for i, length, gap in _runs(cap - residual):
        ivs.append(cp.new_fixed_size_interval_var(t0 + i, length, ""))
        demands.append(gap)
    cp.add_cumulative(ivs, demands, cap)


def _peak_cumulative(
    m: Model, intervals: list[cp_model.IntervalVar], fixed: np.ndarray, peak: cp_model.IntVar
) -> None:
    """Movable load plus the fixed load of seated patients never exceeds `peak`, at any slot."""
    cp, t0 = m.cp, m.grid.t0
    ivs = list(intervals)
    demands = [1] * len(ivs)
    for i, length, load in _runs(fixed):
        ivs.append(cp.new_fixed_size_interval_var(t0 + i, length, ""))
        demands.append(load)
    if ivs:
        cp.add_cumulative(ivs, demands, peak)
