"""`msinfusion report RECORD --pdf OUT --html OUT`: the visit report from a record file (and a
diary CSV), and the one-line error contract for bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from msinfusion.cli import app
from msinfusion.diary.csv_io import write_diary_csv
from msinfusion.diary.simulate import SimSpec, simulate_diary

ROOT = Path(__file__).resolve().parents[1]
NATALIZUMAB = (
    ROOT / "examples" / "natalizumab-patient.json"
)  # infusions every 28 days, Jan-Apr 2026
DEMO = ROOT / "src" / "msinfusion" / "demo_patient.json"
SECTIONS = (
    "At a glance",
    "Treatment timeline",
    "Readiness for the next infusion",
    "What is due",
    "Recent results",
    "PML risk (natalizumab)",
    "Symptom diary and wearing-off",
    "Infusions given",
    "Sources",
)
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["report", *args], catch_exceptions=False)


def fail(*args: str) -> str:
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def pages(pdf: bytes) -> int:
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


@pytest.fixture(scope="module")
def diary_csv(tmp_path_factory) -> Path:
    """Three natalizumab cycles on the example's own infusions (2 Feb, 2 Mar, 30 Mar, 27 Apr 2026),
    3 points worse in the last 7 days of each."""
    sim = simulate_diary(
        SimSpec.natalizumab(
            effect=3.0,
            noise_sd=0.8,
            ar_phi=0.2,
            n_cycles=3,
            jitter_days=0,
            tail_days=14,
            start=date(2026, 2, 2),
        ),
        seed=2,
    )
    path = tmp_path_factory.mktemp("diary") / "diary.csv"
    path.write_text(write_diary_csv(sim.days))
    return path


def test_pdf_and_html_with_a_diary(tmp_path, diary_csv):
    pdf, html = tmp_path / "report.pdf", tmp_path / "report.html"
    result = run(
        str(NATALIZUMAB),
        "--today",
        "2026-05-20",
        "--diary",
        str(diary_csv),
        "--pdf",
        str(pdf),
        "--html",
        str(html),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # JSON mode: nothing but the JSON, no progress residue
    data = json.loads(result.stdout)
    assert data["pdf"] == str(pdf) and data["html"] == str(html)
    assert data["diary"] == "likely"
    document = pdf.read_bytes()
    assert document.startswith(b"%PDF")
    assert data["pdf_bytes"] == len(document)
    assert pages(document) >= 1
    page = html.read_text()
    for section in SECTIONS:
        assert section in page, section
    assert "Wearing-off likely." in page
    # the standalone file carries its stylesheet; the charts carry no style attributes
    assert page.count("<style>") == 1 and " style=" not in page
    # PML: anti-JCV positive, prior immunosuppressant, 4 completed months -> US label 1/1,000
    assert "1/1,000" in page


def test_html_only_without_a_diary_says_so(tmp_path):
    html = tmp_path / "r.html"
    result = run(str(DEMO), "--today", "2026-11-30", "--html", str(html))
    assert result.exit_code == 0, result.stderr
    page = html.read_text()
    assert "No symptom diary recorded." in page
    assert "PML risk" not in page  # ocrelizumab only
    # demo: active infection since 2026-11-24 blocks the next ocrelizumab infusion
    assert "status-blocked" in page and "ocr.active_infection" in page
    assert "Patient demo-ocr-001" in page


def test_paper_follows_the_region_unless_named(tmp_path):
    letter, a4 = tmp_path / "letter.pdf", tmp_path / "a4.pdf"
    assert run(str(DEMO), "--today", "2026-11-30", "--pdf", str(letter)).exit_code == 0
    assert run(str(DEMO), "--today", "2026-11-30", "--pdf", str(a4), "--paper", "a4").exit_code == 0
    sizes = []
    for path in (letter, a4):
        document = pdfium.PdfDocument(path.read_bytes())
        sizes.append(tuple(round(v) for v in document[0].get_size()))
        document.close()
    assert sizes == [(612, 792), (595, 842)]  # points: US Letter, then A4


def test_bad_record_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"id": "x", "administrations": [{"drug": "tylenol", "date": "2026-01-01"}]})
    )
    line = fail(str(bad), "--pdf", str(tmp_path / "o.pdf"))
    assert line.startswith("error: record administrations[0].drug:")
    assert not (tmp_path / "o.pdf").exists()


@pytest.mark.parametrize(
    ("args", "where"),
    [
        ((), "--pdf/--html"),
        (("--pdf", "o.pdf", "--today", "2026-02-30"), "--today"),
        (("--pdf", "o.pdf", "--diary", "missing.csv"), "--diary"),
        (("--pdf", "o.pdf", "--paper", "a3"), "--paper"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(tmp_path, monkeypatch, args, where):
    monkeypatch.chdir(tmp_path)
    line = fail(str(DEMO), *args)
    assert line.startswith(f"error: {where}:"), line


def test_missing_record_file_names_the_argument(tmp_path):
    assert fail(str(tmp_path / "nope.json"), "--html", "o.html").startswith("error: RECORD:")


def test_unreadable_diary_header_is_one_line(tmp_path):
    diary = tmp_path / "d.csv"
    diary.write_text("day,fatigue\n2026-01-01,3\n")
    line = fail(str(DEMO), "--html", str(tmp_path / "o.html"), "--diary", str(diary))
    assert line.startswith("error: --diary line 1")
