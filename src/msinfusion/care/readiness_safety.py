"""Readiness rules about the patient beyond test results: active contraindications and earlier
reactions, recent vaccines before a course, and the restricted program (authorization, checklist).

Part of `care.readiness` (a mixin of its check).
"""

from __future__ import annotations

import operator
from datetime import timedelta

from msinfusion.care.plan import PlannedInfusion
from msinfusion.care.readiness_course import COURSE_DRUGS
from msinfusion.care.readiness_reasons import Collector

_by_date = operator.attrgetter("date")


class SafetyRules(Collector):
    """Contraindications, vaccines and the restricted program."""

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
