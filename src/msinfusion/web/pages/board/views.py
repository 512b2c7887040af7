"""The day board of the user's center, and "optimise this day" with its apply step.

Reads and writes are audited: one row per patient whose name the board shows (the viewer may see
that patient), and one center row for optimising or applying.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from msinfusion.dates import add_months
from msinfusion.web.audit.log import Action, Outcome, audit_many
from msinfusion.web.clinic.access import visible_patients
from msinfusion.web.clinic.services import today_at
from msinfusion.web.pages.board import svg
from msinfusion.web.pages.board.access import PLANNERS, center_member
from msinfusion.web.pages.center.access import record
from msinfusion.web.scheduling import dayplan
from msinfusion.web.scheduling.services import (
    BookingError,
    Conflict,
    active_bookings,
    day_load,
    load_of,
    minute_of,
    opening,
)

BOARD = "center.board"
OPTIMISE = "center.board.optimise"
APPLY = "center.board.apply"


class BadDay(ValueError):
    pass


def parse_day(raw: str | None, today: date) -> date:
    """A YYYY-MM-DD day within a year of today; empty means today."""
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise BadDay("Enter the day as YYYY-MM-DD.") from None
    if len(raw) != 10 or not add_months(today, -12) <= day <= add_months(today, 12):
        raise BadDay("Choose a day within a year of today.")
    return day


def _names(request, bookings) -> dict[int, str]:
    """Names of the patients on the board the viewer may see; each one shown is audited."""
    ids = {b.patient_id for b in bookings}
    visible = visible_patients(request.user).filter(pk__in=ids)
    found = {p.pk: p for p in visible}
    audit_many(request, found.values(), Action.READ, BOARD)
    return {pk: p.name for pk, p in found.items()}


def _stays(bookings, names, place=None) -> list[svg.Stay]:
    out = []
    for b in bookings:
        chair_id, start = (place or {}).get(b.pk, (b.chair_id, minute_of(b.start)))
        moved = place is not None and (chair_id, start) != (b.chair_id, minute_of(b.start))
        out.append(
            svg.Stay(
                chair_id, start, b.chair_minutes, b.drug, names.get(b.patient_id), b.label, moved
            )
        )
    return out


def _board_context(center, day, stays, hours) -> dict:
    opens, closes = hours
    chairs = list(center.chairs.filter(active=True).order_by("number"))
    return {
        "grid": svg.board(chairs, stays, opens, closes),
        "legend": svg.legend(stays),
    }


def _page(request, center, day, today, status=200, error="", proposal=None):
    hours = opening(center, day)
    bookings = list(active_bookings(center, day).select_related("chair"))
    context = {
        "center": center,
        "day": day,
        "today": today,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "hours": hours,
        "error": error,
        "count": len(bookings),
        "can_plan": request.user.role in PLANNERS,
        "shifts": list(center.nurse_shifts.filter(date=day)),
    }
    if hours is not None:
        names = _names(request, bookings)
        stays = _stays(bookings, names)
        context["current"] = _board_context(center, day, stays, hours)
        context["load"] = svg.load_chart(day_load(center, day), stays, *hours)
        if proposal is not None:
            context["proposal"] = _proposal_context(center, day, bookings, names, hours, proposal)
    return render(request, "pages/board/board.html", context, status=status)


def _proposal_context(center, day, bookings, names, hours, proposal) -> dict:
    plan, schedule, token, problems = proposal
    place = {
        plan.bookings[a.id].pk: (plan.chairs[a.chair - 1].pk, a.start) for a in schedule.assignments
    }
    stays = _stays(bookings, names, place)
    moved = sum(1 for s in stays if s.moved)
    load = _load_of(center, day, stays)
    return {
        **_board_context(center, day, stays, hours),
        "load": svg.load_chart(load, stays, *hours),
        "token": token,
        "problems": problems,
        "placed": len(schedule.assignments),
        "unplaced": len(schedule.unplaced),
        "moved": moved,
        "total": len(stays),
        "status": schedule.status,
    }


def _load_of(center, day, stays):
    return load_of(center, day, [(s.start, s.minutes) for s in stays])


@require_GET
@center_member(BOARD)
def board(request, center):
    today = today_at(center)
    try:
        day = parse_day(request.GET.get("date"), today)
    except BadDay as exc:
        record(request, center, BOARD, Action.READ, Outcome.FAILED)
        return _page(request, center, today, today, status=400, error=str(exc))
    return _page(request, center, day, today)


@require_POST
@center_member(OPTIMISE, roles=PLANNERS)
def optimise(request, center):
    today = today_at(center)
    day = today
    try:
        day = parse_day(request.POST.get("date") or "missing", today)
        plan = dayplan.build_day(center, day)
    except (BadDay, BookingError) as exc:
        record(request, center, OPTIMISE, Action.EXECUTE, Outcome.FAILED)
        return _page(request, center, day, today, status=400, error=str(exc))
    schedule = dayplan.solve(plan.instance)
    problems = dayplan.violations(plan.instance, schedule)
    token = dayplan.sign_proposal(center, plan, schedule)
    record(request, center, OPTIMISE, Action.EXECUTE)
    return _page(request, center, day, today, proposal=(plan, schedule, token, problems))


@require_POST
@center_member(APPLY, roles=PLANNERS, post_action=Action.UPDATE)
def apply(request, center):
    today = today_at(center)
    day = today
    token = request.POST.get("proposal", "")
    try:
        day = dayplan.read_proposal(center, token)[0]
        moves = dayplan.apply(center, token, by=request.user)
    except BookingError as exc:
        record(request, center, APPLY, Action.UPDATE, Outcome.FAILED)
        status = 409 if isinstance(exc, Conflict) else 400
        return _page(request, center, day, today, status=status, error=exc.message)
    record(request, center, APPLY, Action.UPDATE)
    note = (
        f" {len(moves.unplaced)} could not be placed and kept their time." if moves.unplaced else ""
    )
    messages.success(request, f"{moves.moved} bookings moved.{note}")
    return redirect(reverse("board") + f"?date={day.isoformat()}")
