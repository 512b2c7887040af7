"""The care team's worklist: which patients need attention, and why.

Pure domain code: each patient's `PatientSummary` (plan, readiness, due-list) and `PatientRecord`
are sorted into the worklist's sections. Nothing here decides anything new: every entry points at
the domain answer it came from (a readiness reason, a due-list task, a PML estimate, a program rule).

Sections (each patient may appear in several):
- **due**: the next infusion of a drug falls within `DUE_WITHIN` days from today, or its date has
  passed (overdue), with the readiness of that infusion.
- **blocked**: the readiness of a drug's next infusion is `blocked`; the blocking reasons say why.
- **overdue monitoring**: due-list tasks whose status is `overdue`.
- **PML risk changed**: a patient on natalizumab (or natalizumab-sztn) whose PML estimate today
  differs from the estimate on the day of their previous infusion (another exposure band, table or
  risk value, e.g. the status changed with a new anti-JCV result).
- **authorizations**: a restricted-program authorization (TOUCH, TYRUKO REMS) that lapses within
  `AUTHORIZATION_WITHIN` days or has lapsed, from the catalog program's `authorization_valid` and
  the due-list's reauthorization task.
- **problems**: a drug for which no plan could be made (e.g. rituximab without a chosen regimen).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Generic, TypeVar

from msinfusion.care.monitoring import DueTask
from msinfusion.care.plan import PlannedInfusion
from msinfusion.care.pml import NATALIZUMAB_DRUGS, PmlEstimate, estimate_for_record
from msinfusion.care.readiness import Readiness, Reason
from msinfusion.care.record import PatientRecord, ProgramAction
from msinfusion.care.summary import DrugStatus, PatientSummary, summarize
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import ProgramRule

DUE_WITHIN = 7
"""Days ahead (inclusive) in which a next infusion counts as due this week."""

AUTHORIZATION_WITHIN = 30
"""Days ahead (inclusive) in which a program reauthorization counts as due."""


@dataclass(frozen=True)
class DueInfusion:
    """A drug's next infusion, due within the week or overdue, with its readiness."""

    drug: str
    infusion: PlannedInfusion
    readiness: Readiness | None
    days: int  # due date minus today; negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days < 0


@dataclass(frozen=True)
class Blocked:
    """A drug's next infusion is blocked; `reasons` are the blocking ones."""

    drug: str
    infusion: PlannedInfusion | None
    day: date
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PmlChange:
    """The PML estimate moved since the previous natalizumab infusion."""

    previous_infusion: date
    before: PmlEstimate
    now: PmlEstimate


@dataclass(frozen=True)
class AuthorizationDue:
    """A restricted-program authorization that lapses soon or has lapsed."""

    drug: str
    program: str  # program id (touch, tyruko_rems, ...)
    program_name: str
    authorized: date  # the latest authorizing action
    action: str
    valid_through: date | None  # last day it is valid (None when the catalog sets no validity)
    due: date  # when reauthorization is due
    lapsed: bool
    task: DueTask | None
    source: str


