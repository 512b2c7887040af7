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

The conditions live in `care.monitoring_conditions`, the walk of one item from one anchor in
`care.monitoring_schedule` (by arithmetic, for items whose schedule needs no walk, in
`care.monitoring_arithmetic`) and the pre-infusion tasks in `care.monitoring_requirements`; this
module puts the list together.
"""

from __future__ import annotations

from datetime import date
from operator import attrgetter
from typing import Any

from msinfusion.care import monitoring_schedule
from msinfusion.care.calendar_cache import add_months
from msinfusion.care.due_task import TEST_KIND, DueTask, Status
from msinfusion.care.lazy_text import build_shared
from msinfusion.care.monitoring_arithmetic import (
    arithmetic_kind,
    from_results_occurrences,
    untested_occurrences,
)
from msinfusion.care.monitoring_conditions import (
    CONDITIONS,
    ConditionCheck,
    condition,
    condition_change_days,
)
from msinfusion.care.monitoring_requirements import requirement_tasks as _requirement_tasks
from msinfusion.care.monitoring_schedule import Occurrence, Schedule, counting_result_days
from msinfusion.care.plan import Plan, current_course, history_for, plan_infusions
from msinfusion.care.record import Administration, Course, PatientRecord
from msinfusion.errors import CareError
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Drug, Monitoring

__all__ = [
    "CONDITIONS",
    "TEST_KIND",
    "ConditionCheck",
    "DueTask",
    "Status",
    "condition",
    "condition_change_days",
    "due_list",
]

# ---------------------------------------------------------------- treatment facts


class _Treatment:
    """What the due-list reads about one drug of the record."""

    __slots__ = ("course", "course_given", "drug", "given", "plan", "stopped")

    def __init__(
        self,
        drug: Drug,
        course: Course | None,
        plan: Plan | None,  # None once the course has stopped
        given: tuple[Administration, ...],  # every administration of the drug, oldest first
        course_given: tuple[Administration, ...],  # administrations of the current course
    ) -> None:
        self.drug, self.course, self.plan = drug, course, plan
        self.given, self.course_given = given, course_given
        self.stopped: date | None = course.stop if course else None


def _anchors(item: Monitoring, t: _Treatment, record: PatientRecord) -> list[tuple[date, str]]:
    if item.start == "first_infusion":
        if not t.course_given:
            return []
        return [(t.course_given[0].date, "the first infusion of the current course")]
    if item.start == "each_infusion":
        return [(a.date, "the infusion") for a in t.course_given]
    if item.start == "last_infusion":
        return [(t.given[-1].date, "the last infusion")] if t.given else []
    if item.start == "course_last_infusion":
        if not t.given:
            return []
        last, what = t.given[-1].date, "the last infusion of the latest course"
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
        return item.until_interval.after(t.given[-1].date) if t.given else None
    if item.until == "after_stop":
        assert item.until_interval is not None
        return item.until_interval.after(t.stopped) if t.stopped else None
    return None


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
    with record.shared_work():  # schedules of one record ask the same conditions and results
        return _due_list(record, today, until, catalog)


def _due_list(record: PatientRecord, today: date, until: date, catalog: Catalog) -> list[DueTask]:
    tasks: list[DueTask] = []
    region = record.region
    look_back = today - (until - today)  # see `_item_tasks`
    for drug_id in record.drugs:
        drug = catalog.drug(drug_id)
        items = _monitoring_items(catalog, drug)
        course = current_course(record, drug)
        ongoing = course is None or course.stop is None
        try:
            plan = (
                plan_infusions(drug, record=record, until=until, today=today) if ongoing else None
            )
        except CareError:
            plan = None  # no plan (e.g. rituximab without a regimen): no pre-infusion tasks;
            # the drug's own status says why, and its monitoring still applies
        treatment = _Treatment(
            drug,
            course,
            plan,
            record.administrations_of(drug.id),
            history_for(record, drug, course),
        )
        for item, item_region, name, fields, confirmable in items:
            if item_region is None or item_region == region:
                anchors = _anchors(item, treatment, record)
                if anchors:  # else nothing falls due
                    tasks.extend(
                        _item_tasks(
                            item,
                            treatment,
                            anchors,
                            record,
                            name,
                            today,
                            until,
                            look_back,
                            fields,
                            confirmable,
                        )
                    )
        if plan is not None:
            tasks.extend(_requirement_tasks(drug, plan, record, catalog, today, until))
    tasks.sort(key=_TASK_ORDER)
    return tasks


def _task_order(task: DueTask) -> tuple[date, str, str, str]:
    return (task.date, task.drug, task.task, task.rule)


_TASK_ORDER = attrgetter("date", "drug", "task", "rule")
"""`_task_order`, read in C: a long due-list sorts dozens of tasks."""


_Items = tuple[tuple[Monitoring, str | None, str, dict[str, Any], bool], ...]
_ITEMS: dict[tuple[int, int], tuple[Catalog, Drug, _Items]]
_ITEMS = {}


def _monitoring_items(catalog: Catalog, drug: Drug) -> _Items:
    """The drug's monitoring items with their region, test name, the fields every task of the
    item shares and whether the record can confirm a task done, read once per catalog.

    Raises CareError for an unknown condition name, every time (nothing is kept then), so that
    an unknown name fails even when nothing is due.
    """
    known = _ITEMS.get((id(catalog), id(drug)))
    if known is not None and known[0] is catalog and known[1] is drug:
        return known[2]
    for item in drug.monitoring:
        if item.condition:
            condition(item.condition)
    items = tuple(
        (
            item,
            item.region,
            catalog.test(item.test).name if item.test else "",
            {
                "task": item.task,
                "test": item.test,
                "drug": drug.id,
                "source": item.source.text,
                "rule": item.id,
                "kind": item.kind,
            },
            item.test is not None or item.start == "latest_authorization",
        )
        for item in drug.monitoring
    )
    if len(_ITEMS) > 256:
        _ITEMS.clear()
    _ITEMS[(id(catalog), id(drug))] = (catalog, drug, items)
    return items


def _item_tasks(
    item: Monitoring,
    t: _Treatment,
    anchors: list[tuple[date, str]],
    record: PatientRecord,
    test_name: str,
    today: date,
    until: date,
    look_back: date,
    fields: dict[str, Any],
    confirmable: bool,
) -> list[DueTask]:
    """The item's tasks from its `anchors` (`_anchors`).

    `fields` are those every task of the item shares and `confirmable` whether the record can
    show a task done (`_monitoring_items`); `look_back` is as far back as the list looks for an
    overdue task the record cannot confirm (`until - today` before today).
    """
    end = _end(item, t)
    if end is not None and end < today:
        return []  # the monitoring period is over
    stop_at = min(end, until) if end else until
    upcoming: list[DueTask] = []
    overdue: list[Occurrence] = []
    kind = arithmetic_kind(item) if monitoring_schedule.JUMP else ""
    for anchor, what in anchors:
        pending: Occurrence | None = None
        if kind:  # no walk from the anchor needed (`care.monitoring_arithmetic`)
            if kind == "untested":
                dated, pending = untested_occurrences(
                    item, anchor, what, stop_at, today, None if confirmable else look_back
                )
            else:
                days = counting_result_days(record, item.test)  # type: ignore[arg-type]
                dated, pending = from_results_occurrences(
                    item, anchor, what, test_name, days, stop_at, today
                )
            for occ in dated:
                upcoming.append(_upcoming(occ, end, fields))
            if pending is not None:
                overdue.append(pending)
            continue
        schedule = Schedule(item, record, anchor, what, test_name)
        # only the most recent occurrence since `look_back` matters for an unconfirmable task,
        # only the oldest of a run of unmet past ones for a confirmable task
        walk = (
            schedule.walk(stop_at, today=today)
            if confirmable
            else schedule.walk(stop_at, since=look_back)
        )
        for occ in walk:
            if occ.met:
                pending = None
            elif occ.due >= today:
                upcoming.append(_upcoming(occ, end, fields))
            elif (pending is None) if confirmable else (occ.due >= look_back):
                # confirmable: keep the oldest unmet; otherwise the most recent one
                pending = occ
        if pending is not None:
            overdue.append(pending)
    if overdue:
        # the oldest (or most recent) due date; equal dates: the smaller sentence
        due = min(o.due for o in overdue) if confirmable else max(o.due for o in overdue)
        same = [o for o in overdue if o.due == due]
        note = (
            f"no {test_name} result since it fell due"
            if item.test
            else "no newer authorization is recorded"
            if confirmable
            else "the record cannot show whether it was done: confirm"
        )
        explain = (_overdue_reason, same, confirmable, note, end)
        upcoming.append(build_shared(DueTask, explain, fields, date=due, status="overdue"))
    return upcoming


def _upcoming(occ: Occurrence, end: date | None, fields: dict[str, Any]) -> DueTask:
    return build_shared(
        DueTask, (_upcoming_reason, occ, end), fields, date=occ.due, status="upcoming"
    )


def _until_end(reason: str, end: date | None) -> dict[str, str]:
    if end is not None:
        reason += f"; monitoring runs until {end.isoformat()}"
    return {"reason": reason}


def _upcoming_reason(occ: Occurrence, end: date | None) -> dict[str, str]:
    return _until_end(occ.why, end)


def _overdue_reason(
    same: list[Occurrence], confirmable: bool, note: str, end: date | None
) -> dict[str, str]:
    """The occurrence's own sentence (of those due that day: the smallest, or for a task the
    record cannot confirm the largest) and what is missing."""
    whys = [o.why for o in same]
    why = min(whys) if confirmable else max(whys)
    return _until_end(f"{why}; overdue: {note}", end)
