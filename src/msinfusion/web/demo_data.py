"""The demo population: one center's patients on every drug, at realistic points of treatment.

Pure data building, no Django: every `DemoPatient` carries a record in the JSON shape of
`PatientRecord` (docs/record-format.md). Infusion dates are placed relative to `today` with the
domain's own plan (`care.plan.plan_infusions`), so they follow each regimen: a scenario says how many
doses were given and when the next one falls due (or how long ago the last one was), and the doses
given are the plan's first positions shifted to land there. Results, program actions, conditions and
vaccinations are then added the way a clinic would have recorded them, with a few deliberate gaps
(a missing baseline test, a lapsed authorization, an overdue monitoring test) so the worklist has
something to say. The `demo` management command stores these records as rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from msinfusion.care.plan import plan_infusions
from msinfusion.care.record import PatientRecord
from msinfusion.knowledge.catalog import Catalog, default_catalog
from msinfusion.web.demo_scenarios import (
    BASELINE,
    BEFORE_EACH,
    CONSECUTIVE_DAYS,
    DRUGS,
    FIRST_NAMES,
    LAST_NAMES,
    NUMERIC,
    PERIODIC,
    POSITIVE_IS_NORMAL,
    PROGRAM,
    SCENARIOS,
    Scenario,
)


def premedication_given(drug_id: str, catalog: Catalog | None = None) -> str:
    """What a nurse records as premedication given: the catalog's required premedication."""
    items = (catalog or default_catalog()).drug(drug_id).infusion.premedication
    given = [f"{p.drug} {p.dose}" for p in items if p.required]
    return "; ".join(given)[:300]


def infusion_times(day: date, chair_minutes: int, seed: int) -> tuple[time, time]:
    """A start between 07:30 and 12:00 (half-hour steps) and the end after the chair time."""
    start = datetime.combine(day, time(7, 30)) + timedelta(minutes=30 * (seed % 10))
    end = start + timedelta(minutes=chair_minutes)
    return start.time(), min(end, datetime.combine(day, time(18, 59))).time()


@dataclass(frozen=True)
class DemoPatient:
    key: str  # stable within a population: "ocrelizumab-03"
    name: str
    drug: str
    story: str
    expect: str | None
    record: dict[str, Any]  # the PatientRecord JSON shape
    chair_minutes: tuple[int, ...] = ()  # per administration, for the recorded start/end times
    username: str | None = None  # a login for this patient (the demo patient)


def demo_population(today: date, catalog: Catalog | None = None) -> list[DemoPatient]:
    """The Lakeside demo: every scenario of every drug, with stable names, placed around `today`."""
    catalog = catalog or default_catalog()
    rng = random.Random(20260105)
    names = _names(rng)
    out = []
    for drug in DRUGS:
        for k, scenario in enumerate(SCENARIOS[drug], start=1):
            demo = "demo" in scenario.flags
            name = "Maya Thompson" if demo else next(names)
            record = build_record(drug, scenario, today, rng, catalog, demo=demo)
            chairs = tuple(record.pop("_chair_minutes"))
            key = f"{drug}-{k:02d}"
            user = "demo-patient" if demo else None
            out.append(
                DemoPatient(key, name, drug, scenario.story, scenario.expect, record, chairs, user)
            )
    return out


def load_population(count: int, today: date, seed: int = 7) -> Iterator[DemoPatient]:
    """`count` patients for load tests: random drugs and scenarios, dates jittered by a few weeks."""
    catalog = default_catalog()
    rng = random.Random(seed)
    for i in range(count):
        drug = rng.choice(DRUGS)
        base = rng.choice(SCENARIOS[drug])
        shift = rng.randint(-20, 20)
        scenario = Scenario(
            base.story,
            base.given,
            None if base.next_in is None else base.next_in + shift,
            None if base.last_ago is None else base.last_ago + abs(shift),
            base.stopped_ago,
            tuple(f for f in base.flags if f != "demo"),
            base.regimen,
        )
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        record = build_record(drug, scenario, today, rng, catalog)
        chairs = tuple(record.pop("_chair_minutes"))
        yield DemoPatient(f"load-{i + 1:05d}", name, drug, base.story, None, record, chairs)


# ---------------------------------------------------------------- building one record


