"""Center admins create staff accounts of their center and deactivate them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from msinfusion.web.accounts.models import ApiToken, Role, User, hash_token
from msinfusion.web.audit.models import AuditEvent

GOOD = {
    "username": "nurse-new",
    "first_name": "Nina",
    "last_name": "Ross",
    "email": "nina@example.org",
    "role": "nurse",
    "password1": "a quiet lake at dawn",
    "password2": "a quiet lake at dawn",
}


@pytest.mark.parametrize("role", ["nurse", "neurologist", "center_admin"])
def test_admin_creates_a_staff_account_of_their_center(admin_client, world, role):
    response = admin_client.post("/center/staff/new/", {**GOOD, "role": role})
    assert response.status_code == 302
    user = User.objects.get(username="nurse-new")
    assert (user.role, user.center, user.is_active) == (role, world.center, True)
    assert user.check_password("a quiet lake at dawn")
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.resource, row.action, row.outcome, row.patient_id, row.center_id) == (
        "center.staff",
        "C",
        "success",
        None,
        world.center.pk,
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password1": "short", "password2": "short"}, "password2"),  # fewer than 8
        ({"password1": "password123", "password2": "password123"}, "password2"),  # common
        ({"password2": "something else entirely"}, "password2"),
        ({"username": "NURSE"}, "username"),  # taken, whatever the case
        ({"username": ""}, "username"),
        ({"role": "patient"}, "role"),
        ({"role": "superuser"}, "role"),
        ({"first_name": ""}, "first_name"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_bad_staff_input_is_refused_next_to_the_field(admin_client, world, change, field):
    count = User.objects.count()
    response = admin_client.post("/center/staff/new/", {**GOOD, **change})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert User.objects.count() == count
    row = AuditEvent.objects.order_by("-id").first()
    assert (row.resource, row.outcome) == ("center.staff", "failed")


def test_deactivated_staff_session_ends_at_the_next_request(admin_client, world):
    nurse = Client()
    nurse.force_login(world.nurse)
    assert nurse.get("/center/").status_code == 403  # signed in, just not an admin
    response = admin_client.post(f"/center/staff/{world.nurse.pk}/deactivate/")
    assert response.status_code == 302
    world.nurse.refresh_from_db()
    assert world.nurse.is_active is False
    response = nurse.get("/center/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    # and the password no longer opens a session
    login = Client().post(
        "/login/", {"username": "nurse", "password": "correct horse battery staple"}
    )
    assert login.status_code == 400


def test_deactivation_revokes_api_tokens(admin_client, world):
    ApiToken.objects.create(
        user=world.nurse, key_hash=hash_token("k"), expires=timezone.now() + timedelta(days=1)
    )
    admin_client.post(f"/center/staff/{world.nurse.pk}/deactivate/")
    assert not ApiToken.objects.filter(user=world.nurse).exists()


def test_reactivation_restores_the_account(admin_client, world):
    admin_client.post(f"/center/staff/{world.nurse.pk}/deactivate/")
    response = admin_client.post(f"/center/staff/{world.nurse.pk}/reactivate/")
    assert response.status_code == 302
    world.nurse.refresh_from_db()
    assert world.nurse.is_active is True


def test_admin_cannot_deactivate_their_own_account(admin_client, world):
    response = admin_client.post(f"/center/staff/{world.center_admin.pk}/deactivate/")
    assert response.status_code == 400
    assert "cannot deactivate your own account" in response.content.decode()
    world.center_admin.refresh_from_db()
    assert world.center_admin.is_active is True


@pytest.mark.parametrize("target", ["other_center_nurse", "other_center_admin", "patient_user"])
def test_accounts_outside_the_center_are_not_found(admin_client, world, target):
    user = getattr(world, target)
    before = AuditEvent.objects.count()
    for action in ("deactivate", "reactivate"):
        response = admin_client.post(f"/center/staff/{user.pk}/{action}/")
        assert response.status_code == 404
    user.refresh_from_db()
    assert user.is_active is True
    rows = AuditEvent.objects.order_by("id")[before:]
    assert [r.outcome for r in rows] == ["denied", "denied"]


def test_unknown_account_is_not_found(admin_client, world):
    assert admin_client.post("/center/staff/999999/deactivate/").status_code == 404


def test_deactivation_only_by_post(admin_client, world):
    assert admin_client.get(f"/center/staff/{world.nurse.pk}/deactivate/").status_code == 405
    world.nurse.refresh_from_db()
    assert world.nurse.is_active is True


def test_other_roles_cannot_deactivate(client, world):
    client.force_login(world.neurologist)
    response = client.post(f"/center/staff/{world.nurse.pk}/deactivate/")
    assert response.status_code == 403
    world.nurse.refresh_from_db()
    assert world.nurse.is_active is True


def test_new_admin_account_can_use_the_center_pages(admin_client, world):
    admin_client.post("/center/staff/new/", {**GOOD, "role": Role.CENTER_ADMIN})
    other = Client()
    response = other.post("/login/", {"username": "nurse-new", "password": GOOD["password1"]})
    assert response.status_code == 302
    assert other.get("/center/").status_code == 200
