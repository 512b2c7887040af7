"""Readiness rules about the course itself: spacing, dose, lifetime limit, what follows the
last planned infusion (a stopped or completed course, an additional alemtuzumab course).

Part of `care.readiness` (a mixin of its check).
"""

from __future__ import annotations

from datetime import timedelta

from msinfusion.care.chair import chair_time
from msinfusion.care.dosing import cumulative_mg_per_m2, dose_for, given_mg_per_m2, lifetime_limit
from msinfusion.care.plan import INCOMPLETE_BLOCK_GAP, Plan, PlannedInfusion, current_course
from msinfusion.care.readiness_reasons import Collector
from msinfusion.care.record import Administration
from msinfusion.dates import Interval
from msinfusion.knowledge.model import Block, Source

COURSE_DRUGS = frozenset({"alemtuzumab"})
"""Drugs given in treatment courses: vaccine rules apply before every course (convention 11) and a
course after the regimen's last one is an additional course (convention 3)."""

ADDITIONAL_COURSE_GAP = Interval(months=12)
"""Convention 3 / LEM-D2: a further course at least 12 calendar months after the last dose of the
prior course."""


class CourseRules(Collector):
    """Spacing, dose and the end of a course."""

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


def _mg(value: float) -> str:
    """A mg/m² amount for a message: one decimal at most (132, 8, 130.8)."""
    return f"{round(value, 1):g}"


def _group_courses(given: tuple[Administration, ...]) -> list[list[Administration]]:
    """Split administrations into treatment courses: a gap over a month starts a new course."""
    courses: list[list[Administration]] = []
    for adm in given:
        if courses and adm.date - courses[-1][-1].date <= INCOMPLETE_BLOCK_GAP:
            courses[-1].append(adm)
        else:
            courses.append([adm])
    return courses
