"""Energetic lower bounds for the objective levels (energetic reasoning over time windows, as in cumulative scheduling).

For a window [a, b) of slots, an appointment that starts anywhere in its window [e, l] must put at
least min(overlap at e, overlap at l) of its chair time (or nurse-start time) inside [a, b): the
overlap is unimodal in the start, so its minimum is at an end of the window. When the forced energy
of all appointments exceeds what the window's capacity can hold, some appointments cannot be placed
(at least as many as it takes to remove the excess, dropping the largest first). The same forced
energy bounds the peaks from below: a peak P leaves at most min(capacity, P - seated load) room per
slot, and every window's forced energy has to fit into that. Bounds are for the model on the
5-minute grid, which is what the optimizer solves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from msinfusion.center.grid import LEVEL_NAMES, STEP, Grid
from msinfusion.center.instance import Instance


def energetic_bound(instance: Instance) -> dict[str, Any]:
    """Bounds from forced energy: placeable appointments (upper) and each level's value (lower)."""
    grid = Grid(instance)
    lows = level_bounds(grid)
    return {
        "max_placeable": len(instance.appointments) - lows[0],
        "min_unplaced": lows[0],
        **{f"min_{name}": low for name, low in zip(LEVEL_NAMES[1:], lows[1:], strict=True)},
        "slots": grid.n,
    }


def level_bounds(grid: Grid, unplaced: int | None = None) -> list[int]:
    """Lower bounds of the five levels; `unplaced` = how many may be dropped (level 1 result).

    With unplaced=None, the level-1 bound itself is used (any placement drops at least that many).
    """
    items = [it for it in grid.free if it.placeable]
    never = len(grid.free) - len(items)
    fixed_s = int(grid.seated_starting.max(initial=0))
    fixed_c = int(grid.chair_fixed.max(initial=0))
    if grid.n == 0 or not items:
        return [never + len(items) * (grid.n == 0), fixed_c, 0, fixed_s, 0]
    e = np.array([it.e for it in items], dtype=np.int32) - grid.t0
    last = np.array([it.l for it in items], dtype=np.int32) - grid.t0
    d = np.array([it.d for it in items], dtype=np.int32)
    ns = np.array([it.ns for it in items], dtype=np.int32)
    a, b = (x.astype(np.int32) for x in np.triu_indices(grid.n + 1, k=1))
    chair_f = _forced(a, b, e, last, d)
    start_f = _forced(a, b, e, last, ns)
    chair_cap = _window_sum(grid.chair_res, a, b)
    start_cap = _window_sum(grid.start_res, a, b)
    drop = max(_min_drop(chair_f, chair_cap), _min_drop(start_f, start_cap))
    for kind in {grp.kind for grp in grid.groups if grp.kind is not None}:
        mine = np.array([grid.instance.appointments[it.index].needs == kind for it in items])
        if mine.any():
            res = sum(grp.residual for grp in grid.groups if grp.kind == kind)
            drop = max(drop, _min_drop(chair_f[:, mine], _window_sum(res, a, b)))
    level1 = never + drop
    k = level1 - never if unplaced is None else max(unplaced - never, 0)
    level2 = _peak(start_f, k, grid.start_res, grid.seated_starting, a, b)
    level3 = _peak(chair_f, k, grid.chair_res, grid.chair_fixed, a, b)
    late = np.array([max(0, it.e - it.late_from + 1) for it in items])
    level4 = STEP * _sum_without_largest(late, k)
    pref = np.array(
        [0 if it.pref is None else it.weight * _nearest_gap(it.pref, it.e, it.l) for it in items]
    )
    level5 = _sum_without_largest(pref, k)
    return [int(level1), int(level4), level3, level2, int(level5)]


def _peak(
    forced: np.ndarray,
    k: int,
    residual: np.ndarray,
    fixed: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
) -> int:
    """Smallest peak P such that every window's forced energy fits under min(residual, P - fixed).

    A slot can take at most min(residual, P - seated load) movable units when the peak is P; if a
    window's forced energy (without the k largest contributions, which may be the unplaced ones)
    exceeds that summed over the window, the peak must be higher. Monotone in P: bisection.
    """
    need = forced.sum(axis=1)
    if k > 0:
        need = need - np.sort(forced, axis=1)[:, -min(k, forced.shape[1]) :].sum(axis=1)
    lo = int(fixed.max(initial=0))
    hi = int((residual + fixed).max(initial=0))

    def fits(peak: int) -> bool:
        room = np.minimum(residual, np.maximum(peak - fixed, 0))
        return bool(np.all(need <= _window_sum(room, a, b)))

    if fits(lo):
        return lo
    while hi - lo > 1:  # invariant: lo does not fit, hi fits (or is the hard capacity)
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _forced(a: np.ndarray, b: np.ndarray, e: np.ndarray, last: np.ndarray, d: np.ndarray):
    """Forced overlap (windows x appointments) of [s, s+d) with [a, b) over s in [e, last]."""
    aa, bb = a[:, None], b[:, None]

    def overlap(s: np.ndarray) -> np.ndarray:
        return np.clip(np.minimum(s + d, bb) - np.maximum(s, aa), 0, None)

    return np.minimum(overlap(e[None, :]), overlap(last[None, :])).astype(np.int32)


def _window_sum(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    prefix = np.concatenate([[0], np.cumsum(values)])
    return prefix[b] - prefix[a]


def _min_drop(forced: np.ndarray, cap: np.ndarray) -> int:
    """Fewest appointments to remove so that the forced energy fits, worst window."""
    excess = forced.sum(axis=1) - cap
    rows = np.flatnonzero(excess > 0)
    best = 0
    for r in rows:
        sizes = np.sort(forced[r])[::-1]
        removed = np.cumsum(sizes)
        need = int(np.searchsorted(removed, excess[r]))  # first index with removed >= excess
        best = max(best, min(need + 1, sizes.size))
    return best


def _sum_without_largest(values: Sequence[int] | np.ndarray, k: int) -> int:
    arr = np.sort(np.asarray(values, dtype=np.int64))
    return int(arr[: max(arr.size - k, 0)].sum())


def _nearest_gap(pref: int, e: int, last: int) -> int:
    """Minutes from the preferred start to the nearest grid start in [e, last] (slots)."""
    lo, hi = STEP * e, STEP * last
    if pref <= lo:
        return lo - pref
    if pref >= hi:
        return pref - hi
    return min(pref % STEP, -pref % STEP)
