"""Staff start and stop courses, and record program steps and conditions.

These are what unblock (or block) an infusion: a TOUCH authorization, an infection resolved, a
course with its regimen. Stopping a course or resolving a condition saves a new row that supersedes
the running one (as the API does), so the history shows both; of two simultaneous attempts only
one wins.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods

from msinfusion.web.audit.log import Action
from msinfusion.web.clinic.models import Condition, Course, ProgramAction
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.staff.common import bound, drug_name, render_form, staff_required
from msinfusion.web.pages.staff.corrections import AlreadyCorrected, supersede
from msinfusion.web.pages.staff.entries import access
from msinfusion.web.pages.staff.forms import (
    ConditionForm,
    ConditionResolveForm,
    CourseForm,
    CourseStopForm,
    ProgramActionForm,
)


def _done(request, patient, message: str):
    messages.success(request, message)
    return redirect("patient_detail", patient.pk)


@require_http_methods(["GET", "POST"])
@staff_required
def course_new(request, patient_id: int):
    patient = access(request, patient_id, "staff.course", Action.CREATE)
    today = today_at(patient.center)
    form = bound(CourseForm, request, patient=patient, today=today, initial={"start": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        Course.objects.create(
            patient=patient,
            drug=data["drug"],
            start=data["start"],
            regimen=data["regimen_id"],
            entered_by=request.user,
        )
        return _done(request, patient, f"{drug_name(data['drug'])} course started {data['start']}.")
    status = 400 if request.method == "POST" else 200
    return render_form(
        request, patient, form, title="Start a course", submit="Start course", status=status
    )


@require_http_methods(["GET", "POST"])
@staff_required
def course_stop(request, patient_id: int, course_id: int):
    patient = access(request, patient_id, "staff.course", Action.UPDATE)
    course = get_object_or_404(Course.current, patient=patient, pk=course_id)
    today = today_at(patient.center)
    form = bound(
        CourseStopForm,
        request,
        patient=patient,
        today=today,
        course=course,
        initial={"stop": today},
    )
    title = f"Stop the {drug_name(course.drug)} course started {course.start}"
    if course.stop is not None:
        form.add_error(None, f"This course was already stopped on {course.stop}.")
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        stopped = Course(
            drug=course.drug,
            start=course.start,
            regimen=course.regimen,
            stop=data["stop"],
            stop_reason=data["stop_reason"],
            entered_by=request.user,
        )
        try:
            supersede(course, stopped, "course stopped")
        except AlreadyCorrected:
            form.add_error(None, "This course was changed by someone else in the meantime.")
        else:
            return _done(
                request, patient, f"{drug_name(course.drug)} course stopped {data['stop']}."
            )
    status = 400 if request.method == "POST" else 200
    return render_form(request, patient, form, title=title, submit="Stop course", status=status)


@require_http_methods(["GET", "POST"])
@staff_required
def program_action_new(request, patient_id: int):
    patient = access(request, patient_id, "staff.program", Action.CREATE)
    today = today_at(patient.center)
    form = bound(ProgramActionForm, request, patient=patient, today=today, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = ProgramAction.objects.create(
            patient=patient,
            program=data["program"],
            action=data["action"],
            date=data["date"],
            entered_by=request.user,
        )
        return _done(
            request, patient, f"{row.get_program_display()} {row.action} on {row.date} recorded."
        )
    status = 400 if request.method == "POST" else 200
    return render_form(
        request,
        patient,
        form,
        title="Record a restricted-program step",
        submit="Save",
        intro="TOUCH (natalizumab), TYRUKO REMS (natalizumab-sztn) and LEMTRADA REMS "
        "(alemtuzumab) enrolments, authorizations and discontinuations.",
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def condition_new(request, patient_id: int):
    patient = access(request, patient_id, "staff.condition", Action.CREATE)
    today = today_at(patient.center)
    form = bound(ConditionForm, request, patient=patient, today=today, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = Condition.objects.create(
            patient=patient, condition=data["condition"], date=data["date"], entered_by=request.user
        )
        return _done(request, patient, f"{row.get_condition_display()} since {row.date} recorded.")
    status = 400 if request.method == "POST" else 200
    return render_form(
        request, patient, form, title="Record a condition", submit="Save", status=status
    )


@require_http_methods(["GET", "POST"])
@staff_required
def condition_resolve(request, patient_id: int, condition_id: int):
    patient = access(request, patient_id, "staff.condition", Action.UPDATE)
    row = get_object_or_404(Condition.current, patient=patient, pk=condition_id)
    today = today_at(patient.center)
    form = bound(
        ConditionResolveForm,
        request,
        patient=patient,
        today=today,
        since=row.date,
        initial={"resolved": today},
    )
    title = f"Resolve: {row.get_condition_display()} since {row.date}"
    if row.resolved is not None:
        form.add_error(None, f"Already resolved on {row.resolved}.")
    elif request.method == "POST" and form.is_valid():
        resolved = form.cleaned_data["resolved"]
        new = Condition(
            condition=row.condition, date=row.date, resolved=resolved, entered_by=request.user
        )
        try:
            supersede(row, new, "condition resolved")
        except AlreadyCorrected:
            form.add_error(None, "This condition was changed by someone else in the meantime.")
        else:
            return _done(request, patient, f"{row.get_condition_display()} resolved {resolved}.")
    status = 400 if request.method == "POST" else 200
    return render_form(request, patient, form, title=title, submit="Resolve", status=status)
