"""B6 session lifetime, with time travel: 30 min idle, 12 h absolute, a new key at login, a dead
cookie after logout, and no session for an account that was deactivated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

PASSWORD = "correct horse battery staple"  # the world's accounts (tests/web/conftest.py)
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAGE = "/center/"  # any signed-in page; the center admin's overview


def log_in(client: Client, username: str = "admin") -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the login itself must work"


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def assert_sent_to_login(response, path: str = PAGE) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_settings_say_30_minutes_idle_and_12_hours_absolute():
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_a_request_after_29_minutes_idle_is_served(world):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client)
        traveller.shift(timedelta(minutes=29))
        assert client.get(PAGE).status_code == 200


def test_a_request_after_31_minutes_idle_is_sent_to_login(world):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client)
        key = session_key(client)
        traveller.shift(timedelta(minutes=31))
        assert_sent_to_login(client.get(PAGE))
        assert not Session.objects.filter(session_key=key).exists()
        assert_sent_to_login(client.get(PAGE))  # and it stays logged out


def test_idle_limit_is_30_minutes_to_the_second(world):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client)
        traveller.shift(timedelta(minutes=30))
        assert client.get(PAGE).status_code == 200
        traveller.shift(timedelta(minutes=30, seconds=1))
        assert_sent_to_login(client.get(PAGE))


def test_activity_keeps_the_session_alive(world):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client)
        for _ in range(4):  # 100 minutes in all, never 30 idle
            traveller.shift(timedelta(minutes=25))
            assert client.get(PAGE).status_code == 200


def test_the_session_ends_12_hours_after_login_whatever_the_activity(world):
    with time_machine.travel(START, tick=False) as traveller:
        client = Client()
        log_in(client)
        elapsed = timedelta(0)
        while elapsed + timedelta(minutes=20) < timedelta(hours=12):
            traveller.shift(timedelta(minutes=20))
            elapsed += timedelta(minutes=20)
            assert client.get(PAGE).status_code == 200, f"refused after {elapsed}"
        traveller.move_to(START + timedelta(hours=11, minutes=59))
        assert client.get(PAGE).status_code == 200
        traveller.move_to(START + timedelta(hours=12, minutes=1))
        assert_sent_to_login(client.get(PAGE))


def test_the_session_key_changes_at_login(world):
    client = Client()
    session = client.session  # an anonymous session, as a visitor (or an attacker) would have
    session["seen"] = True
    session.save()
    before = session_key(client)
    log_in(client)
    after = session_key(client)
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_a_replayed_cookie_after_logout_is_refused(world):
    client = Client()
    log_in(client)
    key = session_key(client)
    assert client.get(PAGE).status_code == 200
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert_sent_to_login(replay.get(PAGE))


def test_logout_is_post_only(world):
    client = Client()
    log_in(client)
    assert client.get("/logout/").status_code == 405
    assert client.get(PAGE).status_code == 200


def test_deactivating_an_account_ends_its_sessions_at_the_next_request(world):
    nurse = Client()
    log_in(nurse, "nurse")
    assert nurse.get("/worklist/").status_code == 200
    admin = Client()
    log_in(admin)
    assert admin.post(f"/center/staff/{world.nurse.pk}/deactivate/").status_code == 302
    assert_sent_to_login(nurse.get("/worklist/"), "/worklist/")
    # the same holds for a user deactivated some other way (Django admin, a script)
    neuro = Client()
    log_in(neuro, "neuro")
    world.neurologist.is_active = False
    world.neurologist.save(update_fields=["is_active"])
    assert_sent_to_login(neuro.get("/worklist/"), "/worklist/")
