"""`msinfusion center optimize|baseline|simulate|validate`: the infusion-center door of the CLI.

Files in, a domain call, a schedule or KPIs out (table, or JSON with `--format json`, which is the
Schedule / simulation JSON contract). A file that is not JSON or breaks the instance or schedule
contract is one line, `error: <file>: <field>: <problem>`, and exit code 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from msinfusion import cli_render as render
from msinfusion.center.instance import Instance, format_hhmm
from msinfusion.center.schedule import Schedule
from msinfusion.cli import CliError, Format, FormatOption, app, emit
from msinfusion.errors import InstanceError

center_app = typer.Typer(
    help="Infusion-center day: optimize or book first-come-first-served, simulate, validate.",
    no_args_is_help=True,
)
app.add_typer(center_app, name="center")

InstanceArg = Annotated[
    str,
    typer.Argument(metavar="INSTANCE.json", help="The center day: chairs, nurses, appointments."),
]
ScheduleArg = Annotated[
    str, typer.Argument(metavar="SCHEDULE.json", help="A schedule of that day (center optimize).")
]
_PROGRESS_PATIENT_RUNS = 200_000
"""About one second of simulation: above it, show a progress bar."""


# ---------------------------------------------------------------- reading files


def _read_json(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(path, "no such file") from None
    except UnicodeDecodeError:
        raise CliError(path, "not UTF-8 text") from None
    except OSError as exc:
        raise CliError(path, f"cannot read ({exc.strerror or exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            path, f"not JSON ({exc.msg}, line {exc.lineno} column {exc.colno})"
        ) from None


def _contract_error(path: str, exc: InstanceError) -> CliError:
    return CliError(f"{path}: {exc.field}" if exc.field else path, exc.problem)


def load_instance(path: str) -> Instance:
    data = _read_json(path)
    try:
        return Instance.from_json(data)
    except InstanceError as exc:
        raise _contract_error(path, exc) from None


def load_schedule(path: str, instance: Instance) -> Schedule:
    data = _read_json(path)
    try:
        return Schedule.from_json(data, instance)
    except InstanceError as exc:
        raise _contract_error(path, exc) from None


# ---------------------------------------------------------------- output


def _gap_text(data: dict[str, Any]) -> str:
    gap = data.get("gap")
    return "-" if gap is None else f"{100 * float(gap):.2f}%"


def _schedule_table(instance: Instance) -> Any:
    by_id = {a.id: a for a in instance.appointments}

    def show(data: dict[str, Any]) -> None:
        from rich.table import Table

        out = render.console()
        table = Table(title=f"{instance.date.isoformat()}: {instance.chairs} chairs")
        for column in ("start", "end", "chair", "appointment", "patient", "drug", "window"):
            table.add_column(column, justify="right" if column == "chair" else "left")
        for row in data["assignments"]:
            a = by_id[row["id"]]
            start = int(row["start"][:2]) * 60 + int(row["start"][3:])
            table.add_row(
                row["start"],
                format_hhmm(start + a.chair_minutes),
                str(row["chair"]),
                a.id,
                a.patient,
                a.drug,
                f"{format_hhmm(a.earliest)}-{format_hhmm(a.latest_start)}",
            )
        out.print(table)
        unplaced = data.get("unplaced") or []
        out.print(
            f"placed {len(data['assignments'])} of {len(instance.appointments)}, "
            f"unplaced {len(unplaced)}, status {data.get('status')}, gap {_gap_text(data)}"
        )
        if unplaced:
            out.print(f"[yellow]unplaced: {', '.join(unplaced)}[/yellow]")

    return show


# ---------------------------------------------------------------- commands


@center_app.command()
def optimize(
    instance_file: InstanceArg,
    time_limit: Annotated[
        float, typer.Option(metavar="S", min=0.1, help="Solver time limit in seconds.")
    ] = 30.0,
    workers: Annotated[int, typer.Option(metavar="N", min=1, help="Solver threads.")] = 2,
    seed: Annotated[int, typer.Option(metavar="K", min=0, help="Solver random seed.")] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """Optimize the day (CP-SAT, hinted with first-come-first-served): schedule, status, gap."""
    from msinfusion.center.baseline import first_come_first_served
    from msinfusion.center.optimize import optimize as solve

    instance = load_instance(instance_file)
    hint = first_come_first_served(instance)
    with _level_progress(time_limit) as progress:
        schedule = solve(
            instance,
            time_limit=time_limit,
            workers=workers,
            seed=seed,
            hint=hint,
            progress=progress,
        )
    emit(fmt, schedule.to_json(), _schedule_table(instance))


@contextmanager
def _level_progress(time_limit: float) -> Iterator[Callable[[int, str], None]]:
    """A spinner on stderr (terminals only) naming the objective level being solved, with the
    time spent against the limit: the solve may take all of it."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from msinfusion.center.grid import LEVEL_NAMES

    stderr = Console(stderr=True)
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        TextColumn(f"of {time_limit:g} s"),
    )
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as bar:
        task = bar.add_task("optimizing", total=None)

        def show(k: int, name: str) -> None:
            label = name.replace("_", " ")
            bar.update(task, description=f"level {k + 1} of {len(LEVEL_NAMES)}: {label}")

        yield show


