"""Typed model of the catalog files (`tests.toml`, `sources.toml`, `drugs/*.toml`).

The files are data, this module is their grammar: loading rejects anything unexpected so that a
typo in a threshold or an unknown test id fails at startup, naming the file and the field, instead
of silently clearing a patient for infusion.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from msinfusion.dates import Interval

Confidence = Literal["V", "S", "M", "C", "convention", "policy"]
"""How sure the fact is: V verified in a label or primary text, S secondary paraphrase, M from
background knowledge (shown as unverified), C sources conflict, convention = project convention where
the label is silent (clinical/conventions.md), policy = configurable local policy."""

Severity = Literal["block", "review", "info"]
Region = Literal["US", "EU"]
MsType = Literal["CIS", "RRMS", "SPMS", "PPMS"]
Qualitative = Literal["positive", "negative", "normal", "abnormal"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a fact comes from: the fact id in the clinical fact base and the documents behind it."""

    ref: str = Field(min_length=1, description="fact id, e.g. 'OCR-D1' or 'convention 1'")
    cites: tuple[str, ...] = ()
    confidence: Confidence
    note: str = ""

    @model_validator(mode="after")
    def _needs_citation(self) -> Source:
        if self.confidence not in ("convention", "policy") and not self.cites:
            raise ValueError(
                f"source {self.ref!r} with confidence {self.confidence} must cite documents"
            )
        return self

    def __str__(self) -> str:
        return self.text

    @cached_property
    def text(self) -> str:
        """The source as one line: fact id, cited documents, and how sure it is."""
        cites = ", ".join(self.cites)
        tag = {"M": " [unverified]", "C": " [sources conflict]"}.get(self.confidence, "")
        label = {"convention": "msinfusion convention", "policy": "local policy"}.get(
            self.confidence, ""
        )
        text = self.ref + (f" ({cites})" if cites else "") + tag
        return f"{label}: {text}" if label else text


class Sourced(Strict):
    source: Source


# ---------------------------------------------------------------- tests vocabulary


class TestDef(Strict):
    """One lab test, screening, scan or exam the catalog may require."""

    __test__ = False  # not a pytest test class

    name: str
    kind: Literal["lab", "imaging", "screening", "exam"]
    loinc: str | None = Field(default=None, pattern=r"^\d{1,7}-\d$")
    unit: str = Field(description="unit of numeric results, or 'qualitative'")
    valid_days: int | None = Field(
        default=None, gt=0, description="default validity of a result; None = no general expiry"
    )
    note: str = ""


class SourceDoc(Strict):
    """A cited document (label, trial, program page)."""

    title: str
    url: str = ""


# ---------------------------------------------------------------- regimen


class DoseStep(Strict):
    """One infusion inside a block, `day` days after the block's first infusion."""

    day: int = Field(ge=0)
    dose_mg: float | None = Field(default=None, gt=0)
    dose_mg_per_m2: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_dose(self) -> DoseStep:
        if (self.dose_mg is None) == (self.dose_mg_per_m2 is None):
            raise ValueError("give exactly one of dose_mg or dose_mg_per_m2")
        return self


Anchor = Literal["previous_block_start", "previous_block_last_dose"]


class Block(Sourced):
    """A group of infusions given together (initial split dose, a course, a maintenance dose).

    The first block starts on the regimen start date. Each later block (and each repetition) is due
    `interval` after its anchor in the previous block. `counting` says which date the anchor is:
    - "grid": the due dates stay on the original grid whatever the real dates were;
    - "reset_if_late": the grid, except that a block started after its due date becomes the new
      reference (labels: "reset the schedule: next dose 24 weeks after the missed dose");
    - "from_previous": always counted from the real date of the anchor (every 4 weeks after the
      last infusion).
    Doses inside a block follow the block's first real dose by `day` days; with `consecutive_days`
    the remaining days of a course follow the last real dose day by day.
    """

    id: str
    label: str = Field(description="template with {n}, {of}, {cycle}, {day}")
    doses: tuple[DoseStep, ...] = Field(min_length=1)
    repeat: int | Literal["indefinitely"] = Field(default=1, description="times the block is given")
    anchor: Anchor = "previous_block_start"
    interval: Interval | None = None
    counting: Literal["grid", "reset_if_late", "from_previous"] = "from_previous"
    consecutive_days: bool = False
    min_spacing: Interval | None = Field(
        default=None,
        description="label minimum since the previous infusion (the conservative reading of "
        "'doses must be separated by'); earlier is blocked",
    )
    min_spacing_source: Source | None = None
    window_before: Interval | None = None
    window_after: Interval | None = None
    window_source: Source | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Block:
        if self.interval is not None and self.interval.is_zero:
            raise ValueError("interval must not be zero")
        days = [d.day for d in self.doses]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("doses must be in increasing day order")
        if self.consecutive_days and days != list(range(len(days))):
            raise ValueError("consecutive_days blocks must use days 0, 1, 2, ...")
        if isinstance(self.repeat, int) and self.repeat < 1:
            raise ValueError("repeat must be at least 1 or 'indefinitely'")
        if self.min_spacing is not None and self.min_spacing_source is None:
            raise ValueError("min_spacing needs min_spacing_source")
        if (self.window_before or self.window_after) and self.window_source is None:
            raise ValueError("a window needs window_source")
        return self


