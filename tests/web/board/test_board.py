"""The day board: chairs as rows, bookings as bars coloured by drug, the nurse load under it."""

from __future__ import annotations

import re

from msinfusion.web.scheduling.services import book

from .conftest import MONDAY, request_for

BOARD = "/center/board/"
RECT = re.compile(
    r'<rect class="(drug-[a-z_]+)" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"'
)


def test_the_board_draws_one_bar_per_booking_at_its_chair_and_time(nurse, world, places):
    book(world.patient, places.chair2, MONDAY, 9 * 60, request_for("a", 240, "ocrelizumab"))
    book(world.other_patient, places.bed3, MONDAY, 8 * 60, request_for("b", 60))
    response = nurse.get(BOARD, {"date": "2026-01-19"})
    assert response.status_code == 200
    html = response.content.decode()
    bars = {cls: geometry for cls, *geometry in RECT.findall(html)}
    # chair 2 is the second row (y 22 + 24, bar inset 3); 09:00 is 60 min after opening,
    # at 1.2 px per minute right of the 92 px name column: x 164; 240 min x 1.2 = 288 px wide
    assert [float(v) for v in bars["drug-ocrelizumab"]] == [164, 49, 288, 18]
    # the bed is the third row (y 22 + 48 + 3); 08:00 is the left edge; 60 min: 72 px
    assert [float(v) for v in bars["drug-natalizumab"]] == [92, 73, 72, 18]
    assert "Ocrelizumab (Ocrevus)" in html and "Natalizumab (Tysabri)" in html  # legend
    for name in ("Chair 1", "Chair 2", "Bed 3", "Isolated room 4"):
        assert name in html
    assert 'href="/center/board/?date=2026-01-18"' in html
    assert 'href="/center/board/?date=2026-01-20"' in html
    assert "style=" not in html  # the CSP allows no inline styles


def test_the_nurse_load_is_drawn_under_the_board(nurse, world, places):
    book(world.patient, places.chair1, MONDAY, 9 * 60, request_for("a", 60))
    html = nurse.get(BOARD, {"date": "2026-01-19"}).content.decode()
    assert "2 nurse shifts" in html
    assert '<polyline class="ratio"' in html
    assert '<text class="starts"' in html and ">1</text>" in html


def test_a_day_without_shifts_says_the_load_cannot_be_checked(nurse, world, places):
    html = nurse.get(BOARD, {"date": "2026-01-20"}).content.decode()
    assert "No nurse shifts are entered for this day" in html


def test_a_closed_day_and_a_bad_date(nurse, world, places):
    assert "closed on Saturdays" in nurse.get(BOARD, {"date": "2026-01-17"}).content.decode()
    assert nurse.get(BOARD, {"date": "2026-02-30"}).status_code == 400
    assert nurse.get(BOARD, {"date": "2031-01-01"}).status_code == 400


def test_the_board_defaults_to_today_at_the_center(nurse, world, places):
    response = nurse.get(BOARD)
    assert response.status_code == 200
    assert response.context["day"].isoformat() == "2026-01-14"


def test_cancelled_bookings_are_not_drawn(nurse, world, places):
    from msinfusion.web.scheduling.services import cancel

    booking = book(world.patient, places.chair1, MONDAY, 9 * 60, request_for("a", 60))
    cancel(booking)
    html = nurse.get(BOARD, {"date": "2026-01-19"}).content.decode()
    assert 'class="drug-natalizumab"' not in html
    assert "Bookings (0)" in html
