"""The center's nurse policy page: patients per nurse and set-up minutes, per center, admins only."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import Center

URL = "/center/nurses/settings/"


def stored(center) -> tuple[int, int]:
    center.refresh_from_db()
    return center.patients_per_nurse, center.nurse_start_minutes


def test_a_new_center_keeps_four_patients_per_nurse_and_fifteen_set_up_minutes(db):
    center = Center.objects.create(name="New Center")
    assert stored(center) == (4, 15)


def test_admin_sees_and_saves_the_centers_own_values(admin_client, world):
    page = admin_client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="patients_per_nurse"' in html and 'value="4"' in html
    assert 'name="nurse_start_minutes"' in html and 'value="15"' in html
    assert "csrfmiddlewaretoken" in html
    assert "style=" not in html and "<script>" not in html

    response = admin_client.post(URL, {"patients_per_nurse": "3", "nurse_start_minutes": "20"})
    assert response.status_code == 302
    assert stored(world.center) == (3, 20)
    assert stored(world.other_center) == (4, 15)  # the other center is untouched
    row = AuditEvent.objects.filter(resource="center.nurse_settings").latest("id")
    assert (row.actor, row.action, row.outcome, row.center_id, row.patient_id) == (
        "admin",
        "U",
        "success",
        world.center.pk,
        None,
    )


PPN, NSM = "patients_per_nurse", "nurse_start_minutes"


@pytest.mark.parametrize(
    ("ratio", "set_up", "field", "message"),
    [
        ("0", "15", PPN, "1 to 12"),
        ("13", "15", PPN, "1 to 12"),
        ("-2", "15", PPN, "1 to 12"),
        ("2.5", "15", PPN, "1 to 12"),
        ("", "15", PPN, "1 to 12"),
        ("4", "4", NSM, "5 to 120"),
        ("4", "121", NSM, "5 to 120"),
        ("4", "ten", NSM, "5 to 120"),
    ],
)
def test_bad_values_are_refused_by_their_field_and_nothing_is_stored(
    admin_client, world, ratio, set_up, field, message
):
    data = {PPN: ratio, NSM: set_up}
    response = admin_client.post(URL, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    label = "Patients per nurse" if field == "patients_per_nurse" else "set-up minutes"
    assert label.lower() in errors[field][0].lower() and message in errors[field][0]
    assert errors[field][0] in response.content.decode()
    assert stored(world.center) == (4, 15)
    row = AuditEvent.objects.filter(resource="center.nurse_settings").latest("id")
    assert (row.action, row.outcome) == ("U", "failed")


def test_one_bad_value_keeps_the_good_one_unsaved_too(admin_client, world):
    response = admin_client.post(URL, {"patients_per_nurse": "2", "nurse_start_minutes": "500"})
    assert response.status_code == 400
    assert stored(world.center) == (4, 15)


def test_the_database_refuses_values_out_of_range(world):
    for field, value in (("patients_per_nurse", 0), ("nurse_start_minutes", 200)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Center.objects.filter(pk=world.center.pk).update(**{field: value})
    assert stored(world.center) == (4, 15)


@pytest.mark.parametrize(
    "actor", ["nurse", "neurologist", "patient_user", "other_center_nurse", "other_center_admin"]
)
def test_others_cannot_see_or_change_this_centers_settings(client, world, actor):
    client.force_login(getattr(world, actor))
    response = client.post(URL, {"patients_per_nurse": "1", "nurse_start_minutes": "60"})
    if actor == "other_center_admin":
        # an admin of another center can only ever reach their own center's settings
        assert response.status_code == 302
        assert stored(world.other_center) == (1, 60)
    else:
        assert response.status_code == 403
        assert client.get(URL).status_code == 403
        rows = AuditEvent.objects.filter(resource="center.nurse_settings")
        assert {r.outcome for r in rows} == {"denied"}
    assert stored(world.center) == (4, 15)


def test_anonymous_is_sent_to_login(client, world):
    response = client.post(URL, {"patients_per_nurse": "1", "nurse_start_minutes": "60"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert stored(world.center) == (4, 15)


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.center_admin)
    response = client.post(URL, {"patients_per_nurse": "1", "nurse_start_minutes": "60"})
    assert response.status_code == 403
    assert stored(world.center) == (4, 15)


def test_the_overview_shows_the_settings_and_links_to_them(admin_client, world):
    Center.objects.filter(pk=world.center.pk).update(patients_per_nurse=3)
    html = admin_client.get("/center/").content.decode()
    assert "3 patients per nurse" in html and "15 set-up minutes" in html
    assert f'href="{URL}"' in html and 'href="/center/nurses/shifts/"' in html
