"""The visit report as HTML text and as PDF bytes: one template, shared by the web and the CLI.

Django's template engine runs standalone here (`Engine(dirs=...)`, no settings needed), so the CLI
and the web render the very same document. The print stylesheet is inlined for the PDF (and for a
standalone HTML file); a web page under a strict CSP links it as a static file instead (`css_href`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from django.template import Context, Engine
from django.utils.safestring import mark_safe

from msinfusion.care.record import PatientRecord
from msinfusion.diary.entries import DiaryDay
from msinfusion.knowledge.catalog import Catalog
from msinfusion.report import context as ctx

HERE = Path(__file__).parent
PAPER_SIZES = {"a4": "A4", "letter": "Letter"}


@cache
def _engine() -> Engine:
    return Engine(dirs=[str(HERE / "templates")], autoescape=True, debug=False)


def stylesheet() -> str:
    """The report's CSS (screen and print)."""
    return (
        resources.files("msinfusion.report")
        .joinpath("static", "report.css")
        .read_text(encoding="utf-8")
    )


def _safe_svgs(context: dict[str, Any]) -> None:
    """Mark the hand-built SVG strings (escaped where they were built) safe to insert."""
    context["timeline_svg"] = mark_safe(context["timeline_svg"])
    diary = context["diary"]
    if "overall_svg" in diary:
        diary["overall_svg"] = mark_safe(diary["overall_svg"])
    for chart in diary.get("symptoms", ()):
        chart["svg"] = mark_safe(chart["svg"])


def paper_for(record: PatientRecord, paper: str | None) -> str:
    """Letter in the US, A4 elsewhere, unless the caller names one."""
    if paper is None:
        return "Letter" if record.region == "US" else "A4"
    try:
        return PAPER_SIZES[paper.lower()]
    except KeyError:
        raise ValueError(f"paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}") from None


def visit_report_html(
    record: PatientRecord,
    today: date,
    *,
    diary: Sequence[DiaryDay] = (),
    wearing_off: Any = None,
    generated_by: str = "",
    patient_name: str = "",
    css_href: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    paper: str | None = None,
    catalog: Catalog | None = None,
) -> str:
    """A clinician's visit report as one HTML document.

    Without `css_href` the stylesheet is inlined (a file that opens anywhere, and the PDF's input);
    with it the page links the stylesheet and carries no inline style (strict CSP). `links` are
    (label, href) pairs shown on screen only (back to the patient, download the PDF). When a diary
    is given without `wearing_off`, the diary is analysed against the record's administrations.
    """
    data = ctx.build(
        record,
        today,
        diary=diary,
        wearing_off=wearing_off,
        generated_by=generated_by,
        patient_name=patient_name,
        catalog=catalog,
    )
    _safe_svgs(data)
    data["css_href"] = css_href
    data["inline_css"] = (
        None
        if css_href
        else mark_safe(stylesheet() + f"\n@page {{ size: {paper_for(record, paper)}; }}\n")
    )
    data["links"] = [{"label": label, "href": href} for label, href in links]
    template = _engine().get_template("visit_report.html")
    return template.render(Context(data, use_l10n=False, use_tz=False))


def visit_report_pdf(
    record: PatientRecord,
    today: date,
    *,
    diary: Sequence[DiaryDay] = (),
    wearing_off: Any = None,
    generated_by: str = "",
    patient_name: str = "",
    paper: str | None = None,
    catalog: Catalog | None = None,
) -> bytes:
    """The visit report as PDF bytes (WeasyPrint), paged for print with page numbers."""
    html = visit_report_html(
        record,
        today,
        diary=diary,
        wearing_off=wearing_off,
        generated_by=generated_by,
        patient_name=patient_name,
        paper=paper,
        catalog=catalog,
    )
    return pdf_from_html(html)


def pdf_from_html(html: str) -> bytes:
    """A report rendered by `visit_report_html` (stylesheet inlined) as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(HERE), url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The report is self-contained: nothing is fetched while rendering (no file, no network)."""
    raise ValueError(f"the visit report does not load external resources ({url})")
