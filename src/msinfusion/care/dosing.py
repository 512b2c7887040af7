"""Body-surface-area doses and lifetime cumulative dose (mitoxantrone).

Convention 8: Mosteller BSA, dose = mg/m² x BSA rounded to 0.1 mg, cumulative tracked in mg/m².
The formula travels with every computed dose so a reader can check it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from msinfusion.care.record import Administration, PatientRecord, mosteller_bsa
from msinfusion.knowledge.model import CumulativeLimit, DoseStep, Drug

BSA_FORMULA = "Mosteller: BSA = sqrt(height_cm x weight_kg / 3600)"


@dataclass(frozen=True)
class Dose:
    dose_mg: float | None
    dose_mg_per_m2: float | None
    basis: str


def dose_for(step: DoseStep, record: PatientRecord | None) -> Dose:
    """The dose of one planned infusion; BSA doses need the record's height and weight."""
    if step.dose_mg is not None:
        known = _FIXED.get(id(step))
        if known is not None and known[0] is step:
            return known[1]
        if len(_FIXED) > _FIXED_MAX:
            _FIXED.clear()
        dose = Dose(step.dose_mg, None, f"{step.dose_mg:g} mg fixed dose")
        _FIXED[id(step)] = (step, dose)
        return dose
    per_m2 = step.dose_mg_per_m2
    assert per_m2 is not None  # guaranteed by DoseStep validation
    if record is None or record.height_cm is None or record.weight_kg is None:
        return Dose(None, per_m2, f"{per_m2:g} mg/m²; height and weight are needed to compute mg")
    bsa = round(mosteller_bsa(record.height_cm, record.weight_kg), 3)
    mg = round(per_m2 * mosteller_bsa(record.height_cm, record.weight_kg), 1)
    return Dose(
        mg,
        per_m2,
        f"{per_m2:g} mg/m² x BSA {bsa:.3f} m² = {mg:g} mg ({BSA_FORMULA}; "
        f"{record.height_cm:g} cm, {record.weight_kg:g} kg)",
    )


_FIXED: dict[int, tuple[DoseStep, Dose]] = {}
"""Fixed doses by catalog step: the same for every patient (the step is kept to check identity)."""
_FIXED_MAX = 4096


def given_mg_per_m2(
    adm: Administration, record: PatientRecord, regimen_per_m2: float | None
) -> float:
    """What one past administration added to the lifetime dose, in mg/m².

    Prefer the recorded mg/m²; else derive from mg and the record's BSA; else assume the regimen's
    mg/m² (the caller reports that assumption).
    """
    if adm.dose_mg_per_m2 is not None:
        return adm.dose_mg_per_m2
    bsa = record.bsa_m2()
    if adm.dose_mg is not None and bsa:
        return adm.dose_mg / bsa
    return regimen_per_m2 or 0.0


def cumulative_mg_per_m2(record: PatientRecord, drug: Drug, regimen_per_m2: float | None) -> float:
    """Lifetime dose of `drug` so far, in mg/m² (every course counts)."""
    return sum(
        given_mg_per_m2(adm, record, regimen_per_m2) for adm in record.administrations_of(drug.id)
    )


def lifetime_limit(drug: Drug, region: str) -> CumulativeLimit | None:
    """The lifetime limit for the record's region (convention 9 and 13), if the drug has one."""
    for limit in drug.cumulative_limits:
        if limit.region == region:
            return limit
    return None
