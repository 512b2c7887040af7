"""The demo center and its scenarios: who is on which drug, at which point of treatment.

Pure data for `demo_data`, which turns each scenario into a patient record placed around today:
the center (chairs, hours, nurse shifts, staff and logins), what a clinic tests before and during
each drug, and one `Scenario` per demo patient (with the readiness the worklist should show).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import get_args

from msinfusion.care.record import DrugId

PASSWORD = "demo-password"
CENTER = {
    "name": "Lakeside MS Infusion Center",
    "timezone": "America/New_York",
    "address": "2200 Lakeshore Drive, Suite 300, Chicago, IL 60614",
    "phone": "+1 312-555-0142",
}
# 24 places: chairs 1-19, beds 20-23 (first infusions, long observation), an isolation room 24
CHAIRS = [(n, "chair") for n in range(1, 20)] + [(n, "bed") for n in range(20, 24)]
CHAIRS.append((24, "isolation"))
OPENING_HOURS = [(weekday, time(7), time(19)) for weekday in range(5)]  # Mon-Fri 07:00-19:00
NURSE_SHIFTS = [  # every open day; the first is the demo nurse's own
    ("Grace Okafor", time(7), time(15, 30)),
    ("Sam Rivera", time(9), time(17, 30)),
    ("Lena Fischer", time(10, 30), time(19)),
]

STAFF = {
    "demo-nurse": ("nurse", "Grace", "Okafor"),
    "demo-neurologist": ("neurologist", "Daniel", "Reyes"),
    "demo-admin": ("center_admin", "Priya", "Shah"),
}
LOGINS = [
    (
        "demo-patient",
        "patient",
        "Maya Thompson's own dashboard (ocrelizumab): next infusion, tests",
    ),
    ("demo-nurse", "nurse", "the center's worklist and every patient of the center"),
    ("demo-neurologist", "neurologist", "the worklist and records of Dr. Reyes's patients"),
    ("demo-admin", "center admin", "staff accounts, chairs, opening hours and the audit log"),
]

DRUGS: tuple[str, ...] = get_args(DrugId)  # every drug a record may name, in catalog order
CONSECUTIVE_DAYS = {"alemtuzumab"}  # course days follow each other, weekends included
PROGRAM = {
    "natalizumab": "touch",
    "natalizumab-sztn": "tyruko_rems",
    "alemtuzumab": "lemtrada_rems",
}
BASELINE = {
    "ocrelizumab": ("hbsag", "anti_hbc", "igg", "alt", "mri_brain"),
    "ublituximab": ("hbsag", "anti_hbc", "igg", "alt", "mri_brain"),
    "rituximab": ("hbsag", "anti_hbc", "igg", "mri_brain"),
    "natalizumab": ("mri_brain", "anti_jcv_index", "cbc"),
    "natalizumab-sztn": ("mri_brain", "anti_jcv_index", "cbc"),
    "alemtuzumab": ("hiv", "vzv_igg", "tb_screen", "skin_exam", "hbsag", "mri_brain"),
    "mitoxantrone": ("lvef", "ecg", "anc", "alt", "cbc", "mri_brain"),
}
# Tests drawn before every infusion (alemtuzumab: before each course).
BEFORE_EACH = {
    "mitoxantrone": ("lvef", "anc", "alt"),
    "alemtuzumab": ("cbc", "creatinine", "urinalysis", "tsh"),
}
# Monitoring a clinic keeps up while treating: (test, every_days, from "first" dose or "last" dose)
PERIODIC = {
    "ocrelizumab": (("igg", 365, "first"), ("mri_brain", 365, "first")),
    "ublituximab": (("igg", 365, "first"), ("mri_brain", 365, "first")),
    "rituximab": (("igg", 365, "first"),),
    "natalizumab": (("anti_jcv_index", 182, "first"), ("mri_brain", 365, "first")),
    "natalizumab-sztn": (("anti_jcv_index", 182, "first"), ("mri_brain", 365, "first")),
    "alemtuzumab": (
        ("cbc", 30, "last"),
        ("creatinine", 30, "last"),
        ("urinalysis", 30, "last"),
        ("tsh", 91, "last"),
        ("skin_exam", 365, "first"),
    ),
    "mitoxantrone": (),
}
NUMERIC = {
    "igg": (720, 1450),
    "alt": (12, 38),
    "anc": (2100, 5200),
    "creatinine": (0.65, 1.1),
    "tsh": (0.8, 3.2),
    "lvef": (56, 66),
}
POSITIVE_IS_NORMAL = {"vzv_igg"}


@dataclass(frozen=True)
class Scenario:
    """One patient's point of treatment, relative to today."""

    story: str  # what a clinician should read off the worklist
    given: int  # doses of the current run already given
    next_in: int | None = None  # the next planned infusion falls this many days from today
    last_ago: int | None = None  # or: the last dose was this many days ago (nothing left to plan)
    stopped_ago: int | None = None  # the course was stopped this many days ago
    flags: tuple[str, ...] = ()
    regimen: str | None = None
    expect: str | None = None  # readiness of the next infusion: cleared / needs_review / blocked


