"""`msinfusion wearing-off` and `msinfusion report`: the diary and visit-report doors of the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from msinfusion import cli_render as render
from msinfusion.cli import CliError, Format, FormatOption, app, emit

# ---------------------------------------------------------------- wearing-off

_SPARKS = "▁▂▃▄▅▆▇█"
_VERDICT_STYLE = {
    "likely": "bold red",
    "unlikely": "bold green",
    "insufficient_data": "bold yellow",
}


def _read_text(path: str, where: str) -> str:
    """A file's text, or one line naming the argument when it cannot be read at all."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(where, f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise CliError(where, f"{path} is not UTF-8 text (save the sheet as CSV UTF-8)") from None
    except OSError as exc:
        raise CliError(where, f"cannot read {path} ({exc.strerror or exc})") from None


def sparkline(curve: list[Any], *, low: float = 0.0, high: float = 10.0) -> str:
    """The curve's means as block characters on the 0-10 scale; a day without data is a space."""
    out = []
    for point in curve:
        value = point.get("mean") if isinstance(point, dict) else point
        if value is None or value != value:
            out.append(" ")
            continue
        share = (min(max(float(value), low), high) - low) / (high - low)
        out.append(_SPARKS[min(int(share * len(_SPARKS)), len(_SPARKS) - 1)])
    return "".join(out)


def _number(value: Any, digits: int) -> str:
    return "-" if value is None else f"{float(value):.{digits}f}"


def _render_wearing_off(data: dict[str, Any]) -> None:
    from rich.table import Table

    from msinfusion.diary.entries import SYMPTOM_LABELS

    out = render.console()
    verdict = str(data.get("verdict"))
    words = verdict.replace("_", " ")
    out.print(f"Wearing-off: [{_VERDICT_STYLE.get(verdict, 'bold')}]{words.upper()}[/]")
    if data.get("p_value") is not None:
        out.print(f"p = {_number(data['p_value'], 3)}")
    if data.get("onset_days_before") is not None:
        interval = data.get("onset_interval") or [None, None]
        out.print(
            f"Worsening begins about {_number(data['onset_days_before'], 0)} days before the "
            f"infusion (interval {_number(interval[0], 0)} to {_number(interval[1], 0)})."
        )
    out.print(str(data.get("explanation", "")))
    curve = data.get("curve") or []
    if curve:
        cycle = data.get("cycle_days")
        span = f"day 0 to {cycle}" if cycle else "day 0 = the infusion"
        out.print(f"Overall score across the cycle ({span}; scale 0-10):")
        out.print(f"  [cyan]{sparkline(curve)}[/cyan]")
    table = Table(title="By symptom", title_justify="left")
    for column in ("symptom", "verdict", "p", "effect"):
        table.add_column(column, justify="right" if column in ("p", "effect") else "left")
    for name, result in (data.get("symptoms") or {}).items():
        table.add_row(
            SYMPTOM_LABELS.get(name, name.capitalize()),
            str(result.get("verdict", "-")).replace("_", " "),
            _number(result.get("p_value"), 3),
            _number(result.get("effect"), 2),
        )
    out.print(table)
    problems = data.get("import_problems") or []
    if problems:
        out.print(f"[yellow]{len(problems)} diary row(s) left out (listed on stderr).[/yellow]")