def build_record(
    drug_id: str,
    scenario: Scenario,
    today: date,
    rng: random.Random,
    catalog: Catalog,
    *,
    demo: bool = False,
) -> dict[str, Any]:
    flags = set(scenario.flags)
    female = demo or "childbearing" in flags or rng.random() < 0.7
    childbearing = "childbearing" in flags or (demo and True)
    if drug_id == "mitoxantrone" and "childbearing" not in flags:
        childbearing = False  # the clinic's mitoxantrone patients here are past childbearing age
    age_days = rng.randint(24 * 365, 58 * 365) if not demo else 37 * 365 + 120
    record: dict[str, Any] = {
        "birth_date": (today - timedelta(days=age_days)).isoformat(),
        "sex": "female" if female else "male",
        "childbearing_potential": bool(female and childbearing),
        "height_cm": round(rng.gauss(165 if female else 178, 6), 1),
        "weight_kg": round(rng.gauss(68 if female else 82, 9), 1),
        "ms_type": "PPMS" if drug_id == "ocrelizumab" and rng.random() < 0.2 else "RRMS",
        "region": "US",
    }
    if drug_id == "mitoxantrone":
        record["ms_type"] = "SPMS"
    doses, next_day = _doses(drug_id, scenario, today, record, catalog)
    first = doses[0]["date"] if doses else next_day
    assert first is not None
    course: dict[str, Any] = {"drug": drug_id, "start": first.isoformat()}
    if scenario.regimen:
        course["regimen"] = scenario.regimen
    if scenario.stopped_ago is not None:
        course["stop"] = (today - timedelta(days=scenario.stopped_ago)).isoformat()
    results = _results(drug_id, scenario, flags, today, doses, first, next_day, record, rng)
    if "reaction" in flags and doses:
        doses[-1]["reaction"] = "mild"
    elif doses and rng.random() < 0.08:
        doses[rng.randrange(len(doses))]["reaction"] = "mild"
    record["administrations"] = [
        {**{k: v for k, v in d.items() if k != "_chair_minutes"}, "date": d["date"].isoformat()}
        for d in doses
    ]
    record["_chair_minutes"] = [d["_chair_minutes"] for d in doses]
    record["courses"] = [course]
    record["results"] = results
    record["programs"] = _programs(drug_id, scenario, flags, today, first, next_day)
    checklists = _checklists(drug_id, flags, doses, next_day, today)
    if checklists:
        record["checklists"] = checklists
    for condition in ("infection", "immunocompromised"):
        if condition in flags:
            name = "active_infection" if condition == "infection" else condition
            since = (today - timedelta(days=3)).isoformat()
            record["conditions"] = [{"condition": name, "date": since}]
    record["vaccinations"] = [
        {
            "vaccine": "influenza (inactivated)",
            "live": False,
            "date": (first - timedelta(days=rng.randint(30, 200))).isoformat(),
        }
    ]
    return record


def _doses(
    drug_id: str, scenario: Scenario, today: date, person: dict[str, Any], catalog: Catalog
) -> tuple[list[dict[str, Any]], date | None]:
    """The doses given (on the plan's dates, shifted so the next one or the last one lands where
    the scenario says) and the next planned date."""
    drug = catalog.drug(drug_id)
    body = PatientRecord.model_validate(person)
    reference = date(2020, 1, 6)
    plan = plan_infusions(
        drug,
        start=reference,
        record=body,
        regimen_id=scenario.regimen,
        until=reference + timedelta(days=40 * 365),
        max_count=scenario.given + 1,
    )
    slots = plan.infusions
    if scenario.next_in is not None and len(slots) > scenario.given:
        target = today + timedelta(days=scenario.next_in)
        if scenario.next_in >= 1 and target.weekday() >= 5:
            target += timedelta(days=7 - target.weekday())  # the center opens on Monday
        elif scenario.next_in < 0 and target.weekday() >= 5:
            target -= timedelta(days=target.weekday() - 4)  # it was due on the Friday
        shift = target - slots[scenario.given].date
        next_day: date | None = target
    else:
        last = slots[min(scenario.given, len(slots)) - 1]
        target = today - timedelta(days=scenario.last_ago or 0)
        if target.weekday() >= 5:
            target -= timedelta(days=target.weekday() - 4)
        shift = target - last.date
        next_day = None
    # Weekend doses move to the Friday before or the Monday after, unless the scenario itself lands
    # on a weekend (a demo started on a Sunday with an infusion "due today").
    movable = drug_id not in CONSECUTIVE_DAYS and target.weekday() < 5
    doses = []
    for slot in slots[: scenario.given]:
        day = slot.date + shift
        if movable and day.weekday() >= 5:
            day += timedelta(days=-1 if day.weekday() == 5 else 1)  # booked on Friday or Monday
        dose: dict[str, Any] = {"drug": drug_id, "date": day, "dose_mg": slot.dose_mg or 0.0}
        if slot.dose_mg_per_m2:
            dose["dose_mg_per_m2"] = slot.dose_mg_per_m2
        dose["lot"] = _lot(drug_id, day)
        dose["_chair_minutes"] = slot.chair_minutes
        doses.append(dose)
    return doses, next_day


