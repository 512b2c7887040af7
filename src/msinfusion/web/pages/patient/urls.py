"""Routes of the patient area. The names are a contract other areas link to."""

from django.urls import path, re_path

from msinfusion.web.pages.patient import calendar, dashboard, diary, results

urlpatterns = [
    path("me/", dashboard.my_dashboard, name="my_dashboard"),
    path("me/results/new", results.result_new, name="my_result_new"),
    path("me/diary/", diary.my_diary, name="my_diary"),
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