@dataclass(frozen=True)
class PatientWork:
    """Everything one patient contributes to the worklist."""

    patient: str
    today: date
    due: tuple[DueInfusion, ...] = ()
    blocked: tuple[Blocked, ...] = ()
    overdue: tuple[DueTask, ...] = ()
    pml: PmlChange | None = None
    authorizations: tuple[AuthorizationDue, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def needs_attention(self) -> bool:
        return bool(
            self.due
            or self.blocked
            or self.overdue
            or self.pml
            or self.authorizations
            or self.problems
        )


# ---------------------------------------------------------------- one patient


def classify(
    summary: PatientSummary, record: PatientRecord, *, catalog: Catalog | None = None
) -> PatientWork:
    """Sort one patient's summary into the worklist sections (as of `summary.today`)."""
    catalog = catalog or default_catalog()
    today = summary.today
    return PatientWork(
        patient=summary.patient,
        today=today,
        due=tuple(due_infusions(summary)),
        blocked=tuple(blocked(summary)),
        overdue=summary.overdue,
        pml=pml_change(record, today) if on_natalizumab(summary) else None,
        authorizations=tuple(authorizations_due(summary, record, catalog=catalog)),
        problems=tuple(f"{s.drug}: {s.problem}" for s in summary.drugs if s.problem),
    )


def work_for(
    record: PatientRecord, today: date, *, catalog: Catalog | None = None
) -> tuple[PatientSummary | None, PatientWork]:
    """Summarize and classify; a record the care logic cannot answer becomes a listed problem."""
    catalog = catalog or default_catalog()
    try:
        summary = summarize(record, today, catalog=catalog)
    except CareError as exc:
        return None, PatientWork(patient=record.id, today=today, problems=(str(exc),))
    return summary, classify(summary, record, catalog=catalog)


def _ongoing(status: DrugStatus) -> bool:
    return status.plan is not None and status.plan.stopped is None


def due_infusions(summary: PatientSummary) -> list[DueInfusion]:
    """Next infusions dated up to `DUE_WITHIN` days from today, overdue ones included."""
    out = []
    for status in summary.drugs:
        nxt = status.next
        if nxt is None:
            continue
        days = (nxt.date - summary.today).days
        if days <= DUE_WITHIN:
            out.append(DueInfusion(status.drug, nxt, status.readiness, days))
    return out


def blocked(summary: PatientSummary) -> list[Blocked]:
    """Drugs whose next infusion is blocked, with the blocking reasons."""
    out = []
    for status in summary.drugs:
        readiness = status.readiness
        if readiness is None or readiness.status != "blocked":
            continue
        reasons = tuple(r for r in readiness.reasons if r.severity == "block")
        out.append(Blocked(status.drug, readiness.infusion, readiness.date, reasons))
    return out


def on_natalizumab(summary: PatientSummary) -> bool:
    """A natalizumab (or natalizumab-sztn) course is going on: planned and not stopped."""
    return any(s.drug in NATALIZUMAB_DRUGS and _ongoing(s) for s in summary.drugs)


def _estimate_key(estimate: PmlEstimate) -> tuple[object, ...]:
    return (estimate.band, estimate.table, estimate.risk_per_1000, estimate.less_than)


def pml_change(record: PatientRecord, today: date) -> PmlChange | None:
    """The PML estimate today against the one on the day of the previous natalizumab infusion.

    The previous infusion is the latest natalizumab or natalizumab-sztn infusion before today.
    Listed when the exposure band, the table or the risk value differs; None when nothing changed
    or there was no earlier infusion.
    """
    given = [
        a.date for drug in NATALIZUMAB_DRUGS for a in record.administrations_of(drug, before=today)
    ]
    if not given:
        return None
    previous = max(given)
    before = estimate_for_record(record, previous)
    now = estimate_for_record(record, today)
    if _estimate_key(before) == _estimate_key(now):
        return None
    return PmlChange(previous, before, now)


def latest_authorization(
    record: PatientRecord, program: ProgramRule, today: date
) -> ProgramAction | None:
    """The latest authorizing action on or before today, unless discontinued since."""
    actions = sorted(
        (a for a in record.programs if a.program == program.program and a.date <= today),
        key=lambda a: a.date,
    )
    granted = [a for a in actions if a.action in program.authorizing_actions]
    if not granted:
        return None
    latest = granted[-1]
    if any(a.action == "discontinued" and a.date >= latest.date for a in actions):
        return None
    return latest


def authorizations_due(
    summary: PatientSummary, record: PatientRecord, *, catalog: Catalog | None = None
) -> list[AuthorizationDue]:
    """Program authorizations of ongoing courses that lapse within 30 days or have lapsed.

    A patient never authorized (or discontinued) has no authorization to renew: readiness blocks
    the infusion and the patient shows under "blocked" instead.
    """
    catalog = catalog or default_catalog()
    today = summary.today
    horizon = today + timedelta(days=AUTHORIZATION_WITHIN)
    out = []
    for status in summary.drugs:
        drug = catalog.drug(status.drug)
        program = drug.program
        if program is None or not _ongoing(status):
            continue
        latest = latest_authorization(record, program, today)
        if latest is None:
            continue
        reauth_rules = {m.id for m in drug.monitoring if m.start == "latest_authorization"}
        tasks = [t for t in summary.due if t.drug == drug.id and t.rule in reauth_rules]
        through = (
            program.authorization_valid.after(latest.date) if program.authorization_valid else None
        )
        candidates = [t.date for t in tasks] + ([through] if through is not None else [])
        if not candidates:
            continue
        due = min(candidates)
        if due > horizon:
            continue
        task = min(tasks, key=lambda t: t.date) if tasks else None
        out.append(
            AuthorizationDue(
                drug=drug.id,
                program=program.program,
                program_name=program.name,
                authorized=latest.date,
                action=latest.action,
                valid_through=through,
                due=due,
                lapsed=through is not None and today > through,
                task=task,
                source=catalog.cite(program.source),
            )
        )
    return out


# ---------------------------------------------------------------- the whole list

K = TypeVar("K", bound=Hashable)


@dataclass
class Worklist(Generic[K]):
    """Sections of (patient key, entry), each sorted so the most pressing comes first.

    The key is whatever the caller uses to name a patient (a stored row, an id); it is not read.
    """

    due: list[tuple[K, DueInfusion]] = field(default_factory=list)
    blocked: list[tuple[K, Blocked]] = field(default_factory=list)
    overdue: list[tuple[K, DueTask]] = field(default_factory=list)
    pml: list[tuple[K, PmlChange]] = field(default_factory=list)
    authorizations: list[tuple[K, AuthorizationDue]] = field(default_factory=list)
    problems: list[tuple[K, str]] = field(default_factory=list)

    def patients(self) -> list[K]:
        """Every patient shown in any section, once, in first-appearance order."""
        seen: dict[K, None] = {}
        for section in (
            self.due,
            self.blocked,
            self.overdue,
            self.pml,
            self.authorizations,
            self.problems,
        ):
            for key, _ in section:
                seen.setdefault(key, None)
        return list(seen)


def build_worklist(entries: Iterable[tuple[K, PatientWork]]) -> Worklist[K]:
    """Collect the patients' work into sorted sections."""
    work: Worklist[K] = Worklist()
    for key, pw in entries:
        work.due.extend((key, d) for d in pw.due)
        work.blocked.extend((key, b) for b in pw.blocked)
        work.overdue.extend((key, t) for t in pw.overdue)
        if pw.pml is not None:
            work.pml.append((key, pw.pml))
        work.authorizations.extend((key, a) for a in pw.authorizations)
        work.problems.extend((key, p) for p in pw.problems)
    work.due.sort(key=lambda e: (e[1].infusion.date, e[1].drug))
    work.blocked.sort(key=lambda e: (e[1].day, e[1].drug))
    work.overdue.sort(key=lambda e: (e[1].date, e[1].drug, e[1].task))
    work.pml.sort(key=lambda e: e[1].previous_infusion)
    work.authorizations.sort(key=lambda e: (e[1].due, e[1].drug))
    return work
