"""Plain words for patients: readiness, chair time, restricted programs and the symptom diary.

The care engine speaks to clinicians ("HBsAg needed: ... No result on file"). A patient opening the
app on a phone needs the same facts in plain words: is my next infusion going ahead, what is still
missing and by when, how long should I plan to be there. Every function here is pure (no Django, no
I/O) and only rephrases what the domain already decided; each answer keeps the source of the fact.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from msinfusion.care.chair import ChairTime
from msinfusion.care.readiness import Readiness, Reason
from msinfusion.care.record import PatientRecord
from msinfusion.care.requirements import result_window
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Drug

Severity = Literal["block", "review", "info"]

# ---------------------------------------------------------------- durations and countdowns


def duration_text(minutes: int) -> str:
    """90 -> '1 hour 30 minutes', 240 -> '4 hours', 15 -> '15 minutes'."""
    if minutes < 0:
        raise ValueError("a duration cannot be negative")
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


def date_text(day: date) -> str:
    """2026-01-19 -> 'Mon 19 Jan 2026' (the same shape the pages show)."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def countdown_text(day: date, today: date) -> str:
    """'today', 'tomorrow', 'in 9 days', 'yesterday', '3 days ago'."""
    days = (day - today).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def drug_title(drug: Drug) -> str:
    """'Ocrevus (ocrelizumab)': the brand a patient knows, with the generic name."""
    return f"{drug.names[0]} ({drug.generic_name})" if drug.names else drug.generic_name


@dataclass(frozen=True)
class PlanFor:
    """How long to plan to be at the center for one infusion."""

    total_minutes: int
    total: str
    parts: tuple[tuple[str, str], ...]  # (what, how long), in the order they happen
    shorter_total_minutes: int | None
    shorter: str | None  # the shorter-infusion option in words, when the patient is eligible
    source: str
    shorter_source: str


def plan_for(chair: ChairTime, drug: Drug) -> PlanFor:
    """Chair time (premedication wait + infusion + observation) as a patient plans a day."""
    parts = []
    if chair.premedication_minutes:
        parts.append(("Medicines before the infusion", duration_text(chair.premedication_minutes)))
    parts.append(("The infusion itself", duration_text(chair.infusion_minutes)))
    if chair.observation_minutes:
        parts.append(("Staying to be watched afterwards", duration_text(chair.observation_minutes)))
    shorter = None
    shorter_source = ""
    option = drug.infusion.shorter_option
    if chair.shorter_total_minutes is not None and option is not None:
        shorter = (
            f"You may be able to have a shorter infusion of about "
            f"{duration_text(option.infusion_minutes)}; then plan for about "
            f"{duration_text(chair.shorter_total_minutes)} in total. Your care team decides."
        )
        shorter_source = str(option.source)
    return PlanFor(
        total_minutes=chair.total_minutes,
        total=duration_text(chair.total_minutes),
        parts=tuple(parts),
        shorter_total_minutes=chair.shorter_total_minutes,
        shorter=shorter,
        source=chair.source,
        shorter_source=shorter_source,
    )


# ---------------------------------------------------------------- readiness in plain words

HEADLINES = {
    "cleared": "Ready: nothing is missing for this infusion.",
    "needs_review": "Your care team will check a few things before this infusion.",
    "blocked": "Not ready yet: something has to happen before this infusion can go ahead.",
}


@dataclass(frozen=True)
class NeededTest:
    """A test result the next infusion still needs."""

    test: str
    name: str
    by: date
    not_before: date | None  # a result drawn before this day does not count
    too_old: bool  # there is a result, but it is too old (or not after the previous dose)
    severity: Severity
    source: str


@dataclass(frozen=True)
class PlainReason:
    severity: Severity
    text: str  # plain words
    detail: str  # the care team's wording, for the curious
    source: str


@dataclass(frozen=True)
class PlainReadiness:
    status: str
    headline: str
    day: date
    needed: tuple[NeededTest, ...]
    reasons: tuple[PlainReason, ...]


def _rule_base(rule: str) -> tuple[str, str]:
    base, _, suffix = rule.rpartition(".")
    return base, suffix


