"""The time-indexed relaxation's bounds: exact on hand-made days, never above a real plan."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.bounds import energetic_bound
from msinfusion.center.grid import LEVEL_NAMES, Grid
from msinfusion.center.optimize import optimize
from msinfusion.center.time_indexed import lp_bound

from .conftest import appt, day, small_day_rows


def test_fixed_starts_give_each_level_exactly():
    # Starts are fixed (earliest = latest): a 08:00-09:00, b 08:30-09:30, c 09:30-10:30.
    # Chair peak 2 (a and b from 08:30 to 09:00); set-ups of 30 minutes 08:00, 08:30, 09:30
    # never overlap: peak 1; preferences 08:10, 08:30, 09:00: 10 + 0 + 30 = 40 minutes.
    inst = day(
        [
            appt("a", 60, "08:00", "08:00", "08:10"),
            appt("b", 60, "08:30", "08:30", "08:30"),
            appt("c", 60, "09:30", "09:30", "09:00"),
        ],
        chairs=3,
        nurse_start_minutes=30,
    )
    grid = Grid(inst)
    fixed = [0, 0, 2, 1]
    bounds = [lp_bound(grid, k, fixed[:k]) for k in range(len(LEVEL_NAMES))]
    assert [b.bound for b in bounds if b is not None] == [0, 0, 2, 1, 40]
    assert bounds[4].starts == {"a": 96, "b": 102, "c": 114}  # 08:00, 08:30, 09:30 in slots


def test_two_wishes_for_one_chair_cost_an_hour_and_that_is_proven():
    # One chair, two 1-hour infusions that both want 09:00 (window 08:00-11:00). They cannot
    # overlap, so one of them moves a full hour: 60 preference minutes at best. Forced energy
    # alone only knows each could start at its wish (bound 0); the relaxation knows the chair is
    # shared and gives 60, so the optimizer's plan is proven optimal.
    inst = day(
        [appt(x, 60, "08:00", "11:00", "09:00") for x in "ab"],
        chairs=1,
    )
    assert energetic_bound(inst)["min_preference_minutes"] == 0
    assert lp_bound(Grid(inst), 4, [0, 0, 1, 1]).bound == 60
    s = optimize(inst, time_limit=5)
    pref = next(lv for lv in s.levels if lv.name == "preference_minutes")
    assert (pref.objective, pref.bound) == (60, 60)
    assert s.status == "optimal"


_rows = st.lists(
    st.tuples(
        st.integers(1, 30),  # chair time, 5-minute units
        st.integers(0, 50),  # earliest, 5-minute units after 08:00
        st.integers(0, 40),  # window width
        st.booleans(),  # has a wish
    ),
    min_size=1,
    max_size=7,
)


@st.composite
def _days(draw: st.DrawFn):
    """A small random day (None when no row fits in it)."""
    rows = draw(_rows)
    appts = small_day_rows([(d, e, w, w // 2 if wish else None) for d, e, w, wish in rows])
    if not appts:
        return None
    return day(
        appts,
        chairs=draw(st.integers(1, 3)),
        patients_per_nurse=draw(st.integers(1, 3)),
        nurse_start_minutes=draw(st.sampled_from([10, 30])),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=_days())
def test_bound_never_exceeds_a_real_plan(inst):
    # Any valid plan meets the rules with its own level values, so no level's relaxation, given
    # the plan's values before it, may promise less than the plan achieves.
    if inst is None:
        return
    grid = Grid(inst)
    for plan in (first_come_first_served(inst), optimize(inst, time_limit=0.5)):
        values = grid.levels(grid.placement(plan))
        for k in range(len(LEVEL_NAMES)):
            relaxed = lp_bound(grid, k, values[:k])
            assert relaxed is None or relaxed.bound <= values[k], (k, relaxed, values)


def test_a_day_where_nothing_fits_has_no_relaxation():
    # A 1-hour infusion that may only start at 17:30 cannot end by the 18:00 close.
    inst = day([appt("late", 60, "17:30", "17:30")])
    assert lp_bound(Grid(inst), 2, [1, 0]) is None
    assert optimize(inst, time_limit=1).unplaced == ("late",)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inst=_days())
def test_pricing_from_a_plan_reaches_the_full_relaxation(inst):
    # Pricing starts from a few starts near the plan's and adds starts while any could lower the
    # value; at the end it must have the full LP's value, so the same bound and Lagrangian base.
    if inst is None:
        return
    grid = Grid(inst)
    placement = grid.placement(first_come_first_served(inst))
    values = grid.levels(placement)
    for k in range(2, len(LEVEL_NAMES)):
        full = lp_bound(grid, k, values[:k])
        priced = lp_bound(grid, k, values[:k], plan=placement)
        assert (full is None) == (priced is None)
        if full is None:
            continue
        assert priced.bound == full.bound
        if full.costs is not None:
            assert abs(priced.costs.base - full.costs.base) <= 1e-4 * (1 + abs(full.costs.base))


def test_preference_bounds_round_up_to_whole_five_minutes():
    # One chair: a 55-minute infusion wishing 09:00 and a 35-minute one wishing 09:15 (windows
    # 08:00-11:00). They overlap if both start on time. Moving the first a minutes earlier lets
    # the second start at 09:55 - a, 40 - a minutes late: 40 minutes in all whichever way
    # (moving the second before the first costs more). The LP can split each start in halves and
    # pay 37.5; every real plan is a whole number of 5-minute steps, so the bound is 40, which
    # proves the optimizer's plan.
    inst = day(
        [appt("a", 55, "08:00", "11:00", "09:00"), appt("b", 35, "08:00", "11:00", "09:15")],
        chairs=1,
    )
    assert lp_bound(Grid(inst), 4, [0, 0, 1, 1]).bound == 40
    s = optimize(inst, time_limit=5)
    assert (s.levels[-1].objective, s.levels[-1].bound) == (40, 40)
