"""Forms of the center pages: staff accounts, chairs, opening hours, nurse policy and shifts, and
the audit-log filter."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import UserCreationForm

from msinfusion.web.accounts.models import Role, User
from msinfusion.web.audit.models import Outcome
from msinfusion.web.clinic import choices
from msinfusion.web.clinic.models import (
    NURSE_START_MINUTES_RANGE,
    PATIENTS_PER_NURSE_RANGE,
    Center,
    Chair,
)
from msinfusion.web.scheduling.models import NurseShift

STAFF_ROLES = [
    (Role.NURSE, "Nurse"),
    (Role.NEUROLOGIST, "Neurologist"),
    (Role.CENTER_ADMIN, "Center admin"),
]


class StaffForm(UserCreationForm):
    """A new staff account of the admin's center. The password passes AUTH_PASSWORD_VALIDATORS."""

    role = forms.ChoiceField(choices=STAFF_ROLES)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "role")

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.center = center
        for name in ("first_name", "last_name"):
            self.fields[name].required = True


class ChairForm(forms.ModelForm):
    number = forms.IntegerField(min_value=1, max_value=9999)

    class Meta:
        model = Chair
        fields = ("number", "kind")

    def __init__(self, *args, center, **kwargs):
        super().__init__(*args, **kwargs)
        self.center = center
        self.instance.center = center

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        if Chair.objects.filter(center=self.center, number=number).exists():
            raise forms.ValidationError(f"Chair {number} already exists in this center.")
        return number


class DayForm(forms.Form):
    """One weekday: open or closed, and if open, from when to when (the center's local time)."""

    is_open = forms.BooleanField(required=False, label="Open")
    opens = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    closes = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, weekday: int, **kwargs):
        super().__init__(*args, prefix=f"d{weekday}", **kwargs)
        self.weekday = weekday
        self.day_name = choices.WEEKDAYS[weekday][1]

    def clean(self):
        data = super().clean()
        if not data.get("is_open"):
            return data
        opens, closes = data.get("opens"), data.get("closes")
        if opens is None and "opens" not in self.errors:
            self.add_error("opens", "When does the center open on this day?")
        if closes is None and "closes" not in self.errors:
            self.add_error("closes", "When does the center close on this day?")
        if opens is not None and closes is not None and opens >= closes:
            self.add_error("closes", "Closing time must be after opening time.")
        return data


def _bounded(label: str, bounds: tuple[int, int], help_text: str) -> forms.IntegerField:
    """A whole number in `bounds` whose every error names the setting (shown by the field)."""
    low, high = bounds
    message = f"{label} must be a whole number from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": f"Enter {label.lower()} ({low} to {high}).",
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


class NurseSettingsForm(forms.ModelForm):
    """The center's nurse policy: what booking, the day board and the optimizer plan with."""

    patients_per_nurse = _bounded(
        "Patients per nurse",
        PATIENTS_PER_NURSE_RANGE,
        "Patients in chairs one nurse on shift can watch at once.",
    )
    nurse_start_minutes = _bounded(
        "Set-up minutes",
        NURSE_START_MINUTES_RANGE,
        "Minutes a nurse is busy setting up each infusion at its start; one nurse sets up one "
        "infusion at a time.",
    )

    class Meta:
        model = Center
        fields = ("patients_per_nurse", "nurse_start_minutes")


class NurseShiftForm(forms.ModelForm):
    """One nurse's shift on one day of the center (the center's wall clock)."""

    start = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    class Meta:
        model = NurseShift
        fields = ("name", "start", "end")
        labels = {"name": "Nurse"}

    def __init__(self, *args, center, day, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.center = center
        self.instance.date = day

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter the nurse's name.")
        return name

    def clean(self):
        data = super().clean()
        start, end, name = data.get("start"), data.get("end"), data.get("name")
        if start is None or end is None:
            return data
        if end <= start:
            # a shift ends on the day it starts: past midnight is the next day's shift
            self.add_error("end", "The shift must end after it starts, on the same day.")
            return data
        if name:
            overlap = NurseShift.objects.filter(
                center=self.instance.center,
                date=self.instance.date,
                name__iexact=name,
                start__lt=end,
                end__gt=start,
            ).first()
            if overlap is not None:
                self.add_error(
                    "start",
                    f"{overlap.name} already works {overlap.start:%H:%M}-{overlap.end:%H:%M} "
                    "on this day; one person is counted once.",
                )
        return data


class AuditFilterForm(forms.Form):
    patient = forms.IntegerField(required=False, min_value=1, label="Patient id")
    actor = forms.CharField(required=False, max_length=150, label="Who (username)")
    date_from = forms.DateField(
        required=False, label="From (UTC date)", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To (UTC date)", widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(
        required=False, choices=[("", "any"), *Outcome.choices], label="Outcome"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data