def _plain_reason(reason: Reason, drug: Drug, readiness: Readiness) -> str:
    """One readiness reason rephrased for the patient (the engine's `rule` ids are stable)."""
    rule = reason.rule
    infusion = readiness.infusion
    if rule == "spacing.too_short" and infusion is not None:
        earliest = infusion.hard_earliest or infusion.earliest
        return (
            f"It is too early for this infusion: the earliest day it can be given is "
            f"{date_text(earliest)}."
        )
    base, suffix = _rule_base(rule)
    program = drug.program.name if drug.program else "the safety program"
    fixed = {
        "spacing.too_short": "It is too early for this infusion. Your care team will give you "
        "the earliest date it can be given.",
        "spacing.before_window": "The date is a little earlier than planned; your care team will "
        "confirm it.",
        "spacing.late": "This infusion is later than planned. Your care team will arrange it as "
        "soon as possible.",
        "course.stopped": "Your treatment course has stopped, so no more infusions are planned.",
        "course.complete": "The planned course is complete. Your doctor decides what comes next.",
        "program.not_authorized": f"Your {program} authorization is not on file yet. Your care "
        "team arranges it; the infusion cannot go ahead without it.",
        "program.authorization_expired": f"Your {program} authorization has to be renewed "
        "before this infusion. Your care team arranges it.",
        "program.discontinued": f"You are no longer enrolled in {program}. Please talk to your "
        "doctor.",
        "program.checklist_missing": f"At the visit, the nurse goes through the short {program} "
        "safety checklist with you before the infusion.",
        "program.checklist_yes": "Your safety checklist answers mean the infusion cannot go "
        "ahead for now; your doctor will contact you.",
        "program.checklist_incomplete": "Some safety checklist questions still need an answer "
        "before the infusion.",
        "dose.height_weight_missing": "Your care team needs your current height and weight to "
        "work out your dose.",
        "cumulative.limit": "You have reached the lifetime limit for this medicine. Your doctor "
        "will talk with you about what comes next.",
        "cumulative.assumed": "Your care team keeps track of the total amount of this medicine "
        "you have had.",
        "regimen.off_label": "This medicine is used off-label for MS: your doctor chose the "
        "dosing plan.",
        "alemtuzumab.additional_course": "A further course is only given if your doctor decides "
        "it is needed.",
        "pregnancy": "A positive pregnancy test needs your doctor's decision before this infusion.",
        "pregnancy.unconfirmed": "Your care team needs to confirm whether you are pregnant "
        "before this infusion.",
    }
    if rule in fixed:
        return fixed[rule]
    if suffix in ("threshold", "fall_from_baseline"):
        return "A recent test result needs your care team's attention before this infusion."
    if any(v.id == rule for v in drug.vaccines):
        return (
            "A recent vaccination means this infusion may have to wait. Your care team will tell "
            "you the date."
        )
    if any(c.id in (rule, base) for c in drug.contraindications):
        return "Something in your health record needs your doctor's decision before this infusion."
    if reason.severity == "block":
        return (
            "Something has to be sorted out before this infusion. Your care team will contact you."
        )
    if reason.severity == "review":
        return "Your care team will check something before this infusion."
    return "A note from your care team's checks."


def plain_readiness(readiness: Readiness, *, catalog: Catalog | None = None) -> PlainReadiness:
    """The readiness of one infusion in plain words.

    Missing or too-old results become `needed` items with the latest day a sample can be drawn
    (the infusion day, `requirements.result_window`) and, where it matters, the first day a draw
    counts. Every other reason is rephrased (`_plain_reason`); the care team's message is kept as
    `detail`.
    """
    catalog = catalog or default_catalog()
    drug = catalog.drug(readiness.drug)
    requirements = {r.id: r for r in drug.requirements}
    infusion = readiness.infusion
    previous = infusion.previous_dose if infusion is not None else None
    needed: list[NeededTest] = []
    reasons: list[PlainReason] = []
    for reason in readiness.reasons:
        base, suffix = _rule_base(reason.rule)
        req = requirements.get(base)
        if suffix in ("missing", "expired") and req is not None:
            test = catalog.tests.get(req.test)
            window = result_window(
                req, readiness.date, previous, valid_days=test.valid_days if test else None
            )
            needed.append(
                NeededTest(
                    test=req.test,
                    name=test.name if test else req.test,
                    by=window.by,
                    not_before=window.not_before,
                    too_old=suffix == "expired",
                    severity=reason.severity,
                    source=reason.source,
                )
            )
            continue
        reasons.append(
            PlainReason(
                reason.severity,
                _plain_reason(reason, drug, readiness),
                reason.message,
                reason.source,
            )
        )
    return PlainReadiness(
        status=readiness.status,
        headline=HEADLINES[readiness.status],
        day=readiness.date,
        needed=tuple(needed),
        reasons=tuple(reasons),
    )


