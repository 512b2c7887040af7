"""Simultaneous bookings of one chair: the database lets exactly one through .

32 threads ask for the same chair at overlapping times, 20 rounds: each round exactly one booking
succeeds and the 31 others get a conflict naming it. Bookings that only touch (one ends when the
next starts) both succeed. The threads call the booking service with their own database connection
and close it; on PostgreSQL they share the test database, on SQLite (whose in-memory test database
serves one connection at a time) they share a file copy of it, opened with the app's own SQLite
options (immediate transactions, busy timeout, WAL), the way a deployed SQLite database runs.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from msinfusion.web.scheduling.models import BookedSlot, Booking
from msinfusion.web.scheduling.services import Conflict, book

from .conftest import MONDAY, extra_patients, request_for

# Committed test data is removed by emptying tables afterwards; the audit log refuses that (it is
# append-only, TRUNCATE included on PostgreSQL), so only the apps these tests write are emptied.
pytestmark = pytest.mark.django_db(
    transaction=True,
    available_apps=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "msinfusion.web.accounts",
        "msinfusion.web.clinic",
        "msinfusion.web.scheduling",
    ],
)

THREADS = 32
ROUNDS = 20
CONFLICT = re.compile(r"^Chair 1 is already booked (\d\d:\d\d)-(\d\d:\d\d)$")


@pytest.fixture
def contenders(world):
    return extra_patients(world.center, THREADS)


@pytest.fixture
def thread_db(tmp_path, world, places, contenders):
    """Settings for the threads' connections (None: the test database itself will do).

    Every row the threads need exists before the copy is taken.
    """
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        path = tmp_path / "threads.sqlite3"
        connection.ensure_connection()
        copy = sqlite3.connect(path)
        connection.connection.backup(copy)
        # A deployed database is in WAL mode from its first migration on (the mode is stored in
        # the file). The copy is not: left to the threads, several first connections would switch
        # it at once, and that switch takes the database lock without waiting for it.
        copy.execute("PRAGMA journal_mode=WAL")
        copy.close()
        yield {**connection.settings_dict, "NAME": str(path)}
    else:
        yield None


def in_thread(settings, fn: Callable):
    """Run `fn` on this thread's own connection, and close that connection afterwards."""

    def run(*args):
        if settings is not None:
            backend = load_backend(settings["ENGINE"])
            connections["default"] = backend.DatabaseWrapper(settings, "default")
        try:
            return fn(*args)
        finally:
            connections["default"].close()

    return run


def attempt(barrier: threading.Barrier, patient, chair, start: int, minutes: int, label: str):
    barrier.wait()
    try:
        booking = book(patient, chair, MONDAY, start, request_for(label, minutes))
    except Conflict as exc:
        return ("conflict", exc.message)
    return ("booked", booking.pk)


def test_only_one_of_32_simultaneous_bookings_of_a_chair_succeeds(
    world, places, contenders, thread_db
):
    patients = contenders
    chair = places.chair1
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        for r in range(ROUNDS):
            base = 8 * 60 + 25 * r  # each round's 15-minute stays start within 10 minutes
            barrier = threading.Barrier(THREADS)
            run = in_thread(thread_db, attempt)
            futures = [
                pool.submit(run, barrier, p, chair, base + 5 * (i % 3), 15, f"round {r}")
                for i, p in enumerate(patients)
            ]
            results = [f.result(timeout=120) for f in futures]
            booked = [value for outcome, value in results if outcome == "booked"]
            conflicts = [value for outcome, value in results if outcome == "conflict"]
            assert len(booked) == 1, f"round {r}: {len(booked)} bookings succeeded"
            assert len(conflicts) == THREADS - 1
            winner = pool.submit(in_thread(thread_db, _booking), booked[0]).result()
            for message in conflicts:
                match = CONFLICT.match(message)
                assert match, message
                assert match.groups() == (f"{winner.start:%H:%M}", f"{winner.end:%H:%M}")
        stored = pool.submit(in_thread(thread_db, _chair_rows), chair).result()
    bookings, slots = stored
    assert bookings == ROUNDS  # one per round, nothing else
    assert slots == ROUNDS * 3  # 15 minutes = three 5-minute slots each


def _booking(pk: int) -> Booking:
    return Booking.objects.get(pk=pk)


def _chair_rows(chair) -> tuple[int, int]:
    return (
        Booking.objects.filter(chair=chair).count(),
        BookedSlot.objects.filter(chair=chair).count(),
    )


def _spans() -> list[tuple[time, time]]:
    return list(Booking.objects.order_by("start").values_list("start", "end"))


def test_simultaneous_back_to_back_bookings_both_succeed(world, places, contenders, thread_db):
    first, second = contenders[:2]
    chair = places.chair1
    with ThreadPoolExecutor(max_workers=2) as pool:
        for r in range(10):
            start = 8 * 60 + 50 * r  # 25 minutes, then the next 25 minutes from its end
            barrier = threading.Barrier(2)
            run = in_thread(thread_db, attempt)
            a = pool.submit(run, barrier, first, chair, start, 25, f"round {r}")
            b = pool.submit(run, barrier, second, chair, start + 25, 25, f"round {r}")
            assert [a.result(timeout=60)[0], b.result(timeout=60)[0]] == ["booked", "booked"]
        rows = pool.submit(in_thread(thread_db, _spans)).result()
    assert len(rows) == 20
    assert rows[:2] == [(time(8, 0), time(8, 25)), (time(8, 25), time(8, 50))]
    assert all(rows[i][1] == rows[i + 1][0] for i in range(len(rows) - 1))  # touching, no gap
