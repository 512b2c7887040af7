"""Realistic MS infusion-center days for the scheduling benchmark (and the committed example).

A day is drawn from a drug mix typical of an MS infusion center: mostly natalizumab (monthly) and
ocrelizumab (twice a year), some ublituximab and rituximab, the odd alemtuzumab course day and a
mitoxantrone dose. Chair times come from the catalog (`care.chair.chair_time`: premedication +
infusion + observation, first vs later infusions, the shorter ocrelizumab option), never from
numbers typed here. The mix is then nudged, one appointment at a time, until the booked chair time
is the asked share (`load`) of the chair-hours (scheduled chair utilization has a median of 80% in a
US survey; 70-90% is the range the benchmark uses).

What makes it hard the way real days are hard:
- preferred starts cluster mid-morning (the manual-booking pattern behind the 10:00-15:00 peak);
- some patients can only come in the morning, some only in the afternoon, the rest are flexible;
- nurses work staggered shifts (07:00-19:00 opening, a third fewer at both ends of the day), each
  set-up takes 15-30 minutes of one nurse, and one nurse monitors at most 4 patients;
- a couple of chairs are beds, and a few patients need one;
- requests arrive in random order (what first-come-first-served books by).

`generate_day` is the list of requests for a day; `booked_day` is the day a center actually runs:
a request the front desk (first-come-first-served) cannot fit goes to another day, and later
requests take its place until the day holds its appointments. Both schedules are then compared on
the same patients; the request lists measure how many more patients the optimizer can fit.

    uv run python bench/center_days.py 40 14 --seed 1 > examples/center/day.json
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from msinfusion.care.chair import chair_time
from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.instance import Appointment, Instance, Nurse
from msinfusion.knowledge.catalog import default_catalog

OPEN, CLOSE = 7 * 60, 19 * 60
PATIENTS_PER_NURSE = 4
SIZES = ((60, 20), (100, 24), (200, 36), (300, 48), (400, 60))
"""(appointments, chairs) of the benchmark."""


@dataclass(frozen=True)
class Visit:
    """One kind of visit: drug, which infusion (numbers to draw from), course day, weight."""

    drug: str
    numbers: tuple[int, int]
    weight: float
    course_day: int = 1
    shorter: bool = False


MIX = (
    Visit("natalizumab", (1, 12), 0.10),
    Visit("natalizumab", (13, 120), 0.30),
    Visit("natalizumab-sztn", (1, 60), 0.04),
    Visit("ocrelizumab", (1, 2), 0.04),
    Visit("ocrelizumab", (3, 14), 0.12),
    Visit("ocrelizumab", (3, 14), 0.12, shorter=True),
    Visit("ublituximab", (1, 1), 0.015),
    Visit("ublituximab", (2, 2), 0.015),
    Visit("ublituximab", (3, 12), 0.05),
    Visit("rituximab", (1, 1), 0.01),
    Visit("rituximab", (2, 12), 0.04),
    Visit("alemtuzumab", (1, 8), 0.01, course_day=1),
    Visit("alemtuzumab", (1, 8), 0.01, course_day=2),
    Visit("alemtuzumab", (1, 8), 0.005, course_day=3),
    Visit("alemtuzumab", (1, 8), 0.005, course_day=4),
    Visit("mitoxantrone", (1, 6), 0.01),
)


def _minutes(visit: Visit, number: int) -> int:
    ct = chair_time(default_catalog().drug(visit.drug), number, visit.course_day, frozenset())
    if visit.shorter and ct.shorter_total_minutes:
        return ct.shorter_total_minutes
    return ct.total_minutes


def _draw(rng: random.Random, pool: tuple[Visit, ...]) -> tuple[Visit, int, int]:
    visit = rng.choices(pool, weights=[v.weight for v in pool])[0]
    number = rng.randint(*visit.numbers)
    return visit, number, _minutes(visit, number)


def _quarter(minutes: float) -> int:
    return round(minutes / 15.0) * 15


def _window(rng: random.Random, visit: Visit, minutes: int) -> tuple[int, int, int]:
    """(earliest, latest_start, preferred) for one visit; the visit always ends by closing."""
    last = CLOSE - minutes
    if visit.drug == "alemtuzumab":  # same start every course day, early so the long day fits
        earliest, latest, preferred = 7 * 60 + 30, 9 * 60, 8 * 60
    else:
        r = rng.random()
        if r < 0.20:  # morning only (work, transport, carers)
            earliest = OPEN + rng.choice((0, 30, 60))
            latest, preferred = rng.choice((690, 720, 750)), rng.gauss(9 * 60, 40)
        elif r < 0.30:  # afternoon only
            earliest, latest, preferred = 12 * 60, last, rng.gauss(13.5 * 60, 45)
        else:  # flexible, but most would like mid-morning
            earliest, latest, preferred = OPEN, last, rng.gauss(10 * 60, 60)
    latest = min(latest, last)
    earliest = min(earliest, latest)
    preferred = min(max(_quarter(preferred), earliest), latest)
    return earliest, latest, preferred


def _nurses(rng: random.Random, n: int, chairs: int, nsm: int) -> tuple[Nurse, ...]:
    """Staggered shifts: half work 07:00-19:00, the rest early, middle or late shifts, so both ends
    of the day have about two thirds of the midday staff. Enough nurses that monitoring covers 115%
    of the chairs at midday and set-ups take at most 60% of the day's nurse time."""
    k = max(
        math.ceil(1.15 * chairs / PATIENTS_PER_NURSE), math.ceil(n * nsm / (CLOSE - OPEN) / 0.6)
    )
    cycle = ((OPEN, CLOSE), (OPEN, 15 * 60 + 30), (OPEN, CLOSE), (10 * 60 + 30, CLOSE))
    cycle += ((OPEN, CLOSE), (9 * 60, 17 * 60 + 30))
    out = [Nurse(f"n{i + 1:02d}", *cycle[i % len(cycle)]) for i in range(k)]
    rng.shuffle(out)
    return tuple(out)


