"""Request and response shapes of the API.

Inputs are strict: unknown fields are refused, numbers must be JSON numbers (not strings or
booleans), text has a length limit and no NUL or unpaired surrogate characters (which no database
column can store), and dates lie within 1900-2199 so date arithmetic can never overflow. Checks that
need the catalog or the patient (known test, unit, regimen, not in the future) are made by the views
with the domain's own validation.

Outputs mirror the domain's `to_dict()` shapes (readiness, plan, due-list) field for field, so the
OpenAPI schema documents them; tests compare the API's JSON with the domain's dicts.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Annotated, Literal, get_args

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, StringConstraints, ValidationInfo, field_validator

from msinfusion.care.record import DrugId, Qualitative, Reaction

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2199, 12, 31)
MAX_ID = 2**63 - 1
QUALITATIVE = get_args(Qualitative)
MAX_DOSE_MG = 10_000.0  # a sanity bound on input, far above any label dose; not a clinical rule

Day = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]


def _storable(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def Text(max_length: int, min_length: int = 0):  # a type with limits, named like one
    return Annotated[
        str,
        StringConstraints(strict=True, max_length=max_length, min_length=min_length),
        AfterValidator(_storable),
    ]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- auth


class Credentials(Input):
    username: Text(150, min_length=1)
    password: Text(256, min_length=1)


class TokenOut(Schema):
    token: str
    expires: datetime


# ---------------------------------------------------------------- clinical input


class ResultIn(Input):
    test: Text(40, min_length=1) = Field(description="a test id of the catalog, e.g. `anc`")
    value: float | Qualitative = Field(
        description="a finite number >= 0 in the test's unit, or positive/negative/normal/abnormal"
    )
    unit: Text(20) | None = Field(None, description="if given, must be the test's unit")
    date: Day = Field(description="the day the sample was taken (not in the future)")
    assay: Text(60) | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _number_or_word(cls, value: object) -> object:
        """One plain error for a bad value (not one per member of the union)."""
        if isinstance(value, str) and value in QUALITATIVE:
            return value
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError("must be a number or one of " + "/".join(QUALITATIVE))
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number) or number < 0:
            raise ValueError("must be a finite number >= 0")
        return number


class AdministrationIn(Input):
    drug: DrugId
    date: Day = Field(description="the day of the infusion (not in the future)")
    start_time: time | None = Field(None, description="local time at the center, no UTC offset")
    end_time: time | None = Field(None, description="local time at the center, after start_time")
    dose_mg: Annotated[float, Field(strict=True, gt=0, le=MAX_DOSE_MG, allow_inf_nan=False)]
    dose_mg_per_m2: (
        Annotated[float, Field(strict=True, gt=0, le=MAX_DOSE_MG, allow_inf_nan=False)] | None
    ) = None
    premedication: Text(300) = Field("", description="what was given before the infusion")
    reaction: Reaction = "none"
    reaction_notes: Text(500) = ""
    lot: Text(60) = ""

    @field_validator("start_time", "end_time")
    @classmethod
    def _local(cls, value: time | None) -> time | None:
        if value is not None and value.tzinfo is not None:
            raise ValueError("give the local time at the center without a UTC offset")
        return value

    @field_validator("end_time")
    @classmethod
    def _after_start(cls, value: time | None, info: ValidationInfo) -> time | None:
        start = info.data.get("start_time")
        if value is not None and start is not None and value <= start:
            raise ValueError("must be after start_time")
        return value


class CourseIn(Input):
    drug: DrugId
    start: Day
    regimen: Text(20, min_length=1) | None = Field(
        None, description="a regimen id of the drug (required when the drug has no default)"
    )
    stop: Day | None = Field(None, description="for a course that has already ended")
    stop_reason: Text(300) = ""


class StopIn(Input):
    stop: Day = Field(
        description="the day the course stopped (not before its start or after today)"
    )
    stop_reason: Text(300) = ""


# ---------------------------------------------------------------- clinical output


class ResultOut(Schema):
    id: int
    test: str
    value: float | str
    unit: str | None
    date: date
    assay: str | None
    patient_reported: bool
    confirmed: bool
    entered_at: datetime

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit or None

    @staticmethod
    def resolve_assay(obj) -> str | None:
        return obj.assay or None

    @staticmethod
    def resolve_confirmed(obj) -> bool:
        return obj.confirmed_at is not None


class AdministrationOut(Schema):
    id: int
    drug: str
    date: date
    start_time: time | None
    end_time: time | None
    dose_mg: float
    dose_mg_per_m2: float | None
    premedication: str
    reaction: str
    reaction_notes: str
    lot: str
    entered_at: datetime


class CourseOut(Schema):
    id: int
    drug: str
    start: date
    stop: date | None
    regimen: str | None
    stop_reason: str
    entered_at: datetime

    @staticmethod
    def resolve_regimen(obj) -> str | None:
        return obj.regimen or None


class CenterOut(Schema):
    id: int
    name: str
    timezone: str


class PatientOut(Schema):
    id: int
    name: str
    birth_date: date | None
    sex: str | None
    childbearing_potential: bool | None
    height_cm: float | None
    weight_kg: float | None
    ms_type: str | None
    region: str
    center: CenterOut
    neurologist: str | None

    @staticmethod
    def resolve_sex(obj) -> str | None:
        return obj.sex or None

    @staticmethod
    def resolve_ms_type(obj) -> str | None:
        return obj.ms_type or None

    @staticmethod
    def resolve_neurologist(obj) -> str | None:
        person = obj.neurologist
        return (person.get_full_name() or person.get_username()) if person else None


class PatientDetailOut(PatientOut):
    courses: list[CourseOut] = Field(description="the current (not superseded) course rows")

    @staticmethod
    def resolve_courses(obj) -> list:
        return obj.current_courses


# ---------------------------------------------------------------- domain answers


class ReasonOut(Schema):
    rule: str
    severity: Literal["block", "review", "info"]
    test: str | None
    message: str
    source: str


class ReadinessOut(Schema):
    status: Literal["cleared", "needs_review", "blocked"]
    drug: str
    date: date
    label: str | None
    reasons: list[ReasonOut]


class ChairOut(Schema):
    premedication_minutes: int
    infusion_minutes: int
    observation_minutes: int
    total_minutes: int
    shorter_infusion_minutes: int | None
    shorter_total_minutes: int | None
    description: str
    source: str


class InfusionOut(Schema):
    date: date
    dose_mg: float | None
    label: str
    earliest: date
    latest: date
    chair_minutes: int
    why: str
    number: int
    dose_mg_per_m2: float | None
    dose_basis: str
    chair: ChairOut


class PlanOut(Schema):
    drug: str
    regimen: str
    off_label: bool
    infusions: list[InfusionOut]
    notes: list[str]
    given: int
    stopped: date | None
    cumulative_mg_per_m2: float | None


class ProblemOut(Schema):
    drug: str
    field: str
    message: str


class PlansOut(Schema):
    today: date
    until: date | None
    plans: list[PlanOut]
    problems: list[ProblemOut] = Field(description="drugs of the record no plan could be made for")


class DueTaskOut(Schema):
    date: date
    task: str
    test: str | None
    drug: str
    status: Literal["overdue", "upcoming"]
    reason: str
    source: str
    rule: str
    kind: str


class DueOut(Schema):
    today: date
    until: date
    due: list[DueTaskOut]
