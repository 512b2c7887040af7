"""The `msinfusion` command line: JSON contract, values from the facts, and one-line errors.

Every bad input must give exit code 2, ONE line on stderr naming the option/argument/field, nothing
on stdout and never a traceback. Worked examples: facts.md T01 (ocrelizumab schedule) and T25
(mitoxantrone BSA dose).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from msinfusion.cli import app

DEMO = Path(__file__).resolve().parents[1] / "src" / "msinfusion" / "demo_patient.json"
ALL_DRUGS = {
    "alemtuzumab",
    "mitoxantrone",
    "natalizumab",
    "natalizumab-sztn",
    "ocrelizumab",
    "rituximab",
    "ublituximab",
}

PYTHON_M_CLI = (sys.executable, "-m", "msinfusion.cli")

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def run_json(*args: str) -> Any:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def fail(*args: str) -> str:
    """Run a bad command line; check the error contract and return the one error line."""
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


def write(tmp_path: Path, data: Any, name: str = "record.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def mito_record(tmp_path: Path) -> str:
    return write(tmp_path, {"height_cm": 170, "weight_kg": 70}, "mito.json")


@pytest.fixture
def natalizumab_record(tmp_path: Path) -> str:
    return write(
        tmp_path,
        {
            "administrations": [
                {"drug": "natalizumab", "date": "2024-01-10", "dose_mg": 300},
                {"drug": "natalizumab", "date": "2024-02-07", "dose_mg": 300},
            ],
            "results": [
                {"test": "anti_jcv", "value": "positive", "date": "2026-06-01"},
                {
                    "test": "anti_jcv_index",
                    "value": 2.5,
                    "date": "2026-06-01",
                    "assay": "STRATIFY JCV",
                },
            ],
        },
        "nat.json",
    )


# ------------------------------------------------------------------ drugs


def test_drugs_json_lists_every_catalog_drug_with_its_facts():
    data = run_json("drugs")
    by_id = {d["id"]: d for d in data["drugs"]}
    assert set(by_id) == ALL_DRUGS
    ocr = by_id["ocrelizumab"]
    assert "Ocrevus" in ocr["names"]
    assert ocr["generic_name"] == "ocrelizumab"
    assert {"region", "text", "ms_types", "source"} <= set(ocr["indications"][0])
    assert {"id", "name", "default", "off_label"} <= set(ocr["regimens"][0])
    assert ocr["infusion"]["times"][0]["infusion_minutes"] == 150
    assert ocr["support_programs"] and "unknowns" in ocr
    rtx = by_id["rituximab"]
    assert rtx["off_label"] is True
    assert {r["id"] for r in rtx["regimens"]} == {"hermes", "olympus", "rifund-ms"}


def test_drugs_table_is_readable_text():
    result = run("drugs")
    assert result.exit_code == 0
    assert "ocrelizumab" in result.stdout and "Ocrevus" in result.stdout
    assert "off-label" in result.stdout


# ------------------------------------------------------------------ plan


def test_plan_ocrelizumab_follows_worked_example_t01():
    data = run_json("plan", "ocrelizumab", "--start", "2026-01-05")
    assert data["drug"] == "ocrelizumab" and data["off_label"] is False
    infusions = data["infusions"]
    assert [i["date"] for i in infusions] == [
        "2026-01-05",
        "2026-01-19",
        "2026-06-22",
        "2026-12-07",
    ]
    assert [i["dose_mg"] for i in infusions] == [300, 300, 600, 600]
    for key in ("date", "dose_mg", "label", "earliest", "latest", "chair_minutes", "why"):
        assert key in infusions[0]
    assert "24 weeks" in infusions[2]["why"]


def test_plan_until_limits_the_horizon():
    data = run_json("plan", "ocrelizumab", "--start", "2026-01-05", "--until", "2026-06-30")
    assert [i["date"] for i in data["infusions"]] == ["2026-01-05", "2026-01-19", "2026-06-22"]


def test_plan_mitoxantrone_takes_height_and_weight_from_the_record_t25(mito_record):
    data = run_json("plan", "mitoxantrone", "--start", "2026-01-05", "--record", mito_record)
    assert data["infusions"][0]["dose_mg"] == 21.8
    assert data["infusions"][0]["dose_mg_per_m2"] == 12


def test_plan_rituximab_is_off_label_with_a_named_regimen():
    data = run_json("plan", "rituximab", "--start", "2026-01-05", "--regimen", "hermes")
    assert data["off_label"] is True
    assert data["regimen"] == "hermes"


def test_plan_rituximab_without_regimen_names_the_regimen_option():
    line = fail("plan", "rituximab", "--start", "2026-01-05")
    assert line.startswith("error: --regimen:")
    assert "hermes" in line


def test_plan_from_record_continues_after_the_given_infusions():
    data = run_json("plan", "ocrelizumab", "--record", str(DEMO))
    assert data["given"] == 4
    first = data["infusions"][0]
    assert first["date"] == "2026-12-07"  # 24 weeks after the dose of 2026-06-22
    assert first["number"] == 5


def test_plan_table_shows_the_dates():
    result = run("plan", "ocrelizumab", "--start", "2026-01-05")
    assert result.exit_code == 0
    assert "2026-06-22" in result.stdout and "initial dose 1 of 2" in result.stdout


# ------------------------------------------------------------------ check


def test_check_demo_patient_blocked_by_active_infection_on_due_date():
    data = run_json("check", str(DEMO), "--drug", "ocrelizumab", "--date", "2026-12-07")
    assert data["status"] == "blocked"
    assert data["drug"] == "ocrelizumab" and data["date"] == "2026-12-07"
    assert data["label"] == "subsequent dose 3"
    assert "ocr.active_infection" in [r["rule"] for r in data["reasons"]]
    assert {"rule", "severity", "test", "message", "source"} <= set(data["reasons"][0])


def test_check_too_soon_is_blocked_by_the_five_month_spacing():
    data = run_json("check", str(DEMO), "--drug", "ocrelizumab", "--date", "2026-11-01")
    assert data["status"] == "blocked"
    assert [r["rule"] for r in data["reasons"]] == ["spacing.too_short"]


def test_check_first_infusion_without_baseline_results_names_the_tests(tmp_path):
    path = write(tmp_path, {"courses": [{"drug": "ocrelizumab", "start": "2026-01-05"}]})
    data = run_json("check", path, "--drug", "ocrelizumab", "--date", "2026-01-05")
    assert data["status"] == "blocked"
    assert "hbsag" in {r["test"] for r in data["reasons"]}


def test_check_table_shows_status():
    result = run("check", str(DEMO), "--drug", "ocrelizumab", "--date", "2026-12-07")
    assert result.exit_code == 0
    assert "BLOCKED" in result.stdout


# ------------------------------------------------------------------ monitor


def test_monitor_lists_the_overdue_immunoglobulins():
    data = run_json("monitor", str(DEMO), "--today", "2026-11-27")
    assert data["today"] == "2026-11-27" and data["until"] == "2027-11-27"
    overdue = [t for t in data["due"] if t["status"] == "overdue"]
    assert [(t["test"], t["date"]) for t in overdue] == [("igg", "2026-07-14")]
    keys = {"date", "task", "test", "drug", "status", "reason", "source", "rule", "kind"}
    assert keys <= set(data["due"][0])


def test_monitor_until_narrows_the_window():
    data = run_json("monitor", str(DEMO), "--today", "2026-11-27", "--until", "2027-01-31")
    assert all(t["date"] <= "2027-01-31" for t in data["due"])
    assert all(t["status"] == "overdue" for t in data["due"])


def test_monitor_table_shows_tasks():
    result = run("monitor", str(DEMO), "--today", "2026-11-27")
    assert result.exit_code == 0
    assert "Serum immunoglobulins" in result.stdout and "overdue" in result.stdout


# ------------------------------------------------------------------ pml


def test_pml_index_stratified_table():
    data = run_json("pml", "--anti-jcv", "positive", "--index", "2.5", "--months", "30")
    assert data["table"] == "index_stratified"
    assert data["risk_per_1000"] == 8.8 and data["less_than"] is False
    assert data["band"] == "25-48"
    assert set(data) == {
        "risk_per_1000",
        "less_than",
        "table",
        "basis",
        "explanation",
        "source",
        "band",
        "flags",
    }


def test_pml_negative_is_below_one_per_thousand():
    data = run_json("pml", "--anti-jcv", "negative", "--months", "10")
    assert (data["risk_per_1000"], data["less_than"]) == (1, True)


def test_pml_prior_immunosuppressant_uses_label_table():
    data = run_json("pml", "--anti-jcv", "positive", "--months", "30", "--prior-immunosuppressant")
    assert data["table"] == "us_label" and data["risk_per_1000"] == 12


def test_pml_other_assay_is_flagged_not_banded():
    data = run_json(
        "pml", "--anti-jcv", "positive", "--index", "2.5", "--months", "30", "--assay", "Other"
    )
    assert data["table"] == "us_label" and "other_assay" in data["flags"]


def test_pml_from_record(natalizumab_record):
    data = run_json("pml", "--record", natalizumab_record, "--date", "2026-08-01")
    assert data["table"] == "index_stratified"
    assert data["risk_per_1000"] == 8.8
    assert "30 completed months" in data["basis"]


def test_pml_table_shows_the_number():
    result = run("pml", "--anti-jcv", "positive", "--index", "2.5", "--months", "30")
    assert result.exit_code == 0
    assert "8.8/1,000" in result.stdout


# ------------------------------------------------------------------ demo


def test_demo_json_has_patient_plan_readiness_and_due():
    data = run_json("demo", "--today", "2026-11-27")
    assert {"patient", "plan", "readiness", "due"} <= set(data)
    assert data["patient"]["id"] == "demo-ocr-001"
    next_infusion = data["plan"]["infusions"][0]
    assert next_infusion["date"] == "2026-12-07"
    assert data["readiness"]["date"] == next_infusion["date"]
    assert data["readiness"]["status"] in ("cleared", "needs_review", "blocked")
    assert data["readiness"]["reasons"]
    assert any(t["status"] == "overdue" for t in data["due"])


def test_demo_table_runs_with_default_today():
    result = run("demo")
    assert result.exit_code == 0, result.stderr
    for text in ("demo-ocr-001", "ocrelizumab", "Readiness", "2026-12-07"):
        assert text in result.stdout


@pytest.mark.parametrize("command", ["drugs", "plan", "check", "monitor", "pml", "demo"])
def test_every_command_has_help_with_format_option(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "--format" in result.stdout


# ------------------------------------------------------------------ bad input, every argument


def _bad_cases(tmp_path: Path) -> list[tuple[list[str], str]]:
    """(command line, text the error line must contain) for every argument of every command."""
    malformed = write(tmp_path, "{not json", "malformed.json")
    not_object = write(tmp_path, "[1, 2]", "list.json")
    bad_field = write(
        tmp_path,
        {"results": [{"test": "igg", "value": 900, "date": "2026-02-30"}]},
        "bad-field.json",
    )
    missing = str(tmp_path / "missing.json")
    demo = str(DEMO)
    return [
        # global
        (["nosuch"], "nosuch"),
        # drugs
        (["drugs", "--format", "xml"], "--format"),
        (["drugs", "--bogus"], "--bogus"),
        # plan
        (["plan"], "DRUG"),
        (["plan", "foo", "--start", "2026-01-05"], "DRUG: unknown drug 'foo'; known drugs:"),
        (["plan", "ocrelizumab"], "--start"),
        (["plan", "ocrelizumab", "--start", "2026-02-30"], "--start: not a valid ISO date"),
        (["plan", "ocrelizumab", "--start", "05/01/2026"], "--start: not a valid ISO date"),
        (["plan", "ocrelizumab", "--start", "2026-01-05", "--until", "2026-13-01"], "--until"),
        (["plan", "ocrelizumab", "--start", "2026-01-05", "--until", "2025-12-31"], "--until"),
        (["plan", "ocrelizumab", "--start", "2026-01-05", "--regimen", "weekly"], "--regimen"),
        (["plan", "rituximab", "--start", "2026-01-05", "--regimen", "x"], "--regimen"),
        (["plan", "ocrelizumab", "--record", missing], "--record: cannot read"),
        (["plan", "ocrelizumab", "--record", str(tmp_path)], "--record: cannot read"),
        (["plan", "ocrelizumab", "--record", malformed], "--record: not valid JSON"),
        (["plan", "ocrelizumab", "--record", not_object], "--record: a patient record must"),
        (["plan", "ocrelizumab", "--record", bad_field], "record results[0].date"),
        (["plan", "mitoxantrone", "--record", demo], "--start"),
        (["plan", "ocrelizumab", "--start", "2026-01-05", "--format", "csv"], "--format"),
        # check
        (["check"], "FILE"),
        (["check", demo, "--date", "2026-12-07"], "--drug"),
        (["check", demo, "--drug", "ocrelizumab"], "--date"),
        (["check", demo, "--drug", "foo", "--date", "2026-12-07"], "--drug: unknown drug"),
        (["check", demo, "--drug", "ocrelizumab", "--date", "2026-02-29"], "--date"),
        (["check", demo, "--drug", "ocrelizumab", "--date", "tomorrow"], "--date"),
        (["check", demo, "--drug", "rituximab", "--date", "2026-12-07"], "--regimen"),
        (
            ["check", demo, "--drug", "ocrelizumab", "--date", "2026-12-07", "--regimen", "x"],
            "--regimen",
        ),
        (["check", missing, "--drug", "ocrelizumab", "--date", "2026-12-07"], "FILE"),
        (["check", malformed, "--drug", "ocrelizumab", "--date", "2026-12-07"], "FILE"),
        (["check", bad_field, "--drug", "ocrelizumab", "--date", "2026-12-07"], "results[0]"),
        (
            ["check", demo, "--drug", "ocrelizumab", "--date", "2026-12-07", "-f", "x"],
            "--format",
        ),
        # monitor
        (["monitor"], "FILE"),
        (["monitor", demo], "--today"),
        (["monitor", demo, "--today", "2026-04-31"], "--today: not a valid ISO date"),
        (["monitor", demo, "--today", "2026-11-27", "--until", "2027-02-30"], "--until"),
        (["monitor", demo, "--today", "2026-11-27", "--until", "2026-11-26"], "--until"),
        (["monitor", missing, "--today", "2026-11-27"], "FILE"),
        (["monitor", not_object, "--today", "2026-11-27"], "FILE"),
        (["monitor", bad_field, "--today", "2026-11-27"], "results[0].date"),
        (["monitor", demo, "--today", "2026-11-27", "--format", "yaml"], "--format"),
        # pml
        (["pml"], "--anti-jcv"),
        (["pml", "--anti-jcv", "maybe", "--months", "3"], "--anti-jcv"),
        (["pml", "--anti-jcv", "positive"], "--months"),
        (["pml", "--months", "3"], "--anti-jcv"),
        (["pml", "--anti-jcv", "positive", "--months", "-1"], "--months"),
        (["pml", "--anti-jcv", "positive", "--months", "2.5"], "--months"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--index", "-0.5"], "--index"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--index", "high"], "--index"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--index", "nan"], "--index"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--assay", " "], "--assay"),
        (["pml", "--prior-immunosuppressant"], "--anti-jcv"),
        (["pml", "--record", demo], "--date"),
        (["pml", "--date", "2026-11-27"], "--record"),
        (["pml", "--record", demo, "--date", "2026-11-31"], "--date"),
        (["pml", "--record", missing, "--date", "2026-11-27"], "--record"),
        (["pml", "--record", bad_field, "--date", "2026-11-27"], "results[0].date"),
        (["pml", "--record", demo, "--date", "2026-11-27", "--months", "3"], "--record"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--date", "2026-11-27"], "--date"),
        (["pml", "--anti-jcv", "positive", "--months", "3", "--format", "x"], "--format"),
        # demo
        (["demo", "--today", "2026-02-30"], "--today: not a valid ISO date"),
        (["demo", "--format", "html"], "--format"),
    ]


def test_bad_input_is_one_line_naming_the_option_and_exit_2(tmp_path):
    for args, expected in _bad_cases(tmp_path):
        line = fail(*args)
        assert expected in line, (args, line)


def test_unknown_drug_lists_the_known_ones():
    line = fail("check", str(DEMO), "--drug", "foo", "--date", "2026-12-07")
    assert "ocrelizumab" in line and "rituximab" in line


# ------------------------------------------------------------------ the real entry point


def test_module_entry_point_prints_json_and_one_line_errors():
    ok = subprocess.run(
        [*PYTHON_M_CLI, "plan", "ocrelizumab", "--start", "2026-01-05", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["infusions"][1]["date"] == "2026-01-19"
    bad = subprocess.run(
        [*PYTHON_M_CLI, "plan", "ocrelizumab", "--start", "2026-02-30"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip() == "error: --start: not a valid ISO date (YYYY-MM-DD): '2026-02-30'"