def _lot(drug_id: str, day: date) -> str:
    return f"{drug_id[:2].upper()}{day:%y}-{(day.toordinal() * 7919) % 9000 + 1000}"


def _value(test: str, rng: random.Random, catalog: Catalog) -> float | str:
    if test in NUMERIC:
        lo, hi = NUMERIC[test]
        value = rng.uniform(lo, hi)
        return round(value, 2) if hi < 10 else round(value)
    if test in POSITIVE_IS_NORMAL:
        return "positive"
    if test in ("hbsag", "anti_hbc", "hiv", "tb_screen", "pregnancy_test", "anti_jcv"):
        return "negative"
    if test == "mri_brain":
        return "abnormal"  # MS lesions, stable
    return "normal"


def _jcv_series(flags: set[str], count: int) -> list[float]:
    """STRATIFY JCV indices, oldest first, for the scenario's PML story."""
    if "jcv_up" in flags:
        steps = [0.42, 0.63, 0.88, 1.12, 1.34, 1.72]
    elif "jcv_seroconvert" in flags:
        steps = [0.11, 0.13, 0.12, 0.15, 0.58]
    elif "jcv_low" in flags:
        steps = [0.31, 0.36, 0.34, 0.41, 0.38]
    else:
        steps = [0.09, 0.11, 0.08, 0.12, 0.1]
    return steps[-count:] if count <= len(steps) else [steps[0]] * (count - len(steps)) + steps


