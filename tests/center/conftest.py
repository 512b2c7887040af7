"""Small builders for center days: hand-made instances and a tiny random day generator."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from msinfusion.center.instance import Appointment, Instance, Nurse, Seated


def hm(text: str) -> int:
    """'09:30' -> 570."""
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def appt(
    aid: str,
    minutes: int,
    earliest: str = "08:00",
    latest: str = "17:00",
    preferred: str | None = None,
    *,
    needs: str | None = None,
    drug: str = "natalizumab",
    first: bool = False,
    seated: tuple[int, str] | None = None,
) -> Appointment:
    return Appointment(
        id=aid,
        patient=f"p-{aid}",
        drug=drug,
        chair_minutes=minutes,
        earliest=hm(earliest),
        latest_start=hm(latest),
        preferred_start=None if preferred is None else hm(preferred),
        needs=needs,
        first_infusion=first,
        seated=None if seated is None else Seated(seated[0], hm(seated[1])),
    )


def day(
    appointments: Sequence[Appointment],
    *,
    chairs: int = 1,
    nurses: Sequence[tuple[str, str]] = (("08:00", "18:00"),),
    open_: str = "08:00",
    close: str = "18:00",
    patients_per_nurse: int = 4,
    nurse_start_minutes: int = 15,
    chair_kinds: dict[int, str] | None = None,
) -> Instance:
    return Instance(
        date=date(2026, 3, 2),
        timezone="Europe/Amsterdam",
        open=hm(open_),
        close=hm(close),
        chairs=chairs,
        nurses=tuple(Nurse(f"n{i}", hm(s), hm(e)) for i, (s, e) in enumerate(nurses)),
        patients_per_nurse=patients_per_nurse,
        nurse_start_minutes=nurse_start_minutes,
        appointments=tuple(appointments),
        chair_kinds=chair_kinds or {},
    )


def small_day_rows(
    rows: Sequence[tuple[int, int, int, int | None]], needs_first: str | None = None
) -> list[Appointment]:
    """Appointments from hypothesis rows (chair time, earliest after 08:00, window width, wish
    after earliest or None; all in 5-minute units) on an 08:00-18:00 day; rows that cannot end by
    18:00 are left out. `needs_first`: the first one needs that chair kind."""
    out = []
    for i, (dur, early, width, wish) in enumerate(rows):
        e = 480 + 5 * early
        last = min(e + 5 * width, 1080 - 5 * dur)
        if last < e:
            continue
        w = None if wish is None else min(e + 5 * wish, last)
        out.append(
            appt(
                f"x{i}",
                5 * dur,
                f"{e // 60:02d}:{e % 60:02d}",
                f"{last // 60:02d}:{last % 60:02d}",
                None if w is None else f"{w // 60:02d}:{w % 60:02d}",
                needs=needs_first if i == 0 else None,
            )
        )
    return out


# Chair minutes per (drug, first infusion): premedication + infusion + observation, rounded.
_MIX = [
    ("natalizumab", 90, False, 0.45),
    ("natalizumab", 150, True, 0.05),
    ("ocrelizumab", 270, False, 0.25),
    ("ocrelizumab", 330, True, 0.05),
    ("alemtuzumab", 390, False, 0.05),
    ("rituximab", 300, False, 0.10),
    ("mitoxantrone", 60, False, 0.05),
]


def generated_day(n: int, seed: int = 0, *, load: float = 0.8, beds: int = 0) -> Instance:
    """A plausible MS day: n appointments, chairs sized so that planned load is about `load`."""
    rng = random.Random(seed)
    open_, close = hm("08:00"), hm("18:00")
    weights = [w for *_, w in _MIX]
    appts = []
    total = 0
    for i in range(n):
        drug, minutes, first, _ = rng.choices(_MIX, weights)[0]
        total += minutes
        earliest = open_ + rng.choice([0, 0, 0, 30, 60, 120])
        latest = close - minutes
        if rng.random() < 0.3:  # a patient who must be done by early afternoon
            latest = min(latest, max(earliest, hm("14:00") - minutes // 2))
        latest = max(earliest, latest)
        if latest + minutes > close:
            earliest = latest = close - minutes
        pref = None
        if rng.random() < 0.8:
            # People like mid-morning: the peak that hand booking suffers from.
            pref = min(latest, max(earliest, rng.choice([480, 510, 540, 570, 600, 630, 660, 780])))
        appts.append(
            Appointment(
                id=f"a{i:03d}",
                patient=f"p{i:03d}",
                drug=drug,
                chair_minutes=minutes,
                earliest=earliest,
                latest_start=latest,
                preferred_start=pref,
                needs="bed" if beds and rng.random() < 0.04 else None,
                first_infusion=first,
                course_day=rng.randint(1, 5) if drug == "alemtuzumab" else None,
            )
        )
    chairs = max(2, round(total / (load * (close - open_))))
    n_nurses = max(1, round(chairs / 3))
    shifts = [("07:30", "16:00"), ("09:30", "18:00"), ("08:00", "16:30")]
    nurses = tuple(
        Nurse(f"n{i}", hm(shifts[i % 3][0]), hm(shifts[i % 3][1])) for i in range(n_nurses)
    )
    return Instance(
        date=date(2026, 3, 2),
        timezone="Europe/Amsterdam",
        open=open_,
        close=close,
        chairs=chairs,
        nurses=nurses,
        patients_per_nurse=4,
        nurse_start_minutes=15,
        appointments=tuple(appts),
        chair_kinds=dict.fromkeys(range(chairs - beds + 1, chairs + 1), "bed"),
    )
