"""Example pages of the visit report as PNG, into docs/screenshots/visit-report-1.png and -2.png.

    uv run python scripts/render_report.py            # writes the two PNGs
    uv run python scripts/render_report.py --all DIR  # every page, plus the PDF and the HTML, in DIR

The patient is the example natalizumab record (examples/natalizumab-patient.json, infusions every
28 days from 5 Jan 2026) with a simulated symptom diary over its last three complete cycles
(diary/simulate.py: a 2-point wearing-off in the last 7 days, noise SD 1.0, autocorrelation 0.3,
30% of days missing), reported on 20 May 2026. Page 1 is the header, timeline, readiness and
due-list; the second PNG is the page with the wearing-off verdict and chart.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from msinfusion.care.record import PatientRecord
from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.report import visit_report_html
from msinfusion.report.render import pdf_from_html

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
RECORD = ROOT / "examples" / "natalizumab-patient.json"
TODAY = date(2026, 5, 20)
SPEC = SimSpec.natalizumab(
    start=date(2026, 2, 2),  # the record's 2nd infusion; then 2 Mar, 30 Mar, 27 Apr
    n_cycles=3,
    tail_days=18,
    jitter_days=0,  # the simulated infusions are the record's own
    effect=2.0,
    noise_sd=1.0,
    ar_phi=0.3,
)
SEED = 3
SCALE = 1.5  # 72 dpi x 1.5 = 108 dpi: readable, and small enough for the docs


def render() -> tuple[str, bytes]:
    record = PatientRecord.from_file(RECORD)
    diary = simulate_diary(SPEC, SEED).days
    html = visit_report_html(
        record, TODAY, diary=diary, generated_by="demo-neurologist", patient_name="Example patient"
    )
    return html, pdf_from_html(html)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--all", metavar="DIR", help="write every page, the PDF and the HTML here")
    args = parser.parse_args()
    html, pdf = render()
    document = pdfium.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_range() for page in document]
        diary_page = next(i for i, t in enumerate(texts) if "Symptom diary and wearing-off" in t)
        if args.all:
            out = Path(args.all)
            out.mkdir(parents=True, exist_ok=True)
            (out / "visit-report.pdf").write_bytes(pdf)
            (out / "visit-report.html").write_text(html, encoding="utf-8")
            for i, page in enumerate(document):
                page.render(scale=SCALE).to_pil().save(out / f"page-{i + 1}.png")
            print(f"{len(document)} pages in {out}")
            return
        OUT.mkdir(parents=True, exist_ok=True)
        for name, index in (("visit-report-1.png", 0), ("visit-report-2.png", diary_page)):
            document[index].render(scale=SCALE).to_pil().save(OUT / name, optimize=True)
            print(f"page {index + 1} of {len(document)} -> {OUT / name}")
    finally:
        document.close()


if __name__ == "__main__":
    main()
