"""The opt-in diary reminder: a daily event with an alarm in the patient's own calendar feed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.models import DIARY_REMINDER_TIME, Patient
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import my_patient, patient_only

RESOURCE = "patient.diary.reminder"


class ReminderForm(forms.Form):
    remind = forms.BooleanField(label="Remind me to fill in my diary", required=False)
    at = forms.TimeField(
        label="every day at",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


def reminder_form(patient: Patient) -> ReminderForm:
    return ReminderForm(
        initial={
            "remind": patient.diary_reminder_since is not None,
            "at": patient.diary_reminder_time,
        }
    )


@patient_only
@require_POST
def set_reminder(request):
    patient = my_patient(request, RESOURCE, Action.UPDATE)
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please give the time as HH:MM, for example 20:00.")
        return redirect(reverse("my_diary") + "#reminder")
    remind, at = form.cleaned_data["remind"], form.cleaned_data["at"] or DIARY_REMINDER_TIME
    if remind:
        if patient.diary_reminder_since is None:
            patient.diary_reminder_since = today_at(patient.center)
        patient.diary_reminder_time = at
        text = (
            f"Reminder on: every day at {at:%H:%M} in your calendar. It appears in the calendar "
            "you subscribed to with your private link (My treatment, 'Add to my calendar')."
        )
    else:
        patient.diary_reminder_since = None
        text = "Reminder off: it disappears from your calendar the next time it refreshes."
    patient.save(update_fields=["diary_reminder_since", "diary_reminder_time"])
    messages.success(request, text)
    return redirect(reverse("my_diary") + "#reminder")
