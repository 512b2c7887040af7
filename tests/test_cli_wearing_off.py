"""`msinfusion wearing-off`: the JSON contract, import problems on stderr, and one-line
errors (exit 2) for files that cannot be read at all."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from msinfusion.cli import app
from msinfusion.cli_diary import sparkline
from msinfusion.diary.csv_io import write_diary_csv, write_infusions_csv
from msinfusion.diary.simulate import SimSpec, simulate_diary

runner = CliRunner()
KEYS = {"verdict", "p_value", "onset_days_before", "onset_interval", "symptoms", "explanation"}


def files(tmp_path: Path, spec: SimSpec, seed: int = 3, extra_rows: str = "") -> tuple[str, str]:
    sim = simulate_diary(spec, seed)
    diary = tmp_path / "diary.csv"
    diary.write_text(write_diary_csv(sim.days) + extra_rows, encoding="utf-8")
    infusions = tmp_path / "infusions.csv"
    infusions.write_text(write_infusions_csv(sim.infusions), encoding="utf-8")
    return str(diary), str(infusions)


def run(*args: str):
    return runner.invoke(app, ["wearing-off", *args], catch_exceptions=False)


def one_error(result) -> str:
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


STRONG = SimSpec.natalizumab(effect=3.0, noise_sd=0.8, ar_phi=0.2, missing=0.1, n_cycles=4)


def test_a_clear_wearing_off_is_likely_in_json(tmp_path):
    diary, infusions = files(tmp_path, STRONG)
    result = run(diary, "--infusions", infusions, "--format", "json", "--permutations", "199")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert set(data) >= KEYS
    assert data["verdict"] == "likely"
    assert data["p_value"] <= 0.05
    lo, hi = data["onset_interval"]
    assert lo <= data["onset_days_before"] <= hi
    assert {"verdict", "p_value", "effect", "curve"} <= set(data["symptoms"]["fatigue"])
    assert data["import_problems"] == []


def test_the_same_seed_gives_the_same_answer(tmp_path):
    diary, infusions = files(tmp_path, STRONG)
    args = (diary, "--infusions", infusions, "--format", "json", "--permutations", "99")
    first, second = run(*args, "--seed", "7"), run(*args, "--seed", "7")
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_one_infusion_is_not_enough_data(tmp_path):
    diary = tmp_path / "d.csv"
    diary.write_text("date,fatigue\n2026-01-02,3\n2026-01-03,4\n", encoding="utf-8")
    infusions = tmp_path / "i.csv"
    infusions.write_text("date,drug\n2026-01-01,natalizumab\n", encoding="utf-8")
    result = run(str(diary), "--infusions", str(infusions), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "insufficient_data"


def test_bad_rows_are_left_out_listed_on_stderr_and_in_json(tmp_path):
    bad = "2027-01-20,11,,,,,,,,0,\n2027-01-21,,,,,,,,,maybe,\n"
    diary, infusions = files(tmp_path, STRONG, extra_rows=bad)
    lines = (Path(diary).read_text(encoding="utf-8")).splitlines()
    bad_line = len(lines) - 1  # the 11: the second-to-last line of the file
    result = run(diary, "--infusions", infusions, "--format", "json", "--permutations", "99")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [(p["line"], p["field"]) for p in data["import_problems"]] == [
        (bad_line, "fatigue"),
        (bad_line + 1, "relapse"),
    ]
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith(f"warning: DIARY line {bad_line}: fatigue: 11 is outside 0 to 10")


def test_table_shows_verdict_symptoms_and_a_sparkline(tmp_path):
    diary, infusions = files(tmp_path, STRONG)
    result = run(diary, "--infusions", infusions, "--permutations", "99")
    assert result.exit_code == 0, result.stderr
    assert "LIKELY" in result.stdout
    assert "Tiredness" in result.stdout  # the fatigue row, by its label
    assert any(ch in result.stdout for ch in "▁▂▃▄▅▆▇█")


def test_sparkline_scales_0_to_10_and_leaves_gaps():
    assert sparkline([{"mean": 0}, {"mean": None}, {"mean": 10}, {"mean": 5}]) == "▁ █▅"


def test_a_missing_diary_file_is_one_line(tmp_path):
    line = one_error(run(str(tmp_path / "nope.csv"), "--infusions", str(tmp_path / "x.csv")))
    assert line.startswith("error: DIARY: no such file")


def test_an_unreadable_diary_names_the_line_and_column(tmp_path):
    diary = tmp_path / "d.csv"
    diary.write_text("date,fatigeu\n2026-01-01,3\n", encoding="utf-8")
    infusions = tmp_path / "i.csv"
    infusions.write_text("date,drug\n2026-01-01,natalizumab\n", encoding="utf-8")
    line = one_error(run(str(diary), "--infusions", str(infusions)))
    assert line.startswith("error: DIARY line 1: fatigeu: unknown column")


def test_an_empty_diary_is_one_line(tmp_path):
    diary = tmp_path / "d.csv"
    diary.write_text("", encoding="utf-8")
    infusions = tmp_path / "i.csv"
    infusions.write_text("date,drug\n2026-01-01,natalizumab\n", encoding="utf-8")
    assert one_error(run(str(diary), "--infusions", str(infusions))).startswith(
        "error: DIARY line 1: the file is empty"
    )


def test_an_unknown_drug_names_the_infusions_line(tmp_path):
    diary, infusions = files(tmp_path, STRONG)
    Path(infusions).write_text("date,drug\n2025-01-06,natalizumab\n2025-02-03,asprin\n")
    line = one_error(run(diary, "--infusions", infusions))
    assert line.startswith("error: --infusions line 3: drug: 'asprin' is not a known drug")


def test_a_binary_file_is_one_line(tmp_path):
    diary = tmp_path / "d.csv"
    diary.write_bytes(b"\xff\xfe\x00\x00garbage")
    assert "not UTF-8" in one_error(run(str(diary), "--infusions", str(diary)))
