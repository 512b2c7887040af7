"""Synthetic patient records with realistic histories, for benchmarks.

Each patient is on one drug at a random point of treatment: infusions given around their due dates
(most on time, some days late, a few weeks late), the results a clinic would have drawn (some missing
or stale), program authorizations, an occasional reaction, infection or stopped course. Seeded, so a run
is reproducible.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import Catalog, default_catalog

DRUG_MIX = [
    ("ocrelizumab", 0.35),
    ("natalizumab", 0.25),
    ("ublituximab", 0.12),
    ("natalizumab-sztn", 0.05),
    ("alemtuzumab", 0.08),
    ("rituximab", 0.10),
    ("mitoxantrone", 0.05),
]
RESULT_TESTS = {
    "ocrelizumab": ["hbsag", "anti_hbc", "igg", "alt"],
    "ublituximab": ["hbsag", "anti_hbc", "igg", "alt", "pregnancy_test"],
    "natalizumab": ["mri_brain", "anti_jcv_index", "cbc"],
    "natalizumab-sztn": ["mri_brain", "anti_jcv_index", "cbc"],
    "alemtuzumab": ["cbc", "creatinine", "urinalysis", "tsh", "hiv", "vzv_igg", "tb_screen"],
    "mitoxantrone": ["lvef", "anc", "alt", "cbc", "pregnancy_test"],
    "rituximab": ["hbsag", "anti_hbc"],
}
NUMERIC = {
    "igg": (700, 1600),
    "alt": (10, 45),
    "anti_jcv_index": (0.1, 3.5),
    "lvef": (52, 68),
    "anc": (1600, 6000),
    "creatinine": (0.6, 1.2),
    "tsh": (0.5, 4.0),
}
PROGRAM = {
    "natalizumab": "touch",
    "natalizumab-sztn": "tyruko_rems",
    "alemtuzumab": "lemtrada_rems",
}


def _value(test: str, rng: random.Random, catalog: Catalog) -> float | str:
    if test in NUMERIC:
        lo, hi = NUMERIC[test]
        return round(rng.uniform(lo, hi), 2)
    if catalog.tests[test].unit != "qualitative":
        return 1.0
    if test in ("hbsag", "hiv", "pregnancy_test", "tb_screen"):
        return "negative" if rng.random() > 0.01 else "positive"
    if test == "anti_hbc":
        return "negative" if rng.random() > 0.08 else "positive"
    return "normal" if rng.random() > 0.05 else "abnormal"


def make_patient(i: int, today: date, rng: random.Random, catalog: Catalog) -> dict[str, Any]:
    drug_id = rng.choices([d for d, _ in DRUG_MIX], [w for _, w in DRUG_MIX])[0]
    drug = catalog.drug(drug_id)
    female = rng.random() < 0.72
    start = today - timedelta(days=rng.randint(-20, 6 * 365))
    regimen = rng.choice(drug.regimen_ids) if drug_id == "rituximab" else None
    patient: dict[str, Any] = {
        "id": f"p{i}",
        "birth_date": (today - timedelta(days=rng.randint(20 * 365, 65 * 365))).isoformat(),
        "sex": "female" if female else "male",
        "childbearing_potential": female and rng.random() < 0.6,
        "height_cm": round(rng.gauss(170 if not female else 164, 8), 1),
        "weight_kg": round(rng.gauss(76 if not female else 68, 12), 1),
        "ms_type": rng.choice(["RRMS", "RRMS", "RRMS", "SPMS", "PPMS", "CIS"]),
        "region": "EU" if rng.random() < 0.1 else "US",
    }
    if rng.random() < 0.1:
        patient["prior_immunosuppressants"] = ["mitoxantrone"]
    course: dict[str, Any] = {"drug": drug_id, "start": start.isoformat()}
    if regimen:
        course["regimen"] = regimen
    base = PatientRecord.from_dict(patient, catalog)
    adms: list[dict[str, Any]] = []
    # Re-plan only after a late dose: doses on their due dates leave the plan unchanged.
    while True:
        given = tuple(_adm(a) for a in adms)
        record = PatientRecord.model_construct(**{**dict(base), "administrations": given})
        plan = plan_infusions(drug, start=start, record=record, regimen_id=regimen, until=today)
        past = [i for i in plan.infusions if i.date < today]
        if not past:
            break
        late_at = None
        for k, infusion in enumerate(past):
            if infusion.dose_in_block == 1 and rng.random() < 0.08:
                late_at = k
                break
        for k, infusion in enumerate(past[: (late_at + 1) if late_at is not None else None]):
            delay = rng.choice([1, 2, 3, 7, 14, 35]) if k == late_at else 0
            day = infusion.date + timedelta(days=delay)
            if day >= today:
                late_at = None
                break
            reaction = "mild" if rng.random() < 0.05 else "none"
            dose = infusion.dose_mg or 20.0
            adms.append(
                {"drug": drug_id, "date": day.isoformat(), "dose_mg": dose, "reaction": reaction}
            )
        if late_at is None:
            break
    patient["administrations"] = adms
    if rng.random() < 0.05 and adms:
        course["stop"] = (date.fromisoformat(adms[-1]["date"]) + timedelta(days=30)).isoformat()
    patient["courses"] = [course]
    results = []
    for test in RESULT_TESTS[drug_id]:
        if rng.random() < 0.1:
            continue  # never drawn
        drawn = start - timedelta(days=rng.randint(3, 40))
        results.append(
            {"test": test, "value": _value(test, rng, catalog), "date": drawn.isoformat()}
        )
        if rng.random() < 0.7 and today - timedelta(days=20) > start:
            recent = today - timedelta(days=rng.randint(1, 120))
            results.append(
                {"test": test, "value": _value(test, rng, catalog), "date": recent.isoformat()}
            )
    for r in results:
        if r["test"] == "anti_jcv_index":
            r["assay"] = "STRATIFY JCV"
    patient["results"] = results
    if drug_id in PROGRAM:
        auth = start - timedelta(days=7)
        actions = [{"program": PROGRAM[drug_id], "action": "authorized", "date": auth.isoformat()}]
        while auth + timedelta(days=180) < today and rng.random() < 0.95:
            auth += timedelta(days=180)
            actions.append(
                {"program": PROGRAM[drug_id], "action": "reauthorized", "date": auth.isoformat()}
            )
        patient["programs"] = actions
    if rng.random() < 0.03:
        patient["conditions"] = [
            {"condition": "active_infection", "date": (today - timedelta(days=3)).isoformat()}
        ]
    if rng.random() < 0.05:
        patient["vaccinations"] = [
            {
                "vaccine": "influenza",
                "live": False,
                "date": (start - timedelta(days=60)).isoformat(),
            }
        ]
    return patient


def _adm(a: dict[str, Any]):
    from msinfusion.care.record import Administration

    return Administration(
        drug=a["drug"],
        date=date.fromisoformat(a["date"]),
        dose_mg=a["dose_mg"],
        reaction=a["reaction"],
    )


def population(n: int, today: date, seed: int = 7, catalog: Catalog | None = None) -> list[dict]:
    """`n` patient record dicts (JSON-ready), reproducible for a seed."""
    catalog = catalog or default_catalog()
    rng = random.Random(seed)
    return [make_patient(i, today, rng, catalog) for i in range(n)]
