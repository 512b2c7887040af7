"""`msinfusion <command>`: a thin door over the domain (design.md, "One flow, three doors").

Each command only converts: options and a JSON record file in, a domain call, a result out as a rich
table (default) or JSON (`--format json`, the machine contract). No clinical decision is made here.

Bad input never shows a traceback: every error is ONE line on stderr, `error: <where>: <problem>`,
naming the option, argument or record field to fix, and the exit code is 2.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Annotated, Any, NoReturn

import typer
from typer._click import exceptions as click_exc
from typer.core import TyperGroup

from msinfusion import cli_render as render
from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.dates import add_months
from msinfusion.errors import CatalogError, MsInfusionError, RecordError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Drug

EXIT_BAD_INPUT = 2
DEMO_RECORD = "demo_patient.json"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class CliError(Exception):
    """Bad input, said in one line: where (option, argument or record field) and the problem."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


def _fail(message: str) -> NoReturn:
    typer.echo(render.error_line(message), err=True)
    sys.exit(EXIT_BAD_INPUT)


class _OneLineErrors(TyperGroup):
    """A Typer group whose every user error is one `error: ...` line on stderr and exit code 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except CliError as exc:
            _fail(str(exc))
        except click_exc.NoArgsIsHelpError as exc:
            if exc.message.strip():  # rich help prints itself and leaves the message empty
                typer.echo(exc.message)
            sys.exit(EXIT_BAD_INPUT)
        except click_exc.UsageError as exc:
            _fail(render.usage_message(exc))
        except click_exc.ClickException as exc:
            typer.echo(render.error_line(exc.format_message()), err=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(
    name="msinfusion",
    cls=_OneLineErrors,
    help="Infusion planning, readiness checks and monitoring for MS infusion therapies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="table (readable, default) or json (for machines)."),
]


# ---------------------------------------------------------------- conversions (input side)


def parse_date(value: str | None, option: str) -> date | None:
    """A strict ISO 8601 calendar date (YYYY-MM-DD), or None when the option was not given."""
    if value is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise CliError(option, f"not a valid ISO date (YYYY-MM-DD): {value!r}") from None


def parse_number(value: str, option: str, *, whole: bool = False) -> float:
    """A finite number (or a whole number); the domain checks the range and names the field."""
    try:
        number = int(value) if whole else float(value)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise CliError(option, f"not {kind}: {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise CliError(option, f"must be a finite number, not {value!r}")
    return number


def find_drug(catalog: Catalog, drug_id: str, where: str) -> Drug:
    try:
        return catalog.drug(drug_id)
    except KeyError as exc:
        raise CliError(where, str(exc.args[0])) from None


def load_record(path: str, where: str) -> PatientRecord:
    """Read a JSON record; a problem names the record field, or the option when the file is bad."""
    try:
        return PatientRecord.from_file(path, _catalog())
    except RecordError as exc:
        if exc.field:
            raise CliError(f"record {exc.field}", f"{exc.problem} (in {path})") from None
        raise CliError(where, exc.problem) from None


def _catalog() -> Catalog:
    try:
        return default_catalog()
    except CatalogError as exc:
        raise CliError("catalog", str(exc)) from None


@contextmanager
def domain_errors(options: Mapping[str, str]) -> Iterator[None]:
    """Turn a domain error into a CliError naming the option that feeds its field."""
    try:
        yield
    except CatalogError as exc:
        raise CliError("catalog", str(exc)) from None
    except RecordError as exc:
        raise CliError(f"record {exc.field}" if exc.field else "record", exc.problem) from None
    except MsInfusionError as exc:
        where = options.get(exc.field) or (f"record {exc.field}" if exc.field else "error")
        raise CliError(where, exc.problem) from None


def _before(later: date | None, later_opt: str, earlier: date | None, earlier_opt: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise CliError(
            later_opt, f"{later.isoformat()} is before {earlier_opt} {earlier.isoformat()}"
        )


# ---------------------------------------------------------------- output side


def emit(fmt: Format, data: dict[str, Any], table: Any) -> None:
    """JSON to stdout and nothing else, or the rich rendering `table(data)`."""
    if fmt is Format.json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        table(data)


# ---------------------------------------------------------------- commands


@app.command()
def drugs(fmt: FormatOption = Format.table) -> None:
    """List the infusion therapies in the catalog: names, indications, regimens, infusion times."""
    catalog = _catalog()
    data = {"drugs": [catalog.drugs[k].model_dump(mode="json") for k in sorted(catalog.drugs)]}
    emit(fmt, data, render.drugs)


@app.command()
def plan(
    drug: Annotated[str, typer.Argument(metavar="DRUG", help="Drug id, e.g. ocrelizumab.")],
    start: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="First infusion date (YYYY-MM-DD) of a new course."),
    ] = None,
    regimen: Annotated[
        str | None, typer.Option(metavar="ID", help="Regimen id (required for rituximab).")
    ] = None,
    record: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Patient record JSON: continue from its infusions."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Plan up to this date (default: 12 months ahead)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Plan the future infusions of DRUG from a start date or a patient's infusion history."""
    catalog = _catalog()
    the_drug = find_drug(catalog, drug, "DRUG")
    start_day = parse_date(start, "--start")
    until_day = parse_date(until, "--until")
    _before(until_day, "--until", start_day, "--start")
    patient = load_record(record, "--record") if record is not None else None
    if start_day is None and patient is None:
        raise CliError("--start", "give a start date, or --record with the patient's infusions")
    if (
        start_day is None
        and patient is not None
        and not patient.administrations_of(drug)
        and not patient.courses_of(drug)
    ):
        raise CliError("--start", f"the record has no {drug} infusions or course; give a date")
    options = {"regimen": "--regimen", "start": "--start", "until": "--until", "drug": "DRUG"}
    with domain_errors(options):
        result = plan_infusions(
            the_drug, start=start_day, record=patient, regimen_id=regimen, until=until_day
        )
    emit(fmt, result.to_dict(), render.plan)