@app.command(name="wearing-off")
def wearing_off(
    diary: Annotated[
        str,
        typer.Argument(
            metavar="DIARY",
            help="Diary CSV: date, any of fatigue walking pain numbness bladder cognition mood "
            "sleep (0-10), relapse (0/1), notes.",
        ),
    ],
    infusions: Annotated[
        str, typer.Option(metavar="FILE", help="Infusions CSV: date,drug (real infusions given).")
    ],
    permutations: Annotated[
        int, typer.Option(metavar="N", min=1, help="Permutations of the test (default 999).")
    ] = 999,
    seed: Annotated[int, typer.Option(metavar="K", help="Random seed of the test.")] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """Do symptoms worsen late in the infusion cycle and improve after the infusion?"""
    from msinfusion.diary.csv_io import read_diary_csv, read_infusions_csv
    from msinfusion.diary.wearing_off import analyse
    from msinfusion.errors import DiaryError

    diary_text = _read_text(diary, "DIARY")
    infusion_text = _read_text(infusions, "--infusions")
    try:
        days, problems = read_diary_csv(diary_text)
    except DiaryError as exc:
        raise CliError(f"DIARY {exc.field}", f"{exc.problem} (in {diary})") from None
    try:
        given = read_infusions_csv(infusion_text)
    except DiaryError as exc:
        raise CliError(f"--infusions {exc.field}", f"{exc.problem} (in {infusions})") from None
    for problem in problems:
        typer.echo(f"warning: DIARY {problem} (row left out)", err=True)
    try:
        result = analyse(days, given, permutations=permutations, seed=seed)
    except DiaryError as exc:
        where = f"DIARY/--infusions {exc.field}" if exc.field else "DIARY/--infusions"
        raise CliError(where, exc.problem) from None
    data = dict(result.to_json())
    data["import_problems"] = [p.to_dict() for p in problems]
    emit(fmt, data, _render_wearing_off)


# ---------------------------------------------------------------- report (visit report)


def _write_bytes(path: str, data: bytes, where: str) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise CliError(where, f"cannot write {path} ({exc.strerror or exc})") from None


def _report_summary(data: dict[str, Any]) -> None:
    out = render.console()
    for kind in ("pdf", "html"):
        if data.get(kind):
            out.print(f"Wrote {data[kind]} ({data[kind + '_bytes']:,} bytes)")
    out.print(f"Symptom diary: {data['diary']}")


@app.command()
def report(
    file: Annotated[str, typer.Argument(metavar="RECORD", help="Patient record JSON.")],
    pdf: Annotated[
        str | None, typer.Option("--pdf", metavar="OUT.pdf", help="Write the report as PDF.")
    ] = None,
    html: Annotated[
        str | None,
        typer.Option("--html", metavar="OUT.html", help="Write the report as one HTML file."),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="The visit day (YYYY-MM-DD; default: today)."),
    ] = None,
    diary: Annotated[
        str | None,
        typer.Option(metavar="DIARY.csv", help="Symptom diary CSV (as for wearing-off)."),
    ] = None,
    paper: Annotated[
        str | None,
        typer.Option(metavar="a4|letter", help="Paper size (default: Letter in the US, else A4)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A clinician's visit report (PDF and/or HTML): timeline, infusions, results and what is due,
    readiness, PML risk (natalizumab), and the wearing-off charts of the diary."""
    from datetime import date

    from rich.console import Console
    from rich.progress import Progress

    from msinfusion.cli import domain_errors, load_record, parse_date
    from msinfusion.diary.csv_io import read_diary_csv
    from msinfusion.diary.entries import DiaryDay
    from msinfusion.errors import DiaryError
    from msinfusion.report import context as report_context
    from msinfusion.report import visit_report_html
    from msinfusion.report.render import pdf_from_html

    if pdf is None and html is None:
        raise CliError("--pdf/--html", "give --pdf OUT.pdf and/or --html OUT.html")
    if paper is not None and paper.lower() not in ("a4", "letter"):
        raise CliError("--paper", f"must be a4 or letter, not {paper!r}")
    visit_day = parse_date(today, "--today") or date.today()
    record = load_record(file, "RECORD")
    days: list[DiaryDay] = []
    if diary is not None:
        text = _read_text(diary, "--diary")
        try:
            days, problems = read_diary_csv(text, today=visit_day)
        except DiaryError as exc:
            raise CliError(f"--diary {exc.field}", f"{exc.problem} (in {diary})") from None
        for problem in problems:
            typer.echo(f"warning: --diary {problem} (row left out)", err=True)
    steps = (1 if days else 0) + 1 + (1 if pdf else 0)
    written: dict[str, Any] = {"pdf": None, "pdf_bytes": None, "html": None, "html_bytes": None}
    stderr = Console(stderr=True)
    with (
        domain_errors({"today": "--today", "paper": "--paper"}),
        Progress(console=stderr, transient=True, disable=not stderr.is_terminal) as progress,
    ):
        task = progress.add_task("Visit report", total=steps)
        wearing = None
        if days:
            progress.update(task, description="Analysing the diary")
            try:
                wearing = report_context.analyse_diary(days, record)
            except DiaryError as exc:
                raise CliError(f"--diary {exc.field}".strip(), exc.problem) from None
            progress.advance(task)
        progress.update(task, description="Writing the report")
        page = visit_report_html(record, visit_day, diary=days, wearing_off=wearing, paper=paper)
        progress.advance(task)
        if html is not None:
            _write_bytes(html, page.encode("utf-8"), "--html")
            written.update(html=html, html_bytes=len(page.encode("utf-8")))
        if pdf is not None:
            progress.update(task, description="Rendering the PDF")
            document = pdf_from_html(page)
            _write_bytes(pdf, document, "--pdf")
            written.update(pdf=pdf, pdf_bytes=len(document))
            progress.advance(task)
    written["today"] = visit_day.isoformat()
    written["diary"] = wearing.verdict if wearing is not None else "no diary"
    emit(fmt, written, _report_summary)
