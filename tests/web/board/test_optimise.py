"""Optimise a booked day and apply the proposal: all bookings move at once, or none does."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.scheduling import dayplan
from msinfusion.web.scheduling.models import BookedSlot, Booking, NurseShift
from msinfusion.web.scheduling.services import book, cancel, minute_of

from .conftest import MONDAY, extra_patients, request_for


@pytest.fixture(autouse=True)
def quick_optimizer(monkeypatch):
    monkeypatch.setattr(dayplan, "OPTIMIZE_SECONDS", 2.0)


@pytest.fixture
def crowded(world, places):
    """One nurse on shift and three infusions all starting at 09:00: two starts too many."""
    NurseShift.objects.filter(name="Nurse Two").delete()
    patients = [world.patient, world.other_patient, *extra_patients(world.center, 1)]
    chairs = [places.chair1, places.chair2, places.bed3]
    return [
        book(p, c, MONDAY, 9 * 60, request_for(f"dose {i}", 60))
        for i, (p, c) in enumerate(zip(patients, chairs, strict=True))
    ]


def _optimise(client):
    return client.post("/center/board/optimise/", {"date": MONDAY.isoformat()})


def test_the_crowded_day_breaks_the_nurse_rule_before_optimising(world, crowded):
    day = dayplan.build_day(world.center, MONDAY)
    problems = dayplan.violations(day.instance, day.current())
    assert problems and "only 1 nurse(s) are on shift" in problems[0]


def test_optimise_proposes_and_apply_moves_the_bookings_with_no_violation(nurse, world, crowded):
    response = _optimise(nurse)
    assert response.status_code == 200
    proposal = response.context["proposal"]
    assert proposal["problems"] == []
    assert (proposal["placed"], proposal["unplaced"]) == (3, 0)
    assert proposal["moved"] >= 2  # at most one of the three may keep 09:00
    assert Booking.objects.filter(start="09:00").count() == 3  # nothing moved yet

    applied = nurse.post("/center/board/apply/", {"proposal": proposal["token"]})
    assert applied.status_code == 302
    starts = sorted(minute_of(b.start) for b in Booking.objects.all())
    # one nurse: starts at least 15 minutes apart
    assert all(b - a >= 15 for a, b in pairwise(starts))
    day = dayplan.build_day(world.center, MONDAY)
    assert dayplan.violations(day.instance, day.current()) == []
    # the slots moved with the bookings
    for b in Booking.objects.all():
        minutes = sorted(BookedSlot.objects.filter(booking=b).values_list("minute", flat=True))
        assert minutes == list(range(minute_of(b.start), minute_of(b.start) + 60, 5))
        assert set(BookedSlot.objects.filter(booking=b).values_list("chair", flat=True)) == {
            b.chair_id
        }
    rows = AuditEvent.objects.filter(actor="nurse", resource__startswith="center.board.")
    assert [(r.resource, r.action) for r in rows.order_by("id")] == [
        ("center.board.optimise", "E"),
        ("center.board.apply", "U"),
    ]


def test_a_proposal_is_refused_once_the_day_changed(nurse, world, crowded):
    token = _optimise(nurse).context["proposal"]["token"]
    cancel(crowded[2])
    response = nurse.post("/center/board/apply/", {"proposal": token})
    assert response.status_code == 409
    assert "changed" in response.context["error"]
    assert Booking.objects.filter(status="booked", start="09:00").count() == 2


def test_a_forged_proposal_is_refused(nurse, world, crowded):
    token = _optimise(nurse).context["proposal"]["token"]
    response = nurse.post("/center/board/apply/", {"proposal": token[:-3] + "abc"})
    assert response.status_code == 400
    assert Booking.objects.filter(start="09:00").count() == 3


def test_another_centers_planner_cannot_apply_this_centers_proposal(client, world, crowded):
    client.force_login(world.nurse)
    token = _optimise(client).context["proposal"]["token"]
    client.force_login(world.other_center_nurse)
    assert client.post("/center/board/apply/", {"proposal": token}).status_code == 400
    assert Booking.objects.filter(start="09:00").count() == 3


def test_apply_moves_all_bookings_or_none(world, places):
    """A proposal whose second move lands on a booking it leaves unplaced: nothing moves."""
    a = book(world.patient, places.chair1, MONDAY, 9 * 60, request_for("a", 60))
    b = book(world.other_patient, places.chair2, MONDAY, 9 * 60, request_for("b", 60))
    day = dayplan.build_day(world.center, MONDAY)
    ida, idb = dayplan.appointment_id(a), dayplan.appointment_id(b)
    proposal = Schedule(
        (Assignment(ida, 2, 9 * 60),),  # a moves onto chair 2 at 09:00, where b stays
        (idb,),
        status="given",
    )
    token = dayplan.sign_proposal(world.center, day, proposal)
    with pytest.raises(dayplan.Conflict):
        dayplan.apply(world.center, token)
    a.refresh_from_db()
    assert a.chair == places.chair1
    assert set(BookedSlot.objects.filter(booking=a).values_list("chair", flat=True)) == {
        places.chair1.pk
    }
    assert BookedSlot.objects.count() == 24


def test_a_day_without_shifts_cannot_be_optimised(nurse, world, places):
    tuesday = MONDAY + timedelta(days=1)
    book(world.patient, places.chair1, tuesday, 9 * 60, request_for("a", 60))
    response = nurse.post("/center/board/optimise/", {"date": "2026-01-20"})
    assert response.status_code == 400
    assert "no nurse shifts are entered for 2026-01-20" in response.context["error"]
