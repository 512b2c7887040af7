"""A small world for web tests: two centers, their staff and patients, plus an outsider.

Actors (B1): the patient, the patient's neurologist, a nurse at the patient's center, another
patient, a neurologist at the same center outside the care team, staff of another center, and
anonymous. Use `world` and log in with `client.force_login(world.<actor>)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from msinfusion.web.accounts.models import Role, User
from msinfusion.web.clinic import models as m

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """The world creates a dozen accounts; Argon2 (the real hasher) would spend seconds per test
    on them. Tests marked `real_password_hashing` keep Argon2 (and test_b08_passwords.py checks
    that the settings really use it)."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, role: str, center=None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, center=center, **extra
    )
    return user


@dataclass
class World:
    center: m.Center
    other_center: m.Center
    patient_user: User
    patient: m.Patient
    neurologist: User
    nurse: User
    other_patient_user: User
    other_patient: m.Patient
    outside_neurologist: User
    other_center_nurse: User
    other_center_neurologist: User
    center_admin: User
    other_center_admin: User
    far_patient: m.Patient  # a patient of the other center


@pytest.fixture
def world(db) -> World:
    center = m.Center.objects.create(name="Lakeside Infusion Center", timezone="America/New_York")
    other = m.Center.objects.create(name="Hillside Infusion Center", timezone="America/Chicago")
    neurologist = make_user("neuro", Role.NEUROLOGIST, center)
    outside = make_user("neuro2", Role.NEUROLOGIST, center)
    nurse = make_user("nurse", Role.NURSE, center)
    admin = make_user("admin", Role.CENTER_ADMIN, center)
    other_nurse = make_user("nurse-b", Role.NURSE, other)
    other_neuro = make_user("neuro-b", Role.NEUROLOGIST, other)
    other_admin = make_user("admin-b", Role.CENTER_ADMIN, other)
    patient_user = make_user("pat", Role.PATIENT)
    other_patient_user = make_user("pat2", Role.PATIENT)
    patient = m.Patient.objects.create(
        center=center,
        user=patient_user,
        neurologist=neurologist,
        name="Alice Example",
        birth_date=date(1988, 3, 14),
        sex="female",
        childbearing_potential=False,
        height_cm=168,
        weight_kg=64,
        ms_type="RRMS",
    )
    other_patient = m.Patient.objects.create(
        center=center,
        user=other_patient_user,
        neurologist=outside,
        name="Bob Example",
        birth_date=date(1979, 6, 2),
        sex="male",
        ms_type="RRMS",
    )
    far_patient = m.Patient.objects.create(
        center=other,
        neurologist=other_neuro,
        name="Carol Example",
        birth_date=date(1990, 1, 1),
        sex="female",
        ms_type="RRMS",
    )
    for p in (patient, other_patient, far_patient):
        m.Course.objects.create(patient=p, drug="ocrelizumab", start=date(2026, 1, 5))
        m.Administration.objects.create(
            patient=p, drug="ocrelizumab", date=date(2026, 1, 5), dose_mg=300
        )
        m.LabResult.objects.create(
            patient=p, test="hbsag", value_text="negative", date=date(2025, 12, 20)
        )
    return World(
        center,
        other,
        patient_user,
        patient,
        neurologist,
        nurse,
        other_patient_user,
        other_patient,
        outside,
        other_nurse,
        other_neuro,
        admin,
        other_admin,
        far_patient,
    )
