"""The center's audit log: its own rows only, filters, pages, and no way to change it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib import admin
from django.urls import get_resolver

from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.pages.center.audit_log import PER_PAGE


def row(**fields) -> AuditEvent:
    base = {
        "actor": "x",
        "role": "nurse",
        "action": "R",
        "resource": "patient.detail",
        "outcome": "success",
        "request_id": "r",
        "ip": "10.0.0.1",
        "method": "GET",
        "path": "/p",
    }
    return AuditEvent.objects.create(**{**base, **fields})


def shown(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def test_log_holds_this_centers_rows_and_its_staffs(admin_client, world):
    mine = [
        row(center_id=world.center.pk, patient_id=world.patient.pk, actor="nurse"),
        # a denied lookup of one of our patients (no center recorded on the row)
        row(patient_id=world.patient.pk, actor="neuro-b", outcome="denied"),
        # our nurse probing a patient of another center
        row(
            patient_id=world.far_patient.pk,
            actor_id=world.nurse.pk,
            actor="nurse",
            outcome="denied",
        ),
        # our patient's own account
        row(actor_id=world.patient_user.pk, actor="pat", role="patient"),
    ]
    theirs = [
        row(center_id=world.other_center.pk, patient_id=world.far_patient.pk, actor="nurse-b"),
        row(actor_id=world.other_center_admin.pk, actor="admin-b", center_id=world.other_center.pk),
    ]
    response = admin_client.get("/center/audit/")
    ids = {r.pk for r in shown(response)}
    assert {r.pk for r in mine} <= ids
    assert not ids & {r.pk for r in theirs}


def test_filters_by_patient_actor_outcome_and_date(admin_client, world):
    with time_machine.travel(datetime(2026, 3, 1, 12, tzinfo=UTC)):
        early = row(center_id=world.center.pk, patient_id=world.patient.pk, actor="nurse")
    with time_machine.travel(datetime(2026, 3, 5, 23, 59, tzinfo=UTC)):
        late = row(center_id=world.center.pk, patient_id=world.other_patient.pk, actor="neuro")
        denied = row(
            center_id=world.center.pk, patient_id=world.patient.pk, outcome="denied", actor="neuro2"
        )

    def ids(query: str) -> set[int]:
        response = admin_client.get(f"/center/audit/?{query}")
        assert response.status_code == 200
        return {r.pk for r in shown(response)}

    assert ids(f"patient={world.patient.pk}") == {early.pk, denied.pk}
    assert ids("actor=NEURO") == {late.pk}
    assert ids("outcome=denied") == {denied.pk}
    assert ids("date_from=2026-03-02&date_to=2026-03-05") == {late.pk, denied.pk}
    assert ids("date_from=2026-03-01&date_to=2026-03-01") == {early.pk}


@pytest.mark.parametrize(
    "query",
    [
        "patient=abc",
        "patient=-1",
        "date_from=yesterday",
        "date_from=2026-03-05&date_to=2026-03-01",
        "outcome=maybe",
    ],
)
def test_bad_filters_answer_400_with_the_form(admin_client, world, query):
    response = admin_client.get(f"/center/audit/?{query}")
    assert response.status_code == 400
    assert response.context["form"].errors
    assert shown(response) == []


def test_log_is_paginated(admin_client, world):
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                center_id=world.center.pk,
                actor="nurse",
                role="nurse",
                action="R",
                resource="x",
                outcome="success",
                request_id=str(i),
                ip="10.0.0.1",
                method="GET",
                path="/p",
            )
            for i in range(2 * PER_PAGE + 10)
        ]
    )
    first = admin_client.get("/center/audit/?actor=nurse")
    assert len(shown(first)) == PER_PAGE
    assert first.context["page"].paginator.num_pages == 3
    assert 'href="?actor=nurse&amp;page=2"' in first.content.decode()
    last = admin_client.get("/center/audit/?actor=nurse&page=3")
    assert len(shown(last)) == 10
    assert admin_client.get("/center/audit/?page=zzz").status_code == 200  # falls back to page 1


def test_log_cannot_be_changed_through_any_route(admin_client, world):
    assert admin_client.post("/center/audit/").status_code == 405
    audit_views = [
        p
        for p in _all_patterns(get_resolver())
        if "audit" in (getattr(p.callback, "__module__", "") or "")
    ]
    assert [p.name for p in audit_views] == ["audit_log"]
    model_admin = admin.site._registry.get(AuditEvent)
    if model_admin is not None:  # the Django admin may show it, never change it
        assert not model_admin.has_change_permission(None)
        assert not model_admin.has_delete_permission(None)
        assert not model_admin.has_add_permission(None)


def _all_patterns(resolver):
    for p in resolver.url_patterns:
        if hasattr(p, "url_patterns"):
            yield from _all_patterns(p)
        else:
            yield p
