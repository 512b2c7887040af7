"""A peak left open on a small day is settled by the MIP over every start."""

from __future__ import annotations

from msinfusion.center.baseline import first_come_first_served
from msinfusion.center.grid import Grid
from msinfusion.center.optimize_model import build
from msinfusion.center.optimize_relaxed import FULL_PEAK_COLUMNS, _restricted
from msinfusion.center.time_indexed import Relaxed, columns

from .conftest import appt, day

SETUP_PEAK = 3


def _setup_day():
    # Three 1-hour infusions on three chairs, 15-minute set-ups, two nurses. a starts at 08:00,
    # c at 08:15; b may start 08:00-08:30 and wishes 08:00. Set-ups: a 08:00-08:15, c 08:15-08:30.
    # b at its wish sets up beside a (2 at once); only b at 08:30 sets up alone: optimum 1.
    return day(
        [
            appt("a", 60, "08:00", "08:00", "08:00"),
            appt("b", 60, "08:00", "08:30", "08:00"),
            appt("c", 60, "08:15", "08:15", "08:15"),
        ],
        chairs=3,
        nurses=[("08:00", "18:00")] * 2,
    )


def test_the_mip_over_every_start_finds_and_proves_the_peak():
    inst = _setup_day()
    grid = Grid(inst)
    assert columns(grid) <= FULL_PEAK_COLUMNS
    current = grid.placement(first_come_first_served(inst))
    values = grid.levels(current)
    assert values[SETUP_PEAK] == 2  # the desk books b at its wish
    # A relaxation that says nothing (bound 0, no starts): only the MIP over every start is left.
    nothing = Relaxed(bound=0, starts={}, costs=None, support={})
    plan, lower, _sketch = _restricted(
        inst, grid, build(grid), SETUP_PEAK, values, nothing, current, 5.0
    )
    assert plan is not None and lower == 1
    found = grid.levels(plan)
    assert found[SETUP_PEAK] == 1 and found[:SETUP_PEAK] <= values[:SETUP_PEAK]
    assert plan["b"][0] * 5 == 8 * 60 + 30
