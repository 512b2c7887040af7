"""Centers, patients and their clinical record as stored rows.

Clinical rows (results, administrations, courses, ...) are never deleted through the app: a correction
creates a new row and marks the old one `superseded_by` it, so history stays readable. `to_record` in
`records.py` turns the current rows into the domain's `PatientRecord`.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from msinfusion.web.clinic import choices

PATIENTS_PER_NURSE = 4
"""Default: patients one nurse can watch at once (the example value in Hesaraki, Dellaert and de
Kok, OR Spectrum 2020). Each center sets its own (`Center.patients_per_nurse`)."""
NURSE_START_MINUTES = 15
"""Default: minutes a nurse is taken by setting up one infusion before moving on."""
PATIENTS_PER_NURSE_RANGE = (1, 12)
NURSE_START_MINUTES_RANGE = (5, 120)
"""What a center may set: beyond these a ratio or a set-up time is a typing error, not a policy."""


class Center(models.Model):
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="America/New_York")
    address = models.CharField(max_length=300, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    # The center's nurse policy, read by booking, the day board and the day optimizer.
    patients_per_nurse = models.PositiveSmallIntegerField(
        default=PATIENTS_PER_NURSE,
        validators=[
            MinValueValidator(PATIENTS_PER_NURSE_RANGE[0]),
            MaxValueValidator(PATIENTS_PER_NURSE_RANGE[1]),
        ],
        help_text="Patients in chairs one nurse on shift can watch at once.",
    )
    nurse_start_minutes = models.PositiveSmallIntegerField(
        default=NURSE_START_MINUTES,
        validators=[
            MinValueValidator(NURSE_START_MINUTES_RANGE[0]),
            MaxValueValidator(NURSE_START_MINUTES_RANGE[1]),
        ],
        help_text="Minutes one nurse is busy setting up each infusion at its start.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(patients_per_nurse__gte=PATIENTS_PER_NURSE_RANGE[0])
                & Q(patients_per_nurse__lte=PATIENTS_PER_NURSE_RANGE[1]),
                name="center_patients_per_nurse_range",
            ),
            models.CheckConstraint(
                condition=Q(nurse_start_minutes__gte=NURSE_START_MINUTES_RANGE[0])
                & Q(nurse_start_minutes__lte=NURSE_START_MINUTES_RANGE[1]),
                name="center_nurse_start_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Chair(models.Model):
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="chairs")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=choices.CHAIR_KINDS, default="chair")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "number"], name="chair_number_unique")
        ]
        ordering = ["number"]


class OpeningHours(models.Model):
    center = models.ForeignKey(Center, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=choices.WEEKDAYS)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["center", "weekday"], name="one_opening_per_weekday"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opens_before_closes"
            ),
        ]
        ordering = ["weekday"]


DIARY_REMINDER_TIME = time(20, 0)


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Patient(models.Model):
    center = models.ForeignKey(Center, on_delete=models.PROTECT, related_name="patients")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
    )
    neurologist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="neurology_patients",
    )
    name = models.CharField(max_length=200)
    birth_date = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=choices.SEXES, blank=True)
    childbearing_potential = models.BooleanField(null=True, blank=True)
    height_cm = models.FloatField(null=True, blank=True)
    weight_kg = models.FloatField(null=True, blank=True)
    ms_type = models.CharField(max_length=5, choices=choices.MS_TYPES, blank=True)
    region = models.CharField(max_length=2, choices=choices.REGIONS, default="US")
    prior_immunosuppressants = models.JSONField(default=list, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created = models.DateTimeField(auto_now_add=True)
    # Opt-in diary reminder in the calendar feed: the day it was switched on (None = off) and the
    # local time of day it rings (floating: "20:00 wherever the phone is").
    diary_reminder_since = models.DateField(null=True, blank=True)
    diary_reminder_time = models.TimeField(default=DIARY_REMINDER_TIME)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClinicalRow(models.Model):
    """Fields every clinical row shares: who entered it, and the correction chain."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="supersedes"
    )
    correction_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True


class CurrentManager(models.Manager):
    """Rows that have not been corrected by a newer row."""

    def get_queryset(self):
        return super().get_queryset().filter(superseded_by__isnull=True)


