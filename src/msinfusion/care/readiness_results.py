"""Readiness rules about test results: required tests, their age and thresholds, and a positive
pregnancy test.

Part of `care.readiness` (a mixin of its check).
"""

from __future__ import annotations

import operator

from msinfusion.care.plan import PlannedInfusion
from msinfusion.care.readiness_reasons import Collector
from msinfusion.care.record import Result
from msinfusion.care.requirements import (
    childbearing_unknown,
    freshness,
    max_age,
    requirement_applies,
    result_window,
    usable_result,
)
from msinfusion.errors import CareError
from msinfusion.knowledge.model import Drug, Requirement, Source, Threshold

PREGNANCY_TEST = "pregnancy_test"


class ResultRules(Collector):
    """Required tests and their thresholds; a positive pregnancy test."""

    def requirements(self, infusion: PlannedInfusion) -> None:
        if infusion.number != 1 and _first_infusion_only(self.drug):
            return  # no requirement applies after the first infusion
        for req in self.drug.requirements:
            if requirement_applies(req, self.rec, infusion):
                self.requirement(req)

    def requirement(self, req: Requirement) -> None:
        valid = self.valid_days(req)
        result = usable_result(self.rec, req, self.day, self.previous_dose, valid_days=valid)
        if result is None:
            name = self.test_name(req.test)
            unknown = (
                " (Childbearing potential is not recorded: the requirement is applied to be safe.)"
                if childbearing_unknown(req, self.rec)
                else ""
            )
            latest = self.rec.latest_result(req.test, on_or_before=self.day)
            if latest is None:
                self.add(
                    f"{req.id}.missing",
                    req.missing,
                    f"{name} needed: {req.message} No result on file; {self._needed(req)}{unknown}",
                    req.source,
                    req.test,
                )
            else:
                self.add(
                    f"{req.id}.expired",
                    req.missing,
                    f"{name} too old: {self._why_unusable(req, latest)} {req.message} "
                    f"A new result is needed: {self._needed(req)}{unknown}",
                    req.source,
                    req.test,
                )
            return
        for threshold in req.thresholds:
            self.threshold(req, threshold, result)

    def valid_days(self, req: Requirement) -> int | None:
        test = self.catalog.tests.get(req.test)
        return test.valid_days if test else None

    def _needed(self, req: Requirement) -> str:
        valid = self.valid_days(req)
        window = result_window(req, self.day, self.previous_dose, valid_days=valid)
        if window.not_before is None:
            return f"a result is needed before the infusion on {self.day.isoformat()}."
        return (
            f"a result {freshness(req, valid)} is needed before the infusion on "
            f"{self.day.isoformat()} (drawn {window.describe()})."
        )

    def _why_unusable(self, req: Requirement, latest: Result) -> str:
        age = (self.day - latest.date).days
        limit = max_age(req, self.valid_days(req))
        if limit is not None and age > limit:
            whose = "" if req.max_age_days is not None else " (the test's general validity)"
            return (
                f"the latest result is dated {latest.date.isoformat()} ({age} days before "
                f"{self.day.isoformat()}); the maximum age is {limit} days{whose}."
            )
        assert self.previous_dose is not None
        return (
            f"the latest result is dated {latest.date.isoformat()}, not after the previous dose on "
            f"{self.previous_dose.isoformat()}; it must be dated after the previous dose."
        )

    def threshold(self, req: Requirement, threshold: Threshold, result: Result) -> None:
        shown = f"{result.value:g}" if isinstance(result.value, float) else result.value
        unit = f" {result.unit or threshold.unit or ''}".rstrip()
        if threshold.relative_to_baseline:
            baseline = self.rec.results_of(req.test, on_or_before=self.day)[0]
            if not isinstance(baseline.value, float) or not isinstance(result.value, float):
                raise CareError(f"{req.id}.thresholds", "relative_to_baseline needs a numeric test")
            fall = baseline.value - result.value
            if not _compare(fall, threshold.op, threshold.value, req.id):
                return
            self.add(
                f"{req.id}.fall_from_baseline",
                threshold.severity,
                f"{threshold.message} ({req.test} {shown}{unit} on {result.date.isoformat()}, "
                f"baseline {baseline.value:g}{unit} on {baseline.date.isoformat()}: a fall of "
                f"{fall:g}.)",
                threshold.source,
                req.test,
            )
            return
        if _compare(result.value, threshold.op, threshold.value, req.id):
            self.add(
                f"{req.id}.threshold",
                threshold.severity,
                f"{threshold.message} ({req.test} {shown}{unit} on {result.date.isoformat()}.)",
                threshold.source,
                req.test,
            )

    def pregnancy_test(self) -> None:
        """A positive pregnancy test counts as pregnancy, unless a catalog rule already said so.

        The latest pregnancy test on or before the day decides (a later negative test supersedes a
        positive one), whatever the recorded childbearing potential: a positive test outranks it.
        Within the test's validity (tests.toml) the severity is the drug's own pregnancy
        contraindication if it has one (the test is evidence of the condition the catalog rules on),
        else `block`. An older positive test that is still the latest asks for review: a positive
        result does not stop being true the way a negative one does.
        """
        test = self.catalog.tests.get(PREGNANCY_TEST)
        result = self.rec.latest_result(PREGNANCY_TEST, on_or_before=self.day)
        if test is None or result is None or result.value != "positive":
            return
        rule = next(
            (ci for ci in self.drug.contraindications if "pregnancy" in ci.conditions), None
        )
        covered = any(
            r.test == PREGNANCY_TEST and r.rule.startswith(f"{req.id}.")
            for req in self.drug.requirements
            for r in self.reasons
        )
        if covered or "pregnancy" in self.rec.active_conditions(self.day):
            return
        source: Source | str = (
            rule.source if rule is not None else "pregnancy test result in the record"
        )
        extra = f" {rule.message}" if rule is not None else ""
        age = (self.day - result.date).days
        if test.valid_days is not None and age > test.valid_days:
            self.add(
                "pregnancy.unconfirmed",
                "review",
                f"The latest pregnancy test ({result.date.isoformat()}, {age} days ago) was positive "
                "and no pregnancy is recorded: confirm the pregnancy status before infusing.",
                source,
                PREGNANCY_TEST,
            )
            return
        self.add(
            "pregnancy",
            rule.severity if rule is not None else "block",
            f"Positive pregnancy test on {result.date.isoformat()}: treat as pregnant; do not infuse "
            f"without the prescriber's decision.{extra}",
            source,
            PREGNANCY_TEST,
        )


_FIRST_ONLY: dict[int, tuple[Drug, bool]] = {}


def _first_infusion_only(drug: Drug) -> bool:
    """Whether every requirement of the drug is checked before the first infusion only (most
    drugs screen once): read once per catalog drug."""
    known = _FIRST_ONLY.get(id(drug))
    if known is not None and known[0] is drug:
        return known[1]
    if len(_FIRST_ONLY) > 256:
        _FIRST_ONLY.clear()
    only = all(req.when == "first_infusion" for req in drug.requirements)
    _FIRST_ONLY[id(drug)] = (drug, only)
    return only


def _compare(value: float | str, op: str, limit: float | str, rule: str) -> bool:
    if isinstance(value, str) or isinstance(limit, str):
        if op == "==":
            return value == limit
        if op == "!=":
            return value != limit
        raise CareError(rule, f"operator {op!r} cannot compare qualitative results")
    return _OPERATORS[op](value, limit)


_OPERATORS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
