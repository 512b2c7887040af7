"""Chair numbers from start times: greedy interval-graph colouring.

Why this is enough: on a set of identical chairs, any start times whose overlap never exceeds the
number of chairs can be given chair numbers by walking the appointments in start order and taking a
free chair (an interval graph's chromatic number equals its largest clique). The optimizer relies on
this and models chairs as a cumulative; this module turns its start times back into chair numbers
(and into a schedule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msinfusion.center.grid import STEP, Grid
from msinfusion.center.instance import Instance, format_hhmm
from msinfusion.center.schedule import Assignment, Schedule


def assign_chairs(
    instance: Instance,
    starts: Mapping[str, int],
    *,
    allowed: Mapping[str, Sequence[int]] | None = None,
) -> dict[str, int]:
    """Chair number per placed appointment (ids in `starts`); ValueError if none is free.

    Seated appointments keep their chair. An appointment that `needs` a chair kind gets the lowest
    free chair of that kind; others prefer the lowest free ordinary chair and fall back to a free
    special one. `allowed` narrows the candidate chairs per id (the optimizer passes the chair group
    it chose, which makes the colouring exact group by group).
    """
    appts = {a.id: a for a in instance.appointments}
    unknown = [aid for aid in starts if aid not in appts]
    if unknown:
        raise ValueError(f"no appointment {unknown[0]!r} in the instance")
    # Seated first at equal starts, then the ones with fewer possible chairs.
    order = sorted(
        starts,
        key=lambda aid: (
            starts[aid],
            appts[aid].seated is None,
            appts[aid].needs is None,
            aid,
        ),
    )
    busy_until = dict.fromkeys(range(1, instance.chairs + 1), -1)
    out: dict[str, int] = {}
    ordinary = [c for c in range(1, instance.chairs + 1) if c not in instance.chair_kinds]
    for aid in order:
        a = appts[aid]
        start = starts[aid]
        end = start + a.chair_minutes
        if a.seated is not None:
            candidates: Sequence[int] = [a.seated.chair]
        elif allowed is not None and aid in allowed:
            candidates = sorted(allowed[aid])
        elif a.needs is not None:
            candidates = [c for c, k in sorted(instance.chair_kinds.items()) if k == a.needs]
        else:
            special = sorted(instance.chair_kinds)
            candidates = ordinary + special
        chair = next((c for c in candidates if busy_until[c] <= start), None)
        if chair is None:
            raise ValueError(
                f"no free chair for appointment {aid} at {format_hhmm(start)}"
                + (f" (needs {a.needs})" if a.needs else "")
            )
        busy_until[chair] = end
        out[aid] = chair
    return out


def schedule_from_slots(
    instance: Instance,
    slots: Mapping[str, int],
    allowed: Mapping[str, Sequence[int]] | None = None,
) -> Schedule | None:
    """Start slots on the 5-minute grid (seated patients keep theirs) -> a schedule with chairs
    coloured greedily, within `allowed` chairs per appointment if given; None if the chairs
    cannot be coloured."""
    starts = {aid: STEP * s for aid, s in slots.items()}
    for a in instance.appointments:
        if a.seated is not None:
            starts[a.id] = a.seated.start
    try:
        chairs = assign_chairs(instance, starts, allowed=allowed)
    except ValueError:
        return None
    assignments = tuple(
        Assignment(a.id, chairs[a.id], starts[a.id])
        for a in instance.appointments
        if a.id in starts
    )
    unplaced = tuple(a.id for a in instance.appointments if a.id not in starts)
    return Schedule(assignments, unplaced)


def schedule_from_placement(
    instance: Instance, grid: Grid, placement: Mapping[str, tuple[int, int]]
) -> Schedule | None:
    """{id: (start slot, chair group)} -> chairs and minutes, each appointment within its group's
    chairs; None if the chairs cannot be coloured."""
    return schedule_from_slots(
        instance,
        {aid: s for aid, (s, _g) in placement.items()},
        {aid: grid.groups[g].chairs for aid, (_s, g) in placement.items()},
    )