@app.command()
def check(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Patient record JSON.")],
    drug: Annotated[str, typer.Option(metavar="DRUG", help="Drug id of the infusion.")],
    day: Annotated[str, typer.Option("--date", metavar="DATE", help="Infusion date (YYYY-MM-DD).")],
    regimen: Annotated[
        str | None,
        typer.Option(metavar="ID", help="Regimen id (default: the course's or the drug's)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Is the patient ready for an infusion of DRUG on DATE? cleared, needs_review or blocked."""
    from msinfusion.care.readiness import check_readiness

    catalog = _catalog()
    find_drug(catalog, drug, "--drug")
    infusion_day = parse_date(day, "--date")
    assert infusion_day is not None
    patient = load_record(file, "FILE")
    options = {"regimen": "--regimen", "drug": "--drug", "date": "--date", "day": "--date"}
    with domain_errors(options):
        readiness = check_readiness(
            patient, drug, infusion_day, catalog=catalog, regimen_id=regimen
        )
    emit(fmt, readiness.to_dict(), render.readiness)


@app.command()
def monitor(
    file: Annotated[str, typer.Argument(metavar="FILE", help="Patient record JSON.")],
    today: Annotated[
        str, typer.Option(metavar="DATE", help="List what is due from this date (YYYY-MM-DD).")
    ],
    until: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="Up to this date (default: 12 months after --today)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List the monitoring tasks (labs, scans, program forms) due for the patient."""
    from msinfusion.care.monitoring import due_list

    catalog = _catalog()
    today_day = parse_date(today, "--today")
    assert today_day is not None
    until_day = parse_date(until, "--until") or add_months(today_day, 12)
    _before(until_day, "--until", today_day, "--today")
    patient = load_record(file, "FILE")
    with domain_errors({"today": "--today", "until": "--until"}):
        tasks = due_list(patient, today_day, until_day, catalog=catalog)
    data = {
        "today": today_day.isoformat(),
        "until": until_day.isoformat(),
        "due": [t.to_dict() for t in tasks],
    }
    emit(fmt, data, render.due)


_PML_NUMBER_FORM = "--anti-jcv/--months/--index/--prior-immunosuppressant/--assay"


@app.command()
def pml(
    anti_jcv: Annotated[
        str | None, typer.Option("--anti-jcv", metavar="negative|positive", help="Anti-JCV status.")
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(metavar="NUMBER", help="Anti-JCV index (STRATIFY JCV cut-off 1.5)."),
    ] = None,
    months: Annotated[
        str | None,
        typer.Option(metavar="N", help="Completed months of natalizumab exposure."),
    ] = None,
    prior_immunosuppressant: Annotated[
        bool, typer.Option("--prior-immunosuppressant", help="Any prior immunosuppressant.")
    ] = False,
    assay: Annotated[
        str | None, typer.Option(metavar="NAME", help="Assay of the index (default STRATIFY JCV).")
    ] = None,
    record: Annotated[
        str | None, typer.Option(metavar="FILE", help="Patient record JSON (instead of values).")
    ] = None,
    day: Annotated[
        str | None,
        typer.Option("--date", metavar="DATE", help="Estimate on this date (with --record)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Natalizumab PML risk per 1,000 from the published tables (never extrapolated)."""
    from msinfusion.care.pml import estimate, estimate_for_record

    by_values = (
        anti_jcv is not None
        or index is not None
        or months is not None
        or prior_immunosuppressant
        or assay is not None
    )
    by_record = record is not None or day is not None
    if by_values and by_record:
        raise CliError(
            "--record/--date", f"give either --record and --date, or {_PML_NUMBER_FORM}; not both"
        )
    options = {
        "anti_jcv": "--anti-jcv",
        "months": "--months",
        "index": "--index",
        "assay": "--assay",
        "date": "--date",
    }
    if by_record:
        if record is None:
            raise CliError("--record", "required with --date")
        on_day = parse_date(day, "--date")
        if on_day is None:
            raise CliError("--date", "required with --record")
        patient = load_record(record, "--record")
        with domain_errors(options):
            result = estimate_for_record(patient, on_day)
    elif by_values:
        if anti_jcv is None:
            raise CliError("--anti-jcv", "required (negative or positive) with --months")
        if anti_jcv not in ("negative", "positive"):
            raise CliError("--anti-jcv", f"must be 'negative' or 'positive', not {anti_jcv!r}")
        if months is None:
            raise CliError("--months", "required with --anti-jcv")
        months_n = parse_number(months, "--months", whole=True)
        index_n = parse_number(index, "--index") if index is not None else None
        if assay is not None and not assay.strip():
            raise CliError("--assay", "must not be empty")
        extra: dict[str, Any] = {"assay": assay} if assay is not None else {}
        with domain_errors(options):
            result = estimate(
                anti_jcv,  # type: ignore[arg-type]
                int(months_n),
                index=index_n,
                prior_immunosuppressant=prior_immunosuppressant,
                **extra,
            )
    else:
        raise CliError(
            "pml", "give --anti-jcv and --months (optionally --index), or --record and --date"
        )
    emit(fmt, result.to_dict(), render.pml)


@app.command()
def demo(
    today: Annotated[
        str | None,
        typer.Option(metavar="DATE", help="The day to show the due-list from (default: today)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A walk through a demo patient: the plan, readiness of the next infusion, what is due."""
    from msinfusion.care.monitoring import due_list
    from msinfusion.care.readiness import check_readiness

    today_day = parse_date(today, "--today") or date.today()
    catalog = _catalog()
    text = resources.files("msinfusion").joinpath(DEMO_RECORD).read_text(encoding="utf-8")
    with domain_errors({}):
        patient = PatientRecord.from_json(text, catalog)
        drug = catalog.drug(patient.drugs[-1])
        the_plan = plan_infusions(drug, record=patient)
        readiness = None
        if the_plan.next is not None:
            readiness = check_readiness(patient, drug.id, the_plan.next.date, catalog=catalog)
        until_day = add_months(today_day, 12)
        tasks = due_list(patient, today_day, until_day, catalog=catalog)
    data = {
        "today": today_day.isoformat(),
        "until": until_day.isoformat(),
        "patient": patient.to_dict(),
        "plan": the_plan.to_dict(),
        "readiness": readiness.to_dict() if readiness is not None else None,
        "due": [t.to_dict() for t in tasks],
    }
    emit(fmt, data, lambda d: render.demo(d, drug))


@app.command()
def serve(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Start on a fresh SQLite database with the demo center and users."
        ),
    ] = False,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Run the web app (migrating first); with --demo, on fresh demo data. Ctrl-C stops it."""
    from msinfusion.serve import ServeError
    from msinfusion.serve import serve as run_server

    try:
        run_server(demo=demo, host=host, port=port)
    except ServeError as exc:
        raise CliError("serve", str(exc)) from None


# ---------------------------------------------------------------- commands kept in their own modules


def _register_extra_commands() -> None:
    """Commands of other domains live in cli_<domain>.py and register themselves on `app`."""
    from msinfusion import cli_center, cli_diary  # noqa: F401  (import registers the commands)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point. A bug (not bad input) is one line too, unless MSINFUSION_DEBUG."""
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="msinfusion")
    except Exception as exc:
        if os.environ.get("MSINFUSION_DEBUG"):
            raise
        typer.echo(
            render.error_line(
                f"internal error ({type(exc).__name__}: {exc}); "
                "run with MSINFUSION_DEBUG=1 for details"
            ),
            err=True,
        )
        sys.exit(1)


_register_extra_commands()

if __name__ == "__main__":
    main()
