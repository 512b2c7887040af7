"""The append-only audit log of every read and write of patient data.

Rows are only ever inserted: database triggers (created in the migration) make UPDATE and DELETE fail
on SQLite and PostgreSQL alike, so not even a bug in the app can rewrite history.
"""

from __future__ import annotations

from django.db import models


class Action(models.TextChoices):
    CREATE = "C", "create"
    READ = "R", "read"
    UPDATE = "U", "update"
    DELETE = "D", "delete"
    EXECUTE = "E", "execute"


class Outcome(models.TextChoices):
    SUCCESS = "success", "success"
    DENIED = "denied", "denied"
    FAILED = "failed", "failed"


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True)  # no FK: the log outlives accounts
    actor = models.CharField(max_length=150)  # username, or "anonymous" / "calendar-feed"
    role = models.CharField(max_length=20)
    center_id = models.BigIntegerField(null=True, db_index=True)  # the patient's center
    patient_id = models.BigIntegerField(null=True, db_index=True)
    action = models.CharField(max_length=1, choices=Action.choices)
    resource = models.CharField(max_length=80)  # e.g. "patient.dashboard", "api.readiness"
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    request_id = models.CharField(max_length=36)
    ip = models.GenericIPAddressField(null=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