class Regimen(Sourced):
    id: str
    name: str
    default: bool = False
    off_label: bool = False
    blocks: tuple[Block, ...] = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _later_blocks_have_interval(self) -> Regimen:
        for i, block in enumerate(self.blocks):
            needs = i > 0 or block.repeat != 1
            if needs and block.interval is None:
                raise ValueError(f"blocks[{i}] ({block.id}) needs an interval")
        return self


# ---------------------------------------------------------------- infusion and chair time


class InfusionNumbers(Strict):
    """Which infusions (1-based count of all infusions of this drug for the patient) a rule covers."""

    first: int = Field(default=1, ge=1)
    last: int | None = Field(default=None, ge=1)

    def covers(self, number: int) -> bool:
        return number >= self.first and (self.last is None or number <= self.last)


class InfusionTime(Sourced):
    """Infusion duration, premedication wait and observation for a range of infusions."""

    numbers: InfusionNumbers = InfusionNumbers()
    course_days: tuple[int, ...] = Field(
        default=(), description="restrict to these 1-based days of a course (alemtuzumab)"
    )
    infusion_minutes: int = Field(gt=0)
    premedication_minutes: int = Field(ge=0)
    observation_minutes: int = Field(ge=0)
    description: str


class ShorterOption(Sourced):
    """A shorter infusion some patients may have (e.g. ocrelizumab's 2-hour option)."""

    numbers: InfusionNumbers
    infusion_minutes: int = Field(gt=0)
    eligible_unless_reaction: tuple[str, ...] = Field(
        description="any earlier reaction of these kinds makes the patient ineligible"
    )
    description: str


class ObservationExtension(Sourced):
    """Observation that comes back after an earlier reaction (e.g. ublituximab, natalizumab)."""

    after_reaction: tuple[str, ...]
    observation_minutes: int = Field(ge=0)


class Premedication(Sourced):
    drug: str
    dose: str
    timing: str
    required: bool
    course_days: tuple[int, ...] = ()


class Infusion(Strict):
    times: tuple[InfusionTime, ...] = Field(min_length=1)
    shorter_option: ShorterOption | None = None
    observation_after_reaction: ObservationExtension | None = None
    premedication: tuple[Premedication, ...] = ()
    preparation: str = ""
    instructions: tuple[str, ...] = Field(default=(), description="what to bring / how to prepare")


# ---------------------------------------------------------------- requirements


Comparison = Literal["<", "<=", ">", ">=", "==", "!="]
When = Literal["first_infusion", "course_start", "every_infusion"]


class Threshold(Sourced):
    op: Comparison
    value: float | Qualitative
    unit: str | None = Field(
        default=None, description="unit of a numeric value; must be the test's"
    )
    severity: Severity
    message: str
    relative_to_baseline: bool = Field(
        default=False, description="compare the fall from the first result (e.g. LVEF points)"
    )


class Requirement(Sourced):
    """A test result that must exist (and be recent enough) before an infusion."""

    id: str = Field(pattern=r"^[a-z0-9_.]+$")
    test: str
    when: When
    max_age_days: int | None = Field(default=None, gt=0)
    after_previous_dose: bool = Field(
        default=False, description="the result must be dated after the previous dose"
    )
    missing: Severity = "block"
    applies_to: Literal["all", "childbearing_potential"] = "all"
    region: Region | None = None
    thresholds: tuple[Threshold, ...] = ()
    message: str


class Contraindication(Sourced):
    """A condition or earlier reaction that stops or pauses treatment."""

    id: str = Field(pattern=r"^[a-z0-9_.]+$")
    conditions: tuple[str, ...] = ()
    reactions: tuple[str, ...] = ()
    severity: Severity
    message: str

    @model_validator(mode="after")
    def _something(self) -> Contraindication:
        if not self.conditions and not self.reactions:
            raise ValueError("a contraindication names conditions or reactions")
        return self


class VaccineRule(Sourced):
    id: str = Field(pattern=r"^[a-z0-9_.]+$")
    live: bool | None = Field(
        default=None, description="True live only, False non-live only; omit for any"
    )
    vaccines: tuple[str, ...] = Field(default=(), description="restrict to these vaccines")
    min_before_start: Interval
    severity: Severity
    message: str


