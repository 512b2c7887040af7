"""The benchmark's day generator: the days are as realistic as it claims, and reproducible."""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import pytest

from msinfusion.center.instance import Instance

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from center_days import SIZES, booked_day, booked_load, generate_day  # noqa: E402
from msinfusion.center.baseline import first_come_first_served  # noqa: E402

# Catalog chair times (premedication + infusion + observation), worked out from the drug files:
CHAIR_MINUTES = {
    "natalizumab": {120, 60},  # 1 h + 1 h observation for infusions 1-12, then 1 h
    "natalizumab-sztn": {120},
    "ocrelizumab": {240, 300, 210},  # 30 + 150 + 60; 30 + 210 + 60; shorter 30 + 120 + 60
    "ublituximab": {330, 150, 90},  # 30 + 240 + 60; 30 + 60 + 60; 30 + 60
    "rituximab": {345, 285},  # 30 + 255 + 60; 30 + 195 + 60
    "alemtuzumab": {390, 360},  # 30 + 240 + 120 on days 1-3; 240 + 120 on days 4-5
    "mitoxantrone": {15},
}


@pytest.mark.parametrize(("n", "chairs"), SIZES)
def test_bench_sizes_book_the_asked_share_of_chair_hours(n, chairs):
    day = generate_day(n, chairs, seed=3, load=0.8)
    assert len(day.appointments) == n and day.chairs == chairs
    assert booked_load(day) == pytest.approx(0.8, abs=0.02)


def test_chair_times_are_the_catalog_ones():
    day = generate_day(300, 48, seed=5)
    for a in day.appointments:
        assert a.chair_minutes in CHAIR_MINUTES[a.drug], (a.drug, a.chair_minutes)
        if a.drug == "alemtuzumab":
            assert a.course_day in (1, 2, 3, 4, 5)
        else:
            assert a.course_day is None


def test_every_window_fits_the_day_and_holds_the_preferred_start():
    day = generate_day(200, 36, seed=8, load=0.9)
    for a in day.appointments:
        assert day.open <= a.earliest <= a.latest_start
        assert a.latest_start + a.chair_minutes <= day.close
        assert a.preferred_start is not None
        assert a.earliest <= a.preferred_start <= a.latest_start


def test_preferred_starts_cluster_mid_morning():
    day = generate_day(400, 60, seed=2)
    preferred = [a.preferred_start for a in day.appointments if a.preferred_start is not None]
    assert 9 * 60 <= statistics.median(preferred) <= 11 * 60
    morning = sum(1 for p in preferred if 9 * 60 <= p < 12 * 60)
    assert morning / len(preferred) > 0.4  # 3 of 12 opening hours take over 40% of the wishes


def test_nurses_cover_the_day_with_fewer_at_both_ends():
    day = generate_day(100, 24, seed=4)
    on_shift = [day.nurses_on_shift(m) for m in range(day.open, day.close)]
    assert min(on_shift) >= 1
    midday = day.nurses_on_shift(12 * 60)
    assert day.patients_per_nurse * midday >= day.chairs
    assert day.nurses_on_shift(day.open) < midday
    assert day.nurses_on_shift(day.close - 1) < midday
    assert 15 <= day.nurse_start_minutes <= 30


def test_same_seed_same_day_and_json_round_trip():
    a = generate_day(60, 20, seed=9)
    assert a == generate_day(60, 20, seed=9)
    assert a != generate_day(60, 20, seed=10)
    assert Instance.from_json(json.loads(json.dumps(a.to_json()))) == a


def test_beds_exist_and_are_only_needed_where_there_are_beds():
    day = generate_day(400, 60, seed=1)
    assert sorted(day.chair_kinds.values()) == ["bed", "bed"]
    assert all(a.needs in (None, "bed") for a in day.appointments)


def test_the_committed_example_day_loads():
    data = json.loads((ROOT / "examples" / "center" / "day.json").read_text())
    day = Instance.from_json(data)
    assert 35 <= len(day.appointments) <= 45
    assert {a.drug for a in day.appointments} <= set(CHAIR_MINUTES)


@pytest.mark.parametrize(("n", "chairs", "seed"), [(60, 20, 1), (100, 24, 2)])
def test_a_booked_day_holds_what_the_desk_could_fit_in_arrival_order(n, chairs, seed):
    requests = generate_day(n, chairs, seed, load=1.0)
    assert first_come_first_served(
        requests
    ).unplaced  # more demand than first-come-first-served fits
    day = booked_day(n, chairs, seed, load=1.0)
    assert first_come_first_served(day).unplaced == ()
    assert 0.9 * n <= len(day.appointments) <= n
    assert 0.7 <= booked_load(day) <= 0.9
    # Requests that fitted keep their place in the booking order; replacements come after them.
    ids = [a.id for a in day.appointments]
    originals = [a for a in ids if a.startswith("a")]
    assert originals == [a.id for a in requests.appointments if a.id in set(originals)]
    assert ids[: len(originals)] == originals
