"""Readiness: is a patient cleared for an infusion of a drug on a day?

The verdict is `cleared`, `needs_review` or `blocked`, with every reason that led to it. Each reason
has a stable `rule` id (the catalog rule id, with a suffix such as `.missing`, `.expired`,
`.threshold`, or a generic id such as `spacing.too_short`), the test involved, a message a nurse can
act on and the source of the rule. Status: blocked if any `block` reason, else needs_review if any
`review` reason, else cleared; `info` reasons never change it.

The infusion being checked is the next one the plan gives once the record is cut at the day
(`record.as_of(day)`: administrations on or after the day are not history).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from msinfusion.care.calendar_cache import add_months
from msinfusion.care.chair import chair_time
from msinfusion.care.dosing import cumulative_mg_per_m2, dose_for, given_mg_per_m2, lifetime_limit
from msinfusion.care.lazy_text import build_plain
from msinfusion.care.plan import (
    INCOMPLETE_BLOCK_GAP,
    Plan,
    PlannedInfusion,
    choose_regimen,
    current_course,
    plan_infusions,
    reactions_of,
)
from msinfusion.care.record import Administration, PatientRecord, Result
from msinfusion.care.requirements import (
    childbearing_unknown,
    freshness,
    max_age,
    requirement_applies,
    result_window,
    usable_result,
)
from msinfusion.dates import Interval
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import (
    Block,
    Drug,
    Regimen,
    Requirement,
    Source,
    Threshold,
)

Severity = Literal["block", "review", "info"]
Status = Literal["cleared", "needs_review", "blocked"]

_ORDER = {"block": 0, "review": 1, "info": 2}
_severity = operator.attrgetter("severity")
_by_date = operator.attrgetter("date")


def _severity_order(reason: Reason) -> int:
    return _ORDER[reason.severity]


COURSE_DRUGS = frozenset({"alemtuzumab"})
"""Drugs given in treatment courses: vaccine rules apply before every course (convention 11) and a
course after the regimen's last one is an additional course (convention 3)."""

ADDITIONAL_COURSE_GAP = Interval(months=12)
"""Convention 3 / LEM-D2: a further course at least 12 calendar months after the last dose of the
prior course."""

PREGNANCY_TEST = "pregnancy_test"


