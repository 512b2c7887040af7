"""B3: the audit table is append-only in the database itself: UPDATE and DELETE fail, 0 rows change.

The triggers of audit/migrations/0002_append_only.py abort the statement on SQLite and PostgreSQL,
whether it comes from the ORM or from raw SQL.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from msinfusion.web.audit.models import AuditEvent

TABLE = "audit_auditevent"


@pytest.fixture
def rows(db) -> list[AuditEvent]:
    return [
        AuditEvent.objects.create(
            actor=f"nurse{i}",
            role="nurse",
            patient_id=i,
            action="R",
            resource="staff.patient",
            outcome="success",
            request_id=f"req-{i}",
            ip="10.0.0.1",
            method="GET",
            path="/patients/1/",
        )
        for i in range(3)
    ]


def state() -> list[tuple]:
    return list(
        AuditEvent.objects.order_by("id").values_list("id", "actor", "outcome", "patient_id")
    )


def attempt(change) -> str:
    """Run `change` in a savepoint; it must fail. Returns the database's message."""
    with pytest.raises(DatabaseError) as failure, transaction.atomic():
        change()
    return str(failure.value)


def sql(statement: str, *params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return run


def test_orm_update_fails(rows):
    before = state()
    assert "append-only" in attempt(lambda: AuditEvent.objects.update(outcome="denied"))
    assert state() == before


def test_orm_save_of_an_existing_row_fails(rows):
    before = state()

    def rewrite():
        row = AuditEvent.objects.get(pk=rows[0].pk)
        row.actor = "someone-else"
        row.save()

    assert "append-only" in attempt(rewrite)
    assert state() == before


def test_orm_delete_fails(rows):
    before = state()
    assert "append-only" in attempt(lambda: AuditEvent.objects.filter(pk=rows[1].pk).delete())
    assert "append-only" in attempt(lambda: AuditEvent.objects.all().delete())
    assert state() == before


def test_raw_sql_update_and_delete_fail(rows):
    before = state()
    assert "append-only" in attempt(sql(f"UPDATE {TABLE} SET outcome = %s", "denied"))
    assert "append-only" in attempt(sql(f"DELETE FROM {TABLE} WHERE id = %s", rows[0].pk))
    assert "append-only" in attempt(sql(f"DELETE FROM {TABLE}"))
    assert state() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_truncate_fails_on_postgresql(rows):
    before = state()
    assert "append-only" in attempt(sql(f"TRUNCATE {TABLE}"))
    assert state() == before


def test_inserting_still_works(rows):
    AuditEvent.objects.create(
        actor="x",
        role="nurse",
        action="R",
        resource="r",
        outcome="success",
        request_id="r",
        ip="10.0.0.2",
        method="GET",
        path="/",
    )
    assert AuditEvent.objects.count() == len(rows) + 1
