"""Charts of the symptom curve across the infusion cycle, as SVG text.

One picture answers the question a patient and a clinician ask of a diary: does it get worse before
the next infusion and better after it? The pooled mean score by day since the last infusion is drawn
with its uncertainty band, the infusions are marked at day 0 and at the cycle length, and the late
window where worsening was estimated to begin is shaded. The markup uses presentation attributes
only (see `msinfusion.svg`), so the same chart can be inlined in a page under a strict CSP and
embedded in a PDF.

The inputs are the wearing-off analysis' results (`diary.wearing_off`), read by attribute: a
symptom result has `verdict`, `p_value`, `effect` and `curve` (points with `day`, `mean`, `lo`,
`hi`, `n`); the whole result adds `overall`, `symptoms`, `cycle_days` and the onset estimate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from msinfusion.diary.entries import OVERALL, SYMPTOM_LABELS
from msinfusion.svg import ACCENT, BAD, INK, LINE, MUTED, WARN_BG, document, el, num, text

SCORE_MAX = 10.0
VERDICT_WORDS = {
    "likely": "wearing-off likely",
    "unlikely": "wearing-off unlikely",
    "insufficient_data": "not enough data yet",
}
SHORT_WORDS = {"likely": "likely", "unlikely": "unlikely", "insufficient_data": "not enough data"}
_TICK_STEPS = (1, 2, 7, 14, 28, 56, 84)


@dataclass(frozen=True)
class SymptomChart:
    """One small chart of a symptom, with the words a reader needs next to it."""

    name: str
    label: str
    verdict: str
    verdict_words: str
    verdict_short: str  # for a caption under a heading that already says "wearing-off"
    p_value: float | None
    svg: str


def _points(curve: Sequence[Any]) -> list[Any]:
    """Curve points that carry a mean, by day."""
    return sorted((p for p in curve if _value(p.mean) is not None), key=lambda p: p.day)


def _value(x: Any) -> float | None:
    if x is None:
        return None
    value = float(x)
    return value if value == value else None  # NaN means no data


def _runs(points: list[Any]) -> list[list[Any]]:
    """Split points where a day (or a weekly bin) is missing: a gap in the data stays a gap.

    Points are daily or binned (long cycles are summarised by week, each point in the middle of
    its bin); the step is the smallest distance between neighbours.
    """
    steps = [b.day - a.day for a, b in pairwise(points) if b.day > a.day]
    step = min(steps, default=1)
    runs: list[list[Any]] = []
    for p in points:
        if runs and p.day - runs[-1][-1].day <= step * 1.5:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _tick_step(span: float) -> int:
    return next((s for s in _TICK_STEPS if span / s <= 8), _TICK_STEPS[-1])


def describe(symptom_result: Any, cycle_days: int) -> str:
    """A sentence for screen readers: where the curve is lowest and highest, and the verdict."""
    points = _points(symptom_result.curve)
    verdict = VERDICT_WORDS.get(symptom_result.verdict, str(symptom_result.verdict))
    if not points:
        return f"No ratings to draw over the {cycle_days}-day cycle; {verdict}."
    low = min(points, key=lambda p: p.mean)
    high = max(points, key=lambda p: p.mean)
    return (
        f"Mean score by day since the infusion over a {cycle_days}-day cycle: lowest "
        f"{float(low.mean):.1f} on day {low.day}, highest {float(high.mean):.1f} on day "
        f"{high.day}; {verdict}."
    )


def cycle_chart_svg(
    symptom_result: Any,
    *,
    cycle_days: int,
    title: str,
    width: int = 640,
    height: int = 260,
    onset_days_before: float | None = None,
    onset_interval: Sequence[float] | None = None,
    show_title: bool = True,
) -> str:
    """The symptom curve across one infusion cycle as an accessible SVG string.

    `onset_days_before` shades the late window, and `onset_interval` (days before, lo and hi) is
    drawn as a bar at its top; the caller passes them only when it trusts them (a "likely" verdict).
    `show_title=False` leaves the title to a caption outside the chart (it stays the chart's
    accessible name). Scores are plotted on a fixed 0-10 scale, so charts of
    different symptoms compare at a glance.
    """
    if cycle_days < 1:
        raise ValueError("cycle_days must be at least 1")
    small = width < 480
    font = 9 if small else 11
    left, right = (34 if small else 46), 10
    title_h = (font + 9) if show_title else 0
    top, bottom = title_h + font + 8, (28 if small else 36)
    plot_w, plot_h = width - left - right, height - top - bottom
    points = _points(symptom_result.curve)
    first = math.floor(min([0, *(p.day for p in points)]))
    last = math.ceil(max([cycle_days, *(p.day for p in points)]))
    span = max(last - first, 1)

    def x(day: float) -> float:
        return left + (day - first) / span * plot_w

    def y(score: float) -> float:
        clipped = min(max(score, 0.0), SCORE_MAX)
        return top + plot_h - clipped / SCORE_MAX * plot_h

    parts: list[str] = []
    if show_title:
        parts.append(text(left, font + 3, title, font_size=font + 2, font_weight="bold"))

    # the late window, where worsening was estimated to begin
    if onset_days_before is not None and onset_days_before > 0:
        start = max(cycle_days - float(onset_days_before), first)
        parts.append(
            el(
                "rect",
                class_="late-window",
                x=x(start),
                y=float(top),
                width=x(cycle_days) - x(start),
                height=float(plot_h),
                fill=WARN_BG,
            )
        )
        if onset_interval is not None and len(onset_interval) == 2:
            lo_day = max(cycle_days - float(max(onset_interval)), first)
            hi_day = min(cycle_days - float(min(onset_interval)), cycle_days)
            bar_y = top + 6.0
            x1, x2 = num(x(lo_day)), num(x(hi_day))
            parts.append(
                el(
                    "path",
                    class_="onset-interval",
                    d=f"M{x1},{num(bar_y - 4)} v8 M{x1},{num(bar_y)} H{x2} M{x2},{num(bar_y - 4)} v8",
                    fill="none",
                    stroke="#b86e00",
                    stroke_width=1.5,
                )
            )

    # grid and y axis
    for score in range(0, 11, 2):
        gy = y(score)
        parts.append(el("line", x1=float(left), x2=float(left + plot_w), y1=gy, y2=gy, stroke=LINE))
        parts.append(
            text(left - 4, gy + font / 3, str(score), font_size=font, fill=MUTED, text_anchor="end")
        )
    step = _tick_step(span)
    tick = (first // step) * step
    while tick <= last:
        if tick >= first:
            tx = x(tick)
            parts.append(
                el(
                    "line",
                    x1=tx,
                    x2=tx,
                    y1=float(top + plot_h),
                    y2=top + plot_h + 4.0,
                    stroke=MUTED,
                )
            )
            parts.append(
                text(
                    tx,
                    top + plot_h + 4 + font,
                    str(tick),
                    font_size=font,
                    fill=MUTED,
                    text_anchor="middle",
                )
            )
        tick += step
    parts.append(
        el(
            "line",
            x1=float(left),
            x2=float(left + plot_w),
            y1=float(top + plot_h),
            y2=float(top + plot_h),
            stroke=MUTED,
        )
    )

    # uncertainty band and mean curve
    for run in _runs(points):
        band = [p for p in run if _value(p.lo) is not None and _value(p.hi) is not None]
        if len(band) >= 2:
            upper = [f"{num(x(p.day))},{num(y(float(p.hi)))}" for p in band]
            lower = [f"{num(x(p.day))},{num(y(float(p.lo)))}" for p in reversed(band)]
            parts.append(
                el(
                    "polygon",
                    class_="band",
                    points=" ".join(upper + lower),
                    fill=ACCENT,
                    fill_opacity="0.18",
                )
            )
        coords = " ".join(f"{num(x(p.day))},{num(y(float(p.mean)))}" for p in run)
        if len(run) >= 2:
            parts.append(
                el(
                    "polyline",
                    class_="curve",
                    points=coords,
                    fill="none",
                    stroke=ACCENT,
                    stroke_width=2.0,
                )
            )
        else:
            p = run[0]
            parts.append(
                el("circle", class_="curve", cx=x(p.day), cy=y(float(p.mean)), r=2.5, fill=ACCENT)
            )
    if not points:
        parts.append(
            text(
                left + plot_w / 2,
                top + plot_h / 2,
                "no ratings yet",
                font_size=font + 1,
                fill=MUTED,
                text_anchor="middle",
            )
        )

    # infusion days
    for day in (0, cycle_days):
        mx = x(day)
        marker = [
            el(
                "line",
                x1=mx,
                x2=mx,
                y1=float(top),
                y2=float(top + plot_h),
                stroke=BAD,
                stroke_width=1.5,
                stroke_dasharray="4 3",
            ),
            el("path", d=f"M{num(mx)},{num(top)} l-4,-6 h8 z", fill=BAD),
        ]
        anchor = "start" if day == first else "end" if day == last else "middle"
        nudge = 3 if anchor == "start" else -3 if anchor == "end" else 0
        marker.append(
            text(
                mx + nudge,
                top - 8,
                "infusion",
                font_size=font - 1,
                fill=BAD,
                text_anchor=anchor,
            )
        )
        parts.append(el("g", "".join(marker), class_="infusion-marker", data_day=str(day)))

    # axis labels
    parts.append(
        text(
            left + plot_w / 2,
            height - 4,
            "days since infusion",
            font_size=font,
            fill=INK,
            text_anchor="middle",
        )
    )
    cy = top + plot_h / 2
    parts.append(
        text(
            font + 1,
            cy,
            "score 0-10 (higher = worse)",
            font_size=font - (1 if small else 0),
            fill=INK,
            text_anchor="middle",
            transform=f"rotate(-90 {font + 1} {num(cy)})",
        )
    )
    label = f"{title}: symptom score across the infusion cycle"
    return document(
        width,
        height,
        label,
        describe(symptom_result, cycle_days),
        "".join(parts),
        class_="chart cycle-chart",
    )


def symptom_charts(result: Any, *, width: int = 320, height: int = 190) -> list[SymptomChart]:
    """One small chart per symptom with ratings, in the diary's symptom order.

    The late window is shaded on each from the overall onset estimate (wearing-off is a property of
    the cycle, and one window makes the small charts comparable); its interval is left to the large
    overall chart. The title goes in a caption next to the chart (`label`), not inside it.
    """
    charts = []
    names = [n for n in SYMPTOM_LABELS if n in result.symptoms]
    names += [n for n in result.symptoms if n not in SYMPTOM_LABELS and n != OVERALL]
    onset = result.onset_days_before if result.verdict == "likely" else None
    for name in names:
        sr = result.symptoms[name]
        label = SYMPTOM_LABELS.get(name, name)
        svg = cycle_chart_svg(
            sr,
            cycle_days=result.cycle_days,
            title=label,
            width=width,
            height=height,
            onset_days_before=onset,
            show_title=False,
        )
        charts.append(
            SymptomChart(
                name=name,
                label=label,
                verdict=sr.verdict,
                verdict_words=VERDICT_WORDS.get(sr.verdict, str(sr.verdict)),
                verdict_short=SHORT_WORDS.get(sr.verdict, str(sr.verdict)),
                p_value=sr.p_value,
                svg=svg,
            )
        )
    return charts
