"""A patient's treatment as an RFC 5545 calendar that phone calendars can subscribe to.

What the feed holds (decisions, so calendar apps behave well):
- **Planned infusions are all-day events** on their due date. The plan gives a due date and a
  booking window, not an appointment time; a timed event (say 09:00) would tell the patient to turn
  up at an hour nobody booked. How long to plan for (chair time: premedication, infusion and
  observation) and the booking window are in the description. When bookings exist, they can become
  timed events with the same UID.
- **Due tests and scans are all-day events** on the day they fall due. An overdue task is shown on
  the feed's "today" (its title says since when it is overdue), so it stays visible instead of
  sinking into the past; its UID does not change, so the calendar moves it rather than adding one.
- **UIDs are stable**: derived from the patient key and what the event is (drug + infusion number;
  drug + rule + original due date), hashed so no internal id leaks into shared invitations.
  Re-fetching the feed updates events instead of duplicating them.
- Infusions block time (TRANSP OPAQUE); tests and scans do not (TRANSPARENT).
- **The diary reminder** (opt-in) is one daily recurring event (RRULE FREQ=DAILY) at the chosen
  time, with a VALARM that rings at its start. Its time is *floating* (no time zone): "20:00
  wherever the phone is", which is what a personal reminder means; it starts on the day it was
  switched on, so its UID and DTSTART stay the same across fetches. It is 5 minutes long and does
  not block time (TRANSPARENT). Calendar apps that ignore alarms in subscribed feeds still show it.

Pure domain: input is a `PatientSummary`, output an `icalendar.Calendar` / bytes. No Django.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event, vDuration

from msinfusion.care.monitoring import DueTask
from msinfusion.care.patient_guide import date_text, drug_title, plan_for
from msinfusion.care.plan import PlannedInfusion
from msinfusion.care.summary import PatientSummary
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.knowledge.model import Drug

PRODID = "-//msinfusion//patient treatment calendar//EN"
UID_DOMAIN = "msinfusion"
REFRESH = timedelta(hours=12)
TASK_WORDS = {"test": "Test due", "scan": "Scan due", "exam": "Check-up due", "program": "Form due"}


@dataclass(frozen=True)
class Place:
    """Where infusions happen (the patient's center)."""

    name: str
    address: str = ""
    phone: str = ""

    @property
    def location(self) -> str:
        return ", ".join(p for p in (self.name, self.address) if p)


def event_uid(seed: str, *parts: object) -> str:
    """A stable, opaque UID: the same seed and parts always give the same UID."""
    key = "|".join([seed, *(str(p) for p in parts)])
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def _all_day(event: Event, day: date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))


def infusion_event(
    infusion: PlannedInfusion, drug: Drug, *, seed: str, stamp: datetime, place: Place | None
) -> Event:
    event = Event()
    event.add("uid", event_uid(seed, "infusion", drug.id, infusion.number))
    event.add("dtstamp", stamp)
    _all_day(event, infusion.date)
    event.add("summary", f"Infusion: {drug_title(drug)}, {infusion.label}")
    how_long = plan_for(infusion.chair, drug)
    lines = [
        f"Due {date_text(infusion.date)}.",
        f"Plan for about {how_long.total} at the center: "
        + "; ".join(f"{what.lower()}: {length}" for what, length in how_long.parts)
        + ".",
    ]
    if how_long.shorter:
        lines.append(how_long.shorter)
    if infusion.earliest != infusion.latest:
        lines.append(
            f"It can be booked between {date_text(infusion.earliest)} and "
            f"{date_text(infusion.latest)}."
        )
    lines.append(f"Why this date: {infusion.why}.")
    if place is not None and place.phone:
        lines.append(f"Questions: call {place.name} at {place.phone}.")
    lines.append(f"Source: {how_long.source}.")
    event.add("description", "\n".join(lines))
    if place is not None and place.location:
        event.add("location", place.location)
    event.add("transp", "OPAQUE")
    event.add("categories", ["Infusion"])
    return event


def task_event(task: DueTask, *, seed: str, stamp: datetime, today: date) -> Event:
    event = Event()
    event.add("uid", event_uid(seed, "task", task.drug, task.rule, task.date.isoformat()))
    event.add("dtstamp", stamp)
    overdue = task.status == "overdue"
    _all_day(event, max(task.date, today) if overdue else task.date)
    words = TASK_WORDS.get(task.kind, "Due")
    title = f"{words}: {task.task}"
    if overdue:
        title = f"Overdue since {date_text(task.date)}: {task.task}"
    event.add("summary", title)
    event.add("description", f"{task.reason}.\nSource: {task.source}.")
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Overdue" if overdue else words.removesuffix(" due")])
    return event


@dataclass(frozen=True)
class DiaryReminder:
    """The opt-in daily reminder to fill in the symptom diary."""

    since: date
    at: time = time(20, 0)


DIARY_REMINDER_TITLE = "Fill in my symptom diary"


def diary_reminder_event(reminder: DiaryReminder, *, seed: str, stamp: datetime) -> Event:
    """One daily recurring event with an alarm at its start (floating local time)."""
    event = Event()
    event.add("uid", event_uid(seed, "diary-reminder"))
    event.add("dtstamp", stamp)
    start = datetime.combine(reminder.since, reminder.at.replace(tzinfo=None))
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=5))
    event.add("rrule", {"freq": "daily"})
    event.add("summary", DIARY_REMINDER_TITLE)
    event.add(
        "description",
        "How are you today? Rate your symptoms in the app: it takes under a minute. "
        "You can turn this reminder off on your diary page.",
    )
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Diary"])
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", DIARY_REMINDER_TITLE)
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event


def calendar_for(
    summary: PatientSummary,
    *,
    seed: str,
    generated: datetime,
    place: Place | None = None,
    name: str = "My MS treatment",
    catalog: Catalog | None = None,
    diary_reminder: DiaryReminder | None = None,
) -> Calendar:
    """The patient's planned infusions and due tasks (the summary's horizon) as a calendar.

    `seed` keys the UIDs (use something stable per patient, not a secret that rotates);
    `generated` is the DTSTAMP of every event (timezone-aware). With `diary_reminder`, the daily
    diary reminder is added.
    """
    if generated.tzinfo is None:
        raise ValueError("generated must be timezone-aware")
    catalog = catalog or default_catalog()
    stamp = generated.astimezone(UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    events: list[Event] = []
    for status in summary.drugs:
        if status.plan is None:
            continue
        drug = catalog.drug(status.drug)
        for infusion in status.plan.infusions:
            events.append(infusion_event(infusion, drug, seed=seed, stamp=stamp, place=place))
    for task in summary.due:
        events.append(task_event(task, seed=seed, stamp=stamp, today=summary.today))
    if diary_reminder is not None:
        events.append(diary_reminder_event(diary_reminder, seed=seed, stamp=stamp))
    seen: dict[str, int] = {}
    for event in events:
        uid = str(event["uid"])
        count = seen.get(uid, 0)
        seen[uid] = count + 1
        if count:  # two events for the same thing on the same day: keep both, distinctly
            del event["uid"]
            event.add("uid", uid.replace("@", f"-{count + 1}@", 1))
        cal.add_component(event)
    return cal


def to_ics(calendar: Calendar) -> bytes:
    return calendar.to_ical()
