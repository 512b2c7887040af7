"""The symptom diary: one current entry per day, edits supersede, history kept, bad input refused."""

from __future__ import annotations

from datetime import date

import pytest

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic.models import DiaryEntry

DAY = {"date": "2026-01-09", "fatigue": "6", "walking": "3", "notes": "long day", "relapse": ""}


def save(client, world, data):
    client.force_login(world.patient_user)
    return client.post("/me/diary/", data)


def test_an_entry_is_saved_with_only_the_given_ratings(client, world, frozen):
    response = save(client, world, DAY)
    assert response.status_code == 302 and response["Location"] == "/me/diary/"
    entry = DiaryEntry.current.get()
    assert (entry.patient, entry.date, entry.ratings, entry.notes, entry.relapse) == (
        world.patient,
        date(2026, 1, 9),
        {"fatigue": 6, "walking": 3},
        "long day",
        False,
    )
    assert entry.entered_by == world.patient_user
    assert AuditEvent.objects.get().action == "C"


def test_saving_the_same_day_again_supersedes_and_keeps_history(client, world, frozen):
    save(client, world, DAY)
    first = DiaryEntry.current.get()
    save(client, world, {**DAY, "fatigue": "8", "relapse": "on"})
    second = DiaryEntry.current.get()
    assert second.pk != first.pk
    assert (second.ratings, second.relapse) == ({"fatigue": 8, "walking": 3}, True)
    first.refresh_from_db()
    assert first.superseded_by == second
    assert first.ratings == {"fatigue": 6, "walking": 3}  # the earlier words are kept
    assert DiaryEntry.objects.count() == 2
    # and a third save chains on
    save(client, world, {**DAY, "fatigue": "2"})
    third = DiaryEntry.current.get()
    second.refresh_from_db()
    assert second.superseded_by == third
    assert DiaryEntry.objects.count() == 3


def test_saving_an_identical_day_adds_no_row(client, world, frozen):
    save(client, world, DAY)
    response = save(client, world, DAY)
    assert response.status_code == 302
    assert DiaryEntry.objects.count() == 1


def test_different_days_are_separate_entries(client, world, frozen):
    save(client, world, DAY)
    save(client, world, {**DAY, "date": "2026-01-10"})
    assert DiaryEntry.current.count() == 2
    assert DiaryEntry.objects.filter(superseded_by__isnull=False).count() == 0


def test_entries_of_other_patients_are_untouched(client, world, frozen):
    save(client, world, DAY)
    client.force_login(world.other_patient_user)
    client.post("/me/diary/", {**DAY, "fatigue": "1"})
    assert DiaryEntry.current.count() == 2
    assert DiaryEntry.current.get(patient=world.patient).ratings["fatigue"] == 6


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**DAY, "fatigue": "11"}, "fatigue", "Ensure this value is less than or equal to 10."),
        ({**DAY, "pain": "-1"}, "pain", "Ensure this value is greater than or equal to 0."),
        ({**DAY, "sleep": "lots"}, "sleep", "Enter a whole number."),
        ({**DAY, "date": "2026-01-11"}, "date", "The day cannot be in the future."),
        ({**DAY, "date": "2026-02-30"}, "date", "Enter a valid date."),
        ({**DAY, "date": "2024-12-31"}, "date", "The diary keeps days of the last year only."),
        ({**DAY, "notes": "x" * 2001}, "notes", None),
        (
            {"date": "2026-01-09"},
            "__all__",
            "Rate at least one symptom, write a note, or tick the relapse box.",
        ),
    ],
)
def test_bad_diary_input_is_400_with_the_error_by_its_field(
    client, world, frozen, data, field, message
):
    response = save(client, world, data)
    assert response.status_code == 400
    errors = list(response.context["form"].errors.get(field, []))
    assert errors
    if message:
        assert errors == [message]
    assert not DiaryEntry.objects.exists()


def test_recent_entries_are_listed_and_edits_are_marked(client, world, frozen):
    save(client, world, DAY)
    save(client, world, {**DAY, "fatigue": "7"})
    save(client, world, {"date": "2026-01-10", "notes": "better"})
    page = client.get("/me/diary/").content.decode()
    assert page.index('datetime="2026-01-10"') < page.index('datetime="2026-01-09"')
    assert '<li class="pill">Tiredness 7</li>' in page
    assert "Tiredness 6" not in page  # the superseded version is not listed
    assert page.count("(changed)") == 1


def test_opening_a_saved_day_prefills_the_form(client, world, frozen):
    save(client, world, DAY)
    response = client.get("/me/diary/?date=2026-01-09")
    form = response.context["form"]
    assert form.initial["fatigue"] == 6
    assert form.initial["notes"] == "long day"
    assert "You already saved this day" in response.content.decode()


@pytest.mark.parametrize("query", ["?date=2026-02-30", "?date=2027-01-01", "?date=soon"])
def test_a_bad_or_future_day_in_the_link_opens_today(client, world, frozen, query):
    client.force_login(world.patient_user)
    response = client.get("/me/diary/" + query)
    assert response.status_code == 200
    assert response.context["form"].initial["date"] == date(2026, 1, 10)
