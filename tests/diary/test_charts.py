"""Cycle charts are valid, self-contained SVG that a strict CSP accepts, and they draw what they say."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

from msinfusion.diary.charts import cycle_chart_svg, symptom_charts

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Point:
    day: int
    mean: float | None
    lo: float | None
    hi: float | None
    n: int


@dataclass
class Symptom:
    verdict: str = "likely"
    p_value: float | None = 0.01
    effect: float | None = 1.5
    curve: list[Point] = field(default_factory=list)


@dataclass
class Result:
    verdict: str
    p_value: float | None
    onset_days_before: float | None
    onset_interval: tuple[float, float] | None
    overall: Symptom
    symptoms: dict[str, Symptom]
    cycle_days: int


def curve(cycle: int, *, bump_from: int, base: float = 3.0) -> list[Point]:
    """Flat at `base`, one point higher per day from `bump_from` on (a wearing-off shape)."""
    points = []
    for day in range(cycle):
        mean = base + max(0, day - bump_from) * 0.5
        points.append(Point(day, mean, mean - 0.8, mean + 0.8, 3))
    return points


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def viewbox(root: ET.Element) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    return x, y, w, h


def coordinates(root: ET.Element) -> list[tuple[float, float]]:
    """Every (x, y) a shape is drawn at: points lists, line ends, rectangles and circles."""
    out = []
    for node in root.iter():
        tag = node.tag.removeprefix(SVG)
        if tag in ("polyline", "polygon"):
            for pair in node.get("points").split():
                px, py = pair.split(",")
                out.append((float(px), float(py)))
        elif tag == "line":
            out += [
                (float(node.get("x1")), float(node.get("y1"))),
                (float(node.get("x2")), float(node.get("y2"))),
            ]
        elif tag == "rect":
            x0, y0 = float(node.get("x")), float(node.get("y"))
            out += [(x0, y0), (x0 + float(node.get("width")), y0 + float(node.get("height")))]
        elif tag == "circle":
            out.append((float(node.get("cx")), float(node.get("cy"))))
    return out


def test_chart_is_valid_accessible_svg_without_styles():
    svg = cycle_chart_svg(
        Symptom(curve=curve(28, bump_from=21)), cycle_days=28, title="Fatigue <& 'walking'>"
    )
    root = parse(svg)  # valid XML, the title's markup characters escaped
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert "Fatigue <& 'walking'>" in root.get("aria-label")
    assert root.find(f"{SVG}title").text.startswith("Fatigue <& 'walking'>")
    assert root.find(f"{SVG}desc").text
    for node in root.iter():
        assert "style" not in node.attrib, node.tag
        assert node.tag.removeprefix(SVG) not in ("style", "script", "foreignObject")
    assert not re.search(r"\sstyle=", svg)
    assert "<script" not in svg and "<style" not in svg


def test_everything_is_drawn_inside_the_viewbox():
    # scores outside 0-10 in the band (a wide interval) are clipped to the plot
    points = curve(28, bump_from=20, base=6.0)
    points.append(Point(27, 9.5, 8.0, 12.0, 1))
    svg = cycle_chart_svg(
        Symptom(curve=points),
        cycle_days=28,
        title="Pain",
        onset_days_before=7,
        onset_interval=(4, 11),
    )
    root = parse(svg)
    x0, y0, w, h = viewbox(root)
    found = coordinates(root)
    assert len(found) > 28
    for px, py in found:
        assert x0 <= px <= x0 + w and y0 <= py <= y0 + h, (px, py)


def test_infusion_days_are_marked_at_day_zero_and_at_the_cycle_length():
    root = parse(cycle_chart_svg(Symptom(curve=curve(28, bump_from=21)), cycle_days=28, title="x"))
    markers = [g for g in root.iter(f"{SVG}g") if g.get("class") == "infusion-marker"]
    assert sorted(int(g.get("data-day")) for g in markers) == [0, 28]
    xs = {g.get("data-day"): float(g.find(f"{SVG}line").get("x1")) for g in markers}
    _, _, width, _ = viewbox(root)
    # day 0 at the plot's left edge, day 28 at its right edge: 28 days apart on a 0-28 axis
    assert xs["0"] < width * 0.1 and xs["28"] > width * 0.9
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.count("infusion") == 2
    assert "days since infusion" in labels
    assert "score 0-10 (higher = worse)" in labels


def test_late_window_spans_onset_days_before_the_next_infusion():
    root = parse(
        cycle_chart_svg(
            Symptom(curve=curve(28, bump_from=21)),
            cycle_days=28,
            title="x",
            onset_days_before=7,
        )
    )
    (window,) = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "late-window"]
    markers = {
        g.get("data-day"): float(g.find(f"{SVG}line").get("x1"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "infusion-marker"
    }
    day_width = (markers["28"] - markers["0"]) / 28
    start, end = float(window.get("x")), float(window.get("x")) + float(window.get("width"))
    assert end == pytest.approx(markers["28"], abs=0.2)
    assert start == pytest.approx(markers["28"] - 7 * day_width, abs=0.2)


def test_no_late_window_without_an_onset():
    svg = cycle_chart_svg(Symptom(curve=curve(28, bump_from=30)), cycle_days=28, title="x")
    assert "late-window" not in svg


def test_higher_scores_are_drawn_higher_and_gaps_stay_gaps():
    points = [Point(d, 2.0, 1.5, 2.5, 2) for d in range(0, 10)]
    points += [Point(d, None, None, None, 0) for d in range(10, 14)]  # nobody rated these days
    points += [Point(d, 8.0, 7.0, 9.0, 2) for d in range(14, 28)]
    root = parse(cycle_chart_svg(Symptom(curve=points), cycle_days=28, title="x"))
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "curve"]
    assert len(lines) == 2  # two runs, not a line drawn across the gap
    early, late = (
        [float(pair.split(",")[1]) for pair in line.get("points").split()] for line in lines
    )
    assert max(late) < min(early)  # SVG y grows downward: worse scores sit higher


def test_long_cycles_get_readable_ticks():
    root = parse(
        cycle_chart_svg(Symptom(curve=curve(168, bump_from=150)), cycle_days=168, title="x")
    )
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"0", "28", "56", "84", "112", "140", "168"} <= labels


def test_an_empty_curve_says_so():
    root = parse(
        cycle_chart_svg(Symptom(verdict="insufficient_data", curve=[]), cycle_days=28, title="x")
    )
    assert "no ratings yet" in [t.text for t in root.iter(f"{SVG}text")]
    assert "not enough data yet" in root.find(f"{SVG}desc").text


def test_one_small_chart_per_rated_symptom_in_diary_order():
    result = Result(
        verdict="likely",
        p_value=0.004,
        onset_days_before=6,
        onset_interval=(3, 9),
        overall=Symptom(curve=curve(28, bump_from=21)),
        symptoms={
            "pain": Symptom(verdict="unlikely", curve=curve(28, bump_from=40)),
            "fatigue": Symptom(curve=curve(28, bump_from=21)),
        },
        cycle_days=28,
    )
    charts = symptom_charts(result)
    assert [c.name for c in charts] == ["fatigue", "pain"]
    assert [c.verdict_words for c in charts] == ["wearing-off likely", "wearing-off unlikely"]
    for chart in charts:
        root = parse(chart.svg)
        assert root.get("width") == "320"
        assert any(r.get("class") == "late-window" for r in root.iter(f"{SVG}rect"))


def test_weekly_bins_of_a_long_cycle_draw_one_line():
    # a 168-day cycle summarised by week: each point in the middle of its 7-day bin
    points = [Point(3.5 + 7 * week, 3.0, 2.0, 4.0, 5) for week in range(24)]
    root = parse(cycle_chart_svg(Symptom(curve=points), cycle_days=168, title="x"))
    lines = [p for p in root.iter(f"{SVG}polyline") if p.get("class") == "curve"]
    assert len(lines) == 1
    assert len(lines[0].get("points").split()) == 24
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "0" in labels and "0.0" not in labels
