"""Reduced-cost fixing rounds: which starts each round gets, and what a finished round proves.

Hand-made reduced costs (base 100, 5-minute steps): a round with slack s sees every plan worth at
most base + s, so a round that finishes proves min(its MIP bound, first multiple of 5 above
base + s), whether or not another round is still running."""

from __future__ import annotations

import threading

import numpy as np

from msinfusion.center.column_mip import Restricted, solve_restricted
from msinfusion.center.grid import Grid
from msinfusion.center.optimize_relaxed import _Rounds
from msinfusion.center.time_indexed import ReducedCosts

from .conftest import appt, day

PREFERENCE = 4


def _rounds(best: int) -> _Rounds:
    slots = {
        "a": np.array([0.0, 1.0, 3.0, 6.0, 9.0, 20.0]),
        "b": np.array([0.0, 2.0, 4.0, 7.0, 12.0]),
    }
    costs = ReducedCosts(100.0, {"a": 0, "b": 0}, slots, {"a": 0.0, "b": 0.0}, step=5)
    return _Rounds(best, costs, np.sort(np.concatenate(list(slots.values()))))


def test_a_round_takes_the_cheapest_starts_up_to_the_next_step():
    rounds = _rounds(best=120)
    # The 3 cheapest cost 0, 0, 1: raised to 5 (105 is the next multiple of 5 above 101),
    # which lets in 6 starts (<= twice 3).
    assert rounds.next_slack(3) == 5
    # Every start: capped at what a plan better than 120 may use, 120 - 5 - 100 = 15.
    assert rounds.next_slack(100) == 15
    # No plan below the base: the best value is proven as soon as it is within a step of it.
    assert _rounds(best=104).next_slack(3) is None


def test_a_round_is_started_only_when_it_sees_new_starts_or_is_exact_and_smaller():
    rounds = _rounds(best=120)
    assert rounds.new(5) and rounds.new(15)
    assert not rounds.new(5)  # already running
    assert not rounds.new(10)  # fewer starts than the round with 15, and not exact for 120
    rounds.best = 115  # a round found a better plan: exact is now 115 - 5 - 100 = 10
    assert rounds.new(10)


def test_each_finished_round_bounds_the_level_on_its_own():
    rounds = _rounds(best=120)
    # Slack 5 sees every plan worth <= 105, and its MIP (over those starts) found 110 optimal:
    # no plan is worth 105 or less, so the level is at least 110, not proven 120.
    rounds.record(5, Restricted({}, 110, True, 110), None, None, PREFERENCE)
    assert rounds.lower == 110 and not rounds.proven()
    # Slack 15 sees every plan worth <= 115, and its MIP proved nothing below 120: optimum 120.
    rounds.record(15, Restricted({}, 120, True, 120), None, None, PREFERENCE)
    assert rounds.lower == 120 and rounds.proven()


def test_a_round_cancelled_before_it_starts_claims_nothing():
    inst = day(
        [appt(x, 60, "08:00", "11:00", "09:00") for x in "abcd"],
        chairs=2,
        nurses=[("08:00", "18:00")] * 2,
    )
    grid = Grid(inst)
    starts = {it.id: range(it.e, it.l + 1) for it in grid.free}
    stop = threading.Event()
    stop.set()
    found = solve_restricted(grid, PREFERENCE, [0, 0, 2, 2], starts, time_limit=5, stop=stop)
    assert found is None or (not found.optimal and found.lower <= found.value)
    solved = solve_restricted(grid, PREFERENCE, [0, 0, 2, 2], starts, time_limit=5)
    # Two chairs, four 1-hour wishes for 09:00: two start at 09:00, two move an hour.
    assert solved is not None and solved.optimal and solved.value == 120