@center_app.command()
def baseline(instance_file: InstanceArg, fmt: FormatOption = Format.table) -> None:
    """Book the day first-come-first-served, in the file's appointment order (the reference)."""
    from msinfusion.center.baseline import first_come_first_served

    instance = load_instance(instance_file)
    emit(fmt, first_come_first_served(instance).to_json(), _schedule_table(instance))


@center_app.command()
def simulate(
    instance_file: InstanceArg,
    schedule_file: ScheduleArg,
    runs: Annotated[int, typer.Option(metavar="N", min=1, help="Replications of the day.")] = 200,
    seed: Annotated[
        int, typer.Option(metavar="K", min=0, help="Random seed (pairs schedules).")
    ] = 0,
    fmt: FormatOption = Format.table,
) -> None:
    """Replay the day with no-shows, late arrivals and longer infusions: waits, overtime, load."""
    from msinfusion.center.simulate import simulate as run_days

    instance = load_instance(instance_file)
    schedule = load_schedule(schedule_file, instance)
    if runs * max(1, len(schedule.assignments)) > _PROGRESS_PATIENT_RUNS:
        from rich.console import Console
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("simulating", total=runs)
            result = run_days(
                instance,
                schedule,
                runs=runs,
                seed=seed,
                progress=lambda done: bar.update(task, completed=done),
            )
    else:
        result = run_days(instance, schedule, runs=runs, seed=seed)
    emit(fmt, result.to_json(), _kpi_table)


_KPI_LABELS = {
    "wait_mean_min": ("mean wait", "min"),
    "wait_p90_min": ("90th percentile wait", "min"),
    "overtime_min": ("overtime after closing", "min"),
    "chair_utilization": ("chair utilization", ""),
    "nurse_peak": ("peak patients per nurse", ""),
    "delay_mean_min": ("mean start after the wished time", "min"),
    "placed": ("placed", ""),
    "no_shows": ("no-shows", ""),
}


def _kpi_table(data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=f"{data['runs']} simulated days, seed {data['seed']} (means over days)")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, (label, unit) in _KPI_LABELS.items():
        value = float(data[key])
        text = f"{100 * value:.1f}%" if key == "chair_utilization" else f"{value:.1f}"
        table.add_row(label, f"{text} {unit}".strip())
    render.console().print(table)


@center_app.command()
def validate(
    instance_file: InstanceArg, schedule_file: ScheduleArg, fmt: FormatOption = Format.table
) -> None:
    """Check a schedule against the day's hard rules; exit code 1 when any is broken."""
    from msinfusion.center.validate import violations

    instance = load_instance(instance_file)
    problems = violations(instance, load_schedule(schedule_file, instance))

    def show(data: dict[str, Any]) -> None:
        out = render.console()
        if not data["violations"]:
            out.print("[bold green]valid[/]: no hard rule broken")
        for line in data["violations"]:
            out.print(f"[red]-[/red] {line}")

    emit(fmt, {"valid": not problems, "violations": problems}, show)
    if problems:
        raise typer.Exit(1)
