"""`PatientRecord`: the one shape of patient data every door converts to.

The JSON record file is a stable contract (docs/record-format.md): unknown fields are errors, every
field is optional until a rule needs it, and a bad value is reported with its field path
(`results[2].date`) so the person fixing the file knows exactly where to look.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_left, bisect_right
from contextlib import AbstractContextManager
from datetime import date
from functools import cached_property
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from msinfusion.care.record_index import RecordIndex, build_index
from msinfusion.care.shared_work import Memo, SharedWork
from msinfusion.errors import RecordError, format_loc
from msinfusion.knowledge.catalog import Catalog, default_catalog

DrugId = Literal[
    "ocrelizumab",
    "ublituximab",
    "natalizumab",
    "natalizumab-sztn",
    "alemtuzumab",
    "mitoxantrone",
    "rituximab",
]
Qualitative = Literal["positive", "negative", "normal", "abnormal"]
Reaction = Literal["none", "mild", "moderate", "serious", "life_threatening", "hypersensitivity"]
ConditionId = Literal[
    "active_infection",
    "hiv",
    "active_hbv",
    "pml",
    "pregnancy",
    "immunocompromised",
    "hypersensitivity_natalizumab",
]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Condition(_Item):
    condition: ConditionId
    date: date
    resolved: date | None = None

    def active_on(self, day: date) -> bool:
        return self.date <= day and (self.resolved is None or self.resolved > day)


class Result(_Item):
    test: str
    value: float | Qualitative
    date: date
    unit: str | None = None
    assay: str | None = None

    @field_validator("value")
    @classmethod
    def _not_negative(cls, value: float | str) -> float | str:
        if isinstance(value, float) and (value < 0 or math.isnan(value) or math.isinf(value)):
            raise ValueError("a result value must be a finite number >= 0")
        return value


class Vaccination(_Item):
    vaccine: str = Field(min_length=1)
    live: bool
    date: date


class Event(_Item):
    event: Literal["ivig", "plasma_exchange"]
    date: date


class ProgramAction(_Item):
    program: Literal["touch", "tyruko_rems", "lemtrada_rems"]
    action: Literal["enrolled", "authorized", "reauthorized", "discontinued"]
    date: date


class Checklist(_Item):
    program: Literal["touch", "tyruko_rems", "lemtrada_rems"]
    date: date
    answers: dict[str, bool]


class Administration(_Item):
    drug: DrugId
    date: date
    dose_mg: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    dose_mg_per_m2: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    reaction: Reaction = "none"
    lot: str | None = None


class Course(_Item):
    drug: DrugId
    start: date
    stop: date | None = None
    regimen: str | None = None


class PatientRecord(_Item):
    id: str = Field(default="patient", min_length=1)
    birth_date: date | None = None
    sex: Literal["female", "male", "other"] | None = None
    childbearing_potential: bool | None = None
    height_cm: float | None = Field(default=None, gt=30, lt=280, allow_inf_nan=False)
    weight_kg: float | None = Field(default=None, gt=1, lt=500, allow_inf_nan=False)
    ms_type: Literal["CIS", "RRMS", "SPMS", "PPMS"] | None = None
    region: Literal["US", "EU"] = "US"
    prior_immunosuppressants: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    results: tuple[Result, ...] = ()
    vaccinations: tuple[Vaccination, ...] = ()
    events: tuple[Event, ...] = ()
    programs: tuple[ProgramAction, ...] = ()
    checklists: tuple[Checklist, ...] = ()
    administrations: tuple[Administration, ...] = ()
    courses: tuple[Course, ...] = ()

    # ------------------------------------------------------------ loading

    @classmethod
    def from_dict(cls, data: Any, catalog: Catalog | None = None) -> PatientRecord:
        """Validate a decoded record; raise RecordError naming the first bad field."""
        if not isinstance(data, dict):
            raise RecordError("", "a patient record must be a JSON object")
        try:
            record = cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = tuple(err["loc"])
            # pydantic reports union members (e.g. value.float); keep the user's field path only
            while loc and isinstance(loc[-1], str) and loc[-1] in _UNION_TAGS:
                loc = loc[:-1]
            raise RecordError(format_loc(loc), _plain(err)) from exc
        record.check_against(catalog or default_catalog())
        return record

    @classmethod
    def from_json(cls, text: str | bytes, catalog: Catalog | None = None) -> PatientRecord:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordError("", f"not valid JSON: {exc.msg} (line {exc.lineno})") from exc
        return cls.from_dict(data, catalog)

    @classmethod
    def from_file(cls, path: str | Path, catalog: Catalog | None = None) -> PatientRecord:
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise RecordError("", f"cannot read record file {path}: {exc.strerror}") from exc
        return cls.from_json(text, catalog)

    def check_against(self, catalog: Catalog) -> None:
        """Cross-checks that need the catalog: known tests, units, course regimens and dates."""
        for i, result in enumerate(self.results):
            test = catalog.tests.get(result.test)
            if test is None:
                raise RecordError(f"results[{i}].test", f"unknown test {result.test!r}")
            qualitative = test.unit == "qualitative"
            if isinstance(result.value, str) != qualitative:
                want = (
                    "positive/negative/normal/abnormal"
                    if qualitative
                    else f"a number in {test.unit}"
                )
                raise RecordError(f"results[{i}].value", f"{result.test} takes {want}")
            if result.unit is not None and result.unit != test.unit:
                raise RecordError(
                    f"results[{i}].unit",
                    f"{result.test} is recorded in {test.unit!r}, not {result.unit!r}",
                )
        for i, course in enumerate(self.courses):
            if course.stop is not None and course.stop < course.start:
                raise RecordError(f"courses[{i}].stop", "course stops before it starts")
            if (
                course.regimen is not None
                and course.regimen not in catalog.drug(course.drug).regimen_ids
            ):
                known = ", ".join(catalog.drug(course.drug).regimen_ids)
                raise RecordError(
                    f"courses[{i}].regimen",
                    f"unknown regimen {course.regimen!r} for {course.drug}; use {known}",
                )
        for i, condition in enumerate(self.conditions):
            if condition.resolved is not None and condition.resolved < condition.date:
                raise RecordError(f"conditions[{i}].resolved", "resolved before it started")
        if self.birth_date is not None:
            for i, adm in enumerate(self.administrations):
                if adm.date < self.birth_date:
                    raise RecordError(
                        f"administrations[{i}].date", "before the patient's birth date"
                    )

    def as_of(self, day: date) -> PatientRecord:
        """The record as it stood before `day`.

        Administrations on or after the day are left out (an infusion being checked is not its own
        history) and a course stop dated after the day had not happened yet.
        """
        if self._nothing_on_or_after(day):
            return self
        kept = tuple(a for a in self.administrations if a.date < day)
        courses = tuple(
            c.model_copy(update={"stop": None}) if c.stop is not None and c.stop > day else c
            for c in self.courses
        )
        if len(kept) == len(self.administrations) and courses == self.courses:
            return self
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data["administrations"] = kept
        data["courses"] = courses
        return PatientRecord.model_construct(**data)

    def _nothing_on_or_after(self, day: date) -> bool:
        """No administration on or after `day` and no course stop after it: `as_of(day)` is self."""
        index = self._index
        return (index.latest_given is None or index.latest_given < day) and (
            index.latest_stop is None or index.latest_stop <= day
        )

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_defaults=True)

    # ------------------------------------------------------------ queries the rules use

    @cached_property
    def _index(self) -> RecordIndex:
        """The record grouped and sorted for the queries below, built once on first use."""
        return build_index(self.administrations, self.results, self.courses)

    def administrations_of(
        self, drug: str, before: date | None = None
    ) -> tuple[Administration, ...]:
        """Administrations of `drug`, oldest first, optionally only those strictly before a date."""
        given = self._index.administrations.get(drug, ())
        if before is None:
            return given
        return given[: bisect_left(given, before, key=_by_date)]

    def results_of(self, test: str, on_or_before: date | None = None) -> tuple[Result, ...]:
        """Results of one test, oldest first."""
        found = self._index.results.get(test, ())
        if on_or_before is None:
            return found
        return found[: bisect_right(found, on_or_before, key=_by_date)]

    def latest_result(self, test: str, on_or_before: date | None = None) -> Result | None:
        found = self.results_of(test, on_or_before)
        return found[-1] if found else None

    def active_conditions(self, day: date) -> set[str]:
        return {c.condition for c in self.conditions if c.active_on(day)}

    def courses_of(self, drug: str) -> tuple[Course, ...]:
        """Courses of `drug`, earliest start first."""
        return self._index.courses.get(drug, ())

    @property
    def drugs(self) -> list[str]:
        """Every drug the record mentions (courses or administrations), in first-use order."""
        return list(self._index.drugs)

    def shared_work(self) -> AbstractContextManager[None]:
        """Within the block, answers derived from this record are kept (`memo`) and shared.

        A patient's summary plans each drug three times (for itself, for the readiness check and
        for the due-list) and the due-list asks the same conditions on many dates. Records are
        immutable, so what one of them works out stays true for the others. The work is dropped
        when the outermost block ends: a summary leaves no half-walked regimens on the record.
        """
        return SharedWork(self)

    def memo(self) -> dict[Any, Any]:
        """The shared work of the enclosing `shared_work` block, or a throwaway dict outside one.

        Callers key their entries by everything else the answer depends on.
        """
        memo = self.__dict__.get("_memo")  # `_open_memo`, inlined: asked many times per record
        return memo if memo is not None and memo.owner == id(self) else {}

    def _open_memo(self) -> Memo | None:
        memo = self.__dict__.get("_memo")
        return memo if memo is not None and memo.owner == id(self) else None

    def bsa_m2(self) -> float | None:
        """Mosteller body surface area (convention 8), or None without height and weight."""
        if self.height_cm is None or self.weight_kg is None:
            return None
        return mosteller_bsa(self.height_cm, self.weight_kg)


def mosteller_bsa(height_cm: float, weight_kg: float) -> float:
    """Mosteller: sqrt(height_cm x weight_kg / 3600), in m² (convention 8, facts.md T25)."""
    return math.sqrt(height_cm * weight_kg / 3600.0)


_by_date = attrgetter("date")

_UNION_TAGS = {"float", "literal['positive','negative','normal','abnormal']"}


def _plain(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"not a valid ISO date (YYYY-MM-DD): {err.get('input')!r}"
    if kind == "literal_error":
        return f"{err.get('input')!r} is not allowed; {err['msg'].lower()}"
    return f"{err['msg']} (got {err.get('input')!r})"
