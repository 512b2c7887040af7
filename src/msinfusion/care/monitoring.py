"""The monitoring due-list: what falls due because of treatment, and by when.

Two sources feed the list, for every drug in the record:

1. **Monitoring items** of the catalog (`Drug.monitoring`). Each item is anchored (`start`) on a
   date of the patient's treatment, falls due `offsets` after the anchor and then `every` after the
   anchor plus the last offset, and ends by its `until` rule (inclusive). Only *recorded* events
   anchor an item (given infusions, the recorded stop, recorded authorizations), with one
   exception: `course_last_infusion` during a course in progress is its last planned day. Repeats are counted from the base date (base + k x every), never
   from the previous repeat, so month-end clamping does not drift: 2026-08-31 + 1 month =
   2026-09-30, + 2 months = 2026-10-31 (convention 2).
2. **Pre-infusion requirements**: for each infusion the plan gives in [today, until], each
   baseline / per-infusion requirement that applies (`requirements.requirement_applies`) and has
   no usable result for that infusion (`requirements.usable_result`) is a task due on the latest
   day the sample can be drawn, the infusion day.

When an occurrence counts as done:
- `counts_from_result` (convention 7): once a result of the test exists after the anchor, the next
  one is due `every` after the latest result on or before the due date in question; a result drawn
  after a due date that had none resets the schedule from it (done late).
- otherwise a result of the test dated from half the gap before the due date (the gap to the
  previous occurrence, or to the anchor) up to, not including, the next occurrence counts; each
  result counts for one occurrence only.
- a task without a test (program forms, clinical assessments) cannot be confirmed from the record,
  except a reauthorization anchored on the latest authorization: a newer authorization moves the
  anchor, so the task is met by recording it.

Status and overdue (a deliberate choice): a task dated before `today` is `overdue` and keeps its
original due date. Per rule only one overdue task is listed: for tasks the record can confirm, the
*oldest* unmet due date since the last result (so the date shows how long it has been overdue);
for tasks it cannot confirm, the *most recent* past occurrence ("confirm it was done"), and only
if it is no older than the list looks ahead (`until - today`), so that a form that was certainly
handled years ago does not stay on the list forever. Once an item's monitoring period has ended
(its `until` date is before today) it lists nothing, overdue or not. Upcoming occurrences are
listed on the schedule as if every earlier task were done on time.

Conditions (`Monitoring.condition`) are named predicates in `CONDITIONS`, evaluated on each due
date; when one does not hold on the due date but starts to hold before the next one (exposure
passing 24 months), the task falls due on the first day it holds. An unknown name raises CareError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from msinfusion.care.plan import Plan, current_course, history_for, plan_infusions
from msinfusion.care.pml import (
    ANTI_JCV_STATUS_TEST,
    ANTI_JCV_TEST,
    INDEX_CUTOFF,
    NATALIZUMAB_DRUGS,
    STRATIFY_NEGATIVE_BELOW,
    is_stratify_jcv,
    latest_usable_draw,
    unusable_reason,
)
from msinfusion.care.record import Course, PatientRecord, Result
from msinfusion.care.requirements import (
    childbearing_unknown,
    freshness,
    requirement_applies,
    result_window,
    usable_result,
)
from msinfusion.dates import Interval, add_months, completed_months
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Drug, Monitoring

Status = Literal["overdue", "upcoming"]

TEST_KIND = {"lab": "test", "screening": "test", "imaging": "scan", "exam": "exam"}
"""Task kind of a pre-infusion requirement, from the test vocabulary's kind."""


@dataclass(frozen=True)
class DueTask:
    """One task on the due-list; `rule` is the catalog monitoring or requirement id."""

    date: date
    task: str
    test: str | None
    drug: str
    status: Status
    reason: str
    source: str
    rule: str
    kind: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "task": self.task,
            "test": self.test,
            "drug": self.drug,
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "rule": self.rule,
            "kind": self.kind,
        }


# ---------------------------------------------------------------- conditions


@dataclass(frozen=True)
class _JcvStatus:
    status: Literal["negative", "positive"] | None
    index: float | None
    assay: str | None
    drawn: date | None


