"""Energetic lower bounds for the objective levels (research notes A.7 point 3).

For a window [a, b) of slots, an appointment that starts anywhere in its window [e, l] must put at
least min(overlap at e, overlap at l) of its chair time (or nurse-start time) inside [a, b): the
overlap is unimodal in the start, so its minimum is at an end of the window. When the forced energy
of all appointments exceeds what the window's capacity can hold, some appointments cannot be placed
(at least as many as it takes to remove the excess, dropping the largest first), and the slots where
headroom is used up are at least the excess divided by the headroom. Bounds are for the model on
the 5-minute grid, which is what the optimizer solves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from msinfusion.center.grid import CHAIR_TIERS, LATE_WEIGHT, STEP, Grid
from msinfusion.center.instance import Instance


def energetic_bound(instance: Instance) -> dict[str, Any]:
    """Bounds from forced energy: placeable appointments (upper) and each level's value (lower)."""
    grid = Grid(instance)
    lows = level_bounds(grid)
    return {
        "max_placeable": len(instance.appointments) - lows[0],
        "min_unplaced": lows[0],
        "min_nurse_peak_minutes": lows[1],
        "min_wait_overtime_proxy": lows[2],
        "min_preference_minutes": lows[3],
        "slots": grid.n,
    }


def level_bounds(grid: Grid, unplaced: int | None = None) -> list[int]:
    """Lower bounds of the four levels; `unplaced` = how many may be dropped (level 1 result).

    With unplaced=None, the level-1 bound itself is used (any placement drops at least that many).
    """
    items = [it for it in grid.free if it.placeable]
    never = len(grid.free) - len(items)
    if grid.n == 0 or not items:
        return [never + len(items) * (grid.n == 0), 0, 0, 0]
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
    # Level 2: slots where nurse starts are at capacity.
    start_room = np.where(grid.start_res >= 1, grid.start_res - 1, 0)
    peak = _excess_after_drop(start_f, _window_sum(start_room, a, b), k)
    level2 = STEP * _best_disjoint(a, b, peak, grid.n)
    # Level 3: chair headroom tiers (+ the forced part of the late term).
    tiers = np.zeros(grid.n, dtype=np.int64)
    for t in range(1, CHAIR_TIERS + 1):
        tiers += grid.chair_res - t * grid.tier >= 0
    chair_room = grid.chair_res - grid.tier * tiers
    over = _excess_after_drop(chair_f, _window_sum(chair_room, a, b), k)
    tight = _best_disjoint(a, b, np.ceil(over / grid.tier).astype(np.int64), grid.n)
    late = np.array([LATE_WEIGHT * max(0, it.e - it.late_from + 1) for it in items])
    level3 = STEP * (tight + _sum_without_largest(late, k))
    pref = np.array(
        [0 if it.pref is None else it.weight * _nearest_gap(it.pref, it.e, it.l) for it in items]
    )
    level4 = _sum_without_largest(pref, k)
    return [int(level1), int(level2), int(level3), int(level4)]


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


def _excess_after_drop(forced: np.ndarray, cap: np.ndarray, k: int) -> np.ndarray:
    """Forced energy minus the k largest contributions minus capacity, per window, >= 0."""
    total = forced.sum(axis=1)
    if k > 0:
        k = min(k, forced.shape[1])
        total = total - np.sort(forced, axis=1)[:, -k:].sum(axis=1)
    return np.clip(total - cap, 0, None)


def _best_disjoint(a: np.ndarray, b: np.ndarray, value: np.ndarray, n: int) -> int:
    """Largest sum of values over pairwise disjoint windows (weighted interval scheduling)."""
    best_at = np.zeros(n + 1, dtype=np.int64)
    order = np.argsort(b, kind="stable")
    a_s, b_s, v_s = a[order], b[order], value[order]
    i = 0
    for end in range(1, n + 1):
        best = best_at[end - 1]
        while i < b_s.size and b_s[i] == end:
            if v_s[i] > 0:
                best = max(best, best_at[a_s[i]] + v_s[i])
            i += 1
        best_at[end] = best
    return int(best_at[n])


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
