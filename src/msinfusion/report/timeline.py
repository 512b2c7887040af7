"""The treatment timeline of a visit report: courses and infusions given, one lane per drug.

Hand-written SVG with presentation attributes only (see `msinfusion.svg`), so the web page (strict
CSP) and the PDF show the same picture. It answers "what has this patient had, and when" at a
glance: each course as a bar, each infusion as a dot (red when it caused a reaction), the next
planned infusion as a ring, and today as a line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from msinfusion.care.record import PatientRecord
from msinfusion.svg import ACCENT, BAD, INK, LINE, MUTED, document, el, text

YEARS_SHOWN = 5
"""A report looks back at most this many years; older infusions are counted, not drawn."""
WIDTH = 680
LANE = 34
LABEL_W = 150
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@dataclass(frozen=True)
class Lane:
    """One drug's row: its name, course spans, infusion dates (with reaction) and the next one."""

    name: str
    courses: tuple[tuple[date, date | None], ...]
    given: tuple[tuple[date, bool], ...]
    planned: date | None


def lanes_of(
    record: PatientRecord, names: dict[str, str], planned: dict[str, date | None]
) -> list[Lane]:
    """Lanes in the record's first-use order; a drug given without a course gets an implied one."""
    out = []
    for drug in record.drugs:
        given = tuple((a.date, a.reaction != "none") for a in record.administrations_of(drug))
        courses = tuple((c.start, c.stop) for c in record.courses_of(drug))
        if not courses and given:
            courses = ((given[0][0], None),)
        out.append(Lane(names.get(drug, drug), courses, given, planned.get(drug)))
    return out


def window(lanes: list[Lane], today: date) -> tuple[date, date]:
    """From the first event (at most YEARS_SHOWN back, on a month start) to after the next one."""
    events = [d for lane in lanes for d, _ in lane.given]
    events += [start for lane in lanes for start, _ in lane.courses]
    earliest = min(events, default=today - timedelta(days=365))
    floor = date(today.year - YEARS_SHOWN, today.month, 1)
    start = max(date(earliest.year, earliest.month, 1), floor)
    ahead = [lane.planned for lane in lanes if lane.planned is not None]
    end = max([today, *ahead]) + timedelta(days=30)
    if (end - start).days < 180:  # a short history still gets a readable axis
        start = min(start, end - timedelta(days=180))
    return start, end


def _ticks(start: date, end: date) -> list[tuple[date, str, bool]]:
    """(day, label, major) month ticks: every year start, and quarters on a short span."""
    months = (end.year - start.year) * 12 + end.month - start.month
    step = 1 if months <= 8 else 3 if months <= 30 else 12
    out = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        day = date(year, month, 1)
        if day >= start and (month - 1) % step == 0:
            major = month == 1
            out.append((day, str(year) if major else _MONTHS[month - 1], major))
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


def timeline_svg(lanes: list[Lane], today: date) -> str:
    """The timeline as an accessible SVG string (fixed 680 px wide, one 34 px lane per drug)."""
    start, end = window(lanes, today)
    span = max((end - start).days, 1)
    top, legend_h, axis_h = 8, 22, 20
    height = top + LANE * max(len(lanes), 1) + axis_h + legend_h
    left, right = LABEL_W, WIDTH - 12
    plot_bottom = top + LANE * max(len(lanes), 1)

    def x(day: date) -> float:
        clipped = min(max(day, start), end)
        return left + (clipped - start).days / span * (right - left)

    parts: list[str] = []
    for day, label, major in _ticks(start, end):
        tx = x(day)
        parts.append(
            el(
                "line",
                x1=tx,
                x2=tx,
                y1=float(top),
                y2=float(plot_bottom),
                stroke=LINE if not major else "#b9c1ce",
            )
        )
        parts.append(
            text(
                tx,
                plot_bottom + 13,
                label,
                font_size=10,
                fill=INK if major else MUTED,
                text_anchor="middle",
                font_weight="bold" if major else None,
            )
        )
    shown_drawn = 0
    for i, lane in enumerate(lanes):
        mid = top + LANE * i + LANE / 2
        parts.append(text(4, mid + 4, lane.name, font_size=11, fill=INK))
        for course_start, stop in lane.courses:
            until = stop or end
            if until < start:
                continue
            parts.append(
                el(
                    "rect",
                    class_="course",
                    x=x(course_start),
                    y=mid - 7,
                    width=max(x(until) - x(course_start), 2.0),
                    height=14.0,
                    rx=3.0,
                    fill="#dfe8f6",
                    stroke="#9db3d9" if stop is None else MUTED,
                )
            )
        for day, reaction in lane.given:
            if day < start:
                continue
            shown_drawn += 1
            parts.append(
                el(
                    "circle",
                    class_="given",
                    cx=x(day),
                    cy=mid,
                    r=3.5,
                    fill=BAD if reaction else ACCENT,
                )
            )
        if lane.planned is not None:
            parts.append(
                el(
                    "circle",
                    class_="planned",
                    cx=x(lane.planned),
                    cy=mid,
                    r=4.5,
                    fill="#fff",
                    stroke=ACCENT,
                    stroke_width=2.0,
                )
            )
    tx = x(today)
    parts.append(
        el(
            "line",
            class_="today",
            x1=tx,
            x2=tx,
            y1=float(top - 4),
            y2=float(plot_bottom),
            stroke=INK,
            stroke_width=1.5,
        )
    )
    parts.append(
        el(
            "line",
            x1=float(left),
            x2=float(right),
            y1=float(plot_bottom),
            y2=float(plot_bottom),
            stroke=MUTED,
        )
    )

    ly = height - 7
    legend = [
        el("circle", cx=float(left + 5), cy=ly - 4.0, r=3.5, fill=ACCENT),
        text(left + 13, ly, "infusion given", font_size=10, fill=MUTED),
        el("circle", cx=float(left + 105), cy=ly - 4.0, r=3.5, fill=BAD),
        text(left + 113, ly, "with a reaction", font_size=10, fill=MUTED),
        el(
            "circle",
            cx=float(left + 215),
            cy=ly - 4.0,
            r=4.5,
            fill="#fff",
            stroke=ACCENT,
            stroke_width=2.0,
        ),
        text(left + 224, ly, "next planned", font_size=10, fill=MUTED),
        el(
            "rect",
            x=float(left + 305),
            y=ly - 10.0,
            width=18.0,
            height=10.0,
            rx=2.0,
            fill="#dfe8f6",
            stroke="#9db3d9",
        ),
        text(left + 328, ly, "course", font_size=10, fill=MUTED),
        el(
            "line",
            x1=float(left + 383),
            x2=float(left + 383),
            y1=ly - 11.0,
            y2=ly + 1.0,
            stroke=INK,
            stroke_width=1.5,
        ),
        text(left + 389, ly, "today", font_size=10, fill=MUTED),
    ]
    parts.append(el("g", "".join(legend), class_="legend"))
    total = sum(len(lane.given) for lane in lanes)
    desc = (
        f"{total} infusion{'s' if total != 1 else ''} of "
        f"{', '.join(lane.name for lane in lanes) or 'no drug'}; {shown_drawn} drawn between "
        f"{start.isoformat()} and {end.isoformat()}; today {today.isoformat()}."
    )
    return document(
        WIDTH, height, "Treatment timeline", desc, "".join(parts), class_="chart timeline-chart"
    )