def generate_day(n_appointments: int, chairs: int, seed: int, load: float = 0.8) -> Instance:
    """One day of `n_appointments` on `chairs` chairs booking about `load` of the chair-hours."""
    if n_appointments < 1 or chairs < 1 or not 0.0 < load <= 1.5:
        raise ValueError("need n_appointments >= 1, chairs >= 1 and 0 < load <= 1.5")
    rng = random.Random(seed)
    visits = [_draw(rng, MIX) for _ in range(n_appointments)]
    target = load * chairs * (CLOSE - OPEN)
    long_pool = tuple(v for v in MIX if _minutes(v, v.numbers[0]) >= 200)
    short_pool = tuple(v for v in MIX if _minutes(v, v.numbers[0]) < 200)
    total = sum(m for _, _, m in visits)
    for _ in range(50 * n_appointments):  # nudge the mix toward the target load
        if abs(total - target) <= 0.01 * target:
            break
        i = rng.randrange(n_appointments)
        new = _draw(rng, long_pool if total < target else short_pool)
        if abs(total - visits[i][2] + new[2] - target) < abs(total - target):
            total += new[2] - visits[i][2]
            visits[i] = new
    nsm = rng.choice((15, 15, 20, 20, 30))
    beds = min(2, chairs // 10)
    appointments = []
    for i, (visit, number, minutes) in enumerate(visits):
        earliest, latest, preferred = _window(rng, visit, minutes)
        appointments.append(
            Appointment(
                id=f"a{i + 1:03d}",
                patient=f"p{i + 1:03d}",
                drug=visit.drug,
                chair_minutes=minutes,
                earliest=earliest,
                latest_start=latest,
                preferred_start=preferred,
                needs="bed" if beds and rng.random() < 0.03 else None,
                first_infusion=number == 1,
                course_day=visit.course_day if visit.drug == "alemtuzumab" else None,
            )
        )
    rng.shuffle(appointments)  # the order requests came in
    return Instance(
        date=date(2026, 3, 2) + timedelta(days=seed % 365),
        timezone="Europe/Zurich",
        open=OPEN,
        close=CLOSE,
        chairs=chairs,
        nurses=_nurses(rng, n_appointments, chairs, nsm),
        patients_per_nurse=PATIENTS_PER_NURSE,
        nurse_start_minutes=nsm,
        appointments=tuple(appointments),
        chair_kinds={chairs - b: "bed" for b in range(beds)},
    )


def booked_day(
    n_appointments: int, chairs: int, seed: int, load: float = 0.8, rounds: int = 30
) -> Instance:
    """The `generate_day` requests as booked: each one first-come-first-served cannot place is
    sent to another day and a later request of about the same chair time takes its place (at the
    end of the booking order); after `rounds` attempts what still does not fit is left out."""
    day = generate_day(n_appointments, chairs, seed, load)
    rng = random.Random(seed ^ 0x5EED)
    apps = list(day.appointments)
    fresh = 0
    for _ in range(rounds):
        gone = set(first_come_first_served(replace(day, appointments=tuple(apps))).unplaced)
        if not gone:
            break
        kept = [a for a in apps if a.id not in gone]
        for a in (a for a in apps if a.id in gone):
            fresh += 1
            kept.append(_request_like(rng, a, f"r{fresh:03d}"))
        apps = kept
    final = replace(day, appointments=tuple(apps))
    gone = set(first_come_first_served(final).unplaced)
    return replace(final, appointments=tuple(a for a in apps if a.id not in gone))


def _request_like(rng: random.Random, old: Appointment, rid: str) -> Appointment:
    """A new request whose chair time is the closest of a few draws to `old`'s (keeps the load)."""
    draws = [_draw(rng, MIX) for _ in range(8)]
    visit, number, minutes = min(draws, key=lambda d: abs(d[2] - old.chair_minutes))
    earliest, latest, preferred = _window(rng, visit, minutes)
    return Appointment(
        id=rid,
        patient=f"q{rid[1:]}",
        drug=visit.drug,
        chair_minutes=minutes,
        earliest=earliest,
        latest_start=latest,
        preferred_start=preferred,
        needs=old.needs,
        first_infusion=number == 1,
        course_day=visit.course_day if visit.drug == "alemtuzumab" else None,
    )


def booked_load(instance: Instance) -> float:
    """Booked chair-minutes over the chair-minutes the day offers."""
    booked = sum(a.chair_minutes for a in instance.appointments)
    return booked / (instance.chairs * (instance.close - instance.open))


def main() -> None:
    parser = argparse.ArgumentParser(description="Print one generated center day as JSON.")
    parser.add_argument("appointments", type=int)
    parser.add_argument("chairs", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--load", type=float, default=0.8)
    args = parser.parse_args()
    day = generate_day(args.appointments, args.chairs, args.seed, args.load)
    print(json.dumps(day.to_json(), indent=2))


if __name__ == "__main__":
    main()
