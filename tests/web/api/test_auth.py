"""Token flow: get a token, use it, and every way a token stops working."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from tests.web.api.conftest import BASE, Api, make_token
from tests.web.conftest import PASSWORD

from msinfusion.web.accounts.models import ApiToken, LoginFailure, hash_token
from msinfusion.web.accounts.throttle import record_failure
from msinfusion.web.accounts.views import FAILED

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def ask_token(client, username: str, password: str, **extra):
    body = json.dumps({"username": username, "password": password})
    return client.post(BASE + "/auth/token", body, content_type="application/json", **extra)


@time_machine.travel(NOW, tick=False)
def test_good_credentials_give_a_30_day_token_stored_only_as_its_hash(client, world):
    response = ask_token(client, "nurse", PASSWORD)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires"}
    assert datetime.fromisoformat(body["expires"]) == NOW + timedelta(days=30)
    stored = ApiToken.objects.get()
    assert stored.user == world.nurse
    assert stored.key_hash == hash_token(body["token"])
    assert body["token"] not in stored.key_hash
    assert Api(client, body["token"]).get("/patients").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(client, world):
    wrong = ask_token(client, "nurse", "not the password")
    unknown = ask_token(client, "nobody-at-all", "not the password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": FAILED}
    assert ApiToken.objects.count() == 0
    assert LoginFailure.objects.filter(username="nurse").count() == 1


def test_an_inactive_account_gets_no_token(client, world):
    world.nurse.is_active = False
    world.nurse.save()

    response = ask_token(client, "nurse", PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"detail": FAILED}


def test_after_10_failures_for_an_account_even_the_right_password_is_refused(
    client, world, settings
):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        record_failure("nurse", "203.0.113.9")  # from anywhere: the account counter

    response = ask_token(client, "nurse", PASSWORD)

    assert response.status_code == 401
    assert response.json() == {"detail": FAILED}
    assert ApiToken.objects.count() == 0


def test_after_20_failures_from_an_address_other_accounts_are_refused_there_too(
    client, world, settings
):
    for i in range(settings.LOGIN_FAILURES_PER_IP):
        record_failure(f"guess-{i}", "127.0.0.1")  # the test client's REMOTE_ADDR

    refused = ask_token(client, "nurse", PASSWORD)
    spoofed = ask_token(client, "nurse", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    elsewhere = ask_token(client, "nurse", PASSWORD, REMOTE_ADDR="198.51.100.7")

    assert refused.status_code == 401
    assert spoofed.status_code == 401  # a client-set header does not reset the counter
    assert elsewhere.status_code == 200


def test_a_token_works_until_it_expires_after_30_days(client, world):
    with time_machine.travel(NOW, tick=False):
        token = ask_token(client, "nurse", PASSWORD).json()["token"]
    api = Api(client, token)

    with time_machine.travel(NOW + timedelta(days=29, hours=23), tick=False):
        assert api.get("/patients").status_code == 200
    with time_machine.travel(NOW + timedelta(days=30, seconds=1), tick=False):
        assert api.get("/patients").status_code == 401


def test_an_expired_token_is_refused(client, world):
    api = Api(client, make_token(world.nurse, lifetime=timedelta(seconds=-1)))

    assert api.get("/patients").status_code == 401


def test_a_revoked_token_is_refused_and_other_tokens_keep_working(client, world):
    first, second = make_token(world.nurse), make_token(world.nurse)

    revoked = Api(client, first).delete("/auth/token")

    assert revoked.status_code == 204
    assert Api(client, first).get("/patients").status_code == 401
    assert Api(client, first).delete("/auth/token").status_code == 401
    assert Api(client, second).get("/patients").status_code == 200
    assert ApiToken.objects.filter(key_hash=hash_token(first)).count() == 0


def test_deactivating_an_account_stops_its_tokens(client, world):
    api = Api(client, make_token(world.nurse))
    assert api.get("/patients").status_code == 200

    world.nurse.is_active = False
    world.nurse.save()

    assert api.get("/patients").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer ",
        "Bearer not-a-token",
        "Basic bnVyc2U6cGFzc3dvcmQ=",
        "Bearer " + "x" * 5000,
        "Token abc",
    ],
)
def test_missing_or_malformed_authorization_is_a_401_with_a_challenge(client, world, header):
    headers = {"Authorization": header} if header is not None else {}

    response = client.get(BASE + "/patients", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="msinfusion"'
    assert response.json() == {"detail": "A valid API token is required (Authorization: Bearer)."}


def test_a_logged_in_browser_session_is_not_an_api_credential(client, world):
    client.force_login(world.nurse)

    assert client.get(BASE + "/patients").status_code == 401


def test_using_a_token_records_when_it_was_last_used(client, world):
    token = make_token(world.nurse)
    assert ApiToken.objects.get().last_used is None

    Api(client, token).get("/patients")

    assert abs(ApiToken.objects.get().last_used - timezone.now()) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"username": "nurse"}, ["body", "password"]),
        ({"password": PASSWORD}, ["body", "username"]),
        ({"username": "nurse", "password": PASSWORD, "otp": "1"}, ["body", "otp"]),
        ({"username": 7, "password": PASSWORD}, ["body", "username"]),
        ({"username": "", "password": PASSWORD}, ["body", "username"]),
        ({"username": "nu\x00rse", "password": PASSWORD}, ["body", "username"]),
        ({"username": "n" * 151, "password": PASSWORD}, ["body", "username"]),
    ],
)
def test_a_malformed_token_request_is_a_422_naming_the_field(client, world, body, loc):
    response = client.post(BASE + "/auth/token", json.dumps(body), content_type="application/json")

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [loc]
    assert LoginFailure.objects.count() == 0


def test_a_token_request_that_is_not_json_is_a_422(client, world):
    response = client.post(BASE + "/auth/token", "username=nurse", content_type="text/plain")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]
