"""Forms a patient fills in: a lab result (typed and/or a file) and a day's symptom diary."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from django import forms
from django.conf import settings

from msinfusion.care.patient_guide import DIARY_SYMPTOMS, RATING_MAX, RATING_MIN
from msinfusion.knowledge.catalog import default_catalog
from msinfusion.web.pages.patient.uploads import extension_kind, sniff

QUALITATIVE = ("positive", "negative", "normal", "abnormal")
NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
DIARY_DAYS_BACK = 365


def _test_choices() -> list[tuple[str, str]]:
    tests = default_catalog().tests
    rows = sorted(tests.items(), key=lambda item: item[1].name.lower())
    choices = [("", "Choose the test")]
    for test_id, test in rows:
        hint = " / ".join(QUALITATIVE) if test.unit == "qualitative" else test.unit
        choices.append((test_id, f"{test.name} ({hint})"))
    return choices


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


class ResultForm(forms.Form):
    """A result the patient reports; it counts for treatment only once a clinician confirms it."""

    test = forms.ChoiceField(
        label="Test",
        choices=(),
        error_messages={"invalid_choice": "Choose a test from the list."},
    )
    value = forms.CharField(
        label="Result",
        max_length=40,
        help_text="The number as printed on the report (for example 650), or positive, negative, "
        "normal or abnormal.",
        widget=forms.TextInput(attrs={"list": "qualitative-values", "autocomplete": "off"}),
    )
    date = forms.DateField(
        label="Date the sample was taken",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assay = forms.CharField(
        label="Laboratory or assay (optional)",
        max_length=60,
        required=False,
        help_text="For an anti-JCV index, the assay name (for example STRATIFY JCV).",
    )
    attachment = forms.FileField(
        label="Photo or PDF of the report (optional)",
        required=False,
        help_text="PDF, JPEG or PNG.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"}
        ),
    )

    def __init__(self, *args, today: date, birth_date: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.birth_date = birth_date
        self.fields["test"].choices = _test_choices()
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        limit = _megabytes(settings.MAX_UPLOAD_BYTES)
        self.fields["attachment"].help_text = f"PDF, JPEG or PNG, up to {limit}."
        self.kind: str | None = None

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError("The date cannot be in the future.")
        if self.birth_date is not None and day < self.birth_date:
            raise forms.ValidationError("The date cannot be before your date of birth.")
        return day

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is too big: the limit is {_megabytes(settings.MAX_UPLOAD_BYTES)}."
            )
        if extension_kind(upload.name or "") is None:
            raise forms.ValidationError("Only PDF, JPEG or PNG files can be uploaded.")
        kind = sniff(upload)
        if kind is None:
            raise forms.ValidationError(
                "This file is not a PDF, JPEG or PNG (its contents do not match its name)."
            )
        self.kind = kind
        return upload

    def clean(self):
        cleaned = super().clean()
        test_id = cleaned.get("test")
        raw = cleaned.get("value")
        if not test_id or raw is None:
            return cleaned
        test = default_catalog().test(test_id)
        text = raw.strip()
        if test.unit == "qualitative":
            word = text.lower()
            if word not in QUALITATIVE:
                self.add_error("value", f"For this test, type one of: {', '.join(QUALITATIVE)}.")
            else:
                cleaned["value_text"], cleaned["value_number"], cleaned["unit"] = word, None, ""
            return cleaned
        if text.lower().endswith(test.unit.lower()):
            text = text[: -len(test.unit)].strip()
        if not NUMBER.match(text):
            self.add_error("value", f"Type a number in {test.unit}, for example 650.")
            return cleaned
        number = float(text.replace(",", "."))
        if not math.isfinite(number):
            self.add_error("value", f"Type a number in {test.unit}.")
        elif number < 0:
            self.add_error("value", "A result cannot be negative.")
        else:
            cleaned["value_text"], cleaned["value_number"] = "", number
            cleaned["unit"] = test.unit
        return cleaned


class DiaryForm(forms.Form):
    """One day of the symptom diary: ratings 0-10 (each optional), notes and a relapse flag."""

    date = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label="Notes (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    relapse = forms.BooleanField(
        label="I think I am having a relapse (new or clearly worse symptoms for more than a day)",
        required=False,
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()
        for key, label in DIARY_SYMPTOMS:
            self.fields[key] = forms.IntegerField(
                label=label,
                required=False,
                min_value=RATING_MIN,
                max_value=RATING_MAX,
                widget=forms.NumberInput(
                    attrs={"min": RATING_MIN, "max": RATING_MAX, "inputmode": "numeric"}
                ),
            )
        # order: day, ratings, notes, relapse
        self.order_fields(["date", *(k for k, _ in DIARY_SYMPTOMS), "notes", "relapse"])

    @property
    def rating_fields(self):
        return [self[key] for key, _ in DIARY_SYMPTOMS]

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError("The day cannot be in the future.")
        if day < self.today - timedelta(days=DIARY_DAYS_BACK):
            raise forms.ValidationError("The diary keeps days of the last year only.")
        return day

    def clean(self):
        cleaned = super().clean()
        ratings = {k: cleaned.get(k) for k, _ in DIARY_SYMPTOMS if cleaned.get(k) is not None}
        cleaned["ratings"] = ratings
        if (
            not ratings
            and not cleaned.get("notes")
            and not cleaned.get("relapse")
            and not (self.errors)
        ):
            raise forms.ValidationError(
                "Rate at least one symptom, write a note, or tick the relapse box."
            )
        return cleaned
