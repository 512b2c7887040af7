"""Chairs: numbers unique per center, three kinds, taken out of use rather than deleted."""

from __future__ import annotations

import pytest

from msinfusion.web.clinic.models import Chair


def test_admin_adds_a_chair(admin_client, world):
    response = admin_client.post("/center/chairs/", {"number": 3, "kind": "isolation"})
    assert response.status_code == 302
    chair = Chair.objects.get(center=world.center, number=3)
    assert (chair.kind, chair.active) == ("isolation", True)


def test_chair_numbers_are_unique_per_center(admin_client, world):
    Chair.objects.create(center=world.center, number=1)
    Chair.objects.create(center=world.other_center, number=2)
    response = admin_client.post("/center/chairs/", {"number": 1, "kind": "chair"})
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["number"][0]
    # the other center's number 2 does not block this center's chair 2
    assert admin_client.post("/center/chairs/", {"number": 2, "kind": "bed"}).status_code == 302
    assert Chair.objects.filter(number=2).count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"number": 0, "kind": "chair"}, "number"),
        ({"number": -4, "kind": "chair"}, "number"),
        ({"number": "two", "kind": "chair"}, "number"),
        ({"number": "", "kind": "chair"}, "number"),
        ({"number": 5, "kind": "sofa"}, "kind"),
    ],
)
def test_bad_chair_input_is_refused(admin_client, world, data, field):
    response = admin_client.post("/center/chairs/", data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Chair.objects.exists()


def test_list_shows_only_this_centers_chairs(admin_client, world):
    Chair.objects.create(center=world.center, number=11, kind="bed")
    Chair.objects.create(center=world.other_center, number=77)
    response = admin_client.get("/center/chairs/")
    assert [c.number for c in response.context["chairs"]] == [11]
    content = response.content.decode()
    assert "<td>11</td>" in content
    assert ">77<" not in content


def test_admin_takes_a_chair_out_of_use_and_back(admin_client, world):
    chair = Chair.objects.create(center=world.center, number=4)
    assert admin_client.post(f"/center/chairs/{chair.pk}/deactivate/").status_code == 302
    chair.refresh_from_db()
    assert chair.active is False
    assert admin_client.post(f"/center/chairs/{chair.pk}/reactivate/").status_code == 302
    chair.refresh_from_db()
    assert chair.active is True


def test_another_centers_chair_is_not_found_and_unchanged(admin_client, world):
    chair = Chair.objects.create(center=world.other_center, number=4)
    assert admin_client.post(f"/center/chairs/{chair.pk}/deactivate/").status_code == 404
    chair.refresh_from_db()
    assert chair.active is True


def test_chair_deactivation_only_by_post(admin_client, world):
    chair = Chair.objects.create(center=world.center, number=4)
    assert admin_client.get(f"/center/chairs/{chair.pk}/deactivate/").status_code == 405
    chair.refresh_from_db()
    assert chair.active is True


def test_nurse_cannot_add_chairs(client, world):
    client.force_login(world.nurse)
    assert client.post("/center/chairs/", {"number": 3, "kind": "chair"}).status_code == 403
    assert not Chair.objects.exists()
