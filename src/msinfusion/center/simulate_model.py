"""The day's event loop: one replication of a center day under a schedule, in whole minutes.

Kept apart from `simulate.py` (noise, draws, summaries) so the hot loop reads on one screen. The
loop is plain Python over a `heapq` of integer-minute events; everything that does not change
between replications (capacity profiles, chair groups, the service order) is built once in `Day`.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass

from msinfusion.center.instance import Instance
from msinfusion.center.schedule import Schedule

_DEPART, _SETUP_DONE, _READY, _TICK = 0, 1, 2, 3
"""Event kinds, in the order they are handled within one minute: chairs and nurses are freed
before anyone new is seated, so a patient leaving at 10:00 frees the chair for 10:00."""


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """What one replication measured (minutes and fractions; see `simulate.RunKpis`)."""

    waits: tuple[int, ...]
    delays: tuple[int, ...]
    overtime: int
    chair_minutes_open: int
    nurse_peak: float
    shown: int


class Day:
    """Everything about the day and the schedule that stays fixed across replications.

    Patients are indexed in service order (scheduled start, then id), so the waiting line is a
    sorted list of indices and "who goes first" is a comparison of integers.
    """

    def __init__(self, instance: Instance, schedule: Schedule) -> None:
        by_id = {a.id: a for a in instance.appointments}
        rows = sorted(schedule.assignments, key=lambda s: (s.start, s.id))
        self.ids = tuple(s.id for s in rows)
        self.scheduled = tuple(s.start for s in rows)
        self.target = tuple(by_id[s.id].target_start for s in rows)
        self.planned = tuple(by_id[s.id].chair_minutes for s in rows)
        self.chair = tuple(s.chair - 1 for s in rows)
        kinds = [instance.chair_kinds.get(c + 1) for c in range(instance.chairs)]
        group_of_kind: dict[str | None, int] = {}
        self.chair_group = tuple(group_of_kind.setdefault(k, len(group_of_kind)) for k in kinds)
        self.groups = tuple(
            tuple(c for c in range(instance.chairs) if self.chair_group[c] == g)
            for g in range(len(group_of_kind))
        )
        self.group = tuple(self.chair_group[c] for c in self.chair)
        self.open, self.close, self.chairs = instance.open, instance.close, instance.chairs
        self.ppn, self.nsm = instance.patients_per_nurse, instance.nurse_start_minutes
        self.cap, self.start_cap, self.ticks = _profiles(instance)

    def run(
        self, ready: Sequence[int], duration: Sequence[int], show: Sequence[bool]
    ) -> RunOutcome:
        """One replication. `ready[i]` = max(scheduled start, arrival): early patients wait for
        their slot, and that time is not counted as waiting."""
        cap, start_cap, last = self.cap, self.start_cap, len(self.cap) - 1
        chair_of, group_of, ppn, nsm = self.chair, self.group, self.ppn, self.nsm
        chair_free = [True] * self.chairs
        free = [set(g) for g in self.groups]
        heap: list[tuple[int, int, int]] = [(t, _TICK, -1) for t in self.ticks]
        heap.extend((ready[i], _READY, i) for i in range(len(ready)) if show[i])
        heapq.heapify(heap)
        seat = [-1] * len(ready)
        start = [-1] * len(ready)
        waiting: list[int] = []
        setups = in_chair = 0
        peak = 0.0
        last_out = 0
        while heap:
            now = heap[0][0]
            while heap and heap[0][0] == now:
                _, kind, i = heapq.heappop(heap)
                if kind == _DEPART:
                    c = seat[i]
                    chair_free[c] = True
                    free[self.chair_group[c]].add(c)
                    in_chair -= 1
                elif kind == _SETUP_DONE:
                    setups -= 1
                elif kind == _READY:
                    insort(waiting, i)
            m = now if now < last else last
            nurses = cap[m]
            if nurses and in_chair / nurses > peak:
                peak = in_chair / nurses  # a shift ended with patients still in chairs
            k = 0
            while k < len(waiting) and setups < start_cap[m] and in_chair < ppn * nurses:
                i = waiting[k]
                c = chair_of[i]
                if not chair_free[c]:  # reseat: any free chair of the same kind
                    pool = free[group_of[i]]
                    if not pool:
                        k += 1
                        continue
                    c = min(pool)
                del waiting[k]
                chair_free[c] = False
                free[group_of[i]].discard(c)
                seat[i], start[i] = c, now
                in_chair += 1
                end = now + duration[i]
                last_out = end if end > last_out else last_out
                heapq.heappush(heap, (end, _DEPART, i))
                if nsm:  # the set-up is the first minutes of the chair time
                    setups += 1
                    setup = nsm if nsm < duration[i] else duration[i]
                    heapq.heappush(heap, (now + setup, _SETUP_DONE, i))
                if in_chair / nurses > peak:
                    peak = in_chair / nurses
        waits, delays, used = [], [], 0
        for i in range(len(ready)):
            if not show[i]:
                continue
            waits.append(start[i] - ready[i])
            delays.append(max(0, start[i] - max(self.target[i], ready[i])))
            used += max(0, min(start[i] + duration[i], self.close) - max(start[i], self.open))
        return RunOutcome(
            waits=tuple(waits),
            delays=tuple(delays),
            overtime=max(0, last_out - self.close),
            chair_minutes_open=used,
            nurse_peak=peak,
            shown=len(waits),
        )


def _profiles(instance: Instance) -> tuple[list[int], list[int], list[int]]:
    """Nurses on shift per minute, the nurse-start capacity per minute and the minutes where
    either changes (tick events, so a patient blocked by a shift gap is retried when it ends).

    Start capacity at minute t is the fewest nurses on shift during [t, t + nurse_start_minutes):
    a nurse does not begin a set-up she cannot finish on shift. Nurses on shift at closing stay
    until the last patient has left (overtime is measured, not forbidden), so the profile keeps
    its closing value after the close.
    """
    horizon = 48 * 60
    cap = [0] * horizon
    for n in instance.nurses:
        for m in range(max(0, n.start), min(n.end, horizon)):
            cap[m] += 1
    at_close = max(1, cap[instance.close - 1])
    for m in range(instance.close, horizon):
        cap[m] = max(cap[m], at_close)
    nsm = max(1, instance.nurse_start_minutes)
    start_cap = [min(cap[m : m + nsm]) for m in range(horizon - nsm)]
    start_cap.extend(cap[horizon - nsm :])
    ticks = [
        m for m in range(1, horizon) if cap[m] != cap[m - 1] or start_cap[m] != start_cap[m - 1]
    ]
    return cap, start_cap, ticks
