"""Geometry of the day board: chairs as rows, the opening hours as the time axis, bookings as bars,
and the nurse load under it. Everything is computed here and drawn by the template as SVG with
attributes and classes only (the Content-Security-Policy allows no inline styles or scripts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from msinfusion.web.clinic.choices import DRUG_NAMES
from msinfusion.web.scheduling.models import SLOT_MINUTES
from msinfusion.web.scheduling.services import DayLoad, chair_name, hhmm

LEFT = 92  # room for the chair names
TOP = 22  # room for the hour labels
ROW = 24
BAR = 18
PX_PER_MINUTE = 1.2
LOAD_HEIGHT = 110
CHAR_PX = 6.6  # average width of a character of the bar labels


@dataclass(frozen=True)
class Stay:
    """One booking as the board draws it (its current place or a proposed one)."""

    chair_id: int
    start: int
    minutes: int
    drug: str
    name: str | None  # the patient's name, when the viewer may see it
    label: str
    moved: bool = False


def x_of(minute: int, opens: int) -> float:
    return round(LEFT + (minute - opens) * PX_PER_MINUTE, 1)


def _fit(text: str, width: float) -> str:
    room = int((width - 8) // CHAR_PX)
    if room < 3:
        return ""
    return text if len(text) <= room else text[: room - 1] + "…"


def drug_class(drug: str) -> str:
    return "drug-" + drug.replace("-", "_")


def board(chairs, stays: Iterable[Stay], opens: int, closes: int) -> dict:
    """The chair rows and bars of one day, ready for `_board.html`."""
    width = x_of(closes, opens) + 12
    rows = []
    index = {}
    for i, chair in enumerate(chairs):
        y = TOP + i * ROW
        index[chair.pk] = y
        rows.append(
            {
                "y": y,
                "text_y": y + ROW / 2 + 4,
                "name": chair_name(chair),
                "kind": chair.kind,
                "odd": i % 2 == 1,
            }
        )
    bars = []
    for s in stays:
        if s.chair_id not in index:
            continue
        x, w = x_of(s.start, opens), round(s.minutes * PX_PER_MINUTE, 1)
        y = index[s.chair_id] + (ROW - BAR) / 2
        shown = s.name or DRUG_NAMES.get(s.drug, s.drug).split(" (")[0]
        title = f"{hhmm(s.start)}-{hhmm(s.start + s.minutes)} · {DRUG_NAMES.get(s.drug, s.drug)}"
        title += f" · {s.label}" + (f" · {s.name}" if s.name else "")
        bars.append(
            {
                "x": x,
                "y": y,
                "w": w,
                "h": BAR,
                "cls": drug_class(s.drug) + (" moved" if s.moved else ""),
                "text": _fit(shown, w),
                "text_x": x + 4,
                "text_y": y + BAR / 2 + 4,
                "title": title,
            }
        )
    height = TOP + len(rows) * ROW + 4
    return {
        "width": width,
        "height": height,
        "rows": rows,
        "row_width": width - LEFT,
        "row_h": ROW,
        "bars": bars,
        "ticks": _ticks(opens, closes, height),
        "left": LEFT,
    }


def _ticks(opens: int, closes: int, bottom: float) -> list[dict]:
    first = -(-opens // 60) * 60
    return [
        {"x": x_of(m, opens), "label": hhmm(m), "bottom": bottom}
        for m in range(first, closes + 1, 60)
    ]


def legend(stays: Iterable[Stay]) -> list[dict]:
    drugs = sorted({s.drug for s in stays})
    return [{"cls": drug_class(d), "name": DRUG_NAMES.get(d, d)} for d in drugs]


def load_chart(load: DayLoad, stays: Iterable[Stay], opens: int, closes: int) -> dict:
    """Patients in chairs per nurse on shift, against the center's limit, and starts per hour."""
    limit = load.patients_per_nurse
    first, last = opens // SLOT_MINUTES, -(-closes // SLOT_MINUTES)
    steps = range(first, last)
    top = limit + 2  # the chart's ceiling, in patients per nurse
    base = LOAD_HEIGHT - 4
    scale = (LOAD_HEIGHT - 14) / top
    points, over = [], []
    for i in steps:
        x0 = x_of(i * SLOT_MINUTES, opens)
        x1 = x_of((i + 1) * SLOT_MINUTES, opens)
        patients, nurses = load.in_chairs[i], load.nurses[i]
        ratio = patients / nurses if nurses else (top if patients else 0)
        y = round(base - min(ratio, top) * scale, 1)
        points += [f"{x0},{y}", f"{x1},{y}"]
        if load.has_shifts and patients > limit * nurses:
            over.append(
                {"x": x0, "w": round(x1 - x0, 1), "y": base - top * scale, "h": top * scale}
            )
    starts = _starts_per_hour(stays, opens, closes)
    return {
        "width": x_of(closes, opens) + 12,
        "height": LOAD_HEIGHT + 16,
        "base": base,
        "left": LEFT,
        "ratio": " ".join(points),
        "limit_y": round(base - limit * scale, 1),
        "limit": limit,
        "setup_minutes": load.nurse_start_minutes,
        "over": over,
        "has_shifts": load.has_shifts,
        "max_nurses": max((load.nurses[i] for i in steps), default=0),
        "max_in_chairs": max((load.in_chairs[i] for i in steps), default=0),
        "starts": starts,
        "label_y": LOAD_HEIGHT + 12,
    }


def _starts_per_hour(stays: Iterable[Stay], opens: int, closes: int) -> list[dict]:
    """How many infusions start in each hour: when the nurses are busiest setting up."""
    counts: dict[int, int] = {}
    for s in stays:
        counts[s.start // 60] = counts.get(s.start // 60, 0) + 1
    return [
        {"x": x_of(max(h * 60, opens), opens) + 2, "n": counts.get(h, 0)}
        for h in range(opens // 60, -(-closes // 60))
    ]
