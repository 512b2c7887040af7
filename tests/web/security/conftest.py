"""Fixtures for the security suite: the world's extra objects, a client per actor, route discovery."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone

from msinfusion.web.accounts.models import ApiToken, hash_token
from msinfusion.web.audit.models import AuditEvent
from msinfusion.web.clinic import models as m
from msinfusion.web.scheduling.models import NurseShift

from .routes import ACCOUNT

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class Extras:
    """Rows of the world's patient (and of the other patient, for mismatched-object checks)."""

    result: m.LabResult
    administration: m.Administration
    course: m.Course
    condition: m.Condition
    chair: m.Chair
    shift: NurseShift
    other_result: m.LabResult
    other_administration: m.Administration
    other_course: m.Course
    other_condition: m.Condition
    tokens: dict[str, str]


def _reported_result(patient) -> m.LabResult:
    row = m.LabResult(
        patient=patient,
        test="hbsag",
        value_text="negative",
        date=date.today() - timedelta(days=10),
        patient_reported=True,
        entered_by=patient.user,
    )
    row.attachment.save(f"report-{patient.pk}.pdf", ContentFile(PDF), save=False)
    row.save()
    return row


@pytest.fixture
def extras(world) -> Extras:
    tokens = {}
    for actor, attr in ACCOUNT.items():
        raw = ApiToken.new_key()
        ApiToken.objects.create(
            user=getattr(world, attr),
            key_hash=hash_token(raw),
            expires=timezone.now() + timedelta(days=1),
        )
        tokens[actor] = raw
    condition_day = date.today() - timedelta(days=20)
    return Extras(
        result=_reported_result(world.patient),
        administration=m.Administration.current.get(patient=world.patient),
        course=m.Course.current.get(patient=world.patient),
        condition=m.Condition.objects.create(
            patient=world.patient, condition="active_infection", date=condition_day
        ),
        chair=m.Chair.objects.create(center=world.center, number=1),
        shift=NurseShift.objects.create(
            center=world.center, name="Nurse One", date=date.today(), start=time(8), end=time(16)
        ),
        other_result=_reported_result(world.other_patient),
        other_administration=m.Administration.current.get(patient=world.other_patient),
        other_course=m.Course.current.get(patient=world.other_patient),
        other_condition=m.Condition.objects.create(
            patient=world.other_patient, condition="active_infection", date=condition_day
        ),
        tokens=tokens,
    )


def url_values(world, extras: Extras) -> dict[str, object]:
    """The value each URL keyword gets: the world's patient and that patient's rows."""
    return {
        "patient_id": world.patient.pk,
        "id": world.patient.pk,  # the API's /patients/{id}
        "result_id": extras.result.pk,
        "administration_id": extras.administration.pk,
        "course_id": extras.course.pk,
        "condition_id": extras.condition.pk,
        "user_id": world.nurse.pk,
        "chair_id": extras.chair.pk,
        "shift_id": extras.shift.pk,
        "token": world.patient.calendar_token,
    }


def foreign_values(world, extras: Extras) -> dict[str, object]:
    """The other patient's rows, to put under the world patient's id (a classic BOLA attempt)."""
    return {
        "result_id": extras.other_result.pk,
        "administration_id": extras.other_administration.pk,
        "course_id": extras.other_course.pk,
        "condition_id": extras.other_condition.pk,
    }


def html_kwargs(name: str) -> list[str]:
    """The keyword arguments a named route needs."""
    for possibility, _pattern, _defaults, _converters in get_resolver().reverse_dict.getlist(name):
        for _format, params in possibility:
            return list(params)
    return []


def client_for(world, extras: Extras | None, actor: str, *, api: bool = False, **kwargs) -> Client:
    if actor == "anonymous":
        return Client(**kwargs)
    if api:
        return Client(headers={"authorization": f"Bearer {extras.tokens[actor]}"}, **kwargs)
    client = Client(**kwargs)
    client.force_login(getattr(world, ACCOUNT[actor]))
    return client


def last_audit_id() -> int:
    row = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return row or 0


def audit_since(marker: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=marker).order_by("id"))


def call(client: Client, method: str, url: str, body: dict | None = None, api: bool = False):
    if method == "GET":
        return client.get(url)
    if api:
        data = json.dumps(body or {})
        return client.generic(method, url, data, content_type="application/json")
    return client.generic(method, url, "", content_type="application/x-www-form-urlencoded")


# tables whose rows a refused or read-only request may legitimately touch: the audit log (it
# records the request), sessions (last activity) and API tokens (last used)
VOLATILE_TABLES = {"audit_auditevent", "django_session", "accounts_apitoken"}


def table_names() -> list[str]:
    from django.db import connection

    return sorted(connection.introspection.table_names())


def row_counts(exclude=frozenset({"audit_auditevent"})) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in table_names():
            if table in exclude:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def snapshot() -> dict[str, int]:
    """A fingerprint of every table's content (not only its row count)."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for table in table_names():
            if table in VOLATILE_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = hash(tuple(sorted(map(repr, cursor.fetchall()))))
    return out
