"""A booked day for the board tests.

The world's center gets places 1 and 2 (chairs), 3 (a bed) and 4 (an isolated room), opens Monday to
Friday 08:00-17:00, and has two nurses on shift 08:00-17:00 on Monday 2026-01-19. The clinic day is
Wednesday 2026-01-14 (noon in New York), as in the staff tests: the world's patient had ocrelizumab
infusion 1 on 2026-01-05, so infusion 2 ("initial dose 2 of 2") is due Monday 2026-01-19 (day 15),
bookable 2026-01-16 to 2026-01-22 (the catalog's 3-day window), with 240 minutes of chair time
(30 premedication + 150 infusion + 60 observation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
import time_machine

from msinfusion.web.clinic import models as m
from msinfusion.web.scheduling.models import NurseShift
from msinfusion.web.scheduling.services import Request

TODAY = date(2026, 1, 14)
MONDAY = date(2026, 1, 19)
NOON_IN_NEW_YORK = datetime(2026, 1, 14, 17, 0, tzinfo=UTC)


@dataclass
class Places:
    chair1: m.Chair
    chair2: m.Chair
    bed3: m.Chair
    room4: m.Chair


@pytest.fixture
def clinic_day():
    with time_machine.travel(NOON_IN_NEW_YORK, tick=False):
        yield TODAY


@pytest.fixture
def places(world) -> Places:
    center = world.center
    made = Places(
        m.Chair.objects.create(center=center, number=1, kind="chair"),
        m.Chair.objects.create(center=center, number=2, kind="chair"),
        m.Chair.objects.create(center=center, number=3, kind="bed"),
        m.Chair.objects.create(center=center, number=4, kind="isolation"),
    )
    for weekday in range(5):
        m.OpeningHours.objects.create(
            center=center, weekday=weekday, opens=time(8), closes=time(17)
        )
    for name in ("Nurse One", "Nurse Two"):
        NurseShift.objects.create(
            center=center, name=name, date=MONDAY, start=time(8), end=time(17)
        )
    return made


@pytest.fixture
def nurse(client, world, places, clinic_day):
    client.force_login(world.nurse)
    return client


def request_for(label: str, minutes: int = 60, drug: str = "natalizumab", **kw) -> Request:
    """A booking request around MONDAY, for tests that place bookings directly."""
    return Request(
        drug=drug,
        label=label,
        chair_minutes=minutes,
        earliest=date(2026, 1, 12),
        latest=date(2026, 1, 30),
        **kw,
    )


def extra_patients(center, n: int, prefix: str = "Patient") -> list[m.Patient]:
    return [m.Patient.objects.create(center=center, name=f"{prefix} {i:02d}") for i in range(n)]
