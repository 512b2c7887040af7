"""The patient calendar feed as RFC 5545: infusions and due tasks as stable all-day events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import summarize
from msinfusion.interop.ical import Place, calendar_for, event_uid, to_ics

D = date.fromisoformat
GENERATED = datetime(2026, 1, 10, 15, 0, tzinfo=UTC)


def ocrelizumab_patient() -> PatientRecord:
    """Infusion 1 of ocrelizumab on 2026-01-05 (OCR-D1: infusion 2 fourteen days later)."""
    return PatientRecord.from_dict(
        {
            "id": "7",
            "childbearing_potential": False,
            "courses": [{"drug": "ocrelizumab", "start": "2026-01-05"}],
            "administrations": [{"drug": "ocrelizumab", "date": "2026-01-05", "dose_mg": 300}],
            "results": [{"test": "hbsag", "value": "negative", "date": "2025-12-20"}],
        }
    )


def parse(record: PatientRecord, today: date, generated: datetime = GENERATED) -> Calendar:
    cal = calendar_for(
        summarize(record, today),
        seed="patient-7",
        generated=generated,
        place=Place("Lakeside Infusion Center", "1 Lake Road", "555-0100"),
    )
    return Calendar.from_ical(to_ics(cal))


def events(cal: Calendar) -> list:
    return list(cal.walk("VEVENT"))


def test_planned_infusions_are_all_day_events_on_their_due_dates():
    cal = parse(ocrelizumab_patient(), D("2026-01-10"))
    infusions = [e for e in events(cal) if str(e["summary"]).startswith("Infusion:")]
    # OCR-D1/D2: 2026-01-19, then 24 weeks after infusion 1 (2026-06-22), then 24 weeks later
    assert [e.decoded("dtstart") for e in infusions] == [
        D("2026-01-19"),
        D("2026-06-22"),
        D("2026-12-07"),
    ]
    first = infusions[0]
    assert str(first["summary"]) == "Infusion: Ocrevus (ocrelizumab), initial dose 2 of 2"
    assert first.decoded("dtend") == D("2026-01-20")  # exclusive end: one whole day
    assert not isinstance(first.decoded("dtstart"), datetime)
    assert "Plan for about 4 hours" in str(first["description"])
    assert str(first["location"]) == "Lakeside Infusion Center, 1 Lake Road"
    assert str(first["transp"]) == "OPAQUE"
    assert first.decoded("dtstamp") == GENERATED


def test_calendar_header_names_the_feed_and_its_refresh():
    cal = parse(ocrelizumab_patient(), D("2026-01-10"))
    assert str(cal["version"]) == "2.0"
    assert str(cal["prodid"]).startswith("-//msinfusion//")
    assert str(cal["x-wr-calname"]) == "My MS treatment"
    assert cal.decoded("refresh-interval") == timedelta(hours=12)


def test_due_tasks_are_transparent_all_day_events():
    cal = parse(ocrelizumab_patient(), D("2026-01-10"))
    tasks = [e for e in events(cal) if str(e["transp"]) == "TRANSPARENT"]
    # OCR-M2: immunoglobulins yearly from the first infusion (2026-01-05)
    igg = next(e for e in tasks if "Serum immunoglobulins" in str(e["summary"]))
    assert str(igg["summary"]) == "Test due: Serum immunoglobulins"
    assert igg.decoded("dtstart") == D("2027-01-05")
    assert "OCR-M2" in str(igg["description"])


def test_uids_are_stable_across_requests_and_unique():
    first = parse(ocrelizumab_patient(), D("2026-01-10"))
    again = parse(ocrelizumab_patient(), D("2026-01-12"), GENERATED + timedelta(days=2))
    uids = [str(e["uid"]) for e in events(first)]
    assert len(uids) == len(set(uids))
    assert uids == [str(e["uid"]) for e in events(again)]
    assert all(u.endswith("@msinfusion") and "patient-7" not in u for u in uids)


def test_the_next_infusion_keeps_its_uid_when_its_date_moves():
    uid = event_uid("patient-7", "infusion", "ocrelizumab", 2)
    before = {str(e["uid"]): e for e in events(parse(ocrelizumab_patient(), D("2026-01-10")))}
    given_later = PatientRecord.from_dict(
        {"administrations": [{"drug": "ocrelizumab", "date": "2026-01-08", "dose_mg": 300}]}
    )
    moved_record = ocrelizumab_patient().model_copy(
        update={"administrations": given_later.administrations}
    )
    after = {str(e["uid"]): e for e in events(parse(moved_record, D("2026-01-10")))}
    assert before[uid].decoded("dtstart") == D("2026-01-19")
    assert after[uid].decoded("dtstart") == D("2026-01-22")  # 14 days after 2026-01-08


def test_an_overdue_task_shows_on_today_and_says_since_when():
    # at 2027-02-01 the yearly IgG (due 2027-01-05) has no result: overdue
    cal = parse(ocrelizumab_patient(), D("2027-02-01"))
    overdue = next(e for e in events(cal) if "Serum immunoglobulins" in str(e["summary"]))
    assert str(overdue["summary"]) == "Overdue since Tue 5 Jan 2027: Serum immunoglobulins"
    assert overdue.decoded("dtstart") == D("2027-02-01")
    assert str(overdue["uid"]) == event_uid(
        "patient-7", "task", "ocrelizumab", "ocr.immunoglobulins", "2027-01-05"
    )


def test_a_record_without_treatment_gives_an_empty_calendar():
    cal = parse(PatientRecord(id="9"), D("2026-01-10"))
    assert events(cal) == []


def test_generated_time_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar_for(
            summarize(ocrelizumab_patient(), D("2026-01-10")),
            seed="x",
            generated=datetime(2026, 1, 10, 12, 0),
        )
