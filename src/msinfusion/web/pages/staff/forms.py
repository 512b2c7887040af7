"""Staff forms: input checked against the catalog vocabulary and the patient's own dates.

Forms only check that input is well-formed and consistent (a known test, a value in the test's
unit, a date that has happened); what the values mean for treatment is the domain's business.
"""

from __future__ import annotations

import math
from datetime import date

from django import forms

from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.clinic import choices
from msinfusion.web.clinic.models import Administration, Course, Patient

QUALITATIVE_VALUES = [value for value, _ in choices.QUALITATIVE]


def _date_widget(today: date | None = None, *, past_only: bool = True) -> forms.DateInput:
    attrs = {"type": "date"}
    if past_only and today is not None:
        attrs["max"] = today.isoformat()
    return forms.DateInput(attrs=attrs, format="%Y-%m-%d")


class StaffForm(forms.Form):
    """A form about one patient, knowing today's date at the patient's clinic."""

    required_css_class = "required"

    def __init__(self, *args, patient: Patient, today: date, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.today = today
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                past_only = name not in getattr(self, "future_allowed", ())
                field.widget = _date_widget(today, past_only=past_only)

    def check_past(self, name: str, what: str) -> None:
        """`name` must not be after today nor before the patient's birth date."""
        day = self.cleaned_data.get(name)
        if day is None:
            return
        if day > self.today:
            self.add_error(name, f"The {what} cannot be in the future (today is {self.today}).")
        self.check_after_birth(name)

    def check_after_birth(self, name: str) -> None:
        day = self.cleaned_data.get(name)
        birth = self.patient.birth_date
        if day is not None and birth is not None and day < birth:
            self.add_error(name, f"This date is before the patient's birth date ({birth}).")


class CorrectionMixin(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason for the correction",
        help_text="Kept with the history: the earlier entry stays visible, struck through.",
    )


# ---------------------------------------------------------------- lab results


def _test_choices() -> list[tuple[str, str]]:
    tests = default_catalog().tests
    options = sorted(
        ((tid, f"{t.name} ({t.unit})") for tid, t in tests.items()), key=lambda c: c[1].lower()
    )
    return [("", "Choose a test"), *options]


class ResultForm(StaffForm):
    test = forms.ChoiceField(choices=_test_choices)
    value = forms.CharField(
        max_length=20,
        help_text="A number (0 or more) in the test's unit, or positive / negative / normal / "
        "abnormal for a qualitative test.",
    )
    unit = forms.CharField(
        max_length=20, required=False, help_text="Optional; if given it must be the test's unit."
    )
    date = forms.DateField(label="Date drawn")
    assay = forms.CharField(max_length=60, required=False, help_text="e.g. STRATIFY JCV")

    def clean(self):
        data = super().clean()
        self.check_past("date", "result date")
        test_id = data.get("test")
        raw = (data.get("value") or "").strip()
        if not test_id or not raw:
            return data
        test = default_catalog().test(test_id)
        data["value_number"], data["value_text"] = None, ""
        if test.unit == "qualitative":
            if raw.lower() not in QUALITATIVE_VALUES:
                self.add_error(
                    "value", f"{test.name} is qualitative: enter {', '.join(QUALITATIVE_VALUES)}."
                )
            else:
                data["value_text"] = raw.lower()
        else:
            try:
                number = float(raw.replace(",", ".")) if raw.count(",") <= 1 else math.nan
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number < 0:
                self.add_error("value", f"{test.name} takes a number of 0 or more in {test.unit}.")
            else:
                data["value_number"] = number
        unit = (data.get("unit") or "").strip()
        if unit and unit != test.unit:
            self.add_error("unit", f"{test.name} is recorded in {test.unit}, not {unit}.")
        data["unit"] = test.unit if unit else ""
        return data


# ---------------------------------------------------------------- administrations


class AdministrationForm(StaffForm):
    drug = forms.ChoiceField(choices=[("", "Choose a drug"), *choices.DRUGS])
    date = forms.DateField()
    start_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    dose_mg = forms.FloatField(
        label="Dose (mg)", widget=forms.NumberInput(attrs={"min": "0", "step": "any"})
    )
    dose_mg_per_m2 = forms.FloatField(
        label="Dose (mg/m²)",
        required=False,
        help_text="For BSA-dosed drugs.",
        widget=forms.NumberInput(attrs={"min": "0", "step": "any"}),
    )
    premedication = forms.CharField(
        label="Premedication given",
        max_length=300,
        required=False,
        help_text="Drug, dose and time, e.g. methylprednisolone 100 mg IV 09:00.",
    )
    reaction = forms.ChoiceField(choices=choices.REACTIONS, initial="none")
    reaction_notes = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lot = forms.CharField(label="Lot number", max_length=60, required=False)

    def __init__(self, *args, replacing: Administration | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.replacing = replacing

    def clean_dose_mg(self):
        dose = self.cleaned_data["dose_mg"]
        if dose <= 0:
            raise forms.ValidationError("The dose must be more than 0 mg.")
        return dose

    def clean_dose_mg_per_m2(self):
        dose = self.cleaned_data.get("dose_mg_per_m2")
        if dose is not None and dose <= 0:
            raise forms.ValidationError("Leave it empty, or enter more than 0 mg/m².")
        return dose

    def clean(self):
        data = super().clean()
        self.check_past("date", "infusion date")
        start, end = data.get("start_time"), data.get("end_time")
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", "The infusion must end after it starts.")
        drug, day = data.get("drug"), data.get("date")
        if drug and day and "date" not in self.errors:
            self.check_duplicate(drug, day)
        return data

    def check_duplicate(self, drug: str, day: date) -> None:
        """One current infusion per drug and day (the database enforces it too)."""
        same_day = Administration.current.filter(patient=self.patient, drug=drug, date=day)
        if self.replacing is not None:
            same_day = same_day.exclude(pk=self.replacing.pk)
        if same_day.exists():
            self.add_error(
                "date",
                f"An infusion of {choices.DRUG_NAMES[drug]} on {day} is already recorded; "
                "correct that entry instead.",
            )


# ---------------------------------------------------------------- courses


def _regimen_choices() -> list:
    """Regimens grouped by drug; values are 'drug:regimen' so each option is unique."""
    grouped: list = [("", "The drug's default regimen")]
    catalog = default_catalog()
    for drug_id, name in choices.DRUGS:
        drug = catalog.drug(drug_id)
        options = [
            (f"{drug_id}:{r.id}", f"{r.name}{' (default)' if r.default else ''}")
            for r in drug.regimens
        ]
        grouped.append((name, options))
    return grouped


class CourseForm(StaffForm):
    drug = forms.ChoiceField(choices=[("", "Choose a drug"), *choices.DRUGS])
    start = forms.DateField(label="Start date")
    regimen = forms.ChoiceField(
        choices=_regimen_choices,
        required=False,
        help_text="Rituximab (off-label) has no default: choose the regimen.",
    )
    future_allowed = ("start",)

    def clean(self):
        data = super().clean()
        self.check_after_birth("start")
        drug_id, chosen = data.get("drug"), data.get("regimen") or ""
        if not drug_id:
            return data
        drug = default_catalog().drug(drug_id)
        regimen_id = ""
        if chosen:
            for_drug, _, regimen_id = chosen.rpartition(":")
            if for_drug != drug_id or regimen_id not in drug.regimen_ids:
                self.add_error(
                    "regimen",
                    f"Choose one of the {choices.DRUG_NAMES[drug_id]} regimens: "
                    f"{', '.join(drug.regimen_ids)}.",
                )
                return data
        else:
            try:
                drug.regimen(None)
            except KeyError:
                self.add_error(
                    "regimen",
                    f"{choices.DRUG_NAMES[drug_id]} has no default regimen: choose one of "
                    f"{', '.join(drug.regimen_ids)}.",
                )
        data["regimen_id"] = regimen_id
        return data


class CourseStopForm(StaffForm):
    stop = forms.DateField(label="Stop date")
    stop_reason = forms.CharField(label="Reason for stopping", max_length=300)
    future_allowed = ("stop",)

    def __init__(self, *args, course: Course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course

    def clean(self):
        data = super().clean()
        stop = data.get("stop")
        if stop is not None and stop < self.course.start:
            self.add_error(
                "stop", f"The course started on {self.course.start}: stop on or after it."
            )
        return data


# ---------------------------------------------------------------- programs and conditions


class ProgramActionForm(StaffForm):
    program = forms.ChoiceField(choices=[("", "Choose a program"), *choices.PROGRAMS])
    action = forms.ChoiceField(choices=[("", "Choose an action"), *choices.PROGRAM_ACTIONS])
    date = forms.DateField()

    def clean(self):
        data = super().clean()
        self.check_past("date", "program date")
        return data


class ConditionForm(StaffForm):
    condition = forms.ChoiceField(choices=[("", "Choose a condition"), *choices.CONDITIONS])
    date = forms.DateField(label="Since")

    def clean(self):
        data = super().clean()
        self.check_past("date", "start date")
        return data


class ConditionResolveForm(StaffForm):
    resolved = forms.DateField(label="Resolved on")

    def __init__(self, *args, since: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.since = since

    def clean(self):
        data = super().clean()
        self.check_past("resolved", "resolution date")
        resolved = data.get("resolved")
        if resolved is not None and resolved < self.since:
            self.add_error(
                "resolved", f"The condition started on {self.since}: resolve on or after it."
            )
        return data


class ResultCorrectionForm(CorrectionMixin, ResultForm):
    pass


class AdministrationCorrectionForm(CorrectionMixin, AdministrationForm):
    pass
