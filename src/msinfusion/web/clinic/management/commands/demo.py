"""`manage.py demo`: the Lakeside demo center, its staff and patients (and, for load tests, more).

The population itself is built by `msinfusion.web.demo_data` (pure data, placed around today with the
domain's plan); this command only stores it. It refuses to run twice: `--reset` first removes what an
earlier run created (the demo and load-test centers, their accounts, patients and clinical rows; the
audit log is append-only and stays). `--patients N` adds N load-test patients spread over centers of
about 1,000 patients, each with a nurse and four neurologists (logins `load-nurse-NN`,
`load-neuro-NN-K`, `load-patient-NNNNN`, all with the demo password).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from msinfusion.web import demo_data as dd
from msinfusion.web import demo_scenarios as ds
from msinfusion.web.accounts.models import Role, User
from msinfusion.web.clinic import models as m
from msinfusion.web.scheduling.demo import seed_demo_days

LOAD_PREFIX = "load-"
LOAD_CENTER = "Load Test Infusion Center"
PATIENTS_PER_CENTER = 1000
NEUROLOGISTS_PER_CENTER = 4
STOP_REASON = "stopped after discussion with the neurologist"
CLINICAL = m.CLINICAL_MODELS


class Command(BaseCommand):
    help = "Create the demo center, the demo users (password demo-password) and demo patients."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="remove earlier demo and load-test data first"
        )
        parser.add_argument(
            "--patients",
            type=int,
            default=0,
            metavar="N",
            help="also create N load-test patients over centers of about 1,000 patients",
        )
        parser.add_argument(
            "--today", metavar="DATE", help="place the demo around this day (default: today)"
        )

    def handle(self, *args, reset: bool, patients: int, today: str | None, **options):
        if patients < 0:
            raise CommandError("--patients must be 0 or more")
        try:
            day = (
                date.fromisoformat(today)
                if today
                else datetime.now(ZoneInfo(ds.CENTER["timezone"])).date()
            )
        except ValueError:
            raise CommandError(f"--today: not a valid ISO date (YYYY-MM-DD): {today!r}") from None
        if demo_exists():
            if not reset:
                raise CommandError(
                    "demo data is already loaded; run `manage.py demo --reset` to replace it"
                )
            removed = remove_demo()
            self.stdout.write(f"Removed the earlier demo ({removed} patients).")
        with transaction.atomic():
            center, staff = create_center()
            count = store(
                dd.demo_population(day),
                center,
                staff["demo-nurse"],
                [staff["demo-neurologist"]],
                staff,
            )
            booked = seed_demo_days(center, ds.NURSE_SHIFTS, day, staff["demo-nurse"])
        self.stdout.write(
            f"Demo loaded: {center.name}, {count} patients around {day.isoformat()}; "
            f"logins {', '.join(u for u, _, _ in ds.LOGINS)} (password {ds.PASSWORD})."
            f" {booked} chair bookings on the next open day."
        )
        if patients:
            total = load_patients(patients, day, center, staff, self.stdout)
            self.stdout.write(f"Load-test patients: {total}.")


def demo_exists() -> bool:
    return (
        m.Center.objects.filter(name__in=[ds.CENTER["name"]]).exists()
        or m.Center.objects.filter(name__startswith=LOAD_CENTER).exists()
        or User.objects.filter(username__in=[u for u, _, _ in ds.LOGINS]).exists()
    )


@transaction.atomic
def remove_demo() -> int:
    """Remove what `demo` created: clinical rows, patients, accounts, centers (not the audit log)."""
    centers = m.Center.objects.filter(name=ds.CENTER["name"]) | m.Center.objects.filter(
        name__startswith=LOAD_CENTER
    )
    patients = m.Patient.objects.filter(center__in=centers)
    count = patients.count()
    for model in CLINICAL:
        rows = model.objects.filter(patient__in=patients)
        rows.exclude(superseded_by=None).update(superseded_by=None)
        rows.delete()
    users = User.objects.filter(username__startswith="demo-") | User.objects.filter(
        username__startswith=LOAD_PREFIX
    )
    users = users | User.objects.filter(center__in=centers)
    m.Patient.objects.filter(user__in=users).exclude(center__in=centers).update(user=None)
    patients.delete()
    users.delete()
    centers.delete()
    return count


def create_center(name: str | None = None, staff_names: dict | None = None):
    """A center with the demo's chairs and opening hours, and its staff accounts."""
    center = m.Center.objects.create(**{**ds.CENTER, "name": name or ds.CENTER["name"]})
    m.Chair.objects.bulk_create(
        [m.Chair(center=center, number=n, kind=kind) for n, kind in ds.CHAIRS]
    )
    m.OpeningHours.objects.bulk_create(
        [
            m.OpeningHours(center=center, weekday=d, opens=o, closes=c)
            for d, o, c in ds.OPENING_HOURS
        ]
    )
    staff = {}
    for username, (role, first, last) in (staff_names or ds.STAFF).items():
        staff[username] = User.objects.create_user(
            username=username,
            password=ds.PASSWORD,
            role=role,
            center=center,
            first_name=first,
            last_name=last,
        )
    return center, staff