@dataclass(frozen=True)
class Reason:
    rule: str
    severity: Severity
    test: str | None
    message: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "test": self.test,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class Readiness:
    status: Status
    drug: str
    date: date
    reasons: tuple[Reason, ...]
    infusion: PlannedInfusion | None

    @property
    def rules(self) -> list[str]:
        return [r.rule for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "drug": self.drug,
            "date": self.date.isoformat(),
            "label": self.infusion.label if self.infusion else None,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def check_readiness(
    record: PatientRecord,
    drug_id: str,
    day: date,
    *,
    catalog: Catalog | None = None,
    regimen_id: str | None = None,
) -> Readiness:
    """Is the patient cleared for an infusion of `drug_id` on `day`?

    Raises CareError("drug", ...) for an unknown drug and CareError("regimen", ...) when the drug
    has no default regimen (rituximab) and neither the course nor the caller names one.
    """
    catalog = catalog or default_catalog()
    try:
        drug = catalog.drug(drug_id)
    except KeyError as exc:
        raise CareError("drug", str(exc.args[0])) from None
    rec = record.as_of(day)
    regimen = choose_regimen(drug, regimen_id, current_course(rec, drug))
    check = _Check(catalog, drug, regimen, rec, day)
    plan = plan_infusions(
        drug,
        record=rec,
        start=day,
        until=_horizon(rec, drug, day),
        regimen_id=regimen.id,
        max_count=1,
    )
    infusion = plan.next or check.after_empty_plan(plan)
    if infusion is not None:
        check.infusion_rules(infusion, plan)
    return check.verdict(infusion)


def _horizon(rec: PatientRecord, drug: Drug, day: date) -> date:
    """Far enough that the plan reaches the next infusion: every regimen interval is under 2 years."""
    starts = [c.start for c in rec.courses_of(drug.id)]
    return add_months(max([day, *starts]), 24)


class _Check:
    """Collects the reasons for one drug on one day."""

    def __init__(
        self, catalog: Catalog, drug: Drug, regimen: Regimen, rec: PatientRecord, day: date
    ) -> None:
        self.catalog = catalog
        self.drug = drug
        self.regimen = regimen
        self.rec = rec
        self.day = day
        self.given = rec.administrations_of(drug.id)
        self.reactions = reactions_of(rec, drug.id)
        self.previous_dose = self.given[-1].date if self.given else None
        self.reasons: list[Reason] = []

    # ------------------------------------------------------------ helpers

    def add(
        self,
        rule: str,
        severity: Severity,
        message: str,
        source: Source | str,
        test: str | None = None,
    ) -> None:
        cited = _cite(self.catalog, source) if isinstance(source, Source) else source
        self.reasons.append(
            build_plain(
                Reason,
                {
                    "rule": rule,
                    "severity": severity,
                    "test": test,
                    "message": message,
                    "source": cited,
                },
            )
        )

    def test_name(self, test: str) -> str:
        found = self.catalog.tests.get(test)
        return f"{found.name} ({test})" if found else test

    def verdict(self, infusion: PlannedInfusion | None) -> Readiness:
        found = self.reasons
        reasons = tuple(sorted(found, key=_severity_order) if len(found) > 1 else found)
        severities = set(map(_severity, reasons))
        status: Status = (
            "blocked"
            if "block" in severities
            else "needs_review"
            if "review" in severities
            else "cleared"
        )
        return build_plain(
            Readiness,
            {
                "status": status,
                "drug": self.drug.id,
                "date": self.day,
                "reasons": reasons,
                "infusion": infusion,
            },
        )

    # ------------------------------------------------------------ no next infusion in the plan

    def after_empty_plan(self, plan: Plan) -> PlannedInfusion | None:
        """Explain why the plan has no next infusion; an additional alemtuzumab course is planned here."""
        course = current_course(self.rec, self.drug)
        if plan.stopped is not None:
            index = self.rec.courses.index(course) if course in self.rec.courses else None
            where = f"courses[{index}].stop" if index is not None else "courses"
            verb = "stopped" if plan.stopped <= self.day else "is recorded as stopping"
            self.add(
                "course.stopped",
                "block",
                f"The {self.drug.generic_name} course {verb} on {plan.stopped.isoformat()}: "
                "no further infusions are planned. Start a new course to give another infusion.",
                f"patient record ({where})",
            )
            return None
        if self._limit_reached():
            return None
        if self.given and self.drug.id in COURSE_DRUGS:
            return self._additional_course()
        self.add(
            "course.complete",
            "block",
            f"The {self.regimen.name} regimen of {self.drug.generic_name} has no further infusions "
            f"after the {len(self.given)} given; a new order (course or regimen) is needed.",
            self.regimen.source,
        )
        return None

    def _regimen_mg_per_m2(self) -> float | None:
        return next(
            (d.dose_mg_per_m2 for b in self.regimen.blocks for d in b.doses if d.dose_mg_per_m2),
            None,
        )

    def _limit_reached(self) -> bool:
        limit = lifetime_limit(self.drug, self.rec.region)
        per_m2 = self._regimen_mg_per_m2()
        if limit is None or per_m2 is None:
            return False
        so_far = cumulative_mg_per_m2(self.rec, self.drug, per_m2)
        if so_far + per_m2 <= limit.limit_mg_per_m2 + 1e-9:
            return False
        self._cumulative_reason(so_far, per_m2, limit.limit_mg_per_m2, limit.source)
        return True

    def _cumulative_reason(self, so_far: float, dose: float, limit: float, source: Source) -> None:
        remaining = max(limit - so_far, 0.0)
        self.add(
            "cumulative.limit",
            "block",
            f"Lifetime limit ({self.rec.region}): {_mg(so_far)} of {_mg(limit)} mg/m² already "
            f"given; this {_mg(dose)} mg/m² dose would bring it to {_mg(so_far + dose)} mg/m² and "
            f"exceed the limit. {_mg(remaining)} mg/m² remaining; no automatic partial dose.",
            source,
        )

    def _additional_course(self) -> PlannedInfusion:
        """A course after the regimen's last one (convention 3, LEM-D2), or the next day of one."""
        block = self.regimen.blocks[-1]
        courses = _group_courses(self.given)
        positions = sum(b.repeat for b in self.regimen.blocks if isinstance(b.repeat, int))
        last = courses[-1]
        continuing = len(courses) > positions and len(last) < len(block.doses)
        prior = self.given
        if continuing:
            dose_index = len(last)
            due = last[-1].date + timedelta(days=1)
            hard, hard_why = None, ""
            course_no = len(courses)
            why = f"consecutive course day after {last[-1].date.isoformat()} ({block.source.ref})"
        else:
            dose_index = 0
            hard = ADDITIONAL_COURSE_GAP.after(last[-1].date)
            hard_why = (
                f"at least {ADDITIONAL_COURSE_GAP} after the last dose of the prior course "
                f"({last[-1].date.isoformat()}; LEM-D2, convention 3)"
            )
            due = hard
            course_no = len(courses) + 1
            why = f"additional course, only if needed; earliest {hard.isoformat()}: {hard_why}"
            self.add(
                "alemtuzumab.additional_course",
                "info",
                f"Course {course_no} is an additional course, given only if needed (not a scheduled "
                f"one): {len(block.doses)} consecutive days, at least {ADDITIONAL_COURSE_GAP} after "
                f"the last dose of course {len(courses)} ({last[-1].date.isoformat()}).",
                f"LEM-D2, convention 3; {self.catalog.cite(block.source)}",
            )
        number = len(self.given) + 1
        dose = dose_for(block.doses[dose_index], self.rec)
        chair = chair_time(self.drug, number, dose_index + 1, {a.reaction for a in prior})
        return PlannedInfusion(
            date=due,
            dose_mg=dose.dose_mg,
            label=f"course {course_no} (additional) day {dose_index + 1} of {len(block.doses)}",
            earliest=hard or due,
            latest=max(due, self.day) if not continuing else due,
            chair_minutes=chair.total_minutes,
            why=why,
            number=number,
            block_id=f"{block.id}.additional",
            cycle=course_no,
            dose_in_block=dose_index + 1,
            block_start=not continuing,
            dose_mg_per_m2=dose.dose_mg_per_m2,
            dose_basis=dose.basis,
            chair=chair,
            hard_earliest=hard,
            hard_earliest_why=hard_why,
            previous_dose=last[-1].date,
        )

    # ------------------------------------------------------------ rules for one infusion

    def infusion_rules(self, infusion: PlannedInfusion, plan: Plan) -> None:
        block = self._block(infusion)
        if plan.off_label:
            self.add(
                "regimen.off_label",
                "info",
                f"Off-label in MS: {self.regimen.name}; the plan follows the prescriber's chosen "
                "regimen and inherits no other drug's rules.",
                self.drug.off_label_source or self.regimen.source,
            )
        self.spacing(infusion, block)
        self.dose(infusion)
        self.requirements(infusion)
        self.contraindications()
        self.pregnancy_test()
        self.vaccines(infusion)
        self.program()

    def _block(self, infusion: PlannedInfusion) -> Block:
        block_id = infusion.block_id.removesuffix(".additional")
        blocks = self.regimen.blocks
        for block in blocks:
            if block.id == block_id:
                return block
        return blocks[-1]

    def spacing(self, infusion: PlannedInfusion, block: Block) -> None:
        day = self.day
        if infusion.hard_earliest is not None and day < infusion.hard_earliest:
            self.add(
                "spacing.too_short",
                "block",
                f"Too soon for {infusion.label}: the earliest allowed date is "
                f"{infusion.hard_earliest.isoformat()} ({infusion.hard_earliest_why}).",
                self._spacing_source(infusion, block),
            )
        elif day < infusion.earliest and self._course_start_is_fixed(infusion):
            self.add(
                "spacing.too_short",
                "block",
                f"Too soon for {infusion.label}: the course is due {infusion.date.isoformat()} "
                f"({infusion.why.split('; ')[0]}). A treatment course is not started before it "
                "is due (the label gives 12 months; counting start to start is convention 3).",
                block.source,
            )
        elif day < infusion.earliest:
            self.add(
                "spacing.before_window",
                "review",
                f"{day.isoformat()} is before the booking window of {infusion.label} "
                f"(due {infusion.date.isoformat()}, window {infusion.earliest.isoformat()} to "
                f"{infusion.latest.isoformat()}); confirm with the prescriber.",
                block.window_source or block.source,
            )
        if day > infusion.latest:
            note = block.source.note or "the label gives no rule for late doses"
            self.add(
                "spacing.late",
                "info",
                f"Late: {infusion.label} was due {infusion.date.isoformat()} (window ends "
                f"{infusion.latest.isoformat()}). {note}",
                block.source,
            )

    def _course_start_is_fixed(self, infusion: PlannedInfusion) -> bool:
        """Course drugs (alemtuzumab): a course started before its due date is blocked.

        LEM-D1 gives course 2 "12 months after the first treatment course"; the catalog's course
        block carries no min_spacing (plan.py would measure it from the last dose of course 1, not
        from its start as convention 3 says), so the due date is the hard limit here.
        """
        return (
            self.drug.id in COURSE_DRUGS
            and infusion.block_start
            and infusion.number > 1
            and infusion.hard_earliest is None
        )

    def _spacing_source(self, infusion: PlannedInfusion, block: Block) -> Source | str:
        if infusion.block_id != block.id:  # an additional course (convention 3)
            return f"LEM-D2, convention 3; {self.catalog.cite(block.source)}"
        return block.min_spacing_source or block.source

    def dose(self, infusion: PlannedInfusion) -> None:
        if infusion.dose_mg_per_m2 is not None and infusion.dose_mg is None:
            missing = [f for f in ("height_cm", "weight_kg") if getattr(self.rec, f) is None]
            self.add(
                "dose.height_weight_missing",
                "block",
                f"Height and weight needed: the {infusion.dose_mg_per_m2:g} mg/m² dose cannot be "
                f"computed without {' and '.join(missing)} in the record.",
                "convention 8 (Mosteller BSA)",
            )
        limit = lifetime_limit(self.drug, self.rec.region)
        if limit is None or infusion.dose_mg_per_m2 is None:
            return
        per_m2 = self._regimen_mg_per_m2()
        so_far = cumulative_mg_per_m2(self.rec, self.drug, per_m2)
        if so_far + infusion.dose_mg_per_m2 > limit.limit_mg_per_m2 + 1e-9:
            self._cumulative_reason(
                so_far, infusion.dose_mg_per_m2, limit.limit_mg_per_m2, limit.source
            )
        assumed = [
            a.date.isoformat()
            for a in self.given
            if a.dose_mg_per_m2 is None and given_mg_per_m2(a, self.rec, None) == 0.0
        ]
        if assumed:
            self.add(
                "cumulative.assumed",
                "info",
                f"Cumulative dose {_mg(so_far)} mg/m² assumes {_mg(per_m2 or 0.0)} mg/m² for the administration(s) "
                f"on {', '.join(assumed)}, which record no dose in mg/m² (or mg with height and weight).",
                limit.source,
            )

    # ------------------------------------------------------------ requirements

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

    # ------------------------------------------------------------ contraindications, pregnancy

    def contraindications(self) -> None:
        active = self.rec.active_conditions(self.day) if self.rec.conditions else None
        for ci in self.drug.contraindications:
            hits = [c for c in ci.conditions if c in active] if active else []
            if hits:
                since = {
                    c.condition: c.date
                    for c in self.rec.conditions
                    if c.condition in hits and c.active_on(self.day)
                }
                what = ", ".join(f"{c} since {since[c].isoformat()}" for c in hits)
                self.add(
                    ci.id,
                    ci.severity,
                    f"{ci.message} (Active on {self.day.isoformat()}: {what}.)",
                    ci.source,
                )
            if not ci.reactions or self.reactions.isdisjoint(ci.reactions):
                continue
            reacted = [a for a in self.given if a.reaction in ci.reactions]
            if reacted:
                what = ", ".join(
                    f"{a.reaction.replace('_', '-')} on {a.date.isoformat()}" for a in reacted
                )
                self.add(
                    f"{ci.id}" if not hits else f"{ci.id}.reaction",
                    ci.severity,
                    f"{ci.message} (Earlier {self.drug.generic_name} reaction: {what}.)",
                    ci.source,
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

    # ------------------------------------------------------------ vaccines

    def vaccines(self, infusion: PlannedInfusion) -> None:
        starts = infusion.block_start if self.drug.id in COURSE_DRUGS else infusion.number == 1
        if not starts:
            return
        for rule in self.drug.vaccines:
            hits = [
                v
                for v in self.rec.vaccinations
                if v.date <= self.day
                and (rule.live is None or v.live == rule.live)
                and (not rule.vaccines or v.vaccine in rule.vaccines)
                and self.day < rule.min_before_start.after(v.date)
            ]
            if not hits:
                continue
            ok_from = max(rule.min_before_start.after(v.date) for v in hits)
            what = ", ".join(
                f"{v.vaccine} ({'live' if v.live else 'non-live'}) on {v.date.isoformat()}"
                for v in hits
            )
            self.add(
                rule.id,
                rule.severity,
                f"{rule.message} Vaccination {what} is less than {rule.min_before_start} before "
                f"{self.day.isoformat()}; the earliest date that respects it is {ok_from.isoformat()}.",
                rule.source,
            )

    # ------------------------------------------------------------ restricted programs

    def program(self) -> None:
        prog = self.drug.program
        if prog is None:
            return
        name, day, authorizing = prog.program, self.day, prog.authorizing_actions
        actions = sorted(
            [a for a in self.rec.programs if a.program == name and a.date <= day], key=_by_date
        )
        auths = [a for a in actions if a.action in authorizing]
        if not auths:
            hint = ""
            others = sorted(
                (
                    a
                    for a in self.rec.programs
                    if a.program != prog.program
                    and a.action in prog.authorizing_actions
                    and a.date <= self.day
                ),
                key=_by_date,
            )
            if others:
                other = others[-1]
                hint = (
                    f" A {other.program.upper().replace('_', ' ')} authorization "
                    f"({other.date.isoformat()}) does not clear {self.drug.generic_name}: "
                    f"{prog.name} needs its own authorization (whether it carries over is unverified)."
                )
            self.add(
                "program.not_authorized",
                "block",
                f"Not authorized in {prog.name} on {self.day.isoformat()}: do not infuse; refer "
                f"back to the prescriber.{hint}",
                prog.source,
            )
        else:
            auth = auths[-1]
            stopped = [a for a in actions if a.action == "discontinued" and a.date >= auth.date]
            if stopped:
                self.add(
                    "program.discontinued",
                    "block",
                    f"{prog.name}: discontinued on {stopped[-1].date.isoformat()} after the "
                    f"authorization of {auth.date.isoformat()}: do not infuse.",
                    prog.source,
                )
            elif prog.authorization_valid is not None:
                through = prog.authorization_valid.after(auth.date)
                if self.day > through:
                    self.add(
                        "program.authorization_expired",
                        "block",
                        f"{prog.name} authorization of {auth.date.isoformat()} ({auth.action}) was "
                        f"valid for {prog.authorization_valid}, through {through.isoformat()}; it "
                        f"lapsed on {(through + timedelta(days=1)).isoformat()}. Reauthorization is "
                        "needed before infusing.",
                        prog.source,
                    )
        self.checklist()

    def checklist(self) -> None:
        prog = self.drug.program
        assert prog is not None
        if not prog.checklist_questions:
            return
        source = prog.checklist_source or prog.source
        today = [c for c in self.rec.checklists if c.program == prog.program and c.date == self.day]
        if not today:
            self.add(
                "program.checklist_missing",
                "review",
                f"{prog.name} pre-infusion checklist for {self.day.isoformat()} not recorded: "
                "complete it at the visit before infusing (any 'yes' means do not infuse).",
                source,
            )
            return
        yes = sorted({q for c in today for q, answer in c.answers.items() if answer})
        if yes:
            self.add(
                "program.checklist_yes",
                "block",
                f"{prog.name} pre-infusion checklist answered 'yes' to: {'; '.join(yes)}. "
                "Do not infuse; contact the prescriber.",
                source,
            )
            return
        answered = {q for c in today for q in c.answers}
        unanswered = [q for q in prog.checklist_questions if q not in answered]
        if unanswered:
            self.add(
                "program.checklist_incomplete",
                "review",
                f"{prog.name} pre-infusion checklist has {len(unanswered)} unanswered question(s): "
                f"{'; '.join(unanswered)}.",
                source,
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


_CITED: dict[tuple[int, int], tuple[Catalog, Source, str]] = {}


def _cite(catalog: Catalog, source: Source) -> str:
    """`catalog.cite(source)`, kept per catalog and source: reasons cite the same few sources."""
    key = (id(catalog), id(source))
    known = _CITED.get(key)
    if known is not None and known[0] is catalog and known[1] is source:
        return known[2]
    if len(_CITED) > 4096:
        _CITED.clear()
    text = catalog.cite(source)
    _CITED[key] = (catalog, source, text)
    return text


def _mg(value: float) -> str:
    """A mg/m² amount for a message: one decimal at most (132, 8, 130.8)."""
    return f"{round(value, 1):g}"


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


def _group_courses(given: tuple[Administration, ...]) -> list[list[Administration]]:
    """Split administrations into treatment courses: a gap over a month starts a new course."""
    courses: list[list[Administration]] = []
    for adm in given:
        if courses and adm.date - courses[-1][-1].date <= INCOMPLETE_BLOCK_GAP:
            courses[-1].append(adm)
        else:
            courses.append([adm])
    return courses
