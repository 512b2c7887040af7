"""Staff-area fixtures: a fixed clinic day, logged-in staff, and patients at chosen points of treatment.

The clinic day is Wednesday 2026-01-14 at noon in New York (the world's center). The world's patient
had ocrelizumab infusion 1 on 2026-01-05, so infusion 2 is due 2026-01-19 (14 days, OCR-D1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from msinfusion.web.clinic import models as m

TODAY = date(2026, 1, 14)
NOON_IN_NEW_YORK = datetime(2026, 1, 14, 17, 0, tzinfo=UTC)

CLINICAL_MODELS = m.CLINICAL_MODELS


def clinical_snapshot() -> dict[str, list[dict]]:
    """Every clinical row with every field: equal snapshots mean nothing was written."""
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in CLINICAL_MODELS
    }


def at_noon(day: date):
    """Travel to noon in New York on `day` (time stands still inside)."""
    return time_machine.travel(
        datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC), tick=False
    )


@pytest.fixture
def clinic_day():
    with time_machine.travel(NOON_IN_NEW_YORK, tick=False):
        yield TODAY


@pytest.fixture
def nurse(client, world, clinic_day):
    client.force_login(world.nurse)
    return client


def ocrelizumab_patient(center, name: str, *, first: date, neurologist=None, **fields) -> m.Patient:
    """An ocrelizumab patient with infusion 1 on `first` and a negative HBsAg before it."""
    patient = m.Patient.objects.create(
        center=center,
        neurologist=neurologist,
        name=name,
        birth_date=date(1985, 5, 5),
        sex="male",
        childbearing_potential=False,
        ms_type="RRMS",
        **fields,
    )
    m.Course.objects.create(patient=patient, drug="ocrelizumab", start=first)
    m.Administration.objects.create(patient=patient, drug="ocrelizumab", date=first, dose_mg=300)
    m.LabResult.objects.create(
        patient=patient, test="hbsag", value_text="negative", date=first - timedelta(days=10)
    )
    return patient


def natalizumab_patient(center, name: str, *, first: date, last: date, **fields) -> m.Patient:
    """Natalizumab every 4 weeks from `first` up to `last`, TOUCH-authorized 2025-07-20,
    anti-JCV positive with a STRATIFY JCV index of 1.2 drawn 2025-11-01."""
    patient = m.Patient.objects.create(
        center=center,
        name=name,
        birth_date=date(1980, 2, 2),
        sex="female",
        ms_type="RRMS",
        **fields,
    )
    m.Course.objects.create(patient=patient, drug="natalizumab", start=first)
    day = first
    while day <= last:
        m.Administration.objects.create(patient=patient, drug="natalizumab", date=day, dose_mg=300)
        day += timedelta(weeks=4)
    m.ProgramAction.objects.create(
        patient=patient, program="touch", action="authorized", date=date(2025, 7, 20)
    )
    m.LabResult.objects.create(
        patient=patient, test="anti_jcv", value_text="positive", date=date(2025, 11, 1)
    )
    m.LabResult.objects.create(
        patient=patient,
        test="anti_jcv_index",
        value_number=1.2,
        assay="STRATIFY JCV",
        date=date(2025, 11, 1),
    )
    return patient
