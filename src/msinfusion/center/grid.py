"""The day on the optimizer's 5-minute grid: slots, residual capacities, chair groups, level values.

Shared by the CP-SAT model, the energetic bounds and the objective evaluator, so the three speak
about exactly the same numbers. Rounding is conservative, so whatever is feasible here is feasible
in minutes: durations round UP, earliest rounds UP, latest start rounds DOWN, and the capacity of a
slot is the smallest capacity over its five minutes. Seated patients are not variables: their load is
subtracted from the capacity minute by minute (the residual capacity).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from msinfusion.center.instance import Appointment, Instance
from msinfusion.center.schedule import Schedule

STEP = 5
"""Minutes per slot."""

LEVEL_NAMES = (
    "unplaced",
    "late_minutes",
    "chair_peak",
    "setup_peak",
    "preference_minutes",
)
"""The lexicographic objective levels, most important first (docs/center.md)."""

RAMP_SLOTS = 30
"""Slots before closing over which the chair peak's closing reserve grows (2.5 hours)."""

RAMP_SHARE = 0.5
"""Share of the chairs the closing reserve reaches in the last slot."""


def up(minutes: int) -> int:
    return -(-minutes // STEP)


def down(minutes: int) -> int:
    return minutes // STEP


def spread_minutes(a: Appointment) -> int:
    """Planning assumption for how far a chair time may run over (about one standard deviation).

    Coefficient of variation 0.2 of the chair time, 0.3 for first infusions and for the drugs with
    frequent infusion reactions (alemtuzumab, ocrelizumab): those run long most often.
    """
    variable = a.first_infusion or a.drug.lower() in {"alemtuzumab", "ocrelizumab"}
    return round((0.3 if variable else 0.2) * a.chair_minutes)


def preference_weight(a: Appointment) -> int:
    """Alemtuzumab course days want the same slot every day: their preference weighs more."""
    return 3 if a.course_day is not None else 1


@dataclass(frozen=True)
class Item:
    """One appointment the optimizer may move, in slots (absolute: slot t = minutes [5t, 5t+5))."""

    index: int
    id: str
    e: int
    l: int  # noqa: E741 - earliest and latest start slot read best as e and l
    d: int
    ns: int
    groups: tuple[int, ...]
    late_from: int
    """Start slot from which the end plus the overrun allowance passes the close (late term)."""
    pref: int | None
    weight: int

    @property
    def placeable(self) -> bool:
        return self.e <= self.l and bool(self.groups)


@dataclass(frozen=True)
class Group:
    """Chairs that are interchangeable for the model: the same kind, or one pinned chair."""

    chairs: tuple[int, ...]
    kind: str | None
    residual: np.ndarray


class Grid:
    """Slots [t0, t1) of one day with residual capacities and the movable appointments."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.t0 = up(instance.open)
        self.t1 = down(instance.close)
        n = max(self.t1 - self.t0, 0)
        self.n = n
        m0, m1 = STEP * self.t0, STEP * self.t1
        minutes = np.arange(m0, m1)
        nurses = np.zeros(minutes.size, dtype=np.int64)
        for nurse in instance.nurses:
            nurses += (minutes >= nurse.start) & (minutes < nurse.end)
        seated = [a for a in instance.appointments if a.seated is not None]
        nsm = instance.nurse_start_minutes
        starting = np.zeros(minutes.size, dtype=np.int64)
        in_chair = np.zeros(minutes.size, dtype=np.int64)
        per_chair = np.zeros((instance.chairs + 1, minutes.size), dtype=np.int64)
        for a in seated:
            s = a.seated.start  # type: ignore[union-attr]
            starting += (minutes >= s) & (minutes < s + min(nsm, a.chair_minutes))
            occupied = (minutes >= s) & (minutes < s + a.chair_minutes)
            in_chair += occupied
            per_chair[a.seated.chair] += occupied  # type: ignore[union-attr]
        self.nurses = _slot_min(nurses, n)
        self.start_res = _slot_min(nurses - starting, n)
        monitor = np.minimum(instance.chairs, instance.patients_per_nurse * nurses)
        self.chair_res = _slot_min(monitor - in_chair, n)
        self.seated_starting = _slot_max(starting, n)
        """Set-ups of seated patients per slot (their most in any minute of the slot)."""
        self.seated_in_chair = _slot_max(in_chair, n)
        self.closing_reserve = _closing_reserve(instance.chairs, n)
        """Chairs kept free towards closing (counted into the chair peak, see _closing_reserve)."""
        self.chair_fixed = self.seated_in_chair + self.closing_reserve
        self.groups = self._groups(per_chair, n)
        self.items = [self._item(i, a) for i, a in enumerate(instance.appointments)]
        self.by_id = {it.id: it for it in self.items}
        seated_ids = {a.id for a in seated}
        self.free = [it for it in self.items if it.id not in seated_ids]
        self.group_of_chair = {c: g for g, grp in enumerate(self.groups) for c in grp.chairs}

    # -------------------------------------------------------------------------- building

    def _groups(self, per_chair: np.ndarray, n: int) -> list[Group]:
        inst = self.instance
        kinds: dict[str | None, list[int]] = {}
        for c in range(1, inst.chairs + 1):
            kinds.setdefault(inst.chair_kinds.get(c), []).append(c)
        free = [a for a in inst.appointments if a.seated is None]
        groups: list[Group] = []
        for kind, chairs in kinds.items():
            fits = [a for a in free if a.needs is None or a.needs == kind]
            first_start = min((STEP * up(max(a.earliest, inst.open)) for a in fits), default=0)
            # A chair pinned by a seated patient who starts after someone movable could start
            # breaks the greedy colouring argument: model that chair on its own.
            pinned = {
                a.seated.chair
                for a in inst.appointments
                if a.seated is not None
                and a.seated.chair in chairs
                and a.seated.start > first_start
            }
            pooled = tuple(c for c in chairs if c not in pinned)
            if pooled:
                occ = per_chair[list(pooled)].sum(axis=0)
                groups.append(Group(pooled, kind, _slot_min(len(pooled) - occ, n)))
            for c in sorted(pinned):
                groups.append(Group((c,), kind, _slot_min(1 - per_chair[c], n)))
        return groups

    def _item(self, index: int, a: Appointment) -> Item:
        d = up(a.chair_minutes)
        e = max(up(a.earliest), self.t0)
        last = min(down(a.latest_start), self.t1 - d)
        groups = tuple(
            g for g, grp in enumerate(self.groups) if a.needs is None or grp.kind == a.needs
        )
        return Item(
            index=index,
            id=a.id,
            e=e,
            l=last,
            d=d,
            ns=up(min(self.instance.nurse_start_minutes, a.chair_minutes)),
            groups=groups,
            late_from=self.t1 - d - up(spread_minutes(a) + 15) + 1,
            pref=a.preferred_start,
            weight=preference_weight(a),
        )

    # -------------------------------------------------------------------------- evaluation

    def placement(self, schedule: Schedule) -> dict[str, tuple[int, int]]:
        """Schedule -> {id: (start slot, group)} for movable appointments on the grid."""
        out: dict[str, tuple[int, int]] = {}
        free_ids = {it.id for it in self.free}
        for asg in schedule.assignments:
            if asg.id in free_ids:
                out[asg.id] = (asg.start // STEP, self.group_of_chair.get(asg.chair, 0))
        return out

    def levels(self, placement: Mapping[str, tuple[int, int]]) -> list[int]:
        """The five level values of a placement, exactly as the CP-SAT model counts them."""
        start_load = self.seated_starting.copy()
        chair_load = self.chair_fixed.copy()
        late = 0
        pref = 0
        for aid, (s, _g) in placement.items():
            it = self.by_id[aid]
            i = s - self.t0
            start_load[max(i, 0) : max(i + it.ns, 0)] += 1
            chair_load[max(i, 0) : max(i + it.d, 0)] += 1
            late += max(0, s - it.late_from + 1)
            if it.pref is not None:
                pref += it.weight * abs(STEP * s - it.pref)
        unplaced = len(self.free) - len(placement)
        peak_s = int(start_load.max(initial=0))
        peak_c = int(chair_load.max(initial=0))
        return [unplaced, STEP * late, peak_c, peak_s, pref]


def _slot_min(values: np.ndarray, n: int) -> np.ndarray:
    """Per-minute values -> per-slot minimum (never below 0)."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return np.maximum(values[: n * STEP].reshape(n, STEP).min(axis=1), 0)


def _closing_reserve(chairs: int, n: int) -> np.ndarray:
    """Chairs the chair peak keeps free near closing: 0 until RAMP_SLOTS before the close, then
    rising in steps to RAMP_SHARE of the chairs in the last slot.

    What runs at closing time is what runs over: counting a growing reserve into the peak makes the
    level-loading itself move long appointments away from the end of the day.
    """
    out = np.zeros(n, dtype=np.int64)
    ramp = min(RAMP_SLOTS, n)
    for i in range(ramp):
        out[n - ramp + i] = -(-round(RAMP_SHARE * chairs) * (i + 1) // ramp)
    return out


def _slot_max(values: np.ndarray, n: int) -> np.ndarray:
    """Per-minute values -> per-slot maximum."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    return values[: n * STEP].reshape(n, STEP).max(axis=1).astype(np.int64)