S = Scenario
ANTI_CD20 = [
    S("starts next week, baseline complete", 0, next_in=6, expect="cleared"),
    S(
        "starts in 12 days, anti-HBc not done",
        0,
        next_in=12,
        flags=("missing:anti_hbc",),
        expect="blocked",
    ),
    S("second initial dose in 3 days", 1, next_in=3, expect="cleared"),
    S("due this week", 3, next_in=2, expect="cleared"),
    S("due this week, active infection", 4, next_in=4, flags=("infection",), expect="blocked"),
    S(
        "due this week, mild reaction last time",
        5,
        next_in=1,
        flags=("reaction",),
        expect="cleared",
    ),
    S("mid-course, next in 10 weeks", 5, next_in=70, expect="cleared"),
    S("mid-course, IgG overdue", 6, next_in=40, flags=("overdue:igg",)),
    S("infusion overdue by 3 weeks", 4, next_in=-21),
    S("mid-course, next in 4 months", 2, next_in=120, expect="cleared"),
    S("stopped 5 months ago (planning pregnancy)", 4, last_ago=180, stopped_ago=150),
]
SCENARIOS: dict[str, list[Scenario]] = {
    "ocrelizumab": [
        *ANTI_CD20,
        S(
            "the demo patient: next in 9 days, yearly IgG due",
            4,
            next_in=9,
            flags=("demo", "overdue:igg"),
        ),
    ],
    "ublituximab": [
        *ANTI_CD20,
        S(
            "due this week, pregnancy test not done",
            3,
            next_in=3,
            flags=("childbearing", "no_pregnancy_test"),
            expect="needs_review",
        ),
    ],
    "rituximab": [
        S("HERMES: starts next week", 0, next_in=7, regimen="hermes", expect="cleared"),
        S("HERMES: second dose in 2 days", 1, next_in=2, regimen="hermes", expect="cleared"),
        S("HERMES: both doses given 5 months ago", 2, last_ago=150, regimen="hermes"),
        S("OLYMPUS: course 2 due this week", 2, next_in=3, regimen="olympus", expect="cleared"),
        S("OLYMPUS: course 3 due this week", 4, next_in=5, regimen="olympus", expect="cleared"),
        S("OLYMPUS: mid-course", 5, next_in=12, regimen="olympus", expect="cleared"),
        S(
            "RIFUND-MS: starts in 10 days, HBsAg not done",
            0,
            next_in=10,
            regimen="rifund-ms",
            flags=("missing:hbsag",),
            expect="blocked",
        ),
        S(
            "RIFUND-MS: maintenance due this week",
            3,
            next_in=4,
            regimen="rifund-ms",
            expect="cleared",
        ),
        S(
            "RIFUND-MS: maintenance in 3 months",
            4,
            next_in=95,
            regimen="rifund-ms",
            expect="cleared",
        ),
        S("RIFUND-MS: maintenance overdue by 2 weeks", 2, next_in=-14, regimen="rifund-ms"),
        S(
            "RIFUND-MS: maintenance in 5 weeks",
            5,
            next_in=35,
            regimen="rifund-ms",
            expect="cleared",
        ),
        S("RIFUND-MS: stopped 4 months ago", 3, last_ago=150, stopped_ago=120, regimen="rifund-ms"),
    ],
    "natalizumab": [
        S(
            "starts next week, enrolled in TOUCH",
            0,
            next_in=5,
            flags=("jcv_neg",),
            expect="needs_review",
        ),
        S(
            "due today, checklist done",
            8,
            next_in=0,
            flags=("jcv_neg", "checklist"),
            expect="cleared",
        ),
        S("due this week", 14, next_in=3, flags=("jcv_low",), expect="needs_review"),
        S(
            "due this week, TOUCH authorization lapsed",
            12,
            next_in=2,
            flags=("lapsed", "jcv_low"),
            expect="blocked",
        ),
        S("PML band changed: index rose above 1.5", 30, next_in=4, flags=("jcv_up",)),
        S("PML band changed: now anti-JCV positive", 20, next_in=12, flags=("jcv_seroconvert",)),
        S(
            "due this week, on high-dose steroids",
            18,
            next_in=1,
            flags=("immunocompromised", "jcv_neg"),
            expect="blocked",
        ),
        S("next in 3 weeks, TOUCH reauthorization due first", 25, next_in=21, flags=("jcv_low",)),
        S("infusion overdue by 10 days", 9, next_in=-10, flags=("jcv_neg",)),
        S(
            "starts in 9 days, no baseline MRI",
            0,
            next_in=9,
            flags=("missing:mri_brain", "jcv_neg"),
            expect="blocked",
        ),
        S("anti-JCV retest overdue", 16, next_in=15, flags=("jcv_neg", "overdue:anti_jcv_index")),
        S("stopped 3 months ago (PML risk)", 36, last_ago=110, stopped_ago=90, flags=("jcv_up",)),
    ],
    "natalizumab-sztn": [
        S("starts next week, REMS enrolled", 0, next_in=6, flags=("jcv_neg",), expect="cleared"),
        S("due this week", 6, next_in=3, flags=("jcv_neg",), expect="cleared"),
        S(
            "due this week, REMS authorization lapsed",
            10,
            next_in=2,
            flags=("lapsed", "jcv_low"),
            expect="blocked",
        ),
        S("due today", 4, next_in=0, flags=("jcv_low",), expect="cleared"),
        S("PML band changed: index rose above 1.5", 28, next_in=5, flags=("jcv_up",)),
        S("PML band changed: now anti-JCV positive", 14, next_in=18, flags=("jcv_seroconvert",)),
        S(
            "due this week, on high-dose steroids",
            12,
            next_in=4,
            flags=("immunocompromised", "jcv_neg"),
            expect="blocked",
        ),
        S("mid-course, next in 2 weeks", 9, next_in=14, flags=("jcv_neg",), expect="cleared"),
        S("infusion overdue by a week", 7, next_in=-7, flags=("jcv_low",)),
        S(
            "starts in 8 days, no baseline MRI",
            0,
            next_in=8,
            flags=("missing:mri_brain", "jcv_neg"),
            expect="blocked",
        ),
        S("anti-JCV retest overdue", 15, next_in=10, flags=("jcv_neg", "overdue:anti_jcv_index")),
        S("stopped 2 months ago", 20, last_ago=80, stopped_ago=60, flags=("jcv_up",)),
    ],
    "alemtuzumab": [
        S("course 1 starts next week", 0, next_in=7, expect="cleared"),
        S(
            "course 1 starts in 10 days, TSH not done",
            0,
            next_in=10,
            flags=("missing:tsh",),
            expect="blocked",
        ),
        S("course 1, day 3 tomorrow", 2, next_in=1, expect="cleared"),
        S("course 2 due in 2 weeks, pre-course labs needed", 5, next_in=14),
        S(
            "course 2 due this week, active infection",
            5,
            next_in=4,
            flags=("infection",),
            expect="blocked",
        ),
        S("between courses, monthly labs up to date", 5, next_in=150),
        S(
            "between courses, monthly labs overdue",
            5,
            next_in=200,
            flags=("overdue:cbc", "overdue:urinalysis"),
        ),
        S("course 2 given 4 months ago", 8, last_ago=120),
        S("2 years after course 2, monthly labs", 8, last_ago=730),
        S("2 years after course 2, TSH overdue", 8, last_ago=760, flags=("overdue:tsh",)),
        S("3 years after course 2", 8, last_ago=1100),
        S(
            "course 2 given 10 months ago, creatinine overdue",
            8,
            last_ago=300,
            flags=("overdue:creatinine",),
        ),
    ],
    "mitoxantrone": [
        S("dose 1 next week", 0, next_in=6, expect="cleared"),
        S("dose 2 due this week", 1, next_in=3, expect="cleared"),
        S("dose 3 due this week, LVEF 45%", 2, next_in=2, flags=("low_lvef",), expect="blocked"),
        S("dose 4 in 6 weeks", 3, next_in=45),
        S(
            "dose 3 due this week, neutrophils 1,200/uL",
            2,
            next_in=4,
            flags=("low_anc",),
            expect="blocked",
        ),
        S(
            "dose 5 due this week, pregnancy test not done",
            4,
            next_in=2,
            flags=("childbearing", "no_pregnancy_test"),
            expect="blocked",
        ),
        S("dose 2 overdue by 2 weeks", 1, next_in=-14),
        S("dose 6 in 2 months", 5, next_in=60),
        S("stopped a year ago: yearly LVEF", 8, last_ago=400, stopped_ago=370),
        S(
            "stopped 2 years ago: yearly LVEF overdue",
            6,
            last_ago=800,
            stopped_ago=760,
            flags=("skip_lvef_after",),
        ),
        S("stopped 3 years ago: LVEF done", 10, last_ago=1150, stopped_ago=1120),
        S("dose 3 in 3 weeks, LVEF not yet done", 2, next_in=21),
    ],
}

