"""Rich renderings of the CLI results, made from the same dicts `--format json` prints.

Rendering from the JSON shape keeps the two outputs in step: a field the table shows is a field a
machine can read. Everything here is presentation only; nothing decides anything clinical.
Tables are laid out to stay readable in 100 columns (long explanations wrap under a short label).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from typer._click import exceptions as click_exc

from msinfusion.knowledge.model import Drug

STATUS_STYLE = {
    "cleared": "bold green",
    "needs_review": "bold yellow",
    "blocked": "bold red",
}
SEVERITY_STYLE = {"block": "red", "review": "yellow", "info": "cyan"}
DUE_STYLE = {
    "overdue": "bold red",
    "missing": "bold red",
    "due": "yellow",
    "due_soon": "yellow",
    "upcoming": "cyan",
    "planned": "cyan",
    "done": "green",
    "ok": "green",
}


def console() -> Console:
    """A console on the current stdout (test runners swap it), wrapped to at most 100 columns."""
    out = Console(highlight=False)
    if out.width > 100:
        out.width = 100
    return out


def _status(status: str | None) -> Text:
    if status is None:
        return Text("-")
    return Text(status.replace("_", " ").upper(), style=STATUS_STYLE.get(status, "bold"))


def _minutes(total: int | None) -> str:
    if total is None:
        return "-"
    return f"{total // 60}h{total % 60:02d}"


def _dose(infusion: dict[str, Any]) -> str:
    mg, per_m2 = infusion.get("dose_mg"), infusion.get("dose_mg_per_m2")
    if mg is not None and per_m2 is not None:
        return f"{mg:g} mg\n({per_m2:g} mg/m²)"
    if mg is not None:
        return f"{mg:g} mg"
    if per_m2 is not None:
        return f"{per_m2:g} mg/m²\n(needs height, weight)"
    return "-"


def _bullets(title: str, lines: Iterable[str]) -> Group | None:
    """A titled list whose wrapped lines stay indented under their bullet."""
    lines = [line for line in lines if line]
    if not lines:
        return None
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for line in lines:
        grid.add_row(" •", Text(line))
    return Group(Text(title, style="bold"), grid)


# ---------------------------------------------------------------- drugs


def drugs(data: dict[str, Any]) -> None:
    table = Table(title="Infusion therapies in the catalog", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("Drug", style="bold", no_wrap=True)
    table.add_column("Brand", no_wrap=True)
    table.add_column("Indications")
    table.add_column("Regimens (* default)")
    table.add_column("Chair time")
    for drug in data["drugs"]:
        name = drug["id"]
        if drug.get("off_label"):
            name += "\n[red]off-label in MS[/red]"
        indications = "\n".join(
            f"{i['region']}: {', '.join(i['ms_types'])}" for i in drug.get("indications", [])
        )
        regimens = "\n".join(
            f"{r['id']}{' *' if r.get('default') else ''}"
            f"{' [red](off-label)[/red]' if r.get('off_label') else ''}"
            for r in drug["regimens"]
        )
        times = drug.get("infusion", {}).get("times", [])
        chair = "\n".join(
            f"{_numbers(t.get('numbers'))}: "
            f"{_minutes(t['premedication_minutes'] + t['infusion_minutes'] + t['observation_minutes'])}"
            for t in times
        )
        table.add_row(
            name,
            escape(", ".join(drug["names"])),
            indications or "-",
            regimens,
            chair or "-",
        )
    out = console()
    out.print(table)
    out.print(
        "[dim]Chair time = premedication + infusion + observation. "
        "Details and sources: msinfusion drugs --format json[/dim]"
    )


def _numbers(numbers: dict[str, Any] | None) -> str:
    if not numbers:
        return "all"
    first, last = numbers.get("first", 1), numbers.get("last")
    if last is None:
        return f"#{first}+" if first > 1 else "all"
    return f"#{first}" if first == last else f"#{first}-{last}"


# ---------------------------------------------------------------- plan


def plan_table(data: dict[str, Any], title: str | None = None) -> Table:
    title = title or f"Infusion plan: {data['drug']} ({data['regimen']} regimen)"
    if data.get("off_label"):
        title += " [bold red]OFF-LABEL[/bold red]"
    table = Table(title=title, box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Date", no_wrap=True, style="bold")
    table.add_column("Dose", no_wrap=True)
    table.add_column("Infusion, and why on this date", ratio=1)
    table.add_column("Book between", no_wrap=True)
    table.add_column("Chair", no_wrap=True, justify="right")
    for inf in data["infusions"]:
        label = Text(inf["label"], style="bold")
        label.append(f"\n{inf['why']}", style="dim")
        window = (
            inf["date"]
            if inf["earliest"] == inf["latest"]
            else f"{inf['earliest']}\n{inf['latest']}"
        )
        table.add_row(
            str(inf.get("number", "")),
            inf["date"],
            _dose(inf),
            label,
            window,
            _minutes(inf["chair_minutes"]),
        )
    return table


def plan_notes(data: dict[str, Any]) -> Group | None:
    lines = list(data.get("notes", []))
    if data.get("cumulative_mg_per_m2") is not None:
        lines.append(
            f"Cumulative lifetime dose after the planned infusions: "
            f"{data['cumulative_mg_per_m2']:g} mg/m²."
        )
    return _bullets("Notes", lines)


def plan(data: dict[str, Any]) -> None:
    out = console()
    if data["infusions"]:
        out.print(plan_table(data))
    else:
        out.print(f"[bold]No infusions planned for {data['drug']}.[/bold]")
    given = data.get("given") or 0
    if given:
        out.print(f"[dim]{given} infusion(s) already given in this course.[/dim]")
    notes = plan_notes(data)
    if notes is not None:
        out.print(notes)


# ---------------------------------------------------------------- readiness


def readiness_panel(data: dict[str, Any]) -> Panel:
    head = Text.assemble(
        _status(data.get("status")),
        f"  {data.get('drug', '')} on {data.get('date', '')}",
        (f" - {data['label']}" if data.get("label") else ""),
    )
    reasons = data.get("reasons") or []
    if not reasons:
        body: Any = Group(head, Text("No reasons recorded: nothing stands in the way.", "dim"))
    else:
        table = Table(box=box.SIMPLE_HEAD, expand=True, show_edge=False)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Reason (rule, test; source)", ratio=1)
        for reason in reasons:
            severity = reason.get("severity", "")
            message = Text(reason.get("message", ""))
            tag = reason.get("rule", "") + (f", {reason['test']}" if reason.get("test") else "")
            if reason.get("source"):
                tag += f"; {reason['source']}"
            if tag:
                message.append(f"\n{tag}", style="dim")
            table.add_row(Text(severity, style=SEVERITY_STYLE.get(severity, "")), message)
        body = Group(head, table)
    style = STATUS_STYLE.get(data.get("status", ""), "").replace("bold ", "")
    return Panel(body, title="Readiness", title_align="left", border_style=style or "none")


def readiness(data: dict[str, Any]) -> None:
    console().print(readiness_panel(data))


# ---------------------------------------------------------------- monitoring


def due_table(data: dict[str, Any]) -> Table:
    window = f" {data['today']} to {data['until']}" if data.get("today") else ""
    table = Table(
        title=f"Monitoring due{window}", box=box.SIMPLE_HEAD, expand=True, title_justify="left"
    )
    table.add_column("Date", no_wrap=True, style="bold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Task, and why", ratio=1)
    table.add_column("Drug", no_wrap=True)
    for task in data["due"]:
        status = task.get("status", "")
        what = Text(task.get("task", ""), style="bold")
        if task.get("reason"):
            what.append(f"\n{task['reason']}", style="dim")
        table.add_row(
            task.get("date", ""),
            Text(status.replace("_", " "), style=DUE_STYLE.get(status, "")),
            what,
            task.get("drug") or "-",
        )
    return table


def due(data: dict[str, Any]) -> None:
    out = console()
    if data["due"]:
        out.print(due_table(data))
    else:
        out.print("[green]Nothing due in this window.[/green]")


# ---------------------------------------------------------------- PML


def pml_text(data: dict[str, Any]) -> str:
    value = data.get("risk_per_1000")
    if value is None:
        return "no estimate"
    return f"{'<' if data.get('less_than') else ''}{value:g}/1,000"


def pml(data: dict[str, Any]) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_row("PML risk", Text(pml_text(data), style="bold"))
    grid.add_row("Band", f"{data['band']} months" if data.get("band") else "-")
    grid.add_row("Table", data.get("table") or "-")
    grid.add_row("Basis", data.get("basis") or "-")
    grid.add_row("Explanation", data.get("explanation") or "-")
    grid.add_row("Source", Text(data.get("source") or "-", style="dim"))
    if data.get("flags"):
        grid.add_row("Flags", Text(", ".join(data["flags"]), style="yellow"))
    console().print(
        Panel(grid, title="Natalizumab PML risk estimate", title_align="left", border_style="blue")
    )


# ---------------------------------------------------------------- demo


def patient_line(data: dict[str, Any], drug: Drug) -> Text:
    patient = data["patient"]
    who = ", ".join(
        x
        for x in (
            patient.get("sex"),
            f"born {patient['birth_date']}" if patient.get("birth_date") else None,
        )
        if x
    )
    bits = [
        str(patient.get("id", "patient")),
        who,
        patient.get("ms_type"),
        f"{drug.generic_name} ({', '.join(drug.names)})",
        f"today {data['today']}",
    ]
    return Text(" · ".join(b for b in bits if b), style="bold")


def demo(data: dict[str, Any], drug: Drug) -> None:
    out = console()
    out.print(Panel.fit(patient_line(data, drug), border_style="blue", box=box.HEAVY))
    plan_data = data["plan"]
    given = plan_data.get("given") or 0
    out.print(
        plan_table(
            plan_data,
            title=f"Next infusions ({given} given so far, {plan_data['regimen']} regimen)",
        )
    )
    notes = plan_notes(plan_data)
    if notes is not None:
        out.print(notes)
    out.print()
    if data.get("readiness") is not None:
        out.print(readiness_panel(data["readiness"]))
    out.print()
    if data["due"]:
        out.print(due_table({"due": data["due"], "today": data["today"], "until": data["until"]}))
    else:
        out.print(f"[green]No monitoring due in the 12 months from {data['today']}.[/green]")
    out.print(
        "[dim]More: msinfusion --help · msinfusion drugs · msinfusion demo --format json[/dim]"
    )


# ---------------------------------------------------------------- errors (one line on stderr)


def error_line(message: str) -> str:
    """`error: <where>: <problem>` on one line, whatever newlines the message carried."""
    return "error: " + " ".join(str(message).split())


def _param_name(param: Any) -> str:
    """'--date' for an option, 'FILE' for an argument."""
    if getattr(param, "param_type_name", "") == "option":
        longs = [o for o in param.opts if o.startswith("--")]
        return (longs or param.opts)[0]
    return str(getattr(param, "metavar", None) or param.name).upper()


def usage_message(exc: click_exc.UsageError) -> str:
    """A Typer/click usage error as `<option>: <problem>`, without the usage block and panel."""
    hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
    param = getattr(exc, "param", None)
    if isinstance(exc, click_exc.MissingParameter) and param is not None:
        return f"{_param_name(param)}: missing; it is required{hint}"
    if isinstance(exc, click_exc.BadParameter) and param is not None:
        problem = exc.message.removeprefix("Value error, ").rstrip(".")
        return f"{_param_name(param)}: {problem}"
    return f"{exc.format_message().rstrip('.')}{hint}"