def _anti_jcv(record: PatientRecord, day: date) -> _JcvStatus:
    """Anti-JCV status from the latest usable draw on or before `day` (convention 6).

    A qualitative positive/negative result decides. A STRATIFY JCV index alone below 0.20 reads as
    negative, the same (unverified) reading as `pml.estimate_for_record`; every other index alone
    reads as positive with that index (the fact base gives no negative cut-off).
    """
    draw, _ = latest_usable_draw(record, day)
    if not draw:
        return _JcvStatus(None, None, None, None)
    statuses = {r.value for r in draw if r.value in ("positive", "negative")}
    indexes = [r for r in draw if isinstance(r.value, float)]
    index = float(indexes[0].value) if indexes else None
    assay = indexes[0].assay if indexes else None
    if statuses:
        status: Literal["negative", "positive"] = (
            "negative" if statuses == {"negative"} else "positive"
        )
    elif index is None:
        return _JcvStatus(None, None, None, draw[0].date)
    elif is_stratify_jcv(assay) and index < STRATIFY_NEGATIVE_BELOW:
        status = "negative"
    else:
        status = "positive"
    return _JcvStatus(status, index, assay, draw[0].date)


def _is_anti_jcv_negative(record: PatientRecord, day: date) -> bool:
    return _anti_jcv(record, day).status == "negative"


def _is_low_index_after_24_months(record: PatientRecord, day: date) -> bool:
    """Convention 6: positive, index ≤1.5, no prior immunosuppressant, exposure past 24 months.

    Exposure is completed calendar months since the first natalizumab (or natalizumab-sztn)
    infusion (convention 4). An index from another assay cannot be banded (convention 5), so it is
    treated as possibly low: retesting is the cautious side.
    """
    jcv = _anti_jcv(record, day)
    if jcv.status != "positive" or jcv.index is None or record.prior_immunosuppressants:
        return False
    if jcv.index > INDEX_CUTOFF and is_stratify_jcv(jcv.assay):
        return False
    firsts = [a.date for d in NATALIZUMAB_DRUGS for a in record.administrations_of(d)[:1]]
    return bool(firsts) and completed_months(min(firsts), day) > 24


def _has_childbearing_potential(record: PatientRecord, day: date) -> bool:
    """Unless the record says False (unknown applies, as in `requirements.requirement_applies`)."""
    return record.childbearing_potential is not False


ConditionCheck = Callable[[PatientRecord, date], bool]

CONDITIONS: dict[str, tuple[ConditionCheck, str]] = {
    "anti_jcv_negative": (_is_anti_jcv_negative, "anti-JCV negative"),
    "anti_jcv_low_index_after_24_months": (
        _is_low_index_after_24_months,
        "anti-JCV positive with an index ≤1.5, no prior immunosuppressant, past 24 months of "
        "natalizumab exposure",
    ),
    "childbearing_potential": (_has_childbearing_potential, "the patient may become pregnant"),
}
"""Named predicates a catalog monitoring item may use as `condition`, evaluated on a date."""


def condition_change_days(record: PatientRecord) -> list[date]:
    """Every day on which a registered condition can change its value, sorted.

    Anti-JCV status changes only when a new draw is dated (whether a draw is usable depends on its
    own date, not on the day asked); exposure-based conditions change when completed months tick
    over, checked here for the months around the 24-month boundary.
    """
    days = {
        r.date for test in (ANTI_JCV_TEST, ANTI_JCV_STATUS_TEST) for r in record.results_of(test)
    }
    firsts = [a.date for d in NATALIZUMAB_DRUGS for a in record.administrations_of(d)[:1]]
    if firsts:
        first = min(firsts)
        days.update(add_months(first, m) for m in range(24, 27))
    return sorted(days)


def condition(name: str) -> tuple[ConditionCheck, str]:
    """The predicate and its description; CareError naming the condition if it is unknown."""
    try:
        return CONDITIONS[name]
    except KeyError:
        known = ", ".join(sorted(CONDITIONS))
        raise CareError(
            "monitoring.condition", f"unknown monitoring condition {name!r}; known: {known}"
        ) from None


# ---------------------------------------------------------------- treatment facts


@dataclass(frozen=True)
class _Treatment:
    drug: Drug
    course: Course | None
    plan: Plan | None  # None once the course has stopped
    given: tuple[date, ...]  # every administration of the drug
    course_given: tuple[date, ...]  # administrations of the current course

    @property
    def stopped(self) -> date | None:
        return self.course.stop if self.course else None


