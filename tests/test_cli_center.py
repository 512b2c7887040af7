"""`msinfusion center ...`: schedules and KPIs out, one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from msinfusion.cli import app

runner = CliRunner()

DAY = {
    "date": "2026-03-02",
    "timezone": "Europe/Zurich",
    "open": "08:00",
    "close": "12:00",
    "chairs": 2,
    "nurses": [{"id": "n1", "start": "08:00", "end": "12:00"}],
    "patients_per_nurse": 4,
    "nurse_start_minutes": 15,
    "appointments": [
        {
            "id": "a1",
            "patient": "p1",
            "drug": "natalizumab",
            "chair_minutes": 60,
            "earliest": "08:00",
            "latest_start": "11:00",
        },
        {
            "id": "a2",
            "patient": "p2",
            "drug": "ocrelizumab",
            "chair_minutes": 120,
            "earliest": "08:00",
            "latest_start": "10:00",
        },
    ],
}
GOOD = {"assignments": [{"id": "a1", "chair": 1, "start": "08:00"}], "unplaced": ["a2"]}


def write(tmp_path: Path, data: Any, name: str) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def run(*args: str):
    return runner.invoke(app, ["center", *args], catch_exceptions=False)


def fail(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_baseline_books_both_in_order_and_prints_the_schedule_contract(tmp_path):
    day = write(tmp_path, DAY, "day.json")
    result = run("baseline", day, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # a1 at 08:00; a2 cannot start with a1 (one nurse, 15-minute set-up): 08:15 at the earliest
    starts = {row["id"]: row["start"] for row in data["assignments"]}
    assert starts["a1"] == "08:00"
    assert "08:15" <= starts["a2"] <= "10:00"
    assert data["unplaced"] == []
    assert data["status"] == "baseline"


def test_baseline_table_has_a_summary_line(tmp_path):
    result = run("baseline", write(tmp_path, DAY, "day.json"))
    assert result.exit_code == 0
    assert "placed 2 of 2, unplaced 0, status baseline" in result.stdout
    assert "ocrelizumab" in result.stdout


def test_optimize_places_everyone_on_a_day_with_room(tmp_path):
    result = run("optimize", write(tmp_path, DAY, "day.json"), "--time-limit", "5", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {row["id"] for row in data["assignments"]} == {"a1", "a2"}
    assert data["status"] in ("optimal", "feasible")


def test_simulate_prints_the_kpis(tmp_path):
    day = write(tmp_path, DAY, "day.json")
    plan = {
        "assignments": [
            {"id": "a1", "chair": 1, "start": "08:00"},
            {"id": "a2", "chair": 2, "start": "08:30"},
        ],
        "unplaced": [],
    }
    result = run("simulate", day, write(tmp_path, plan, "s.json"), "--runs", "50", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    for key in ("wait_mean_min", "wait_p90_min", "overtime_min", "chair_utilization"):
        assert data[key] >= 0
    assert data["runs"] == 50 and data["placed"] == 2
    assert 0 < data["chair_utilization"] < 1
    assert data["nurse_peak"] <= 2  # one nurse, two patients at most
    again = run("simulate", day, str(tmp_path / "s.json"), "--runs", "50", "-f", "json")
    assert json.loads(again.stdout) == data  # same seed, same days


def test_simulate_table(tmp_path):
    day = write(tmp_path, DAY, "day.json")
    result = run("simulate", day, write(tmp_path, GOOD, "s.json"), "--runs", "5")
    assert result.exit_code == 0
    assert "mean wait" in result.stdout and "overtime" in result.stdout


def test_validate_accepts_a_valid_schedule(tmp_path):
    result = run("validate", write(tmp_path, DAY, "d.json"), write(tmp_path, GOOD, "s.json"))
    assert result.exit_code == 0
    assert "valid" in result.stdout


def test_validate_lists_broken_rules_and_exits_1(tmp_path):
    both_at_eight = {
        "assignments": [
            {"id": "a1", "chair": 1, "start": "08:00"},
            {"id": "a2", "chair": 1, "start": "08:00"},
        ],
        "unplaced": [],
    }
    day = write(tmp_path, DAY, "d.json")
    result = run("validate", day, write(tmp_path, both_at_eight, "s.json"), "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert any("overlap in chair 1" in v for v in data["violations"])
    assert any("nurse" in v for v in data["violations"])  # two set-ups, one nurse


def test_a_file_that_is_not_json_names_the_file(tmp_path):
    bad = write(tmp_path, "{ not json", "bad.json")
    line = fail("baseline", bad)
    assert line.startswith(f"error: {bad}: not JSON")


def test_a_missing_file(tmp_path):
    line = fail("baseline", str(tmp_path / "nope.json"))
    assert "no such file" in line


def test_an_instance_error_names_file_and_field(tmp_path):
    broken = json.loads(json.dumps(DAY))
    broken["appointments"][1]["chair_minutes"] = -5
    path = write(tmp_path, broken, "day.json")
    line = fail("baseline", path)
    assert line.startswith(f"error: {path}: appointments[1].chair_minutes: must be at least 1")


def test_a_schedule_error_names_file_and_field(tmp_path):
    day = write(tmp_path, DAY, "day.json")
    wrong = {"assignments": [{"id": "a1", "chair": 9, "start": "08:00"}], "unplaced": ["a2"]}
    path = write(tmp_path, wrong, "s.json")
    line = fail("simulate", day, path, "--runs", "2")
    assert line == f"error: {path}: assignments[0].chair: chairs run from 1 to 2"
    unknown = {"assignments": [{"id": "zz", "chair": 1, "start": "08:00"}], "unplaced": []}
    line = fail("validate", day, write(tmp_path, unknown, "u.json"))
    assert "assignments[0].id" in line and "zz" in line


def test_bad_options_are_one_line(tmp_path):
    day = write(tmp_path, DAY, "day.json")
    s = write(tmp_path, GOOD, "s.json")
    assert "--runs" in fail("simulate", day, s, "--runs", "0")
    assert "--seed" in fail("simulate", day, s, "--seed", "x")
