"""The days one wearing-off analysis uses, and the candidate wearing-off windows with their prior
weights (docs/wearing-off.md, steps 2 and 3).

A window is an onset (days before the infusion), a recovery length (days from the infusion day on
that are still worse) and an anchor: counted back from the infusion actually given ("next") or,
for monthly cycles, forward from the last infusion ("last": the window starts at the usual cycle
length minus the onset, because the drug level falls with the time since the last dose, and lasts
until the infusion is really given). The prior weights follow the published onsets: natalizumab about 7 days before the dose (median day 21 of 28) and better a median of one day
after it; ocrelizumab less than 1 week before in 11%, 1-4 weeks in 49%, more than 4 weeks in 37%,
better within the first week.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from msinfusion.diary import wearing_off_stats as st
from msinfusion.diary.cycles import AlignedDay, Alignment, Cycle

SHORT_CYCLE_MAX = 42
"""Cycles up to 6 weeks (natalizumab) are 'short': daily curve, onsets 3-14 days."""
ONSET_NATALIZUMAB = 7.0
"""Prior centre of the onset in monthly cycles, days before the dose (Ratchford 2014: day 21)."""
ONSET_SPREAD = 3.0
"""Prior SD of that onset, days: 4 and 10 days weigh 0.6 of 7 days, 3 and 11 days 0.4."""
RELAPSE_TAIL_DAYS = 42
"""A relapse is modelled as a free piecewise-linear bump over its flagged days and 6 weeks after."""
RELAPSE_KNOT_DAYS = 7


@dataclass(frozen=True)
class Windows:
    """Cycle parts, by cycle length class (see docs/wearing-off.md, 'windows')."""

    onsets: tuple[int, ...]
    bump_after: int
    """Days from the infusion day on still counted in the wearing-off window (0 .. bump_after-1)."""
    transition_end: int
    """Days bump_after .. transition_end-1 after an infusion: recovery under way, own level."""
    late_default: int
    """Late window reported when no onset stands out."""
    post_days: int
    """Days after the transition compared with the late window for the recovery."""
    min_late_per_cycle: int
    min_mid_per_cycle: int
    min_late_total: int
    min_mid_total: int
    curve_bin: int
    recoveries: tuple[tuple[int, float], ...] = ()
    """Candidate recovery lengths (days from the infusion day on still worse) and prior weights."""
    anchors: tuple[tuple[str, float], ...] = (("next", 1.0),)
    """Where the onset is counted from, with prior weights (module notes)."""

    @classmethod
    def for_length(cls, length: int) -> Windows:
        if length <= SHORT_CYCLE_MAX:
            hi = max(3, min(14, length // 2))
            return cls(
                tuple(range(3, hi + 1)), 1, 2, 7, 7, 2, 5, 8, 16, 1,
                recoveries=((1, 0.65), (2, 0.35)), anchors=(("next", 0.5), ("last", 0.5)),
            )  # fmt: skip
        hi = max(14, min(42, length // 3))
        return cls(
            tuple(range(7, hi + 1, 2)), 2, 7, 28, 28, 7, 20, 20, 40, 7,
            recoveries=((1, 0.25), (3, 0.25), (5, 0.25), (7, 0.25)),
        )  # fmt: skip

    def onset_prior(self, short: bool) -> np.ndarray:
        """Prior weight of each onset (sums to 1)."""
        d = np.array(self.onsets, dtype=float)
        if short:
            w = np.exp(-0.5 * ((d - ONSET_NATALIZUMAB) / ONSET_SPREAD) ** 2)
        else:
            # Share of each published onset band spread evenly over its days on the grid.
            bands = [(d <= 7, 0.11), ((d > 7) & (d <= 28), 0.49), (d > 28, 0.37)]
            w = np.zeros(len(d))
            for inside, share in bands:
                if inside.any():
                    w[inside] = share / inside.sum()
        return w / w.sum()


@dataclass(frozen=True)
class Frame:
    """The days an analysis may use, as arrays (one row per diary day in a used cycle)."""

    days: list[AlignedDay]
    t: np.ndarray
    seg: np.ndarray
    since: np.ndarray
    until: np.ndarray
    """-1 where unknown (open cycle)."""
    relapse_cols: np.ndarray
    """(n, k) relapse bump basis (k may be 0)."""
    in_relapse: np.ndarray
    cycles: list[Cycle]
    length: int
    win: Windows


def pick_drug(alignment: Alignment, drug: str | None) -> str | None:
    if drug is not None:
        return drug
    return alignment.infusions[-1].drug if alignment.infusions else None


def frame(alignment: Alignment, drug: str, interval_weeks: int | None) -> Frame | None:
    complete = alignment.complete_cycles(drug)
    if interval_weeks is not None:
        complete = [c for c in complete if c.interval_weeks == interval_weeks]
    if not complete:
        return None
    length = alignment.typical_length(drug) if interval_weeks is None else None
    if length is None:
        length = round(float(np.median([c.length for c in complete])))
    win = Windows.for_length(length)
    # A cycle more than twice the usual length is a treatment pause, not a dosing cycle.
    used = [c for c in complete if (c.length or 0) <= 2 * length]
    last = max(c.index for c in alignment.cycles if c.drug == drug)
    open_last = alignment.cycles[last]
    if not open_last.complete and interval_weeks is None:
        used.append(open_last)
    used_ids = {c.index for c in used}
    if not any(c.complete for c in used):
        return None
    origin = min(c.start for c in used)
    days = [
        d
        for d in alignment.days
        if d.cycle in used_ids
        and (d.days_until_next is not None or (d.days_since_last or 0) < length // 2)
    ]
    if not days:
        return None
    t = np.array([(d.day.date - origin).days for d in days])
    seg = np.array([d.cycle for d in days])
    since = np.array([d.days_since_last for d in days])
    until = np.array([-1 if d.days_until_next is None else d.days_until_next for d in days])
    # Relapses: each run of flagged days starts a bump; knots every 7 days to 6 weeks after the run.
    flagged = sorted({(d.day.date - origin).days for d in alignment.days if d.day.relapse})
    runs: list[tuple[int, int]] = []
    for f in flagged:
        if runs and f - runs[-1][1] <= RELAPSE_KNOT_DAYS:
            runs[-1] = (runs[-1][0], f)
        else:
            runs.append((f, f))
    cols: list[np.ndarray] = []
    in_relapse = np.zeros(len(t), bool)
    for start, end in runs:
        stop = end + RELAPSE_TAIL_DAYS
        inside = (t >= start) & (t <= stop)
        in_relapse |= inside
        for knot in range(start, stop, RELAPSE_KNOT_DAYS):
            left = np.clip(1 - (knot - t) / RELAPSE_KNOT_DAYS, 0, 1) if knot > start else 1.0
            right = np.clip(1 - (t - knot) / RELAPSE_KNOT_DAYS, 0, 1)
            hat = np.where(t <= knot, left, right) * inside
            cols.append(hat.astype(float))
    basis = np.column_stack(cols) if cols else np.zeros((len(t), 0))
    return Frame(days, t, seg, since, until, basis, in_relapse, used, length, win)


def design(fr: Frame, obs: np.ndarray) -> st.Design:
    """Nuisance and window columns on the recorded days `obs` (a boolean mask over the frame)."""
    t = fr.t[obs]
    # One level and one linear trend for the whole diary, not one level per cycle: with a level
    # per cycle the trend would be estimated from within-cycle slopes, which a wearing-off bump
    # at every cycle's end creates, and it would swallow the effect.
    cols: list[np.ndarray] = [np.ones(len(t))]
    if t[-1] - t[0] >= 28:
        cols.append((t - t.mean()) / 365.25)
    cols.extend(fr.relapse_cols[obs].T)
    keep = _independent(np.column_stack(cols))
    Z = np.column_stack([cols[j] for j in keep])
    since, until = fr.since[obs], fr.until[obs]
    w = fr.win
    short = fr.length <= SHORT_CYCLE_MAX
    onset_w = w.onset_prior(short)
    columns, onsets, weights = [], [], []
    for anchor, a_w in w.anchors:
        for rec, r_w in w.recoveries:
            after = since < rec
            for d, d_w in zip(w.onsets, onset_w, strict=True):
                if anchor == "next":
                    late = (until >= 1) & (until <= d)
                else:
                    late = (until >= 1) & (since >= fr.length - d)
                columns.append(late | after)
                onsets.append(d)
                weights.append(a_w * r_w * d_w)
    X = np.column_stack(columns).astype(float)
    weights_arr = np.array(weights) / sum(weights)
    return st.Design(
        t=t, Z=Z, X=X, onsets=np.array(onsets), weights=weights_arr, shape=np.zeros(len(keep), bool)
    )


def _independent(Z: np.ndarray) -> list[int]:
    """Indices of the columns kept: empty ones and combinations of earlier ones are dropped."""
    keep: list[int] = []
    for j in range(Z.shape[1]):
        if not Z[:, j].any():
            continue
        trial = [*keep, j]
        if np.linalg.matrix_rank(Z[:, trial]) == len(trial):
            keep = trial
    return keep
