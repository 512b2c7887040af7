"""Routes of the center area (center admins of that center only)."""

from django.urls import path

from msinfusion.web.pages.center import audit_log, chairs, hours, nurses, views

urlpatterns = [
    path("center/", views.overview, name="center_admin"),
    path("center/staff/new/", views.staff_new, name="staff_new"),
    path(
        "center/staff/<int:user_id>/deactivate/",
        views.staff_deactivate,
        name="staff_deactivate",
    ),
    path(
        "center/staff/<int:user_id>/reactivate/",
        views.staff_reactivate,
        name="staff_reactivate",
    ),
    path("center/chairs/", chairs.chairs, name="chairs"),
    path(
        "center/chairs/<int:chair_id>/deactivate/",
        chairs.chair_deactivate,
        name="chair_deactivate",
    ),
    path(
        "center/chairs/<int:chair_id>/reactivate/",
        chairs.chair_reactivate,
        name="chair_reactivate",
    ),
    path("center/hours/", hours.opening_hours, name="opening_hours"),
    path("center/nurses/settings/", nurses.nurse_settings, name="nurse_settings"),
    path("center/nurses/shifts/", nurses.nurse_shifts, name="nurse_shifts"),
    path(
        "center/nurses/shifts/<int:shift_id>/remove/",
        nurses.nurse_shift_remove,
        name="nurse_shift_remove",
    ),
    path("center/audit/", audit_log.audit_log, name="audit_log"),
]
