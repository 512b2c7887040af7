"""Routes of the patient area. The names are a contract other areas link to."""

from django.urls import path, re_path

from msinfusion.web.pages.patient import (
    calendar,
    cycle,
    dashboard,
    diary,
    diary_files,
    reminders,
    results,
)

urlpatterns = [
    path("me/", dashboard.my_dashboard, name="my_dashboard"),
    path("me/results/new", results.result_new, name="my_result_new"),
    path("me/diary/", diary.my_diary, name="my_diary"),
    path("me/diary/cycle", cycle.my_cycle, name="my_cycle"),
    path("me/diary/export.csv", diary_files.export_csv, name="my_diary_csv"),
    path("me/diary/export.fhir.json", diary_files.export_fhir, name="my_diary_fhir"),
    path("me/diary/import", diary_files.import_diary, name="my_diary_import"),
    path("me/diary/reminder", reminders.set_reminder, name="my_diary_reminder"),
    path("me/calendar/rotate", calendar.rotate, name="my_calendar_rotate"),
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{1,64})\.ics$",
        calendar.calendar_feed,
        name="calendar_feed",
    ),
    path(
        "patients/<int:patient_id>/results/<int:result_id>/file",
        results.result_file,
        name="result_file",
    ),
]