def _results(
    drug_id: str,
    scenario: Scenario,
    flags: set[str],
    today: date,
    doses: list[dict[str, Any]],
    first: date,
    next_day: date | None,
    person: dict[str, Any],
    rng: random.Random,
) -> list[dict[str, Any]]:
    catalog = default_catalog()
    out: list[dict[str, Any]] = []

    def add(test: str, day: date, value: float | str | None = None) -> None:
        if day > today:
            return
        value = _value(test, rng, catalog) if value is None else value
        row: dict[str, Any] = {"test": test, "value": value, "date": day.isoformat()}
        unit = catalog.tests[test].unit
        if unit != "qualitative":
            row["unit"] = unit
        if test == "anti_jcv_index":
            row["assay"] = "STRATIFY JCV"
        out.append(row)

    missing = {f.split(":", 1)[1] for f in flags if f.startswith("missing:")}
    overdue = {f.split(":", 1)[1] for f in flags if f.startswith("overdue:")}
    positive = {f.split(":", 1)[1] for f in flags if f.startswith("positive:")}
    baseline_day = first - timedelta(days=rng.randint(9, 20))
    for test in BASELINE[drug_id]:
        if test not in missing and test not in PERIODIC_TESTS.get(drug_id, ()):
            add(test, baseline_day, "positive" if test in positive else None)
    dose_days = [d["date"] for d in doses]
    last = dose_days[-1] if dose_days else None
    # monitoring kept up while treated (and after, for the drugs that need it)
    stop = today - timedelta(days=scenario.stopped_ago) if scenario.stopped_ago else None
    for test, every, anchor in PERIODIC[drug_id]:
        if test in missing:
            continue
        jcv = _jcv_series(flags, 40) if test == "anti_jcv_index" else None
        day = baseline_day
        start = (last if anchor == "last" and last else first) or first
        draws = [day]
        # drawn a little ahead of each due date, as clinics book them
        ahead = timedelta(days=max(2, every // 12))
        step = start + timedelta(days=every) - ahead
        limit = stop or today
        while step <= limit - timedelta(days=1):
            draws.append(step - timedelta(days=rng.randint(0, 2)))
            step = draws[-1] + timedelta(days=every) - ahead
        if test in overdue:
            draws = [d for d in draws if d <= limit - timedelta(days=every + 21)] or draws[:1]
        recent = today - timedelta(days=4)
        if jcv and flags & {"jcv_up", "jcv_seroconvert"} and last and last < recent and not stop:
            draws.append(recent)  # the retest that moved the PML band, after the last infusion
        values = jcv[-len(draws) :] if jcv else None
        for i, d in enumerate(draws):
            add(test, d, values[i] if values else None)
    # tests drawn before each infusion
    for test in BEFORE_EACH.get(drug_id, ()):
        if test in missing:
            continue
        days = dose_days if drug_id != "alemtuzumab" else _course_starts(dose_days)
        for d in days[1:]:
            add(test, d - timedelta(days=rng.randint(2, 6)))
        if next_day is not None and next_day - today <= timedelta(days=7):
            draw = min(today - timedelta(days=1), next_day - timedelta(days=2))
            if test == "lvef" and "low_lvef" in flags:
                add(test, draw, 45)
            elif test == "anc" and "low_anc" in flags:
                add(test, draw, 1200)
            elif not (drug_id == "alemtuzumab" and len(dose_days) % 5 != 0):
                add(test, draw)
    if drug_id == "mitoxantrone" and stop is not None and "skip_lvef_after" not in flags:
        years = 1
        while stop + timedelta(days=365 * years) <= today:
            add("lvef", stop + timedelta(days=365 * years - 10))
            years += 1
    if person.get("childbearing_potential") and "no_pregnancy_test" not in flags:
        for d in dose_days:
            add("pregnancy_test", d - timedelta(days=2))
        if next_day is not None and timedelta(0) <= next_day - today <= timedelta(days=5):
            add("pregnancy_test", today - timedelta(days=1))
    return out


PERIODIC_TESTS = {drug: tuple(t for t, _, _ in items) for drug, items in PERIODIC.items()}


def _course_starts(days: list[date]) -> list[date]:
    starts = []
    for i, d in enumerate(days):
        if i == 0 or (d - days[i - 1]).days > 30:
            starts.append(d)
    return starts


def _programs(
    drug_id: str,
    scenario: Scenario,
    flags: set[str],
    today: date,
    first: date,
    next_day: date | None,
) -> list[dict[str, Any]]:
    program = PROGRAM.get(drug_id)
    if program is None:
        return []
    if program == "lemtrada_rems":
        return [
            {
                "program": program,
                "action": "enrolled",
                "date": (first - timedelta(days=30)).isoformat(),
            },
            {
                "program": program,
                "action": "authorized",
                "date": (first - timedelta(days=21)).isoformat(),
            },
        ]
    authorized = first - timedelta(days=10)
    out = [{"program": program, "action": "authorized", "date": authorized.isoformat()}]
    stop = today - timedelta(days=scenario.stopped_ago) if scenario.stopped_ago else None
    if "lapsed" in flags:
        # renewed every 175 days until the latest renewal, 190 days ago: lapsed about a week ago
        days = [today - timedelta(days=190 + 175 * k) for k in range(40)]
        renewals = sorted(d for d in days if d > authorized)
    else:
        renewals = []
        day = authorized + timedelta(days=175)
        while day <= (stop or today):
            renewals.append(day)
            day += timedelta(days=175)
    for day in renewals:
        out.append({"program": program, "action": "reauthorized", "date": day.isoformat()})
    if stop is not None:
        out.append({"program": program, "action": "discontinued", "date": stop.isoformat()})
    return out


def _checklists(
    drug_id: str, flags: set[str], doses: list[dict[str, Any]], next_day: date | None, today: date
) -> list[dict[str, Any]]:
    """TOUCH pre-infusion checklists: one per given infusion, and today's when the flag says so."""
    if drug_id != "natalizumab":
        return []
    questions = default_catalog().drug(drug_id).program.checklist_questions
    answers = dict.fromkeys(questions, False)
    days = [d["date"] for d in doses]
    if "checklist" in flags and next_day is not None and next_day <= today:
        days.append(today)
    return [{"program": "touch", "date": d.isoformat(), "answers": answers} for d in days]


def _names(rng: random.Random) -> Iterator[str]:
    seen = {"Maya Thompson"}
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in seen:
            seen.add(name)
            yield name
