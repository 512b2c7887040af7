"""Corrections keep history: a new row replaces the old one, which stays, marked superseded.

`superseded_by` lives on the old row and must point at the new one, yet a new administration with
the same drug and date cannot be saved while the old one is still current (the database allows one
current infusion per drug and day). So, in one transaction: the new row is saved hidden (pointing
at the start of the correction chain, a row nothing else points at), the old row is claimed with a
conditional UPDATE (only if it is still current: of two simultaneous corrections one wins), and the
new row is made current. The correction reason is kept on the new row.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction


class AlreadyCorrected(Exception):
    """Someone else corrected the row first."""


def _chain_start(row):
    """The first row of the correction chain `row` belongs to (no row is superseded by it)."""
    model = type(row)
    first = row
    while True:
        earlier = model.objects.filter(superseded_by=first).only("pk").first()
        if earlier is None:
            return first
        first = earlier


def supersede(old, new, reason: str):
    """Save `new` as the correction of `old`; raises AlreadyCorrected or IntegrityError."""
    model = type(old)
    new.patient_id = old.patient_id
    new.correction_reason = reason
    with transaction.atomic():
        new.superseded_by = _chain_start(old)  # hidden until the old row is claimed
        new.save()
        claimed = model.objects.filter(pk=old.pk, superseded_by__isnull=True).update(
            superseded_by=new
        )
        if claimed != 1:
            raise AlreadyCorrected(f"{model.__name__} {old.pk} was already corrected")
        model.objects.filter(pk=new.pk).update(superseded_by=None)
    new.superseded_by = None
    old.superseded_by = new
    return new


__all__ = ["AlreadyCorrected", "IntegrityError", "supersede"]