# ---------------------------------------------------------------- restricted programs

CHECKLIST_QUESTIONS = {
    "new_or_worsening_symptoms": "Do you have any new or worsening symptoms (thinking, "
    "eyesight, balance, strength) that have lasted several days?",
    "immunocompromised": "Do you have an illness that weakens your immune system, or do you "
    "take any medicine for cancer or that suppresses the immune system?",
}


@dataclass(frozen=True)
class ProgramStatus:
    """Where the patient stands in a drug's restricted program (TOUCH, REMS)."""

    program: str
    name: str
    description: str
    enrolled: bool
    authorized_on: date | None
    valid_through: date | None  # None: no expiry is encoded for this program
    expired: bool
    discontinued_on: date | None
    checklist: tuple[str, ...]  # questions asked at every visit, in plain words
    source: str
    checklist_source: str


def program_status(drug: Drug, record: PatientRecord, today: date) -> ProgramStatus | None:
    """The patient's authorization in the drug's program from their recorded program actions.

    Same reading as readiness (latest authorizing action; a later discontinuation ends it; the
    authorization lapses `authorization_valid` after it), applied to `today`.
    """
    rule = drug.program
    if rule is None:
        return None
    actions = sorted(
        (a for a in record.programs if a.program == rule.program and a.date <= today),
        key=lambda a: a.date,
    )
    auths = [a for a in actions if a.action in rule.authorizing_actions]
    latest = auths[-1].date if auths else None
    stopped = [
        a.date
        for a in actions
        if a.action == "discontinued" and (latest is None or a.date >= latest)
    ]
    through = (
        rule.authorization_valid.after(latest)
        if latest is not None and rule.authorization_valid is not None
        else None
    )
    checklist_source = rule.checklist_source or rule.source
    return ProgramStatus(
        program=rule.program,
        name=rule.name,
        description=rule.description,
        enrolled=bool(actions) and not stopped,
        authorized_on=latest,
        valid_through=through,
        expired=through is not None and today > through,
        discontinued_on=stopped[-1] if stopped else None,
        checklist=tuple(
            CHECKLIST_QUESTIONS.get(q, q.replace("_", " ").capitalize() + "?")
            for q in rule.checklist_questions
        ),
        source=str(rule.source),
        checklist_source=str(checklist_source),
    )


# ---------------------------------------------------------------- symptom diary

DIARY_SYMPTOMS: tuple[tuple[str, str], ...] = (
    ("fatigue", "Tiredness"),
    ("walking", "Walking"),
    ("pain", "Pain"),
    ("numbness", "Numbness or tingling"),
    ("bladder", "Bladder"),
    ("cognition", "Thinking and memory"),
    ("mood", "Mood"),
    ("sleep", "Sleep"),
)
"""Symptoms a patient rates 0 (no problem) to 10 (worst); the diary and its wearing-off analysis use these keys."""

RATING_MIN, RATING_MAX = 0, 10


def valid_ratings(ratings: dict[str, int | None]) -> dict[str, int]:
    """The given ratings only, checked: known symptom keys, whole numbers 0-10."""
    known = {key for key, _ in DIARY_SYMPTOMS}
    out: dict[str, int] = {}
    for key, value in ratings.items():
        if key not in known:
            raise ValueError(f"unknown symptom {key!r}")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{key}: a rating is a whole number")
        if not RATING_MIN <= value <= RATING_MAX:
            raise ValueError(f"{key}: a rating is between {RATING_MIN} and {RATING_MAX}")
        out[key] = value
    return out


def symptom_labels(ratings: dict[str, int]) -> Iterable[tuple[str, int]]:
    """(label, rating) in the diary's order, for the ratings that were given."""
    for key, label in DIARY_SYMPTOMS:
        if key in ratings:
            yield label, ratings[key]
