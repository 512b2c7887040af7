"""The private calendar feed (no login: phone calendars cannot log in) and making a new link.

The token in the URL is the secret. It is looked up exactly in the database (a unique index, no
scan, no prefix match) and compared again in constant time; an unknown token is a plain 404 with a
"denied" audit row. A feed stops working when the patient's login is deactivated, and a patient
can replace the link at any time (`rotate`), which makes the old URL a 404 at once.
"""

from __future__ import annotations

import hmac

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from msinfusion.interop.ical import DiaryReminder, Place, calendar_for, to_ics
from msinfusion.web.audit.log import Action, Outcome, audit
from msinfusion.web.clinic.models import Patient, new_calendar_token
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.patient.common import confirmed_summary, loaded, my_patient, patient_only

RESOURCE = "patient.calendar"
FEED_ACTOR = "calendar-feed"


def _feed_patient(token: str) -> Patient | None:
    patient = Patient.objects.select_related("center", "user").filter(calendar_token=token).first()
    if patient is None or not hmac.compare_digest(patient.calendar_token, token):
        return None
    return patient


def feed_works(patient: Patient) -> bool:
    """Only a patient with an active login has a feed (a closed account stops its calendar)."""
    return patient.user is not None and patient.user.is_active


@require_GET
def calendar_feed(request, token: str):
    request.audit_actor = FEED_ACTOR
    patient = _feed_patient(token)
    if patient is None or not feed_works(patient):
        audit(request, patient, Action.READ, RESOURCE, Outcome.DENIED)
        raise Http404("No such calendar")
    audit(request, patient, Action.READ, RESOURCE)
    summary = confirmed_summary(loaded(patient), today_at(patient.center)).summary
    center = patient.center
    reminder = None
    if patient.diary_reminder_since is not None:
        reminder = DiaryReminder(patient.diary_reminder_since, patient.diary_reminder_time)
    cal = calendar_for(
        summary,
        seed=f"patient-{patient.pk}",
        generated=timezone.now(),
        place=Place(center.name, center.address, center.phone),
        diary_reminder=reminder,
    )
    response = HttpResponse(to_ics(cal), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="my-ms-treatment.ics"'
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@patient_only
@require_POST
def rotate(request):
    patient = my_patient(request, RESOURCE, Action.UPDATE)
    patient.calendar_token = new_calendar_token()
    patient.save(update_fields=["calendar_token"])
    messages.success(
        request,
        "Your new calendar link is ready. The old link has stopped working: subscribe again with "
        "the new one on every phone or computer you use.",
    )
    return redirect(reverse("my_dashboard") + "#calendar")
