"""First-come-first-served booking, the way a center books by hand: the reference for every result.

In booking order (list order) each appointment goes to its preferred start (its earliest if it has
none) or the first 5-minute grid time after it where a chair, a nurse for the start and nurse
monitoring capacity are free, given everyone booked before it. When nothing is free from the wish
to the latest start, the booker offers the nearest earlier time inside the patient's window, as a
front desk would, rather than turn the patient away. Seated patients are placed first, where they
sit. Occupancy is kept in minute arrays, so every check is exact in minutes.
"""

from __future__ import annotations

import time

import numpy as np

from msinfusion.center.instance import Appointment, Instance
from msinfusion.center.schedule import Assignment, Schedule

GRID = 5
"""Minutes between candidate start times (the optimizer uses the same grid)."""


def first_come_first_served(instance: Instance) -> Schedule:
    """Book the day in list order; an appointment with no feasible start is left unplaced."""
    t0 = time.perf_counter()
    book = _Book(instance)
    placed: dict[str, Assignment] = {}
    for a in instance.appointments:
        if a.seated is not None:
            book.take(a, a.seated.chair, a.seated.start)
            placed[a.id] = Assignment(a.id, a.seated.chair, a.seated.start)
    unplaced: list[str] = []
    for a in instance.appointments:
        if a.seated is not None:
            continue
        found = book.first_fit(a)
        if found is None:
            unplaced.append(a.id)
            continue
        chair, start = found
        book.take(a, chair, start)
        placed[a.id] = Assignment(a.id, chair, start)
    ordered = tuple(placed[a.id] for a in instance.appointments if a.id in placed)
    return Schedule(
        ordered,
        tuple(unplaced),
        status="baseline",
        solve_seconds=time.perf_counter() - t0,
    )


def chair_preference(instance: Instance, a: Appointment) -> list[int]:
    """Chairs `a` may use, best first: its kind if it needs one, else ordinary chairs then special."""
    if a.needs is not None:
        return [c for c, k in sorted(instance.chair_kinds.items()) if k == a.needs]
    ordinary = [c for c in range(1, instance.chairs + 1) if c not in instance.chair_kinds]
    return ordinary + sorted(instance.chair_kinds)


class _Book:
    """Minute-resolution occupancy of chairs, nurse starts and patients in chairs."""

    def __init__(self, instance: Instance) -> None:
        self.inst = instance
        ends = [a.seated.start + a.chair_minutes for a in instance.appointments if a.seated]
        size = max([instance.close, *ends]) + 1
        nurses = np.zeros(size, dtype=np.int32)
        for n in instance.nurses:
            nurses[max(n.start, 0) : max(min(n.end, size), 0)] += 1
        self.nurses = nurses
        self.monitor_cap = nurses * instance.patients_per_nurse
        self.starting = np.zeros(size, dtype=np.int32)
        self.in_chair = np.zeros(size, dtype=np.int32)
        self.busy = np.zeros((instance.chairs + 1, size), dtype=bool)  # row 0 unused

    def take(self, a: Appointment, chair: int, start: int) -> None:
        nsm = min(self.inst.nurse_start_minutes, a.chair_minutes)
        self.starting[start : start + nsm] += 1
        self.in_chair[start : start + a.chair_minutes] += 1
        self.busy[chair, start : start + a.chair_minutes] = True

    def first_fit(self, a: Appointment) -> tuple[int, int] | None:
        """(chair, start) of the first feasible grid start at or after the target, else of the
        last feasible one before it, or None."""
        inst = self.inst
        lowest = -(-max(a.earliest, inst.open) // GRID) * GRID
        last = min(a.latest_start, inst.close - a.chair_minutes) // GRID * GRID
        if lowest > last:
            return None
        first = min(max(-(-a.target_start // GRID) * GRID, lowest), last)
        chairs = chair_preference(inst, a)
        if not chairs:
            return None
        later = self._fit(a, chairs, first, last, latest=False)
        if later is not None or first == lowest:
            return later
        return self._fit(a, chairs, lowest, first - GRID, latest=True)

    def _fit(
        self, a: Appointment, chairs: list[int], first: int, last: int, *, latest: bool
    ) -> tuple[int, int] | None:
        """(chair, start) of the first (or, with `latest`, the last) feasible grid start in
        [first, last]."""
        inst = self.inst
        cm = a.chair_minutes
        nsm = min(inst.nurse_start_minutes, cm)
        lo, hi = first, last + cm
        starts = np.arange(first, last + 1, GRID) - lo
        ok = _window_clear(self.starting[lo:hi] + 1 > self.nurses[lo:hi], starts, nsm)
        ok &= _window_clear(self.in_chair[lo:hi] + 1 > self.monitor_cap[lo:hi], starts, cm)
        if not ok.any():
            return None
        busy = self.busy[chairs, lo:hi]
        prefix = np.zeros((len(chairs), hi - lo + 1), dtype=np.int32)
        np.cumsum(busy, axis=1, out=prefix[:, 1:])
        free = (prefix[:, starts + cm] - prefix[:, starts]) == 0
        ok &= free.any(axis=0)
        hits = np.flatnonzero(ok)
        if hits.size == 0:
            return None
        i = int(hits[-1] if latest else hits[0])
        return chairs[int(np.argmax(free[:, i]))], int(starts[i] + lo)


def _window_clear(bad: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """For each offset s in `starts`: no bad minute in [s, s + length)."""
    prefix = np.zeros(bad.size + 1, dtype=np.int32)
    np.cumsum(bad, out=prefix[1:])
    return (prefix[starts + length] - prefix[starts]) == 0