def _anchors(item: Monitoring, t: _Treatment, record: PatientRecord) -> list[tuple[date, str]]:
    if item.start == "first_infusion":
        if not t.course_given:
            return []
        return [(t.course_given[0], "the first infusion of the current course")]
    if item.start == "each_infusion":
        return [(d, "the infusion") for d in t.course_given]
    if item.start == "last_infusion":
        return [(t.given[-1], "the last infusion")] if t.given else []
    if item.start == "course_last_infusion":
        if not t.given:
            return []
        last, what = t.given[-1], "the last infusion of the latest course"
        if t.plan and t.plan.infusions and not t.plan.infusions[0].block_start:
            for planned in t.plan.infusions:  # a course in progress ends on its last planned day
                if planned.block_start:
                    break
                last, what = planned.date, "the last planned day of the current course"
        return [(last, what)]
    if item.start == "stop":
        return [(t.stopped, "stopping treatment")] if t.stopped else []
    program = t.drug.program  # latest_authorization
    if program is None:
        return []
    actions = [p for p in record.programs if p.program == program.program]
    granted = [p.date for p in actions if p.action in program.authorizing_actions]
    if not granted:
        return []
    latest = max(granted)
    if any(p.action == "discontinued" and p.date >= latest for p in actions):
        return []
    return [(latest, f"the latest {program.name} authorization")]


def _end(item: Monitoring, t: _Treatment) -> date | None:
    """The last day the item can fall due (inclusive), or None while it has no end."""
    if item.until == "treatment_stop":
        return t.stopped
    if item.until == "after_last_infusion":
        assert item.until_interval is not None
        return item.until_interval.after(t.given[-1]) if t.given else None
    if item.until == "after_stop":
        assert item.until_interval is not None
        return item.until_interval.after(t.stopped) if t.stopped else None
    return None


# ---------------------------------------------------------------- schedules


def _times(every: Interval, k: int) -> Interval:
    return Interval(days=every.days * k, weeks=every.weeks * k, months=every.months * k)


def _fixed_dates(item: Monitoring, anchor: date, what: str) -> Iterator[tuple[date, str]]:
    """Offsets after the anchor, then base + k x every (base = anchor + last offset, or anchor)."""
    on = f"{what} on {anchor.isoformat()}"
    for offset in item.offsets:
        yield offset.after(anchor), (f"at {on}" if offset.is_zero else f"{offset} after {on}")
    if item.every is None or item.counts_from_result:
        return
    base, base_what = _base(item, anchor, on)
    k = 1
    while True:
        yield _times(item.every, k).after(base), f"{_times(item.every, k)} after {base_what}"
        k += 1


def _base(item: Monitoring, anchor: date, on: str) -> tuple[date, str]:
    """Where repeats count from: the last offset's date, or the anchor itself."""
    if not item.offsets or item.offsets[-1].is_zero:
        return anchor, on
    base = item.offsets[-1].after(anchor)
    return base, f"{base.isoformat()} ({item.offsets[-1]} after {on})"


@dataclass(frozen=True)
class _Occurrence:
    due: date
    why: str
    met: bool