def store(population, center, nurse, neurologists, staff=None, password_hash=None) -> int:
    """Store demo patients and their clinical rows; returns how many patients were stored."""
    population = list(population)
    users = {}
    for person in population:
        if person.username:
            first, _, last = person.name.partition(" ")
            user = User(
                username=person.username,
                role=Role.PATIENT,
                first_name=first,
                last_name=last,
                password=password_hash or make_password(ds.PASSWORD),
            )
            users[person.key] = user
    User.objects.bulk_create(list(users.values()))
    saved = {
        u.username: u
        for u in User.objects.filter(username__in=[u.username for u in users.values()])
    }
    rows = []
    for i, person in enumerate(population):
        r = person.record
        user = users.get(person.key)
        rows.append(
            m.Patient(
                center=center,
                user=saved[user.username] if user else None,
                neurologist=neurologists[i % len(neurologists)],
                name=person.name,
                birth_date=r["birth_date"],
                sex=r["sex"],
                childbearing_potential=r["childbearing_potential"],
                height_cm=r["height_cm"],
                weight_kg=r["weight_kg"],
                ms_type=r["ms_type"],
                region=r["region"],
            )
        )
    patients = m.Patient.objects.bulk_create(rows)
    if any(p.pk is None for p in patients):  # a backend without RETURNING: read the keys back
        patients = list(m.Patient.objects.filter(center=center).order_by("id"))[-len(rows) :]
    clinical: dict[type, list] = {model: [] for model in CLINICAL}
    for patient, person in zip(patients, population, strict=True):
        for model, row in clinical_rows(patient, person, nurse, patient.neurologist):
            clinical[model].append(row)
    for model, items in clinical.items():
        model.objects.bulk_create(items, batch_size=2000)
    return len(patients)


def clinical_rows(patient, person, nurse, neurologist):
    """(model, unsaved row) pairs for one demo patient's record (the PatientRecord JSON shape)."""
    record = person.record
    for r in record.get("results", ()):
        numeric = not isinstance(r["value"], str)
        yield (
            m.LabResult,
            m.LabResult(
                patient=patient,
                entered_by=nurse,
                test=r["test"],
                value_number=r["value"] if numeric else None,
                value_text="" if numeric else r["value"],
                unit=r.get("unit", ""),
                date=r["date"],
                assay=r.get("assay", ""),
            ),
        )
    for k, a in enumerate(record.get("administrations", ())):
        minutes = person.chair_minutes[k] if k < len(person.chair_minutes) else 240
        start, end = dd.infusion_times(date.fromisoformat(a["date"]), minutes, patient.pk + k)
        yield (
            m.Administration,
            m.Administration(
                patient=patient,
                entered_by=nurse,
                drug=a["drug"],
                date=a["date"],
                dose_mg=a["dose_mg"],
                dose_mg_per_m2=a.get("dose_mg_per_m2"),
                reaction=a.get("reaction", "none"),
                lot=a.get("lot", ""),
                start_time=start,
                end_time=end,
                premedication=dd.premedication_given(a["drug"]),
            ),
        )
    for c in record.get("courses", ()):
        yield (
            m.Course,
            m.Course(
                patient=patient,
                entered_by=neurologist,
                drug=c["drug"],
                start=c["start"],
                stop=c.get("stop"),
                regimen=c.get("regimen", ""),
                stop_reason=STOP_REASON if c.get("stop") else "",
            ),
        )
    for c in record.get("conditions", ()):
        yield (
            m.Condition,
            m.Condition(
                patient=patient,
                entered_by=nurse,
                condition=c["condition"],
                date=c["date"],
                resolved=c.get("resolved"),
            ),
        )
    for v in record.get("vaccinations", ()):
        yield (
            m.Vaccination,
            m.Vaccination(
                patient=patient,
                entered_by=nurse,
                vaccine=v["vaccine"],
                live=v["live"],
                date=v["date"],
            ),
        )
    for p in record.get("programs", ()):
        yield (
            m.ProgramAction,
            m.ProgramAction(
                patient=patient,
                entered_by=neurologist,
                program=p["program"],
                action=p["action"],
                date=p["date"],
            ),
        )
    for c in record.get("checklists", ()):
        yield (
            m.Checklist,
            m.Checklist(
                patient=patient,
                entered_by=nurse,
                program=c["program"],
                date=c["date"],
                answers=c["answers"],
            ),
        )


def load_patients(count: int, day: date, lakeside, lakeside_staff, out) -> int:
    """`count` load-test patients over centers of about 1,000 (Lakeside first), with staff."""
    password_hash = make_password(ds.PASSWORD)  # one hash for every load-test account: loads fast
    centers = max(1, math.ceil(count / PATIENTS_PER_CENTER))
    people = iter(dd.load_population(count, day))
    stored = 0
    for c in range(centers):
        size = min(PATIENTS_PER_CENTER, count - stored)
        with transaction.atomic():
            if c == 0:
                center, nurse = lakeside, lakeside_staff["demo-nurse"]
                neurologists = [lakeside_staff["demo-neurologist"]]
            else:
                center = m.Center.objects.create(**{**ds.CENTER, "name": f"{LOAD_CENTER} {c:02d}"})
                nurse = _staff(f"{LOAD_PREFIX}nurse-{c:02d}", Role.NURSE, center, password_hash)
                neurologists = []
            while len(neurologists) < NEUROLOGISTS_PER_CENTER:
                k = len(neurologists) + 1
                neurologists.append(
                    _staff(
                        f"{LOAD_PREFIX}neuro-{c:02d}-{k}", Role.NEUROLOGIST, center, password_hash
                    )
                )
            batch = []
            for _ in range(size):
                person = next(people)
                batch.append(
                    dd.DemoPatient(
                        person.key,
                        person.name,
                        person.drug,
                        person.story,
                        None,
                        person.record,
                        person.chair_minutes,
                        f"{LOAD_PREFIX}patient-{stored + len(batch) + 1:05d}",
                    )
                )
            stored += store(batch, center, nurse, neurologists, password_hash=password_hash)
        out.write(f"  {center.name}: {size} patients ({stored}/{count})")
    return stored


def _staff(username: str, role: str, center, password_hash: str) -> User:
    return User.objects.create(username=username, role=role, center=center, password=password_hash)