class CumulativeLimit(Sourced):
    region: Region
    limit_mg_per_m2: float = Field(gt=0)


class ProgramRule(Sourced):
    """A restricted program (TOUCH, REMS) the infusion depends on."""

    program: Literal["touch", "tyruko_rems", "lemtrada_rems"]
    name: str
    authorizing_actions: tuple[str, ...]
    authorization_valid: Interval | None = Field(
        default=None, description="authorization lapses this long after the latest one"
    )
    checklist_questions: tuple[str, ...] = ()
    checklist_source: Source | None = None
    description: str


# ---------------------------------------------------------------- monitoring

MonitoringStart = Literal[
    "first_infusion",
    "each_infusion",
    "last_infusion",
    "course_last_infusion",
    "stop",
    "latest_authorization",
]
MonitoringUntil = Literal["treatment_stop", "after_last_infusion", "after_stop", "never"]


class Monitoring(Sourced):
    """A task that falls due because of treatment, on or after it."""

    id: str = Field(pattern=r"^[a-z0-9_.]+$")
    task: str
    kind: Literal["test", "scan", "program", "exam"]
    test: str | None = None
    start: MonitoringStart
    offsets: tuple[Interval, ...] = Field(default=(), description="one-off tasks after start")
    every: Interval | None = Field(default=None, description="repeat after the last offset")
    counts_from_result: bool = Field(
        default=False, description="the next one is due `every` after the latest result"
    )
    until: MonitoringUntil = "treatment_stop"
    until_interval: Interval | None = None
    condition: str | None = Field(default=None, description="named predicate, see care.monitoring")
    region: Region | None = None

    @model_validator(mode="after")
    def _has_schedule(self) -> Monitoring:
        if not self.offsets and self.every is None:
            raise ValueError("monitoring needs offsets or every")
        if self.every is not None and self.every.is_zero:
            raise ValueError("every must not be zero")
        if self.until in ("after_last_infusion", "after_stop") and self.until_interval is None:
            raise ValueError(f"until={self.until} needs until_interval")
        if self.kind == "test" and self.test is None:
            raise ValueError("a test task names its test")
        return self


# ---------------------------------------------------------------- drug


class Indication(Sourced):
    region: Region
    text: str
    ms_types: tuple[MsType, ...]


class Risk(Sourced):
    name: str
    description: str


class SupportProgram(Sourced):
    name: str
    description: str
    phone: str = ""


class Drug(Strict):
    """Everything msinfusion knows about one intravenous MS therapy, each fact with its source."""

    id: str
    generic_name: str
    names: tuple[str, ...] = Field(min_length=1, description="brand names")
    off_label: bool = False
    off_label_source: Source | None = None
    biosimilar_of: str | None = None
    indications: tuple[Indication, ...] = ()
    regimens: tuple[Regimen, ...] = Field(min_length=1)
    infusion: Infusion
    baseline: tuple[Requirement, ...] = ()
    per_infusion: tuple[Requirement, ...] = ()
    contraindications: tuple[Contraindication, ...] = ()
    vaccines: tuple[VaccineRule, ...] = ()
    cumulative_limits: tuple[CumulativeLimit, ...] = ()
    program: ProgramRule | None = None
    monitoring: tuple[Monitoring, ...] = ()
    risks: tuple[Risk, ...] = ()
    support_programs: tuple[SupportProgram, ...] = ()
    unknowns: tuple[str, ...] = Field(default=(), description="what the sources do not settle")

    @model_validator(mode="after")
    def _regimens(self) -> Drug:
        if sum(r.default for r in self.regimens) > 1:
            raise ValueError("at most one regimen may be the default")
        if self.off_label and self.off_label_source is None:
            raise ValueError("an off-label drug needs off_label_source")
        ids = [r.id for r in self.regimens]
        if len(set(ids)) != len(ids):
            raise ValueError("regimen ids must be unique")
        return self

    def regimen(self, regimen_id: str | None = None) -> Regimen:
        """The named regimen, or the default one; KeyError if none fits."""
        if regimen_id is None:
            for regimen in self.regimens:
                if regimen.default:
                    return regimen
            raise KeyError(
                f"{self.id} has no default regimen; choose one of {', '.join(self.regimen_ids)}"
            )
        for regimen in self.regimens:
            if regimen.id == regimen_id:
                return regimen
        raise KeyError(
            f"{self.id} has no regimen {regimen_id!r}; choose one of {', '.join(self.regimen_ids)}"
        )

    @property
    def regimen_ids(self) -> list[str]:
        return [r.id for r in self.regimens]

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return self.baseline + self.per_infusion
