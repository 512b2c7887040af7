"""Re-optimise the rest of a day after a cancellation or an add-on, without moving seated patients.

Everyone whose planned start is at or before `now` is in a chair (or has been): they become
`Seated` and keep chair and start. Cancelled appointments leave the day (a no-show cancelled after
their start frees the chair). Future appointments may move, but not before `now`; added ones are
appended in booking order. The previous plan is the solver's hint, so the new plan is never worse
than simply keeping the old one where it is still valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from msinfusion.center.instance import Appointment, Instance, Seated
from msinfusion.center.optimize import optimize
from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.errors import InstanceError


def rescheduled_instance(
    instance: Instance,
    previous: Schedule,
    *,
    now: int,
    cancelled: Sequence[str] = (),
    added: Sequence[Appointment] = (),
) -> Instance:
    """The day as it stands at `now`: seated patients pinned, cancellations out, add-ons in."""
    known = {a.id for a in instance.appointments}
    for i, aid in enumerate(cancelled):
        if aid not in known:
            raise InstanceError(f"cancelled[{i}]", f"no appointment {aid!r} in the day")
    for i, a in enumerate(added):
        if a.id in known:
            raise InstanceError(f"added[{i}].id", f"{a.id!r} is already in the day")
        known.add(a.id)
    gone = set(cancelled)
    planned = previous.by_id()
    appts: list[Appointment] = []
    for a in instance.appointments:
        if a.id in gone:
            continue
        asg = planned.get(a.id)
        if a.seated is not None:
            appts.append(a)
        elif asg is not None and asg.start <= now:
            appts.append(replace(a, seated=Seated(asg.chair, asg.start)))
        else:
            appts.append(_not_before(a, now))
    appts.extend(_not_before(a, now) for a in added)
    return replace(instance, appointments=tuple(appts))


def reschedule(
    instance: Instance,
    previous: Schedule,
    *,
    now: int,
    cancelled: Sequence[str] = (),
    added: Sequence[Appointment] = (),
    time_limit: float = 5.0,
) -> Schedule:
    """A new plan for the rest of the day (for `rescheduled_instance(...)`), hinted with `previous`."""
    day = rescheduled_instance(instance, previous, now=now, cancelled=cancelled, added=added)
    keep = {a.id for a in day.appointments}
    hint = Schedule(
        tuple(Assignment(a.id, a.chair, a.start) for a in previous.assignments if a.id in keep),
        tuple(a.id for a in day.appointments if a.id not in previous.by_id()),
    )
    return optimize(day, time_limit=time_limit, hint=hint)


def _not_before(a: Appointment, now: int) -> Appointment:
    """A future appointment may not move into the past (if its window is over, it stays unplaced)."""
    if a.seated is not None or a.earliest >= now:
        return a
    return replace(a, earliest=now)
