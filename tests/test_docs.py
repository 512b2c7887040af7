"""The documentation stays true: commands are documented and documented examples work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer.main

from msinfusion.care.record import PatientRecord
from msinfusion.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_commands():
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].startswith("make run")
    assert block[1].startswith("make test")


def test_every_cli_command_is_in_the_readme():
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    for name in commands:
        assert f"msinfusion {name}" in README, f"README does not document `msinfusion {name}`"


def test_record_format_example_loads():
    doc = (ROOT / "docs/record-format.md").read_text()
    example = re.search(r"```json\n(.*?)```", doc, re.S).group(1)
    record = PatientRecord.from_json(example)
    assert record.id == "p1"


def test_example_records_load():
    for path in (ROOT / "examples").glob("*.json"):
        record = PatientRecord.from_file(path)
        assert record.administrations, path
        assert json.loads(path.read_text())["id"] == record.id
