"""Independent checker of a schedule's hard rules, minute by minute.

Deliberately shares no code with the optimizer or the baseline: it re-reads the rules from the
instance in whole minutes, so a modelling slip in the 5-minute grid (a rounding, a blocker) shows up
here as a readable sentence instead of a patient without a chair or a nurse.
"""

from __future__ import annotations

from collections import defaultdict

from msinfusion.center.instance import Appointment, Instance, format_hhmm
from msinfusion.center.schedule import Assignment, Schedule


def violations(instance: Instance, schedule: Schedule) -> list[str]:
    """Every broken hard rule as one sentence naming the appointments and the time; [] = valid."""
    out: list[str] = []
    appts = {a.id: a for a in instance.appointments}
    placed = _check_ids(instance, schedule, appts, out)
    for asg in placed:
        _check_placement(instance, appts[asg.id], asg, out)
    for a in instance.appointments:
        if a.seated is not None:
            asg = next((x for x in placed if x.id == a.id), None)
            if asg is None:
                out.append(
                    f"Appointment {a.id} is already seated (chair {a.seated.chair} since "
                    f"{format_hhmm(a.seated.start)}) but the schedule leaves it unplaced."
                )
            elif (asg.chair, asg.start) != (a.seated.chair, a.seated.start):
                out.append(
                    f"Appointment {a.id} is already seated in chair {a.seated.chair} since "
                    f"{format_hhmm(a.seated.start)} but the schedule moves it to chair "
                    f"{asg.chair} at {format_hhmm(asg.start)}."
                )
    _check_overlaps(appts, placed, out)
    _check_nurses(instance, appts, placed, out)
    return out


def _check_ids(
    instance: Instance, schedule: Schedule, appts: dict[str, Appointment], out: list[str]
) -> list[Assignment]:
    """Each appointment assigned or unplaced exactly once; returns the usable assignments."""
    count: dict[str, int] = defaultdict(int)
    placed: list[Assignment] = []
    for asg in schedule.assignments:
        count[asg.id] += 1
        if asg.id not in appts:
            out.append(f"Assignment for {asg.id} names no appointment of the day.")
        elif count[asg.id] == 1:
            placed.append(asg)
    for aid in schedule.unplaced:
        count[aid] += 1
        if aid not in appts:
            out.append(f"Unplaced id {aid} names no appointment of the day.")
    for a in instance.appointments:
        n = count.get(a.id, 0)
        if n == 0:
            out.append(f"Appointment {a.id} is neither assigned nor listed as unplaced.")
        elif n > 1:
            out.append(
                f"Appointment {a.id} appears {n} times (assigned or unplaced more than once)."
            )
    return placed


def _check_placement(instance: Instance, a: Appointment, asg: Assignment, out: list[str]) -> None:
    start, end = asg.start, asg.start + a.chair_minutes
    at = format_hhmm(start)
    if not 1 <= asg.chair <= instance.chairs:
        out.append(
            f"Appointment {a.id} at {at} is in chair {asg.chair}, but chairs run from 1 to "
            f"{instance.chairs}."
        )
    if start < instance.open or end > instance.close:
        out.append(
            f"Appointment {a.id} runs {at}-{format_hhmm(end)}, outside opening hours "
            f"{format_hhmm(instance.open)}-{format_hhmm(instance.close)}."
        )
    if start < a.earliest:
        out.append(
            f"Appointment {a.id} starts at {at}, before its earliest {format_hhmm(a.earliest)}."
        )
    if start > a.latest_start:
        out.append(
            f"Appointment {a.id} starts at {at}, after its latest start "
            f"{format_hhmm(a.latest_start)}."
        )
    kind = instance.chair_kinds.get(asg.chair)
    if a.needs is not None and kind != a.needs:
        out.append(
            f"Appointment {a.id} at {at} needs a {a.needs} but chair {asg.chair} is "
            f"{'an ordinary chair' if kind is None else 'a ' + kind}."
        )


def _check_overlaps(
    appts: dict[str, Appointment], placed: list[Assignment], out: list[str]
) -> None:
    by_chair: dict[int, list[Assignment]] = defaultdict(list)
    for asg in placed:
        by_chair[asg.chair].append(asg)
    for chair, rows in sorted(by_chair.items()):
        rows.sort(key=lambda x: (x.start, x.id))
        for i, first in enumerate(rows):
            first_end = first.start + appts[first.id].chair_minutes
            for second in rows[i + 1 :]:
                if second.start >= first_end:
                    break
                out.append(
                    f"Appointments {first.id} and {second.id} overlap in chair {chair} at "
                    f"{format_hhmm(second.start)}."
                )


def _check_nurses(
    instance: Instance, appts: dict[str, Appointment], placed: list[Assignment], out: list[str]
) -> None:
    """Minute by minute: starts <= nurses on shift, patients in chairs <= ratio x nurses."""
    if not placed:
        return
    lo = min(min(x.start for x in placed), instance.open)
    hi = max(max(x.start + appts[x.id].chair_minutes for x in placed), instance.close)
    starting: dict[int, list[str]] = defaultdict(list)
    seated: dict[int, list[str]] = defaultdict(list)
    for asg in placed:
        a = appts[asg.id]
        for m in range(asg.start, asg.start + min(instance.nurse_start_minutes, a.chair_minutes)):
            starting[m].append(a.id)
        for m in range(asg.start, asg.start + a.chair_minutes):
            seated[m].append(a.id)
    last_start_problem: tuple[str, ...] | None = None
    last_chair_problem: tuple[str, ...] | None = None
    for m in range(lo, hi):
        nurses = sum(1 for n in instance.nurses if n.start <= m < n.end)
        ids = tuple(sorted(starting.get(m, ())))
        if len(ids) > nurses:
            if ids != last_start_problem:
                out.append(
                    f"At {format_hhmm(m)}, {len(ids)} appointments are in their first "
                    f"{instance.nurse_start_minutes} minutes ({', '.join(ids)}) but only "
                    f"{nurses} nurse(s) are on shift."
                )
            last_start_problem = ids
        else:
            last_start_problem = None
        ids = tuple(sorted(seated.get(m, ())))
        limit = instance.patients_per_nurse * nurses
        if len(ids) > limit:
            if ids != last_chair_problem:
                out.append(
                    f"At {format_hhmm(m)}, {len(ids)} patients are in chairs ({', '.join(ids)}) "
                    f"but {nurses} nurse(s) may look after at most {limit}."
                )
            last_chair_problem = ids
        else:
            last_chair_problem = None
