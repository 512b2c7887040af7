"""The bundled drug catalog: it loads, it says what the clinical fact base says, and a bad catalog
file fails loudly, naming the file and the field.

Expected values are written from /work/shared/clinical/facts.md (fact ids in comments), not read
back from the TOML files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from msinfusion.dates import Interval
from msinfusion.errors import CatalogError
from msinfusion.knowledge.catalog import CATALOG_DIR, Catalog, load_catalog
from msinfusion.knowledge.model import Drug, InfusionTime, Requirement, Source

DRUG_IDS = {
    "ocrelizumab",
    "ublituximab",
    "natalizumab",
    "natalizumab-sztn",
    "alemtuzumab",
    "mitoxantrone",
    "rituximab",
}
ANY_REACTION = {"mild", "moderate", "serious", "life_threatening", "hypersensitivity"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def sources_in(value: object) -> Iterator[Source]:
    if isinstance(value, Source):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from sources_in(getattr(value, name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from sources_in(item)


def chair(drug: Drug, number: int, course_day: int | None = None) -> InfusionTime:
    """The one infusion-time rule covering infusion `number` (and course day, for alemtuzumab)."""
    found = [
        t
        for t in drug.infusion.times
        if t.numbers.covers(number) and (not t.course_days or course_day in t.course_days)
    ]
    assert len(found) == 1, f"{drug.id} infusion {number} day {course_day}: {len(found)} rules"
    return found[0]


def requirement(drug: Drug, test: str) -> Requirement:
    found = [r for r in drug.requirements if r.test == test]
    assert len(found) == 1, f"{drug.id}: {len(found)} requirements on {test}"
    return found[0]


def doses_mg(
    drug: Drug, block_id: str, regimen: str | None = None
) -> list[tuple[int, float | None]]:
    block = next(b for b in drug.regimen(regimen).blocks if b.id == block_id)
    return [(d.day, d.dose_mg) for d in block.doses]


# ------------------------------------------------------------------ the whole catalog


def test_bundled_catalog_has_all_seven_drugs(catalog: Catalog) -> None:
    assert set(catalog.drugs) == DRUG_IDS


def test_every_source_cites_known_documents(catalog: Catalog) -> None:
    for drug in catalog.drugs.values():
        sources = list(sources_in(drug))
        assert sources, drug.id
        for source in sources:
            assert source.ref.strip(), drug.id
            for cite in source.cites:
                assert cite in catalog.sources, f"{drug.id}: {source.ref} cites {cite}"
            if source.confidence not in ("convention", "policy"):
                assert source.cites, f"{drug.id}: {source.ref} has no citation"


def test_every_requirement_and_monitoring_test_is_in_the_vocabulary(catalog: Catalog) -> None:
    for drug in catalog.drugs.values():
        for item in (*drug.requirements, *drug.monitoring):
            if item.test is not None:
                assert item.test in catalog.tests, f"{drug.id}: {item.id} -> {item.test}"


def test_every_drug_has_patient_instructions(catalog: Catalog) -> None:
    for drug in catalog.drugs.values():
        assert drug.infusion.instructions, drug.id


# facts.md section 9 item 10 (and the per-drug infusion facts): chair-time data by infusion number.
@pytest.mark.parametrize(
    ("drug_id", "number", "course_day", "infusion", "observation"),
    [
        ("ocrelizumab", 1, None, 150, 60),  # OCR-I2, OCR-O1: >= 2.5 h, >= 1 h every infusion
        ("ocrelizumab", 5, None, 210, 60),  # OCR-I3
        ("ublituximab", 1, None, 240, 60),  # BRI-I1 ~4 h; BRI-O1 >= 1 h after the first two
        ("ublituximab", 2, None, 60, 60),  # BRI-I2 ~1 h
        ("ublituximab", 3, None, 60, 0),  # later: physician discretion unless a reaction
        ("ublituximab", 10, None, 60, 0),
        ("natalizumab", 1, None, 60, 60),  # NAT-D1 ~1 h; NAT-O1 1 h for the first 12
        ("natalizumab", 12, None, 60, 60),
        ("natalizumab", 13, None, 60, 0),  # from the 13th, clinical judgment
        ("alemtuzumab", 1, 1, 240, 120),  # LEM-I1 ~4 h; LEM-O1 >= 2 h after each infusion
        ("alemtuzumab", 3, 3, 240, 120),
        ("alemtuzumab", 5, 5, 240, 120),
        ("alemtuzumab", 6, 1, 240, 120),  # course 2 day 1
        ("rituximab", 1, None, 255, 60),  # RTX-3 [M] first infusion 50 -> 400 mg/h
        ("rituximab", 2, None, 195, 60),  # RTX-3 [M] subsequent 100 -> 400 mg/h
    ],
)
def test_infusion_and_observation_minutes(
    catalog: Catalog,
    drug_id: str,
    number: int,
    course_day: int | None,
    infusion: int,
    observation: int,
) -> None:
    rule = chair(catalog.drug(drug_id), number, course_day)
    assert (rule.infusion_minutes, rule.observation_minutes) == (infusion, observation)


def test_off_label_only_for_rituximab(catalog: Catalog) -> None:
    assert {d.id for d in catalog.drugs.values() if d.off_label} == {"rituximab"}


# ------------------------------------------------------------------ ublituximab (BRI-*)


def test_ublituximab_dosing(catalog: Catalog) -> None:
    drug = catalog.drug("ublituximab")
    initial, maintenance = drug.regimen().blocks
    assert doses_mg(drug, "initial") == [(0, 150), (14, 450)]  # BRI-D1
    assert initial.repeat == 1
    assert doses_mg(drug, "maintenance") == [(0, 450)]
    assert maintenance.interval == Interval(weeks=24)
    assert maintenance.anchor == "previous_block_start"  # 24 weeks after the FIRST infusion
    assert maintenance.counting == "reset_if_late"  # BRI-D3, convention 1
    assert maintenance.repeat == "indefinitely"
    assert maintenance.min_spacing == Interval(months=5)  # BRI-D2
    assert "US" in maintenance.min_spacing_source.note  # US wording unverified


def test_ublituximab_observation_returns_after_any_reaction(catalog: Catalog) -> None:
    extension = catalog.drug("ublituximab").infusion.observation_after_reaction
    assert extension is not None
    assert set(extension.after_reaction) == ANY_REACTION  # BRI-O1
    assert extension.observation_minutes == 60


def test_ublituximab_checks(catalog: Catalog) -> None:
    drug = catalog.drug("ublituximab")
    pregnancy = requirement(drug, "pregnancy_test")  # BRI-B2
    assert (pregnancy.when, pregnancy.applies_to) == ("every_infusion", "childbearing_potential")
    assert pregnancy.max_age_days is not None
    hbsag = requirement(drug, "hbsag")  # BRI-B1, convention 12
    assert hbsag.when == "first_infusion"
    assert [(t.value, t.severity) for t in hbsag.thresholds] == [("positive", "block")]
    assert {c.severity for c in drug.contraindications if "active_hbv" in c.conditions} == {"block"}
    assert any("life_threatening" in c.reactions for c in drug.contraindications)  # BRI-CI


# ------------------------------------------------------------------ natalizumab (NAT-*, REMS-T*)


def test_natalizumab_dosing_and_chair_time(catalog: Catalog) -> None:
    drug = catalog.drug("natalizumab")
    (block,) = drug.regimen().blocks
    assert doses_mg(drug, block.id) == [(0, 300)]  # NAT-D1
    assert block.interval == Interval(weeks=4)
    assert block.repeat == "indefinitely"
    assert block.counting == "from_previous"
    assert block.min_spacing is None  # the label states none
    assert all(t.premedication_minutes == 0 for t in drug.infusion.times)  # NAT-P1
    extension = drug.infusion.observation_after_reaction
    assert extension is not None and extension.after_reaction == ("hypersensitivity",)


def test_natalizumab_touch_program(catalog: Catalog) -> None:
    program = catalog.drug("natalizumab").program
    assert program is not None and program.program == "touch"  # NAT-D2
    assert program.authorization_valid == Interval(months=6)  # REMS-T4, convention 10
    assert set(program.authorizing_actions) == {"authorized", "reauthorized"}
    assert set(program.checklist_questions) == {"new_or_worsening_symptoms", "immunocompromised"}
    assert program.checklist_source is not None


def test_natalizumab_monitoring(catalog: Catalog) -> None:
    tasks = {m.id: m for m in catalog.drug("natalizumab").monitoring}
    pml = next(m for m in tasks.values() if m.start == "first_infusion" and m.kind == "program")
    assert pml.offsets == (Interval(months=3), Interval(months=6))  # REMS-T4
    assert pml.every == Interval(months=6)
    reauth = next(m for m in tasks.values() if m.start == "latest_authorization")
    assert reauth.every == Interval(months=6)
    stop = next(m for m in tasks.values() if m.start == "stop" and m.kind == "program")
    assert stop.offsets == (Interval(), Interval(months=6))  # REMS-T5
    jcv = [m for m in tasks.values() if m.test == "anti_jcv_index"]  # NAT-B2, convention 6
    assert {m.condition for m in jcv} == {"anti_jcv_negative", "anti_jcv_low_index_after_24_months"}
    assert all(m.every == Interval(months=6) and m.counts_from_result for m in jcv)


def test_natalizumab_contraindications_and_baseline(catalog: Catalog) -> None:
    drug = catalog.drug("natalizumab")
    blocking = {c for ci in drug.contraindications if ci.severity == "block" for c in ci.conditions}
    assert {"pml", "hypersensitivity_natalizumab"} <= blocking  # NAT-CI
    assert any(
        "hypersensitivity" in c.reactions and c.severity == "block" for c in drug.contraindications
    )  # NAT-R1: do not re-treat
    assert not any("active_infection" in c.conditions for c in drug.contraindications)
    assert requirement(drug, "mri_brain").when == "first_infusion"  # NAT-B1
    assert requirement(drug, "anti_jcv_index").missing == "review"  # NAT-B2
    assert requirement(drug, "cbc").region == "EU"  # NAT-B4 (EU)


# ------------------------------------------------------------------ natalizumab-sztn (Tyruko)


def test_tyruko_is_a_biosimilar_with_its_own_rems(catalog: Catalog) -> None:
    drug = catalog.drug("natalizumab-sztn")
    assert drug.biosimilar_of == "natalizumab"
    (block,) = drug.regimen().blocks
    assert doses_mg(drug, block.id) == [(0, 300)]  # NAT-D1: same dose
    assert block.interval == Interval(weeks=4)
    assert drug.program is not None and drug.program.program == "tyruko_rems"  # REMS-TY
    assert drug.program.source.confidence == "convention"  # convention 10, unverified
    pml = next(m for m in drug.monitoring if m.kind == "program" and m.start == "first_infusion")
    assert pml.offsets == (Interval(months=3), Interval(months=6))
    assert pml.every == Interval(months=6)


def test_tyruko_observation_is_unverified(catalog: Catalog) -> None:
    drug = catalog.drug("natalizumab-sztn")
    for number in (1, 12, 13, 40):
        rule = chair(drug, number)
        assert rule.observation_minutes == 60
        assert rule.source.confidence == "M"  # facts.md 9.6: not retrieved


# ------------------------------------------------------------------ alemtuzumab (LEM-*)


def test_alemtuzumab_courses(catalog: Catalog) -> None:
    drug = catalog.drug("alemtuzumab")
    course1, course2 = drug.regimen().blocks  # no automatic course 3
    assert doses_mg(drug, "course1") == [(d, 12) for d in range(5)]  # LEM-D1: 5 x 12 mg = 60 mg
    assert doses_mg(drug, "course2") == [(d, 12) for d in range(3)]  # 3 x 12 mg = 36 mg
    assert course1.consecutive_days and course2.consecutive_days
    assert course1.repeat == course2.repeat == 1
    assert course2.interval == Interval(months=12)
    assert course2.anchor == "previous_block_start"  # convention 3: start to start
    assert "convention 3" in course2.source.ref


def test_alemtuzumab_premedication_on_days_1_to_3(catalog: Catalog) -> None:
    drug = catalog.drug("alemtuzumab")
    assert [chair(drug, day, day).premedication_minutes > 0 for day in range(1, 6)] == [
        True,
        True,
        True,
        False,
        False,
    ]  # LEM-P1
    steroid = next(p for p in drug.infusion.premedication if p.drug == "methylprednisolone")
    assert "1,000 mg" in steroid.dose and steroid.course_days == (1, 2, 3)


def test_alemtuzumab_rems_baseline_each_course(catalog: Catalog) -> None:
    drug = catalog.drug("alemtuzumab")
    for test in ("cbc", "creatinine", "urinalysis", "tsh"):  # LEM-B1, LEM-B5, convention 10
        req = requirement(drug, test)
        assert (req.when, req.max_age_days) == ("course_start", 30)
    hiv = requirement(drug, "hiv")  # LEM-CI
    assert [(t.value, t.severity) for t in hiv.thresholds] == [("positive", "block")]
    assert any(c.conditions == ("hiv",) and c.severity == "block" for c in drug.contraindications)
    assert drug.program is not None and drug.program.program == "lemtrada_rems"
    assert drug.program.authorization_valid is None  # REMS-L5 unverified


def test_alemtuzumab_vaccines(catalog: Catalog) -> None:
    vaccines = catalog.drug("alemtuzumab").vaccines  # LEM-B2, convention 11
    assert all(v.min_before_start == Interval(weeks=6) for v in vaccines)
    vzv = [v for v in vaccines if v.vaccines == ("varicella",)]
    assert len(vzv) == 1 and vzv[0].severity == "block"
    general = [v for v in vaccines if not v.vaccines]
    assert [v.live for v in general] == [None]  # any vaccine, live or not
    assert {v.severity for v in general} == {"review"}


def test_alemtuzumab_monitoring_until_48_months(catalog: Catalog) -> None:
    tasks = {m.test: m for m in catalog.drug("alemtuzumab").monitoring}
    for test, months in (("cbc", 1), ("creatinine", 1), ("urinalysis", 1), ("tsh", 3)):
        task = tasks[test]  # LEM-M1, LEM-M2, convention 7
        assert task.every == Interval(months=months) and task.counts_from_result
        assert task.start == "course_last_infusion"
        assert (task.until, task.until_interval) == ("after_last_infusion", Interval(months=48))
    assert tasks["skin_exam"].every == Interval(months=12)  # LEM-M3


# ------------------------------------------------------------------ mitoxantrone (MIT-*)


def test_mitoxantrone_dosing_and_limits(catalog: Catalog) -> None:
    drug = catalog.drug("mitoxantrone")
    (block,) = drug.regimen().blocks
    assert [(d.day, d.dose_mg_per_m2, d.dose_mg) for d in block.doses] == [(0, 12, None)]  # MIT-D1
    assert block.interval == Interval(months=3)
    assert block.repeat == "indefinitely"
    limits = {lim.region: lim.limit_mg_per_m2 for lim in drug.cumulative_limits}
    assert limits == {"US": 140, "EU": 72}  # MIT-D2, convention 9
    (rule,) = drug.infusion.times
    assert 5 <= rule.infusion_minutes <= 15  # MIT-D1: ~5-15 minutes
    assert rule.observation_minutes == 0  # MIT-P/O: not specified


def test_mitoxantrone_before_every_dose(catalog: Catalog) -> None:
    drug = catalog.drug("mitoxantrone")
    lvef = requirement(drug, "lvef")  # MIT-L1, MIT-L2, convention 9
    assert lvef.when == "every_infusion" and lvef.after_previous_dose
    absolute = [(t.op, t.value, t.severity) for t in lvef.thresholds if not t.relative_to_baseline]
    assert absolute == [("<", 50, "block")]
    relative = [t for t in lvef.thresholds if t.relative_to_baseline]
    assert [(t.op, t.value, t.severity) for t in relative] == [(">=", 10, "review")]
    assert relative[0].source.confidence == "policy"
    anc = requirement(drug, "anc")  # MIT-N1
    assert [(t.op, t.value, t.severity) for t in anc.thresholds] == [("<", 1500, "block")]
    assert requirement(drug, "pregnancy_test").applies_to == "childbearing_potential"  # MIT-PG
    assert requirement(drug, "alt").when == "every_infusion"  # MIT-H1


def test_mitoxantrone_yearly_lvef_after_stopping(catalog: Catalog) -> None:
    (task,) = [m for m in catalog.drug("mitoxantrone").monitoring if m.test == "lvef"]  # MIT-L3
    assert (task.start, task.every, task.until) == ("stop", Interval(months=12), "never")


# ------------------------------------------------------------------ rituximab (RTX-*)


def test_rituximab_is_off_label_without_default(catalog: Catalog) -> None:
    drug = catalog.drug("rituximab")
    assert drug.off_label and drug.off_label_source is not None  # RTX-1
    assert "RTX-1" in drug.off_label_source.ref
    with pytest.raises(KeyError, match="no default regimen"):
        drug.regimen()
    assert set(drug.regimen_ids) == {"hermes", "olympus", "rifund-ms"}  # convention 14
    assert all(r.off_label and not r.default for r in drug.regimens)


def test_rituximab_trial_regimens(catalog: Catalog) -> None:
    drug = catalog.drug("rituximab")
    (hermes,) = drug.regimen("hermes").blocks  # RTX-2: days 1 and 15
    assert doses_mg(drug, hermes.id, "hermes") == [(0, 1000), (14, 1000)]
    assert hermes.repeat == 1
    (olympus,) = drug.regimen("olympus").blocks  # 2 x 1,000 mg every 24 weeks x 4
    assert doses_mg(drug, olympus.id, "olympus") == [(0, 1000), (14, 1000)]
    assert (olympus.repeat, olympus.interval) == (4, Interval(weeks=24))
    first, maintenance = drug.regimen("rifund-ms").blocks  # 1,000 mg then 500 mg every 6 months
    assert doses_mg(drug, first.id, "rifund-ms") == [(0, 1000)]
    assert doses_mg(drug, maintenance.id, "rifund-ms") == [(0, 500)]
    assert (maintenance.repeat, maintenance.interval) == ("indefinitely", Interval(months=6))


def test_rituximab_inherits_no_other_drugs_rules(catalog: Catalog) -> None:
    drug = catalog.drug("rituximab")
    assert drug.infusion.shorter_option is None
    assert all(not s.ref.startswith(("OCR", "BRI")) for s in sources_in(drug))
    assert all(b.min_spacing is None for r in drug.regimens for b in r.blocks)
    assert {r.test for r in drug.baseline} == {"hbsag", "anti_hbc"}  # convention 14
    assert all(r.when == "first_infusion" for r in drug.baseline)
    assert {t.source.confidence for t in drug.infusion.times} == {"M"}  # RTX-3 rates [M]


# ------------------------------------------------------------------ bad catalog files


def make_catalog(
    tmp_path: Path, drug_file: str = "ublituximab.toml", old: str = "", new: str = ""
) -> Path:
    """A catalog dir with the real tests/sources and one drug file, `old` replaced once by `new`."""
    for name in ("tests.toml", "sources.toml"):
        shutil.copy(CATALOG_DIR / name, tmp_path / name)
    (tmp_path / "drugs").mkdir()
    text = (CATALOG_DIR / "drugs" / drug_file).read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, f"{old!r} must occur once in {drug_file}"
        text = text.replace(old, new)
    (tmp_path / "drugs" / drug_file).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_copied_drug_file_loads(tmp_path: Path) -> None:
    assert set(load_catalog(make_catalog(tmp_path)).drugs) == {"ublituximab"}


BRI_RISK_SOURCE = 'source = { ref = "BRI-O1, BRI-P1", cites = ["S31"], confidence = "V" }\n'


@pytest.mark.parametrize(
    ("old", "new", "field", "problem"),
    [
        pytest.param(
            'test = "hbsag"',
            'test = "hbsag_typo"',
            "baseline[0].test",
            "unknown test id",
            id="unknown-test-id",
        ),
        pytest.param(
            'unit = "mg/dL"',
            'unit = "g/L"',
            "baseline[2].thresholds[0].unit",
            "must be 'mg/dL'",
            id="wrong-threshold-unit",
        ),
        pytest.param(
            'value = 700, unit = "mg/dL"',
            'value = "abnormal", unit = "mg/dL"',
            "baseline[2].thresholds[0].value",
            "a number in mg/dL",
            id="qualitative-value-for-numeric-test",
        ),
        pytest.param(
            BRI_RISK_SOURCE,
            "",
            "risks[0].source",
            "Field required",
            id="missing-source",
        ),
        pytest.param(
            'cites = ["S30", "S34"]',
            'cites = ["S30", "S999"]',
            "indications[0].source",
            "unknown source 'S999'",
            id="unknown-cited-source",
        ),
        pytest.param(
            'cites = ["S32", "S33"], confidence = "V", note = "Minimum',
            'cites = ["S32", "S404"], confidence = "V", note = "Minimum',
            "regimens[0].blocks[1].min_spacing_source",
            "unknown source 'S404'",
            id="unknown-cited-source-nested",
        ),
        pytest.param(
            "[infusion]\n",
            '[infusion]\ncolour = "blue"\n',
            "infusion.colour",
            "Extra inputs",
            id="unknown-field",
        ),
        pytest.param(
            "interval = { weeks = 24 }\n",
            "",
            "regimens[0]",
            "blocks[1] (maintenance) needs an interval",
            id="regimen-without-interval",
        ),
        pytest.param(
            'confidence = "V" }\n\n[[indications]]',
            'confidence = "X" }\n\n[[indications]]',
            "indications[0].source.confidence",
            "Input should be",
            id="unknown-confidence",
        ),
    ],
)
def test_bad_drug_file_names_file_and_field(
    tmp_path: Path, old: str, new: str, field: str, problem: str
) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(make_catalog(tmp_path, old=old, new=new))
    err = caught.value
    assert (err.file, err.field) == ("drugs/ublituximab.toml", field)
    assert problem in err.problem
    assert str(err).startswith(f"drugs/ublituximab.toml: {field}: ")


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(make_catalog(tmp_path, old="[infusion]\n", new="[infusion\n"))
    # catalog.py names a file it cannot parse by its base name (other errors: drugs/<name>.toml)
    assert caught.value.file.endswith("ublituximab.toml")
    assert "not valid TOML" in str(caught.value)
    assert "line" in str(caught.value)


def test_biosimilar_of_unknown_drug_fails(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(make_catalog(tmp_path, drug_file="natalizumab-sztn.toml"))
    assert (caught.value.file, caught.value.field) == (
        "drugs/natalizumab-sztn.toml",
        "biosimilar_of",
    )


def test_drug_id_must_match_file_name(tmp_path: Path) -> None:
    make_catalog(tmp_path)
    (tmp_path / "drugs" / "ublituximab.toml").rename(tmp_path / "drugs" / "briumvi.toml")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path)
    assert (caught.value.file, caught.value.field) == ("drugs/briumvi.toml", "id")