FIRST_NAMES = (  # noqa: SIM905
    "Olivia Liam Emma Noah Ava Ethan Sophia Lucas Isabella Mason Mia Logan Amelia James Harper "
    "Aiden Evelyn Elijah Abigail Benjamin Emily Jacob Ella Michael Elizabeth Daniel Camila Henry "
    "Luna Jackson Sofia Sebastian Avery Jack Mila Owen Aria Samuel Scarlett Matthew Penelope "
    "Joseph Layla Levi Chloe David Victoria John Madison Wyatt Eleanor Carter Grace Julian Nora "
    "Luke Riley Grayson Zoey Isaac Hannah Jayden Hazel Gabriel Lily Anthony Ellie Dylan Violet "
    "Leo Lillian Lincoln Zoe Jaxon Stella Asher Aurora Christopher Natalie Josiah Emilia Andrew "
    "Everly Thomas Leah Joshua Aaliyah Ezra Addison Hudson Willow Charles Lucy Caleb Paisley "
    "Isaiah Rosa Ryan Fatima Nathan Mei Adrian Aisha Kenji Ingrid Tomas Yara"
).split()
LAST_NAMES = (  # noqa: SIM905
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Kowalski "
    "Novak Haddad Nakamura Okonkwo Lindqvist Petrov Ferreira Kaur Cohen Murphy O'Brien Schmidt "
    "Rossi Dubois Jensen Yilmaz Tanaka Abara Mensah Iyer Chen Wang Park Kim Patel Singh Ali"
).split()
