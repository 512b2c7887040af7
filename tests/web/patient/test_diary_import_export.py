"""Diary export (CSV, FHIR JSON) and import: bad rows reported by line, good rows saved through the
same write as the diary form (history kept), nothing stored lost, one transaction, access audited."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from msinfusion.diary.entries import DiaryDay
from msinfusion.interop.fhir_diary import from_questionnaire_responses, to_bundle
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import DiaryEntry
from msinfusion.web.pages.patient import diary_files
from msinfusion.web.pages.patient.writes import save_diary_entry

HEADER = "date,fatigue,walking,mood,relapse,notes\n"


def upload(client, text: str, name: str = "diary.csv"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")}
    return client.post("/me/diary/import", data)


@pytest.fixture
def logged_in(client, world):
    client.force_login(world.patient_user)
    return client


def stored(patient) -> dict[date, tuple[dict, str, bool]]:
    return {
        e.date: (e.ratings, e.notes, e.relapse) for e in DiaryEntry.current.filter(patient=patient)
    }


def test_good_rows_are_saved_and_counted(logged_in, world, frozen):
    response = upload(logged_in, HEADER + "2026-01-01,6,3,,0,tired\n2026-01-02,,,2,1,\n")
    assert response.status_code == 200
    assert stored(world.patient) == {
        date(2026, 1, 1): ({"fatigue": 6, "walking": 3}, "tired", False),
        date(2026, 1, 2): ({"mood": 2}, "", True),
    }
    assert response.context["counts"] == {"created": 2, "superseded": 0, "unchanged": 0}
    assert all(e.entered_by == world.patient_user for e in DiaryEntry.objects.all())


def test_bad_and_duplicate_rows_are_listed_by_line_and_the_good_rows_kept(logged_in, world, frozen):
    text = (
        HEADER
        + "2026-01-01,6,,,0,\n"  # line 2, good
        + "2026-02-30,5,,,0,\n"  # line 3, impossible date
        + "2026-01-03,11,,,0,\n"  # line 4, rating 11
        + "2026-01-04,3.5,,,0,\n"  # line 5, not whole
        + "2026-01-01,2,,,0,\n"  # line 6, duplicate of line 2
        + "2026-01-11,2,,,0,\n"  # line 7, tomorrow at the center
        + "2026-01-05,,4,,0,\n"  # line 8, good
    )
    response = upload(logged_in, text)
    assert response.status_code == 200
    problems = response.context["problems"]
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in (3, 4, 5, 6, 7)]
    assert "line 4: fatigue: 11 is outside 0 to 10" in problems[1]
    body = response.content.decode()
    assert "5 rows left out" in body and "line 6: date: 2026-01-01 is already on line 2" in body
    assert set(stored(world.patient)) == {date(2026, 1, 1), date(2026, 1, 5)}
    assert stored(world.patient)[date(2026, 1, 1)][0] == {"fatigue": 6}


def test_an_unreadable_file_changes_nothing(logged_in, world, frozen):
    save_diary_entry(
        world.patient, world.patient_user, date(2026, 1, 2), {"pain": 4}, "kept", False
    )
    before = list(DiaryEntry.objects.values_list("pk", "date", "ratings", "superseded_by"))
    for text in ("date,fatigeu\n2026-01-02,9\n", "", "fatigue\n3\n"):
        response = upload(logged_in, text)
        assert response.status_code == 400
        assert "Nothing was saved" in response.content.decode() or response.context["form"].errors
    response = logged_in.post(
        "/me/diary/import", {"file": SimpleUploadedFile("d.csv", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400 and "UTF-8" in response.content.decode()
    assert list(DiaryEntry.objects.values_list("pk", "date", "ratings", "superseded_by")) == before


def test_importing_a_stored_day_adds_a_version_and_erases_nothing(logged_in, world, frozen):
    old, _ = save_diary_entry(
        world.patient, world.patient_user, date(2026, 1, 2), {"pain": 4, "fatigue": 2}, "mine", True
    )
    upload(logged_in, HEADER + "2026-01-02,7,5,,0,\n")
    current = DiaryEntry.current.get(patient=world.patient, date=date(2026, 1, 2))
    # the file's fatigue and walking win; pain, the notes and the relapse flag stay
    assert (current.ratings, current.notes, current.relapse) == (
        {"pain": 4, "fatigue": 7, "walking": 5},
        "mine",
        True,
    )
    old.refresh_from_db()
    assert old.superseded_by == current and old.ratings == {"pain": 4, "fatigue": 2}
    # the same file again changes nothing
    response = upload(logged_in, HEADER + "2026-01-02,7,5,,0,\n")
    assert response.context["counts"] == {"created": 0, "superseded": 0, "unchanged": 1}
    assert DiaryEntry.objects.filter(patient=world.patient).count() == 2


def test_the_import_is_one_transaction(logged_in, world, frozen, monkeypatch):
    real = diary_files.save_diary_entry
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(diary_files, "save_diary_entry", failing_second)
    with pytest.raises(RuntimeError):
        upload(logged_in, HEADER + "2026-01-01,6,,,0,\n2026-01-02,5,,,0,\n")
    assert DiaryEntry.objects.count() == 0


def test_import_is_audited_as_a_write(logged_in, world, frozen):
    upload(logged_in, HEADER + "2026-01-01,6,,,0,\n")
    row = AuditEvent.objects.get()
    assert (row.patient_id, row.action, row.resource, row.outcome) == (
        world.patient.pk,
        "C",
        "patient.diary.import",
        "success",
    )


def test_a_fhir_bundle_can_be_imported(logged_in, world, frozen):
    days = [DiaryDay(date(2026, 1, 3), {"sleep": 8}, False, "late night")]
    response = upload(logged_in, json.dumps(to_bundle("Patient/x", days)), "diary.json")
    assert response.status_code == 200
    assert stored(world.patient) == {date(2026, 1, 3): ({"sleep": 8}, "late night", False)}


def test_csv_export_holds_only_my_current_days(logged_in, world, frozen):
    save_diary_entry(world.patient, world.patient_user, date(2026, 1, 2), {"pain": 4}, "a", False)
    save_diary_entry(world.patient, world.patient_user, date(2026, 1, 2), {"pain": 5}, "b", False)
    save_diary_entry(
        world.other_patient, world.other_patient_user, date(2026, 1, 3), {"mood": 1}, "", False
    )
    response = logged_in.get("/me/diary/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode().splitlines() == [
        "date,fatigue,walking,pain,numbness,bladder,cognition,mood,sleep,relapse,notes",
        "2026-01-02,,,5,,,,,,0,b",
    ]
    row = AuditEvent.objects.get()
    assert (row.patient_id, row.action, row.resource) == (
        world.patient.pk,
        "R",
        "patient.diary.export",
    )


def test_fhir_export_round_trips(logged_in, world, frozen):
    save_diary_entry(world.patient, world.patient_user, date(2026, 1, 2), {"pain": 4}, "", True)
    response = logged_in.get("/me/diary/export.fhir.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    bundle = json.loads(response.content)
    assert bundle["entry"][0]["resource"]["subject"] == {"reference": f"Patient/{world.patient.pk}"}
    assert from_questionnaire_responses(bundle) == (
        [DiaryDay(date(2026, 1, 2), {"pain": 4}, True, "")],
        [],
    )


@pytest.mark.parametrize(
    "url", ["/me/diary/export.csv", "/me/diary/export.fhir.json", "/me/diary/import"]
)
@pytest.mark.parametrize("actor", ["nurse", "neurologist", "other_center_nurse", "center_admin"])
def test_staff_cannot_use_the_patient_diary_files(client, world, url, actor):
    client.force_login(getattr(world, actor))
    assert client.get(url).status_code == 403


def test_another_patient_gets_their_own_diary_only(client, world, frozen):
    save_diary_entry(world.patient, world.patient_user, date(2026, 1, 2), {"pain": 4}, "", False)
    client.force_login(world.other_patient_user)
    assert "2026-01-02" not in client.get("/me/diary/export.csv").content.decode()
    upload(client, HEADER + "2026-01-02,1,,,0,\n")
    assert stored(world.patient) == {date(2026, 1, 2): ({"pain": 4}, "", False)}


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/me/diary/export.csv")
    assert response.status_code == 302 and "/login/" in response["Location"]
