"""The time-indexed relaxation solved by pricing: an LP over a few starts, grown until no start
left out could lower its value.

The full relaxation of a 100-appointment day has about 10,000 columns and half a million
nonzeros; HiGHS needs 2-3 s for it, a tenth of a 30-second limit for each level. Its optimum uses
about 200 of those columns. Column generation solves the LP over the starts near the current
plan (and near each wish), then prices every other start with the LP's dual prices: a start
whose reduced cost is negative could lower the value and joins the LP; when none is left, the
small LP's optimum is the full LP's optimum, with the same bound and the same dual prices. Each
round is a fraction of a second.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import NamedTuple

import highspy
import numpy as np
import scipy.sparse as sp

_NEAR = 2
"""Slots on each side of the plan's start (and of the wish) that the first LP gets."""

_PER_GROUP = 2
"""Most starts of one appointment that join per round: the cheapest few are what the LP takes;
letting every negative start in doubles the LP each round."""

_ENTERING = 1e-9
"""A start joins when its reduced cost is below minus this: HiGHS's own dual tolerance is 1e-7, so
the priced optimum is as exact as the full LP's (a looser, relative threshold could leave the value
above the full LP's by a fraction, enough to round a bound one step too high)."""


class Priced(NamedTuple):
    x: np.ndarray
    """The optimum over every column (zero for columns never priced in)."""
    value: float
    marginals: np.ndarray
    """Dual prices of the rows (<= 0): optimal for the full LP too."""
    rounds: int
    columns: int
    """Columns in the last LP."""


def solve_priced(
    cost: np.ndarray,
    a: sp.csr_matrix,
    b: np.ndarray,
    upper: np.ndarray,
    first: np.ndarray,
    *,
    group: np.ndarray,
    time_limit: float,
    always: int = 0,
) -> Priced | None:
    """min cost.x s.t. a x <= b, 0 <= x <= upper, starting from the columns in the mask `first`
    (which must make the LP feasible) and pricing in the rest, at most `_PER_GROUP` per round for
    each value of `group` (the column's appointment); the last `always` columns (the peak
    variable) are in every LP. None when the time runs out or an LP fails.

    HiGHS keeps the model between rounds (through highspy), so each round's simplex starts from
    the last round's basis: a round costs milliseconds, where solving each LP afresh costs as much
    as the full LP."""
    ends = time.perf_counter() + max(time_limit, 0.01)
    total = cost.size
    by_column = a.tocsc()
    active = np.asarray(first, dtype=bool).copy()
    active[total - always :] = True
    order: list[np.ndarray] = []  # the model's columns, in the order they were added
    lp = highspy.Highs()
    lp.silent()
    lp.setOptionValue("solver", "simplex")
    lp.setOptionValue("threads", 1)  # as the restricted MIPs (`column_mip`): one scheduler size
    rows = a.shape[0]
    lp.addRows(
        rows,
        np.full(rows, -highspy.kHighsInf),
        np.asarray(b, dtype=float),
        0,
        np.zeros(rows, dtype=np.int32),
        np.zeros(0, dtype=np.int32),
        np.zeros(0),
    )
    joining = np.flatnonzero(active)
    rounds = 0
    while True:
        rounds += 1
        _add_columns(lp, by_column, cost, upper, joining)
        order.append(joining)
        left = ends - time.perf_counter()
        if left <= 0.01:
            return None
        lp.setOptionValue("time_limit", lp.getRunTime() + left)  # HiGHS counts all its runs
        lp.run()
        if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = lp.getSolution()
        marginals = np.asarray(solution.row_dual, dtype=float)
        value = float(lp.getInfo().objective_function_value)
        reduced = cost - by_column.T @ np.minimum(marginals, 0.0)
        entering = ~active & (reduced < -_ENTERING)
        if not entering.any():
            x = np.zeros(total)
            x[np.concatenate(order)] = np.asarray(solution.col_value, dtype=float)
            return Priced(x, value, marginals, rounds, int(active.sum()))
        joining = _cheapest_per_group(np.flatnonzero(entering), reduced, group)
        active[joining] = True


def _add_columns(
    lp: highspy.Highs,
    by_column: sp.csc_matrix,
    cost: np.ndarray,
    upper: np.ndarray,
    columns: np.ndarray,
) -> None:
    block = by_column[:, columns]
    lp.addCols(
        columns.size,
        cost[columns].astype(float),
        np.zeros(columns.size),
        upper[columns].astype(float),
        block.nnz,
        block.indptr[:-1].astype(np.int32),
        block.indices.astype(np.int32),
        block.data.astype(float),
    )


def near(
    first_slot: np.ndarray,
    count: np.ndarray,
    centres: Mapping[int, list[int]],
    width: int = _NEAR,
) -> np.ndarray:
    """Mask over the full program's columns (item k's slots are `first_slot[k]`..+`count[k]`-1,
    in order) of the slots within `width` of each item's `centres`."""
    offsets = np.concatenate([[0], np.cumsum(count)])
    mask = np.zeros(int(offsets[-1]), dtype=bool)
    for k, slots in centres.items():
        for centre in slots:
            lo = max(centre - width - first_slot[k], 0)
            hi = min(centre + width - first_slot[k] + 1, count[k])
            if lo < hi:
                mask[offsets[k] + lo : offsets[k] + hi] = True
    return mask


def _cheapest_per_group(columns: np.ndarray, reduced: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Of `columns`, the `_PER_GROUP` with the lowest reduced cost in each group."""
    order = columns[np.lexsort((reduced[columns], group[columns]))]
    g = group[order]
    first = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    rank = np.arange(order.size) - np.repeat(first, np.diff(np.r_[first, order.size]))
    return order[rank < _PER_GROUP]
