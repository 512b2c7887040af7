"""The demo population, the `demo` management command and `msinfusion serve --demo`."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date, timedelta
from datetime import time as clock

import pytest
from django.core.management import CommandError, call_command

from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import summarize
from msinfusion.serve import DEMO_MARKER, ServeError, banner, fresh_demo_dir
from msinfusion.web import demo_data as dd
from msinfusion.web import demo_scenarios as ds
from msinfusion.web.accounts.models import Role, User
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m
from msinfusion.web.clinic.access import visible_patients
from msinfusion.web.clinic.management.commands import demo as demo_command

MONDAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def population():
    return dd.demo_population(MONDAY)


# ---------------------------------------------------------------- the population (pure data)


def test_every_drug_has_a_dozen_demo_patients(population):
    assert Counter(p.drug for p in population) == dict.fromkeys(ds.DRUGS, 12)
    assert len({p.name for p in population}) == len(population)


def test_every_demo_record_is_a_valid_patient_record(population):
    for person in population:
        PatientRecord.from_dict(person.record)  # raises RecordError naming the field otherwise


def test_infusions_given_fall_on_weekdays_except_alemtuzumab_courses(population):
    for person in population:
        if person.drug != "alemtuzumab":
            days = [date.fromisoformat(a["date"]) for a in person.record["administrations"]]
            assert all(d.weekday() < 5 for d in days), (person.key, days)


def test_rituximab_patients_all_have_a_regimen(population):
    regimens = {p.record["courses"][0].get("regimen") for p in population if p.drug == "rituximab"}
    assert regimens == {"hermes", "olympus", "rifund-ms"}


@pytest.mark.parametrize("offset", range(7))
def test_each_scenario_gets_the_readiness_it_was_written_for_on_any_weekday(offset):
    today = MONDAY + timedelta(days=offset)
    checked = 0
    for person in dd.demo_population(today):
        summary = summarize(PatientRecord.from_dict(person.record), today)
        status = summary.drugs[0].readiness
        if person.expect is not None:
            assert status is not None, person.key
            assert status.status == person.expect, (person.key, person.story, status.reasons)
            checked += 1
    assert checked >= 45


def test_next_infusions_land_where_the_scenario_says(population):
    by_story = {(p.drug, p.story): p for p in population}
    due = by_story[("ocrelizumab", "due this week")]
    nxt = summarize(PatientRecord.from_dict(due.record), MONDAY).drugs[0].next
    assert nxt is not None and 1 <= (nxt.date - MONDAY).days <= 3  # written as "in 2 days"
    start = by_story[("mitoxantrone", "dose 1 next week")]
    first = summarize(PatientRecord.from_dict(start.record), MONDAY).drugs[0].next
    # 6 days after Monday 2 March is a Sunday: the center is closed, so the plan starts on Monday
    assert (first.date, first.number) == (date(2026, 3, 9), 1)


def test_each_drug_has_blocked_patients_and_stopped_or_completed_ones(population):
    for drug in ds.DRUGS:
        people = [p for p in population if p.drug == drug]
        assert any(p.expect == "blocked" for p in people), drug
        stopped = [p for p in people if p.record["courses"][0].get("stop")]
        ended = [p for p in people if "last_ago" in p.story or p.story.startswith("stopped")]
        assert stopped or ended or drug == "alemtuzumab", drug


def test_the_population_has_overdue_monitoring_after_stopping(population):
    overdue = {}
    for person in population:
        summary = summarize(PatientRecord.from_dict(person.record), MONDAY)
        for task in summary.overdue:
            overdue.setdefault(person.key, set()).add(task.test)
    mito = next(p for p in population if p.story == "stopped 2 years ago: yearly LVEF overdue")
    assert "lvef" in overdue[mito.key]
    alem = next(p for p in population if p.story == "2 years after course 2, TSH overdue")
    assert "tsh" in overdue[alem.key]
    assert alem.record["administrations"][-1]["date"] < "2024-03-02"  # 760 days before MONDAY


def test_natalizumab_patients_include_a_pml_band_change(population):
    def indices(person):
        rows = [r for r in person.record["results"] if r["test"] == "anti_jcv_index"]
        return [r["value"] for r in sorted(rows, key=lambda r: r["date"])]

    nat = [p for p in population if p.drug == "natalizumab" and len(indices(p)) >= 2]
    crossed_index = [p for p in nat if indices(p)[-2] <= 1.5 < indices(p)[-1]]
    seroconverted = [p for p in nat if indices(p)[-2] < 0.20 <= indices(p)[-1]]
    assert crossed_index and seroconverted


def test_the_demo_patient_is_on_ocrelizumab(population):
    (me,) = [p for p in population if p.username == "demo-patient"]
    assert me.drug == "ocrelizumab" and me.name == "Maya Thompson"


def test_load_population_is_reproducible_and_mixes_drugs():
    first = [p.record for p in dd.load_population(40, MONDAY, seed=3)]
    again = [p.record for p in dd.load_population(40, MONDAY, seed=3)]
    assert first == again
    assert len({p.drug for p in dd.load_population(200, MONDAY)}) == len(ds.DRUGS)


# ---------------------------------------------------------------- the management command


@pytest.fixture
def demo(db):
    call_command("demo", today=MONDAY.isoformat(), stdout=io.StringIO())
    return m.Center.objects.get(name=ds.CENTER["name"])


def test_demo_creates_the_lakeside_center_with_chairs_and_hours(demo):
    assert demo.timezone == "America/New_York" and demo.address and demo.phone
    kinds = Counter(demo.chairs.values_list("kind", flat=True))
    assert kinds == {"chair": 19, "bed": 4, "isolation": 1}
    hours = list(demo.opening_hours.values_list("weekday", "opens", "closes"))
    assert hours == [(d, clock(7), clock(19)) for d in range(5)]


@pytest.mark.real_password_hashing
def test_demo_users_log_in_with_the_demo_password_hashed_with_argon2(demo):
    roles = {"demo-patient": Role.PATIENT, "demo-nurse": Role.NURSE}
    roles |= {"demo-neurologist": Role.NEUROLOGIST, "demo-admin": Role.CENTER_ADMIN}
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.password.startswith("argon2$")
        assert user.check_password("demo-password")


def test_demo_patient_is_on_the_neurologists_list_and_the_nurses_center(demo):
    me = m.Patient.objects.get(user__username="demo-patient")
    nurse = User.objects.get(username="demo-nurse")
    neurologist = User.objects.get(username="demo-neurologist")
    assert visible_patients(nurse).filter(pk=me.pk).exists()
    assert visible_patients(neurologist).filter(pk=me.pk).exists()
    assert list(m.Course.current.filter(patient=me).values_list("drug", flat=True)) == [
        "ocrelizumab"
    ]
    assert visible_patients(User.objects.get(username="demo-patient")).get() == me


def test_demo_stores_every_patient_with_their_rows(demo, population):
    assert m.Patient.objects.filter(center=demo).count() == len(population) == 84
    given = sum(len(p.record["administrations"]) for p in population)
    assert m.Administration.objects.filter(patient__center=demo).count() == given
    rows = m.Administration.objects.filter(patient__center=demo)
    assert not rows.filter(start_time=None).exists()
    assert all(a.end_time > a.start_time for a in rows)
    stopped = m.Course.objects.filter(patient__center=demo).exclude(stop=None)
    assert stopped.exists() and not stopped.filter(stop_reason="").exists()


def test_demo_refuses_to_load_twice_without_reset(demo):
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", today=MONDAY.isoformat())


def test_demo_reset_replaces_the_data_and_keeps_the_audit_log(demo):
    old = set(m.Patient.objects.values_list("pk", flat=True))
    AuditEvent.objects.create(
        actor="demo-nurse", role="nurse", patient_id=min(old), action="R", resource="test",
        outcome="success", request_id="r1", method="GET", path="/",
    )  # fmt: skip
    call_command("demo", "--reset", today=MONDAY.isoformat(), stdout=io.StringIO())
    new = set(m.Patient.objects.values_list("pk", flat=True))
    assert len(new) == len(old) and not (new & old)
    assert AuditEvent.objects.filter(patient_id=min(old)).count() == 1
    assert User.objects.filter(username__startswith="demo-").count() == 4


def test_demo_rejects_a_bad_date_and_a_negative_count(db):
    with pytest.raises(CommandError, match="--today"):
        call_command("demo", today="2026-02-30")
    with pytest.raises(CommandError, match="--patients"):
        call_command("demo", patients=-1)
    assert not m.Center.objects.exists()


def test_patients_option_spreads_load_patients_over_centers(db, monkeypatch):
    monkeypatch.setattr(demo_command, "PATIENTS_PER_CENTER", 10)
    call_command("demo", patients=25, today=MONDAY.isoformat(), stdout=io.StringIO())
    load = m.Patient.objects.filter(user__username__startswith="load-patient-")
    assert load.count() == 25
    per_center = Counter(load.values_list("center__name", flat=True))
    assert sorted(per_center.values()) == [5, 10, 10]
    for center in m.Center.objects.all():
        staff = User.objects.filter(center=center)
        assert staff.filter(role=Role.NEUROLOGIST).count() == 4
        assert staff.filter(role=Role.NURSE).count() == 1
    assert User.objects.get(username="load-patient-00025").check_password("demo-password")


# ---------------------------------------------------------------- msinfusion serve


def test_fresh_demo_dir_refuses_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ServeError, match="not made by"):
        fresh_demo_dir(tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_fresh_demo_dir_wipes_an_earlier_demo(tmp_path):
    fresh_demo_dir(tmp_path / "demo")
    (tmp_path / "demo" / "old.sqlite3").write_text("x")
    fresh_demo_dir(tmp_path / "demo")
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == [DEMO_MARKER]


def test_banner_prints_address_logins_and_password():
    text = banner("http://127.0.0.1:8000/", True, "/tmp/demo.sqlite3")
    assert "http://127.0.0.1:8000/" in text and "password: demo-password" in text
    for username in ("demo-patient", "demo-nurse", "demo-neurologist", "demo-admin"):
        assert username in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_demo_starts_prints_logins_serves_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {**os.environ, "MSINFUSION_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "msinfusion.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the server did not start in 90 s"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as r:
            assert r.status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert f"http://127.0.0.1:{port}/" in out and "demo-neurologist" in out
    assert "Stopped." in out
    assert (tmp_path / "demo" / "msinfusion.sqlite3").exists()