class _Schedule:
    """Walks one item from one anchor up to `stop_at`, yielding each occurrence and whether it is met."""

    def __init__(
        self, item: Monitoring, record: PatientRecord, anchor: date, what: str, test_name: str
    ):
        self.item, self.anchor, self.what, self.test_name = item, anchor, what, test_name
        self.results = _counting_results(record, item.test) if item.test else ()
        self.check, self.cond_what = condition(item.condition) if item.condition else (None, "")
        self.record = record
        self._changes: list[date] | None = None

    def _condition_day(self, due: date, before: date | None, stop_at: date) -> date | None:
        """`due` if the condition holds then, else the first later day it holds before `before`.

        Conditions only change on the record's own dates (a new anti-JCV draw, exposure passing a
        month boundary), so only those days are tried after `due`, not every calendar day.
        """
        if self.check is None or self.check(self.record, due):
            return due
        limit = min(before, stop_at + timedelta(days=1)) if before else stop_at
        for day in self._change_days():
            if due < day < limit and self.check(self.record, day):
                return day
        return None

    def _change_days(self) -> list[date]:
        if self._changes is None:
            self._changes = condition_change_days(self.record)
        return self._changes

    def _when(self, due: date, shifted: date, why: str) -> tuple[date, str]:
        if not self.cond_what:
            return due, why
        if shifted != due:
            return shifted, (
                f"{why} ({due.isoformat()}); applies only when {self.cond_what}: "
                f"from {shifted.isoformat()}"
            )
        return due, f"{why}; applies while {self.cond_what}"

    def walk(self, stop_at: date) -> Iterator[_Occurrence]:
        yield from self._walk_fixed(stop_at)
        if self.item.counts_from_result and self.item.every is not None:
            yield from self._walk_from_results(stop_at)

    def _walk_fixed(self, stop_at: date) -> Iterator[_Occurrence]:
        """Each result counts once: the first unused one in [due - gap/2, next due)."""
        dates = _fixed_dates(self.item, self.anchor, self.what)
        previous, unused = self.anchor, 0
        current = next(dates, None)
        while current is not None and current[0] <= stop_at:
            following = next(dates, None)
            due, why = current
            if following is None and self.item.counts_from_result and self.item.every:
                after: date | None = self.item.every.after(due)
            else:
                after = following[0] if following else None
            shifted = self._condition_day(due, after, stop_at)
            if shifted is not None:
                low = due - timedelta(days=(due - previous).days // 2)
                met = False
                for i in range(unused, len(self.results)):
                    day = self.results[i].date
                    if after is not None and day >= after:
                        break
                    if day >= low:
                        met, unused = True, i + 1
                        break
                yield _Occurrence(*self._when(due, shifted, why), met=met)
            previous, current = due, following

    def _walk_from_results(self, stop_at: date) -> Iterator[_Occurrence]:
        """Convention 7: `every` after the latest result since the anchor, else after the base."""
        assert self.item.every is not None
        every = self.item.every
        ref, ref_what = _base(self.item, self.anchor, f"{self.what} on {self.anchor.isoformat()}")
        floor, k = self.anchor, 1  # results after `floor` have not been used yet
        name = self.test_name
        while True:
            due = _times(every, k).after(ref)
            if due > stop_at:
                return
            fresh = [r for r in self.results if floor < r.date <= due]
            late = [r for r in self.results if r.date > due and r.date > floor]
            if fresh or late:
                # met on time (latest result so far) or late (first result after the due date):
                # either way the schedule continues from that result
                used = fresh[-1] if fresh else late[0]
                yield _Occurrence(due, "", met=True)
                ref, floor, k = used.date, used.date, 1
                ref_what = f"the previous {name} result on {used.date.isoformat()}"
                continue
            following = _times(every, k + 1).after(ref)
            shifted = self._condition_day(due, following, stop_at)
            if shifted is not None:
                why = f"{_times(every, k)} after {ref_what}"
                yield _Occurrence(*self._when(due, shifted, why), met=False)
            k += 1


def _counting_results(record: PatientRecord, test: str) -> tuple[Result, ...]:
    """Results that count as doing a task on `test`, oldest first.

    An anti-JCV retest is done by an index or a positive/negative result, unless the draw is not
    usable after IVIG or plasma exchange (convention 6).
    """
    if test not in (ANTI_JCV_TEST, ANTI_JCV_STATUS_TEST):
        return record.results_of(test)
    draws = record.results_of(ANTI_JCV_TEST) + record.results_of(ANTI_JCV_STATUS_TEST)
    usable = [r for r in draws if unusable_reason(record, r.date) is None]
    return tuple(sorted(usable, key=lambda r: r.date))


# ---------------------------------------------------------------- the due-list


def due_list(
    record: PatientRecord,
    today: date,
    until: date | None = None,
    *,
    catalog: Catalog | None = None,
) -> list[DueTask]:
    """Every monitoring and pre-infusion task of the record, overdue or due by `until`.

    `until` defaults to 12 calendar months after `today`. Sorted by (date, drug, task). Raises
    CareError for an unknown monitoring condition in the catalog, an `until` before `today`, or a
    plan the record cannot give (e.g. rituximab without a chosen regimen).
    """
    catalog = catalog or default_catalog()
    until = until or add_months(today, 12)
    if until < today:
        raise CareError("until", f"must not be before today ({today.isoformat()})")
    tasks: list[DueTask] = []
    for drug_id in record.drugs:
        drug = catalog.drug(drug_id)
        for item in drug.monitoring:
            if item.condition:
                condition(item.condition)  # an unknown name fails even when nothing is due
        course = current_course(record, drug)
        ongoing = course is None or course.stop is None
        plan = plan_infusions(drug, record=record, until=until, today=today) if ongoing else None
        treatment = _Treatment(
            drug,
            course,
            plan,
            tuple(a.date for a in record.administrations_of(drug.id)),
            tuple(a.date for a in history_for(record, drug, course)),
        )
        for item in drug.monitoring:
            if item.region is None or item.region == record.region:
                name = catalog.test(item.test).name if item.test else ""
                tasks.extend(_item_tasks(item, treatment, record, name, today, until))
        if plan is not None:
            tasks.extend(_requirement_tasks(drug, plan, record, catalog, today, until))
    return sorted(tasks, key=lambda t: (t.date, t.drug, t.task, t.rule))


def _item_tasks(
    item: Monitoring,
    t: _Treatment,
    record: PatientRecord,
    test_name: str,
    today: date,
    until: date,
) -> list[DueTask]:
    end = _end(item, t)
    if end is not None and end < today:
        return []  # the monitoring period is over
    stop_at = min(end, until) if end else until
    confirmable = item.test is not None or item.start == "latest_authorization"
    look_back = today - (until - today)
    upcoming: list[DueTask] = []
    overdue: list[tuple[date, str]] = []
    for anchor, what in _anchors(item, t, record):
        pending: tuple[date, str] | None = None
        for occ in _Schedule(item, record, anchor, what, test_name).walk(stop_at):
            if occ.met:
                pending = None
            elif occ.due >= today:
                upcoming.append(_task(item, t, occ.due, "upcoming", occ.why, end))
            elif (pending is None) if confirmable else (occ.due >= look_back):
                # confirmable: keep the oldest unmet; otherwise the most recent one
                pending = (occ.due, occ.why)
        if pending:
            overdue.append(pending)
    if overdue:
        due, why = min(overdue) if confirmable else max(overdue)
        note = (
            f"no {test_name} result since it fell due"
            if item.test
            else "no newer authorization is recorded"
            if confirmable
            else "the record cannot show whether it was done: confirm"
        )
        upcoming.append(_task(item, t, due, "overdue", f"{why}; overdue: {note}", end))
    return upcoming


def _task(
    item: Monitoring, t: _Treatment, due: date, status: Status, why: str, end: date | None
) -> DueTask:
    if end is not None:
        why += f"; monitoring runs until {end.isoformat()}"
    return DueTask(
        date=due,
        task=item.task,
        test=item.test,
        drug=t.drug.id,
        status=status,
        reason=why,
        source=str(item.source),
        rule=item.id,
        kind=item.kind,
    )


def _requirement_tasks(
    drug: Drug, plan: Plan, record: PatientRecord, catalog: Catalog, today: date, until: date
) -> list[DueTask]:
    """A task for every requirement an infusion in [today, until] still lacks a usable result for."""
    tasks = []
    for infusion in plan.infusions:
        if not today <= infusion.date <= until:
            continue
        for req in drug.requirements:
            if not requirement_applies(req, record, infusion):
                continue
            previous = infusion.previous_dose
            test = catalog.test(req.test)
            valid = test.valid_days
            if usable_result(record, req, infusion.date, previous, valid_days=valid) is not None:
                continue
            window = result_window(req, infusion.date, previous, valid_days=valid)
            fresh = freshness(req, valid)
            rule = "any earlier result counts" if fresh == "any date" else f"result must be {fresh}"
            reason = (
                f"before {infusion.label} on {infusion.date.isoformat()}: "
                f"{req.message.rstrip('.')}; {rule} (draw {window.describe()})"
            )
            if childbearing_unknown(req, record):
                reason += "; applies because childbearing potential is not recorded"
            tasks.append(
                DueTask(
                    date=window.by,
                    task=test.name,
                    test=req.test,
                    drug=drug.id,
                    status="overdue" if window.by < today else "upcoming",
                    reason=reason,
                    source=str(req.source),
                    rule=req.id,
                    kind=TEST_KIND[test.kind],
                )
            )
    return tasks
