"""Chair numbers from start times: greedy interval-graph colouring.

Why this is enough: on a set of identical chairs, any start times whose overlap never exceeds the
number of chairs can be given chair numbers by walking the appointments in start order and taking a
free chair (an interval graph's chromatic number equals its largest clique). The optimizer relies on
this and models chairs as a cumulative; this module turns its start times back into chair numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from msinfusion.center.instance import Instance, format_hhmm


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
