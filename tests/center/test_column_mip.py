"""The restricted MIP and reduced-cost fixing: plans that keep the chair groups, bounds that hold."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.column_mip import fitting_starts, solve_restricted, with_plan
from msinfusion.center.grid import Grid
from msinfusion.center.optimize import optimize
from msinfusion.center.time_indexed import Program, lp_bound
from msinfusion.center.validate import violations

from .conftest import appt, day, small_day_rows

PREFERENCE = 4


def _nested_beds_day():
    # One ordinary chair (1) and one bed (2), three fixed starts:
    #   a (no needs) 08:00-08:40, c (no needs) 08:20-10:00, b (needs the bed) 08:50-09:20.
    # Counting alone says it fits (never more than 2 in chairs, never more than 1 bed patient),
    # and a desk filling ordinary chairs first seats a in chair 1, then c must take the bed and b
    # has none. The only plan: a in the bed, c in the ordinary chair, b in the bed after a.
    return day(
        [
            appt("a", 40, "08:00", "08:00", "08:00"),
            appt("c", 100, "08:20", "08:20", "08:20"),
            appt("b", 30, "08:50", "08:50", "08:50", needs="bed"),
        ],
        chairs=2,
        chair_kinds={2: "bed"},
        nurses=[("08:00", "18:00")] * 2,
    )


def test_the_grouped_mip_seats_what_greedy_colouring_cannot():
    inst = _nested_beds_day()
    grid = Grid(inst)
    starts = {it.id: [it.e] for it in grid.free}
    found = solve_restricted(grid, PREFERENCE, [0, 0, 99, 99], starts, time_limit=5, grouped=True)
    assert found is not None and found.optimal and found.value == 0
    bed = next(g for g, grp in enumerate(grid.groups) if grp.kind == "bed")
    assert {aid: grp for aid, (_s, grp) in found.placement.items()} == {
        "a": bed,
        "b": bed,
        "c": 1 - bed,
    }
    s = optimize(inst, time_limit=5)
    assert s.unplaced == () and not violations(inst, s)
    assert {a.id: a.chair for a in s.assignments} == {"a": 2, "b": 2, "c": 1}


def test_two_wishes_for_one_chair_are_solved_from_the_relaxation():
    # One chair, two 1-hour infusions wishing 09:00 (window 08:00-11:00): one moves an hour.
    inst = day([appt(x, 60, "08:00", "11:00", "09:00") for x in "ab"])
    grid = Grid(inst)
    relaxed = lp_bound(grid, PREFERENCE, [0, 0, 1, 1])
    assert relaxed is not None and relaxed.bound == 60
    found = solve_restricted(
        grid, PREFERENCE, [0, 0, 1, 1], with_plan(relaxed.support or {}, {}), time_limit=5
    )
    assert found is not None and found.value == 60
    starts = sorted(s for s, _g in found.placement.values())
    assert starts[1] - starts[0] == 12  # back to back: 60 minutes = 12 slots


_rows = st.lists(
    st.tuples(
        st.integers(1, 30),  # chair time, 5-minute units
        st.integers(0, 50),  # earliest, 5-minute units after 08:00
        st.integers(0, 40),  # window width
        st.integers(0, 40),  # wish, 5-minute units after earliest
    ),
    min_size=1,
    max_size=7,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, chairs=st.integers(1, 3), ppn=st.integers(1, 3), beds=st.booleans())
def test_reduced_costs_never_promise_less_than_a_real_plan(rows, chairs, ppn, beds):
    # The Lagrangian bound holds for every plan that keeps the rules and the earlier levels:
    # base + the reduced cost of each of its starts <= its preference minutes. So reduced-cost
    # fixing at the plan's own value keeps every one of its starts.
    appts = small_day_rows(rows, needs_first="bed" if beds else None)
    if not appts:
        return
    kinds = {chairs: "bed"} if beds else None
    inst = day(appts, chairs=chairs, patients_per_nurse=ppn, chair_kinds=kinds)
    grid = Grid(inst)
    for plan in (first_come_first_served(inst), optimize(inst, time_limit=0.5)):
        placement = grid.placement(plan)
        values = grid.levels(placement)
        relaxed = lp_bound(grid, PREFERENCE, values[:PREFERENCE])
        if relaxed is None or relaxed.costs is None:
            continue
        costs = relaxed.costs
        total = costs.base
        for aid in costs.slots:
            if aid in placement:
                total += costs.slots[aid][placement[aid][0] - costs.first[aid]]
            else:
                total += costs.unplaced[aid]
        assert total <= values[PREFERENCE] + 1e-6
        assert all(v.min(initial=0) >= -1e-9 for v in costs.slots.values())
        kept = fitting_starts(costs, values[PREFERENCE] - costs.base + 1e-6)
        for aid, (slot, _g) in placement.items():
            assert slot in set(np.asarray(kept[aid]).tolist()), (aid, slot)


def test_starts_without_groups_are_seated_by_the_model():
    # The reduced-cost MIP leaves chair groups out. Its starts for the nested-beds day cannot be
    # coloured greedily, so the model picks the groups with every start fixed.
    from msinfusion.center.optimize_model import build
    from msinfusion.center.optimize_relaxed import _valid_plan

    inst = _nested_beds_day()
    grid = Grid(inst)
    ungrouped = {it.id: (it.e, 0) for it in grid.free}
    plan = _valid_plan(inst, grid, build(grid), ungrouped, [0, 0, 99, 99, 99], PREFERENCE)
    bed = next(g for g, grp in enumerate(grid.groups) if grp.kind == "bed")
    assert plan is not None
    assert {aid: grp for aid, (_s, grp) in plan.items()} == {"a": bed, "b": bed, "c": 1 - bed}
    # Starts that break a rule are refused: a at 08:20 is outside its window, and at 08:50 three
    # patients would share two chairs.
    crowded = {**ungrouped, "a": (grid.by_id["c"].e, 0)}
    assert _valid_plan(inst, grid, build(grid), crowded, [0, 0, 99, 99, 99], PREFERENCE) is None


def test_twins_in_either_order_are_seated():
    # Two identical appointments (twins) are ordered by start in the model to break symmetry. A
    # MIP plan may start the later-booked twin first; the model must still seat it, twins being
    # interchangeable, rather than call a valid plan impossible.
    from msinfusion.center.optimize_model import build

    inst = day(
        [appt(x, 60, "08:00", "12:00", "09:00", needs="bed") for x in "tu"]
        + [appt("o", 60, "08:00", "12:00", "10:00")],
        chairs=2,
        chair_kinds={1: "bed", 2: "bed"},
    )
    grid = Grid(inst)
    model = build(grid)
    assert model.twins == [["t", "u"]]
    later_first = {"t": grid.by_id["t"].e + 12, "u": grid.by_id["u"].e, "o": grid.by_id["o"].e + 24}
    seated = model.with_starts(later_first, 5.0)
    assert seated is not None
    assert sorted(slot for slot, _g in seated.values()) == sorted(later_first.values())


def test_a_plan_handed_to_the_mip_is_kept_or_beaten():
    # One chair, two 1-hour infusions wishing 09:00: the desk's plan (one at 09:00, the other at
    # 10:00) is 60 minutes from the wishes, which is the optimum. Handed that plan, HiGHS searches
    # for no plans of its own and proves it by branching.
    inst = day([appt(x, 60, "08:00", "11:00", "09:00") for x in "ab"])
    grid = Grid(inst)
    placement = grid.placement(first_come_first_served(inst))
    assert grid.levels(placement)[PREFERENCE] == 60
    relaxed = lp_bound(grid, PREFERENCE, [0, 0, 1, 1])
    assert relaxed is not None
    starts = with_plan(relaxed.support or {}, placement)
    found = solve_restricted(
        grid, PREFERENCE, [0, 0, 1, 1], starts, time_limit=5, incumbent=placement
    )
    assert found is not None and found.optimal
    assert (found.value, found.lower) == (60, 60)
    # A plan with a start the program has no column for is no solution of it.
    only_earliest = {it.id: [it.e] for it in grid.free}
    assert Program(grid, only_earliest).steps_of(placement, PREFERENCE) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_rows, chairs=st.integers(1, 3), beds=st.booleans(), grouped=st.booleans())
def test_a_plan_as_step_variables_keeps_every_row(rows, chairs, beds, grouped):
    # The plan handed to HiGHS must be a solution of the very program it solves: z = 1 from each
    # start on keeps every row, maps back to the same starts, and its peak column is the plan's
    # peak; the MIP from it never returns anything worse than the plan.
    appts = small_day_rows(rows, needs_first="bed" if beds else None)
    if not appts:
        return
    inst = day(appts, chairs=chairs, chair_kinds={chairs: "bed"} if beds else None)
    grid = Grid(inst)
    placement = grid.placement(first_come_first_served(inst))
    values = grid.levels(placement)
    for level in (2, PREFERENCE):
        program = Program(grid, with_plan({}, placement), grouped=grouped)
        z = program.steps_of(placement, level)
        assert z is not None
        _cost, a, b, to_x = program.steps(*program.problem(level, values[:level]))
        assert np.all(a @ z <= b + 1e-9)
        assert program.placement(to_x @ z) == {
            aid: (slot, group if grouped else 0) for aid, (slot, group) in placement.items()
        }
        if level == 2:
            assert z[-1] == values[2]
        found = solve_restricted(
            grid,
            level,
            values[:level],
            with_plan({}, placement),
            time_limit=5,
            grouped=grouped,
            incumbent=placement,
        )
        assert found is not None and found.value <= values[level]
