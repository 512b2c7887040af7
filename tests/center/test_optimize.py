"""CP-SAT optimizer: hand-solved days, validity on random days, never worse than FCFS."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.bounds import energetic_bound
from msinfusion.center.grid import Grid
from msinfusion.center.optimize import optimize
from msinfusion.center.validate import violations

from .conftest import appt, day, generated_day, hm


def starts(schedule) -> dict[str, int]:
    return {a.id: a.start for a in schedule.assignments}


def level(schedule, name: str):
    return next(lv for lv in schedule.levels if lv.name == name)


def test_only_one_order_fits_one_chair():
    # b must start at 08:00 and c at 12:00; a (3 h) fits only in between, at 09:00.
    # FCFS books a first at its earliest (08:00) and loses b.
    inst = day(
        [
            appt("a", 180, "08:00", "12:00"),
            appt("b", 60, "08:00", "08:00"),
            appt("c", 120, "12:00"),
        ],
        close="14:00",
    )
    assert first_come_first_served(inst).unplaced == ("b",)
    s = optimize(inst, time_limit=5)
    assert starts(s) == {"a": hm("09:00"), "b": hm("08:00"), "c": hm("12:00")}
    assert s.unplaced == ()
    assert s.status == "optimal"
    assert violations(inst, s) == []
    # docs/center.md works these out by hand: c ends at closing and its overrun allowance
    # (one spread, 20% of 120 = 24, + 15 = 39 minutes, 40 on the grid) passes 14:00 by 40 minutes
    # whatever the plan (c cannot move); a ends at 12:00 and its allowance (36 + 15 = 51, 55 on
    # the grid) stays before 14:00; one chair, so the chair peak is 1; one set-up at a time;
    # no wishes.
    assert [(lv.objective, lv.bound) for lv in s.levels] == [
        (0, 0),
        (40, 40),
        (1, 1),
        (1, 1),
        (0, 0),
    ]


def test_one_nurse_forces_staggered_starts():
    # Three chairs, one nurse, 15-minute set-ups, all wish 09:00 and must start by 09:30.
    inst = day(
        [appt(x, 60, "09:00", "09:30", preferred="09:00") for x in "abc"],
        chairs=3,
        nurse_start_minutes=15,
    )
    s = optimize(inst, time_limit=5)
    assert sorted(starts(s).values()) == [hm("09:00"), hm("09:15"), hm("09:30")]
    # Preference level: 0 + 15 + 30 minutes away from the wish, proven optimal.
    pref = level(s, "preference_minutes")
    assert (pref.objective, pref.bound) == (45, 45)
    assert s.status == "optimal"


def test_a_day_where_one_must_stay_unplaced():
    # Four hours, one chair, three 2-hour infusions: two fit.
    inst = day([appt(x, 120) for x in "abc"], close="12:00")
    s = optimize(inst, time_limit=5)
    assert len(s.unplaced) == 1 and len(s.assignments) == 2
    lv = level(s, "unplaced")
    assert (lv.objective, lv.bound, lv.gap_abs) == (1, 1, 0)
    assert energetic_bound(inst)["max_placeable"] == 2
    assert s.status == "optimal"


def test_bound_never_exceeds_the_known_optimum():
    inst = day([appt(x, 120) for x in "abc"], close="12:00")
    s = optimize(inst, time_limit=5)
    for lv in s.levels:
        assert lv.bound <= lv.objective


def test_off_grid_times_are_rounded_conservatively():
    # 62-minute chair time, earliest 08:03, latest 08:12: the grid rounds the duration up to 13
    # slots, the earliest up to 08:05 (slot 97) and the latest start down to 08:10 (slot 98).
    inst = day(
        [appt("a", 62, "08:03", "08:12", preferred="08:12"), appt("b", 62, "08:03", "08:12")],
        chairs=2,
        nurses=[("08:00", "09:14")],
        nurse_start_minutes=0,
    )
    item = Grid(inst).by_id["a"]
    assert (item.e, item.l, item.d) == (97, 98, 13)
    s = optimize(inst, time_limit=5)
    assert violations(inst, s) == []
    assert s.unplaced == ()
    assert all(a.start in (hm("08:05"), hm("08:10")) for a in s.assignments)


def test_an_ordinary_patient_may_take_a_free_bed():
    inst = day(
        [appt("a", 60, "08:00", "08:00"), appt("b", 60, "08:00", "08:00")],
        chairs=2,
        chair_kinds={2: "bed"},
        nurses=[("08:00", "18:00")] * 2,
    )
    s = optimize(inst, time_limit=5)
    assert s.unplaced == ()
    assert sorted(a.chair for a in s.assignments) == [1, 2]


def test_a_patient_needing_a_bed_gets_the_bed():
    inst = day(
        [appt("a", 60, "08:00", "08:00"), appt("bed", 60, "08:00", "08:00", needs="bed")],
        chairs=2,
        chair_kinds={1: "bed"},
        nurses=[("08:00", "18:00")] * 2,
    )
    s = optimize(inst, time_limit=5)
    assert {a.id: a.chair for a in s.assignments} == {"a": 2, "bed": 1}


def test_levels_and_gap_are_reported():
    inst = generated_day(30, seed=5)
    s = optimize(inst, time_limit=2)
    assert [lv.name for lv in s.levels] == [
        "unplaced",
        "late_minutes",
        "chair_peak",
        "setup_peak",
        "preference_minutes",
    ]
    assert s.status in {"optimal", "feasible"}
    assert set(s.extra) >= {"deterministic_time", "intervals", "constraints"}
    assert s.objective is not None and s.bound is not None and s.bound <= s.objective
    assert s.to_json()["levels"][0]["name"] == "unplaced"


def test_progress_is_told_each_level_as_it_starts():
    told: list[tuple[int, str]] = []
    s = optimize(generated_day(20, seed=3), time_limit=1, progress=lambda k, n: told.append((k, n)))
    assert told == [(k, lv.name) for k, lv in enumerate(s.levels)]


def test_never_worse_than_fcfs_with_half_a_second_on_a_big_day():
    inst = generated_day(200, seed=7)
    fcfs = first_come_first_served(inst)
    s = optimize(inst, time_limit=0.5)
    grid = Grid(inst)
    assert violations(inst, s) == []
    assert len(s.assignments) >= len(fcfs.assignments)
    assert grid.levels(grid.placement(s)) <= grid.levels(grid.placement(fcfs))


def test_reoptimising_a_booked_day_moves_only_what_lowers_the_peak():
    # A booked day (wish = current start) on two chairs: a 08:00-09:00 and b 08:30-09:30 overlap,
    # so two chairs are busy at once; c and d sit alone later. Moving b to 09:00 (30 minutes from
    # its wish) brings the chair peak down to 1; nobody else has a reason to move.
    booked = {"a": "08:00", "b": "08:30", "c": "10:00", "d": "11:00"}
    inst = day([appt(x, 60, preferred=t) for x, t in booked.items()], chairs=2)
    s = optimize(inst, time_limit=5)
    moved = {aid for aid, start in starts(s).items() if start != hm(booked[aid])}
    assert moved == {"b"} and starts(s)["b"] == hm("09:00")
    assert level(s, "chair_peak").objective == 1
    assert (level(s, "preference_minutes").objective, s.status) == (30, "optimal")


def test_an_already_best_booking_is_kept_as_it_is():
    # One appointment at a time on one chair, each at its wish: every level is at its bound.
    booked = {"a": "08:00", "b": "09:30", "c": "12:00"}
    inst = day([appt(x, 90, preferred=t) for x, t in booked.items()], chairs=1)
    s = optimize(inst, time_limit=5)
    assert starts(s) == {aid: hm(t) for aid, t in booked.items()}
    assert s.status == "optimal"


def test_peak_bounds_from_forced_energy():
    # Three 2-hour infusions that must all run inside 08:00-12:00 on three chairs: 6 chair-hours
    # in 4 hours forces at least 2 in chairs at once; three 15-minute set-ups inside their
    # one-hour start windows fit one at a time.
    inst = day([appt(x, 120, "08:00", "10:00") for x in "abc"], chairs=3)
    b = energetic_bound(inst)
    assert (b["min_chair_peak"], b["min_setup_peak"]) == (2, 1)
    s = optimize(inst, time_limit=5)
    assert (level(s, "chair_peak").objective, level(s, "chair_peak").bound) == (2, 2)


_appointments = st.lists(
    st.tuples(
        st.integers(1, 36),  # chair time in 5-minute units (up to 3 h)
        st.integers(0, 60),  # earliest, 5-minute units after 08:00
        st.integers(0, 40),  # window width
        st.integers(0, 3),  # minutes off the grid
        st.booleans(),  # has a preference
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=_appointments,
    chairs=st.integers(1, 3),
    nurses=st.integers(1, 2),
    ppn=st.integers(1, 3),
    nsm=st.sampled_from([0, 10, 15, 17]),
)
def test_random_small_days_are_valid_and_place_at_least_fcfs(rows, chairs, nurses, ppn, nsm):
    appts = []
    for i, (dur, early, width, off, pref) in enumerate(rows):
        e = 480 + 5 * early + off
        lat = min(e + 5 * width, 1080 - 5 * dur)
        if lat < e:
            continue
        a = appt(f"x{i}", 5 * dur + off, preferred=None)
        appts.append(
            a.__class__(
                **{
                    **_fields(a),
                    "earliest": e,
                    "latest_start": lat,
                    "preferred_start": e + 5 * (width // 2) if pref else None,
                }
            )
        )
    if not appts:
        return
    shifts = [("08:00", "18:00"), ("10:02", "15:33")][:nurses]
    inst = day(appts, chairs=chairs, nurses=shifts, patients_per_nurse=ppn, nurse_start_minutes=nsm)
    fcfs = first_come_first_served(inst)
    s = optimize(inst, time_limit=1)
    assert violations(inst, fcfs) == []
    assert violations(inst, s) == []
    assert len(s.assignments) >= len(fcfs.assignments)


def _fields(a):
    return {f: getattr(a, f) for f in a.__slots__}
