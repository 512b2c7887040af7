"""Nurse shifts by day: list, add (end after start, same day), remove; the center's admins only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.test import Client

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import OpeningHours
from msinfusion.web.scheduling.models import NurseShift

URL = "/center/nurses/shifts/"
TODAY = date(2026, 1, 14)  # Wednesday, noon in New York
MONDAY = date(2026, 1, 19)


@pytest.fixture(autouse=True)
def clinic_day():
    with time_machine.travel(datetime(2026, 1, 14, 17, 0, tzinfo=UTC), tick=False):
        yield


def shift(center, name="Nurse One", day=MONDAY, start=time(8), end=time(17)) -> NurseShift:
    return NurseShift.objects.create(center=center, name=name, date=day, start=start, end=end)


def add(client, name="Nurse One", start="08:00", end="16:00", day="2026-01-19"):
    return client.post(URL, {"date": day, "name": name, "start": start, "end": end})


def rows(center, day=MONDAY):
    return list(
        NurseShift.objects.filter(center=center, date=day).values_list("name", "start", "end")
    )


def test_the_page_lists_only_that_days_shifts_of_this_center(admin_client, world):
    shift(world.center, "Ann Early", start=time(7), end=time(15))
    shift(world.center, "Ben Tuesday", day=date(2026, 1, 20))
    shift(world.other_center, "Cat Elsewhere")
    response = admin_client.get(URL, {"date": "2026-01-19"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ann Early" in html and "07:00" in html and "15:00" in html
    assert "Ben Tuesday" not in html and "Cat Elsewhere" not in html
    assert 'href="/center/board/?date=2026-01-19"' in html
    assert "style=" not in html and "<script>" not in html


def test_without_a_date_the_page_shows_today_at_the_center(admin_client, world):
    shift(world.center, "Dana Today", day=TODAY)
    response = admin_client.get(URL)
    assert response.context["day"] == TODAY
    assert "Dana Today" in response.content.decode()


def test_admin_adds_a_shift_to_the_chosen_day(admin_client, world):
    response = add(admin_client, "  Eve   Late ", "12:30", "20:00")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?date=2026-01-19"
    assert rows(world.center) == [("Eve Late", time(12, 30), time(20))]
    assert NurseShift.objects.filter(center=world.other_center).count() == 0
    row = AuditEvent.objects.filter(resource="center.nurse_shifts").latest("id")
    assert (row.actor, row.action, row.outcome, row.center_id, row.patient_id) == (
        "admin",
        "C",
        "success",
        world.center.pk,
        None,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start": "16:00", "end": "08:00"}, "end", "must end after it starts"),
        ({"start": "09:00", "end": "09:00"}, "end", "must end after it starts"),
        ({"start": "22:00", "end": "06:00"}, "end", "same day"),  # overnight: not one day
        ({"start": "", "end": "16:00"}, "start", "required"),
        ({"start": "08:00", "end": "25:00"}, "end", "valid time"),
        ({"name": "   "}, "name", ""),
    ],
)
def test_a_bad_shift_is_refused_by_its_field_and_nothing_is_stored(
    admin_client, world, data, field, message
):
    response = add(admin_client, **data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert NurseShift.objects.count() == 0
    row = AuditEvent.objects.filter(resource="center.nurse_shifts").latest("id")
    assert (row.action, row.outcome) == ("C", "failed")


def test_the_same_nurse_cannot_be_on_two_overlapping_shifts(admin_client, world):
    shift(world.center, "Fay North", start=time(8), end=time(12))
    response = add(admin_client, "fay north", "11:00", "15:00")
    assert response.status_code == 400
    assert "Fay North already works 08:00-12:00" in response.context["form"].errors["start"][0]
    # back to back is two shifts of one person, not an overlap
    assert add(admin_client, "Fay North", "12:00", "15:00").status_code == 302
    assert len(rows(world.center)) == 2


@pytest.mark.parametrize("day", ["2026-13-01", "2028-01-19", "19/01/2026"])
def test_a_bad_or_far_day_is_refused(admin_client, world, day):
    assert admin_client.get(URL, {"date": day}).status_code == 400
    assert add(admin_client, day=day).status_code == 400
    assert NurseShift.objects.count() == 0


def test_admin_removes_a_shift(admin_client, world):
    keep = shift(world.center, "Gus Stays")
    gone = shift(world.center, "Hal Goes", start=time(9), end=time(13))
    response = admin_client.post(f"{URL}{gone.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?date=2026-01-19"
    assert list(NurseShift.objects.values_list("pk", flat=True)) == [keep.pk]
    row = AuditEvent.objects.filter(resource="center.nurse_shifts").latest("id")
    assert (row.action, row.outcome, row.center_id) == ("D", "success", world.center.pk)


def test_removing_needs_a_post(admin_client, world):
    one = shift(world.center)
    assert admin_client.get(f"{URL}{one.pk}/remove/").status_code == 405
    assert NurseShift.objects.filter(pk=one.pk).exists()


def test_another_centers_shift_answers_404_and_stays(admin_client, world):
    theirs = shift(world.other_center)
    response = admin_client.post(f"{URL}{theirs.pk}/remove/")
    assert response.status_code == 404
    assert NurseShift.objects.filter(pk=theirs.pk).exists()
    row = AuditEvent.objects.filter(resource="center.nurse_shifts").latest("id")
    assert (row.action, row.outcome) == ("D", "denied")


@pytest.mark.parametrize("actor", ["nurse", "neurologist", "patient_user", "other_center_nurse"])
def test_non_admins_cannot_see_add_or_remove_shifts(client, world, actor):
    one = shift(world.center)
    client.force_login(getattr(world, actor))
    assert client.get(URL, {"date": "2026-01-19"}).status_code == 403
    assert add(client, "Ivy Sneaky").status_code == 403
    assert client.post(f"{URL}{one.pk}/remove/").status_code == 403
    assert list(NurseShift.objects.values_list("name", flat=True)) == ["Nurse One"]
    outcomes = set(
        AuditEvent.objects.filter(resource="center.nurse_shifts").values_list("outcome", flat=True)
    )
    assert outcomes == {"denied"}


def test_another_centers_admin_adds_to_their_own_center_only(client, world):
    client.force_login(world.other_center_admin)
    assert add(client, "Jo West").status_code == 302
    assert rows(world.center) == []
    assert rows(world.other_center) == [("Jo West", time(8), time(16))]


def test_posts_without_the_csrf_token_are_refused(world):
    one = shift(world.center)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.center_admin)
    assert add(client, "Kim Forged").status_code == 403
    assert client.post(f"{URL}{one.pk}/remove/").status_code == 403
    assert list(NurseShift.objects.values_list("name", flat=True)) == ["Nurse One"]


def test_the_board_links_admins_to_the_days_shifts(admin_client, world):
    OpeningHours.objects.create(center=world.center, weekday=0, opens=time(8), closes=time(17))
    html = admin_client.get("/center/board/", {"date": "2026-01-19"}).content.decode()
    assert f'href="{URL}?date=2026-01-19"' in html


def test_the_board_shows_no_shift_link_to_nurses(client, world):
    OpeningHours.objects.create(center=world.center, weekday=0, opens=time(8), closes=time(17))
    client.force_login(world.nurse)
    html = client.get("/center/board/", {"date": "2026-01-19"}).content.decode()
    assert "Nurse load" in html
    assert URL not in html
