"""B7 login throttling: 10 failures per account and 20 per client address in an hour, counted from
the only address that can be trusted, with one answer whether or not the account exists."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from msinfusion.web.accounts.models import LoginFailure

PASSWORD = "correct horse battery staple"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def attempt(username: str, password: str, ip: str = "203.0.113.7", **headers):
    client = Client(REMOTE_ADDR=ip, headers=headers)
    return client.post("/login/", {"username": username, "password": password})


def fail(n: int, username: str = "nurse", ip: str = "203.0.113.7", **headers) -> None:
    for _ in range(n):
        assert attempt(username, "wrong password", ip, **headers).status_code == 400


def logged_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_the_figures_are_10_per_account_and_20_per_address():
    assert settings.LOGIN_FAILURES_PER_ACCOUNT == 10
    assert settings.LOGIN_FAILURES_PER_IP == 20


def test_nine_failures_still_let_the_right_password_in(world):
    fail(9)
    assert logged_in(attempt("nurse", PASSWORD))


def test_ten_failures_lock_the_account_even_with_the_right_password(world):
    fail(10)
    response = attempt("nurse", PASSWORD)
    assert response.status_code == 400
    assert not logged_in(response)
    # from another address too: the count is per account
    assert not logged_in(attempt("nurse", PASSWORD, ip="198.51.100.9"))


def test_the_account_count_ignores_the_usernames_case(world):
    fail(5, "nurse")
    fail(5, "NURSE")
    assert not logged_in(attempt("nurse", PASSWORD))


def test_failures_older_than_an_hour_no_longer_count(world):
    with time_machine.travel(START, tick=False) as traveller:
        fail(10)
        traveller.shift(timedelta(minutes=59))
        assert not logged_in(attempt("nurse", PASSWORD))
        traveller.shift(timedelta(minutes=62))  # the 11th failure above was at +59 min
        assert logged_in(attempt("nurse", PASSWORD))


def test_twenty_failures_from_one_address_lock_that_address(world):
    for i in range(20):  # 20 different accounts, 1 failure each: no account reaches 10
        fail(1, username=f"guess{i}")
    assert not logged_in(attempt("nurse", PASSWORD))
    assert logged_in(attempt("nurse", PASSWORD, ip="198.51.100.9"))  # others are not affected


def test_nineteen_failures_from_one_address_do_not(world):
    for i in range(19):
        fail(1, username=f"guess{i}")
    assert logged_in(attempt("nurse", PASSWORD))


def test_a_spoofed_forwarded_for_does_not_reset_the_address_count(world):
    for i in range(20):
        fail(1, username=f"guess{i}", x_forwarded_for=f"10.0.{i}.1")
    response = attempt("nurse", PASSWORD, x_forwarded_for="10.9.9.9")
    assert not logged_in(response)
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"203.0.113.7"}


def test_behind_a_proxy_only_its_header_names_the_client(world, settings):
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_REAL_IP"
    proxy = "10.0.0.2"  # every request arrives from the proxy itself
    for i in range(20):
        fail(1, f"guess{i}", proxy, x_real_ip="203.0.113.7", x_forwarded_for=f"10.0.{i}.1")
    response = attempt("nurse", PASSWORD, proxy, x_real_ip="203.0.113.7", x_forwarded_for="1.2.3.4")
    assert not logged_in(response)
    # a different client behind the same proxy is counted on its own
    assert logged_in(attempt("nurse", PASSWORD, proxy, x_real_ip="198.51.100.9"))


def _page(response) -> str:
    """The answer without what differs per request anyway: the CSRF token and the typed username."""
    text = response.content.decode()
    text = re.sub(r'name="username" value="[^"]*"', 'name="username"', text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r"Reference: [0-9a-f-]+", "", text)


@pytest.mark.parametrize("password", ["wrong password", PASSWORD])
def test_unknown_and_known_accounts_get_the_same_answer(world, password):
    unknown = attempt("nobody-here", "wrong password")
    known = attempt("nurse", "wrong password")
    assert unknown.status_code == known.status_code == 400
    assert _page(unknown) == _page(known)
    # and once both are throttled, still the same answer as any wrong password
    fail(10, "nurse")
    fail(10, "nobody-here")
    assert (
        _page(attempt("nurse", password)) == _page(attempt("nobody-here", password)) == _page(known)
    )


def test_an_inactive_account_gets_the_same_answer_as_a_wrong_password(world):
    world.nurse.is_active = False
    world.nurse.save()
    assert _page(attempt("nurse", PASSWORD)) == _page(attempt("nurse", "wrong password"))


def test_the_api_token_endpoint_shares_the_throttle(world):
    fail(10)
    client = Client(REMOTE_ADDR="203.0.113.7")
    response = client.post(
        "/api/v1/auth/token",
        {"username": "nurse", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_failures_older_than_a_day_are_pruned(world):
    with time_machine.travel(START, tick=False) as traveller:
        fail(3)
        traveller.shift(timedelta(days=1, minutes=1))
        fail(1)
    assert LoginFailure.objects.count() == 1
