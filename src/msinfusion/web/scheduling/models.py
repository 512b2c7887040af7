"""Nurse shifts and chair bookings, with the database itself refusing a double-booked chair.

Why a slot table and not an exclusion constraint: PostgreSQL can forbid overlapping time ranges with
`EXCLUDE USING gist (chair WITH =, period WITH &&)`, but that needs the btree_gist extension (a
superuser step on many servers) and SQLite has nothing like it. Instead every booking owns one
`BookedSlot` row per 5-minute step it occupies, and `UniqueConstraint(chair, date, minute)` makes
the second writer of any step fail with an IntegrityError, inside the same transaction that inserts
the booking. A plain unique index behaves identically on SQLite and PostgreSQL, under concurrent
writers too (the losing transaction either waits for the winner's lock and then fails, or fails at
once), so the guarantee does not depend on the database in use or on Python checks racing each other.

Times are wall-clock times of the center's own day (the grid of `OpeningHours`, which is stored the
same way); `Booking.starts_at` gives the zone-aware instant.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact

from msinfusion.web.clinic import choices
from msinfusion.web.clinic.models import Center, Chair, Patient

SLOT_MINUTES = 5
"""The booking grid: every start lies on it and the slot table holds one row per step."""


class NurseShift(models.Model):
    """A nurse working at the center on one day, from `start` to `end` (center's wall clock)."""

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="nurse_shifts")
    nurse = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nurse_shifts",
    )
    name = models.CharField(max_length=150)
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["date", "start", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_start_before_end")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.date} {self.start:%H:%M}-{self.end:%H:%M}"


class Booking(models.Model):
    """A patient's planned infusion placed in one chair at one time.

    Cancelled bookings stay (with who and when), only their slots go: the chair is free again and
    the history is still readable.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", "booked"
        CANCELLED = "cancelled", "cancelled"
        DONE = "done", "done"

    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="bookings")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="bookings")
    chair = models.ForeignKey(Chair, on_delete=models.CASCADE, related_name="bookings")
    date = models.DateField()
    start = models.TimeField()
    end = models.TimeField()
    chair_minutes = models.PositiveIntegerField()
    drug = models.CharField(max_length=20, choices=choices.DRUGS)
    label = models.CharField(max_length=120)
    window_earliest = models.DateField()
    window_latest = models.DateField()
    first_infusion = models.BooleanField(default=False)
    needs = models.CharField(max_length=20, choices=choices.CHAIR_KINDS, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "start", "chair__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="booking_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(window_latest__gte=F("window_earliest")), name="booking_window_order"
            ),
            # the same planned infusion is booked at most once at a time
            models.UniqueConstraint(
                fields=["patient", "drug", "label"],
                condition=Q(status="booked"),
                name="one_active_booking_per_planned_infusion",
            ),
        ]
        indexes = [models.Index(fields=["center", "date"], name="booking_center_day")]

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.date, self.start, ZoneInfo(self.center.timezone))

    @property
    def span(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class BookedSlot(models.Model):
    """One 5-minute step of one chair taken by one booking (see the module docstring)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    chair = models.ForeignKey(Chair, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    minute = models.PositiveSmallIntegerField()  # minutes since the center's midnight

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chair", "date", "minute"], name="chair_slot_once"),
            models.CheckConstraint(
                condition=Exact(Mod(F("minute"), SLOT_MINUTES), 0) & Q(minute__lt=24 * 60),
                name="slot_on_the_grid",
            ),
        ]