class LabResult(ClinicalRow):
    test = models.CharField(max_length=40)
    value_number = models.FloatField(null=True, blank=True)
    value_text = models.CharField(max_length=10, choices=choices.QUALITATIVE, blank=True)
    unit = models.CharField(max_length=20, blank=True)
    date = models.DateField()
    assay = models.CharField(max_length=60, blank=True)
    patient_reported = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    attachment = models.FileField(upload_to="results/%Y/%m/", blank=True)

    objects = models.Manager()
    current = CurrentManager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(value_number__isnull=False) & Q(value_text=""))
                | (Q(value_number__isnull=True) & ~Q(value_text="")),
                name="result_has_one_value",
            ),
            models.CheckConstraint(
                condition=Q(value_number__isnull=True) | Q(value_number__gte=0),
                name="result_value_not_negative",
            ),
        ]

    @property
    def value(self) -> float | str:
        return self.value_number if self.value_number is not None else self.value_text


class Course(ClinicalRow):
    drug = models.CharField(max_length=20, choices=choices.DRUGS)
    start = models.DateField()
    stop = models.DateField(null=True, blank=True)
    regimen = models.CharField(max_length=20, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)

    objects = models.Manager()
    current = CurrentManager()

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stop__isnull=True) | Q(stop__gte=models.F("start")),
                name="course_stop_after_start",
            )
        ]


class Administration(ClinicalRow):
    drug = models.CharField(max_length=20, choices=choices.DRUGS)
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    dose_mg = models.FloatField()
    dose_mg_per_m2 = models.FloatField(null=True, blank=True)
    premedication = models.CharField(max_length=300, blank=True)
    reaction = models.CharField(max_length=20, choices=choices.REACTIONS, default="none")
    reaction_notes = models.CharField(max_length=500, blank=True)
    lot = models.CharField(max_length=60, blank=True)

    objects = models.Manager()
    current = CurrentManager()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(dose_mg__gt=0), name="administration_dose_positive"),
            models.UniqueConstraint(
                fields=["patient", "drug", "date"],
                condition=Q(superseded_by__isnull=True),
                name="one_current_infusion_per_drug_and_day",
            ),
        ]


class Condition(ClinicalRow):
    condition = models.CharField(max_length=40, choices=choices.CONDITIONS)
    date = models.DateField()
    resolved = models.DateField(null=True, blank=True)

    objects = models.Manager()
    current = CurrentManager()


class Vaccination(ClinicalRow):
    vaccine = models.CharField(max_length=60)
    live = models.BooleanField()
    date = models.DateField()

    objects = models.Manager()
    current = CurrentManager()


class ClinicalEvent(ClinicalRow):
    event = models.CharField(max_length=20, choices=choices.EVENTS)
    date = models.DateField()

    objects = models.Manager()
    current = CurrentManager()


class ProgramAction(ClinicalRow):
    program = models.CharField(max_length=20, choices=choices.PROGRAMS)
    action = models.CharField(max_length=20, choices=choices.PROGRAM_ACTIONS)
    date = models.DateField()

    objects = models.Manager()
    current = CurrentManager()


class Checklist(ClinicalRow):
    program = models.CharField(max_length=20, choices=choices.PROGRAMS)
    date = models.DateField()
    answers = models.JSONField(default=dict)

    objects = models.Manager()
    current = CurrentManager()


class DiaryEntry(ClinicalRow):
    """A day's symptom ratings (0-10) and notes, entered by the patient."""

    date = models.DateField()
    ratings = models.JSONField(default=dict)
    notes = models.TextField(blank=True)
    relapse = models.BooleanField(default=False)

    objects = models.Manager()
    current = CurrentManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "date"],
                condition=Q(superseded_by__isnull=True),
                name="one_current_diary_entry_per_day",
            )
        ]


CLINICAL_MODELS = (
    LabResult,
    Administration,
    Course,
    Condition,
    Vaccination,
    ClinicalEvent,
    ProgramAction,
    Checklist,
    DiaryEntry,
)
"""Every kind of clinical row (never deleted through the app; corrections supersede)."""
