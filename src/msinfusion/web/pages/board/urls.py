"""Routes of the day board (center staff) and of booking a patient's infusion (care team)."""

from django.urls import path

from msinfusion.web.pages.board import booking, views

urlpatterns = [
    path("center/board/", views.board, name="board"),
    path("center/board/optimise/", views.optimise, name="board_optimise"),
    path("center/board/apply/", views.apply, name="board_apply"),
    path("patients/<int:patient_id>/booking/", booking.booking_new, name="booking_new"),
    path("patients/<int:patient_id>/booking/cancel", booking.booking_cancel, name="booking_cancel"),
]
