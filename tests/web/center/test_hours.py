"""Opening hours per weekday: a closed day has no row, an open day opens before it closes."""

from __future__ import annotations

from datetime import time

import pytest

from msinfusion.web.clinic.models import OpeningHours


def week(**days) -> dict:
    """Form data: every weekday closed except the given ones, e.g. d0=("08:00", "17:00")."""
    data = {}
    for weekday in range(7):
        opens_closes = days.get(f"d{weekday}")
        if opens_closes:
            data[f"d{weekday}-is_open"] = "on"
            data[f"d{weekday}-opens"], data[f"d{weekday}-closes"] = opens_closes
    return data


def test_admin_sets_the_weeks_hours(admin_client, world):
    response = admin_client.post(
        "/center/hours/", week(d0=("08:00", "17:00"), d4=("07:30", "12:00"))
    )
    assert response.status_code == 302
    rows = list(
        OpeningHours.objects.filter(center=world.center).values_list("weekday", "opens", "closes")
    )
    assert rows == [(0, time(8), time(17)), (4, time(7, 30), time(12))]


def test_unticking_a_day_closes_it(admin_client, world):
    OpeningHours.objects.create(center=world.center, weekday=2, opens=time(8), closes=time(16))
    OpeningHours.objects.create(
        center=world.other_center, weekday=2, opens=time(9), closes=time(15)
    )
    admin_client.post("/center/hours/", week(d0=("08:00", "17:00")))
    assert list(
        OpeningHours.objects.filter(center=world.center).values_list("weekday", flat=True)
    ) == [0]
    assert OpeningHours.objects.filter(center=world.other_center).count() == 1


def test_the_form_shows_the_saved_hours(admin_client, world):
    OpeningHours.objects.create(center=world.center, weekday=1, opens=time(8), closes=time(16, 30))
    content = admin_client.get("/center/hours/").content.decode()
    assert 'value="08:00"' in content
    assert 'value="16:30"' in content


@pytest.mark.parametrize(
    ("day", "field"),
    [
        (("17:00", "08:00"), "closes"),  # closes before it opens
        (("09:00", "09:00"), "closes"),  # opens == closes
        (("", "17:00"), "opens"),
        (("08:00", ""), "closes"),
        (("8 o'clock", "17:00"), "opens"),
        (("25:00", "26:00"), "opens"),
    ],
)
def test_bad_hours_are_refused_next_to_the_day(admin_client, world, day, field):
    OpeningHours.objects.create(center=world.center, weekday=0, opens=time(8), closes=time(16))
    response = admin_client.post("/center/hours/", week(d0=("07:00", "15:00"), d3=day))
    assert response.status_code == 400
    wednesday = response.context["days"][3]
    assert field in wednesday.errors
    assert "Thu:" in response.content.decode()
    # nothing was saved, not even the valid Monday
    monday = OpeningHours.objects.get(center=world.center, weekday=0)
    assert (monday.opens, monday.closes) == (time(8), time(16))
