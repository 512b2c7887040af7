"""Extra patients for the patient-area tests, added to the shared `world` (tests/web/conftest.py).

- `starter`: a login of her own, starting ocrelizumab on 2026-02-02 with only HBsAg on file, so
  anti-HBc, IgG and ALT are still needed before infusion 1 (ocrelizumab.toml baseline OCR-B1/B2/B4).
- `touch_patient`: on natalizumab (every 4 weeks, TOUCH), authorized on 2025-12-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from tests.web.conftest import make_user

from msinfusion.web.accounts.models import Role
from msinfusion.web.clinic import models as m

# 10:00 in New York on Sat 10 Jan 2026: the world's center date is 2026-01-10
TODAY = "2026-01-10 15:00:00+00:00"


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@dataclass
class Extra:
    starter: m.Patient
    touch_patient: m.Patient


@pytest.fixture
def extra(world) -> Extra:
    starter = m.Patient.objects.create(
        center=world.center,
        user=make_user("starter", Role.PATIENT),
        neurologist=world.neurologist,
        name="Dana Starter",
        birth_date=date(1992, 5, 1),
        sex="female",
        childbearing_potential=False,
        ms_type="RRMS",
    )
    m.Course.objects.create(patient=starter, drug="ocrelizumab", start=date(2026, 2, 2))
    m.LabResult.objects.create(
        patient=starter, test="hbsag", value_text="negative", date=date(2026, 1, 2)
    )
    touch = m.Patient.objects.create(
        center=world.center,
        user=make_user("touchy", Role.PATIENT),
        neurologist=world.neurologist,
        name="Evan Touch",
        birth_date=date(1985, 2, 2),
        sex="male",
        ms_type="RRMS",
    )
    m.Course.objects.create(patient=touch, drug="natalizumab", start=date(2025, 12, 15))
    m.Administration.objects.create(
        patient=touch, drug="natalizumab", date=date(2025, 12, 15), dose_mg=300
    )
    m.ProgramAction.objects.create(
        patient=touch, program="touch", action="authorized", date=date(2025, 12, 1)
    )
    return Extra(starter, touch)
