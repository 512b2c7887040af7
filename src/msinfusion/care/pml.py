"""Natalizumab PML risk estimate (facts.md 3.5, conventions 4-6).

Pure domain code: the estimate is a table look-up, never a model. Every answer carries the table
used, what went into the look-up and its source, because a bare number ("3 per 1,000") is only
meaningful next to its basis (exposure counted how, which assay, which table). Where the tables
give no value (beyond 72 months, status unknown) the answer is `None` with the reason, never a guess.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

from msinfusion.care.record import PatientRecord, Result
from msinfusion.dates import add_months, completed_months
from msinfusion.errors import CareError

AntiJcv = Literal["negative", "positive"]
Band = Literal["1-24", "25-48", "49-72"]

NATALIZUMAB_DRUGS = ("natalizumab", "natalizumab-sztn")
ANTI_JCV_TEST = "anti_jcv_index"
ANTI_JCV_STATUS_TEST = "anti_jcv"
# STRATIFY JCV DxSelect reading of the index: < 0.20 negative, > 0.40 positive, in between
# indeterminate (confirmation assay needed). Not in the retrieved sources: background knowledge of
# the assay's labelling, so an inferred status is always flagged as unverified.
STRATIFY_NEGATIVE_BELOW = 0.20
STRATIFY_POSITIVE_ABOVE = 0.40
LAST_MONTH_WITH_DATA = 72
INDEX_CUTOFF = 1.5  # facts.md 3.5 B: "index ≤1.5" / "index >1.5", STRATIFY JCV only (S27)

# Convention 6 / facts.md NAT-B3 (S18): no anti-JCV testing within 6 months of IVIG or within
# 2 weeks of plasma exchange. "Within" is read inclusively (the day the interval ends is still
# inside it), the cautious reading: a borderline result falls back to the previous usable one.
IVIG_WINDOW_MONTHS = 6
PLASMA_EXCHANGE_WINDOW = timedelta(weeks=2)

SOURCE_US_LABEL = "Tysabri US HCP PML risk table (S11); conventions 4 and 5"
SOURCE_INDEX = "UpToDate graphic 55637, index-stratified PML risk (S24); conventions 4 and 5"
SOURCE_NONE = "conventions 4-6"

# Cell = (risk per 1,000, less_than). "<1/1,000" is stored as (1, True) (convention 5).
_Cell = tuple[float, bool]
_BANDS: tuple[Band, ...] = ("1-24", "25-48", "49-72")

# Table A, facts.md 3.5 A [V, S11]. The 49-72-month positive/no-IS cell is rendered 6 and 12 on
# the source page [C]; facts.md takes 6/1,000 (matches S24).
_US_LABEL: dict[str, tuple[_Cell, _Cell, _Cell]] = {
    "negative": ((1, True), (1, True), (1, True)),
    "positive_no_is": ((1, True), (3, False), (6, False)),
    "positive_prior_is": ((1, False), (12, False), (13, False)),
}
# Table B, facts.md 3.5 B [V, S24]: anti-JCV positive, no prior immunosuppressant, by index.
_INDEX_STRATIFIED: dict[str, tuple[_Cell, _Cell, _Cell]] = {
    "index_low": ((0.2, False), (1.1, False), (1.4, False)),
    "index_high": ((1.2, False), (8.8, False), (10.1, False)),
}


@dataclass(frozen=True)
class PmlEstimate:
    """A PML risk look-up with everything needed to show it honestly next to the number."""

    risk_per_1000: float | None
    less_than: bool
    table: str
    basis: str
    explanation: str
    source: str
    band: str | None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; flags become a list."""
        return {
            "risk_per_1000": self.risk_per_1000,
            "less_than": self.less_than,
            "table": self.table,
            "basis": self.basis,
            "explanation": self.explanation,
            "source": self.source,
            "band": self.band,
            "flags": list(self.flags),
        }

    def shown(self) -> str:
        """The number as the table writes it: '<1/1,000', '3/1,000' or 'no estimate'."""
        if self.risk_per_1000 is None:
            return "no estimate"
        return _fmt(self.risk_per_1000, self.less_than)


def band_for(months: int) -> Band | None:
    """Exposure band for completed months (convention 4: 24 → '1-24', 25 → '25-48'); None > 72."""
    if months <= 24:
        return "1-24"
    if months <= 48:
        return "25-48"
    if months <= LAST_MONTH_WITH_DATA:
        return "49-72"
    return None


def is_stratify_jcv(assay: str | None) -> bool:
    """True for Biogen's STRATIFY JCV (incl. 'DxSelect'); the index cut-offs were derived with it (S27)."""
    if assay is None:
        return False
    return _is_stratify_name(assay)


@lru_cache(maxsize=256)
def _is_stratify_name(assay: str) -> bool:
    """`is_stratify_jcv` of a recorded assay name, kept per name: records spell the same few
    assays, and conditions ask on every change day of every record."""
    words = assay.lower().replace("_", " ").replace("-", " ").split()
    return words[:2] == ["stratify", "jcv"]


def estimate(
    anti_jcv: AntiJcv,
    months: int,
    *,
    index: float | None = None,
    prior_immunosuppressant: bool = False,
    assay: str | None = "STRATIFY JCV",
) -> PmlEstimate:
    """Look up PML risk per 1,000 for a known anti-JCV status and completed months of exposure.

    Table choice follows convention 5: positive + STRATIFY JCV index + no prior immunosuppressant →
    index-stratified table; everything else → US label table. An index from another (or an
    unnamed) assay is flagged and not banded, because the 1.5 cut-off is specific to STRATIFY JCV.
    """
    if anti_jcv not in ("negative", "positive"):
        raise CareError("anti_jcv", f"must be 'negative' or 'positive', not {anti_jcv!r}")
    if isinstance(months, bool) or not isinstance(months, int):
        raise CareError("months", f"must be a whole number of completed months, not {months!r}")
    if months < 0:
        raise CareError("months", f"completed months of exposure cannot be negative ({months})")
    if index is not None and (
        isinstance(index, bool) or not isinstance(index, int | float) or not math.isfinite(index)
    ):
        raise CareError("index", f"must be a finite number, not {index!r}")
    if index is not None and index < 0:
        raise CareError("index", f"an anti-JCV index cannot be negative ({index})")

    flags: list[str] = []
    notes: list[str] = []
    stratify = is_stratify_jcv(assay)
    if index is not None and not stratify:
        if assay is None:
            flags.append("assay_not_recorded")
            notes.append(
                "The assay of the index is not recorded. Index cut-offs were derived with the "
                "STRATIFY JCV assay, so the index is not banded."
            )
        else:
            flags.append("other_assay")
            notes.append(
                f"The index comes from {assay}, not STRATIFY JCV. Index cut-offs were derived with "
                "STRATIFY JCV and must not be compared across assays, so the index is not banded."
            )

    use_index = (
        anti_jcv == "positive" and index is not None and stratify and not prior_immunosuppressant
    )
    if use_index:
        assert index is not None
        table, source = "index_stratified", SOURCE_INDEX
        row_key = "index_low" if index <= INDEX_CUTOFF else "index_high"
        row = _INDEX_STRATIFIED[row_key]
        group = f"anti-JCV positive, index {'≤' if row_key == 'index_low' else '>'}1.5"
    else:
        table, source = "us_label", SOURCE_US_LABEL
        if anti_jcv == "negative":
            row_key, group = "negative", "anti-JCV negative"
        elif prior_immunosuppressant:
            row_key = "positive_prior_is"
            group = "anti-JCV positive, prior immunosuppressant"
        else:
            row_key = "positive_no_is"
            group = "anti-JCV positive, no prior immunosuppressant"
        row = _US_LABEL[row_key]

    band = band_for(months)
    basis = _basis(anti_jcv, index, assay, prior_immunosuppressant, months, band)
    table_name = "index-stratified table" if use_index else "US label table"

    if band is None:
        # Convention 4 / facts.md 3.5: no estimate beyond 72 months; last band shown as context only.
        last = _fmt(*row[-1])
        flags.append("beyond_72_months")
        explanation = (
            f"No estimate: {months} completed months of natalizumab exposure is beyond the 72 months "
            "the tables cover, and data beyond 6 years are limited; the tables are not extrapolated. "
            f"For context only, the last band (49-72 months) of the {table_name} for {group} is "
            f"{last}; this is not an estimate for this patient."
        )
        return PmlEstimate(
            None, False, table, basis, _join(explanation, notes), source, None, tuple(flags)
        )

    value, less_than = row[_BANDS.index(band)]
    explanation = (
        f"Estimated PML risk {_fmt(value, less_than)} ({'about ' if use_index else ''}"
        f"{_words(value, less_than)} patients) for {group}, after {band} months of natalizumab "
        f"exposure, from the {table_name}. Bands are not interpolated."
    )
    if anti_jcv == "negative":
        notes.append(
            "Anti-JCV negative patients remain at risk (new infection, about 3% false-negative "
            "tests) and are retested every 6 months."
        )
    if row_key == "positive_no_is" and band == "49-72":
        notes.append(
            "The source page shows this cell once as 6/1,000 and once as 12/1,000; 6/1,000 "
            "(consistent with other published tables) is used."
        )
    if use_index and index is not None and index <= INDEX_CUTOFF and months > 24:
        notes.append(
            "With an index ≤1.5, retest anti-JCV every 6 months after 24 months of exposure."
        )
    return PmlEstimate(
        float(value), less_than, table, basis, _join(explanation, notes), source, band, tuple(flags)
    )


def estimate_for_record(record: PatientRecord, day: date) -> PmlEstimate:
    """PML risk on `day` from a patient record.

    Exposure is completed calendar months since the first natalizumab or natalizumab-sztn infusion
    (convention 4). The anti-JCV status is the latest usable draw on or before `day`
    (convention 6: draws after IVIG / plasma exchange are skipped and flagged).

    The status comes from an `anti_jcv` result (positive/negative) drawn the same day as the index.
    A STRATIFY JCV index alone is read with the assay's 0.20/0.40 cut-offs, which are not in the
    retrieved sources: the result is flagged `status_inferred_from_index` and says so. An index
    from another assay gives no status.
    """
    infusions = [
        a for drug in NATALIZUMAB_DRUGS for a in record.administrations_of(drug) if a.date <= day
    ]
    prior_is = bool(record.prior_immunosuppressants)
    if not infusions:
        return PmlEstimate(
            None,
            False,
            "none",
            f"no natalizumab infusion on or before {day.isoformat()}",
            "No estimate: the record has no natalizumab infusion on or before this date, so there "
            "is no natalizumab exposure to estimate a PML risk for.",
            SOURCE_NONE,
            None,
            ("no_natalizumab_infusion",),
        )
    first = min(a.date for a in infusions)
    months = completed_months(first, day)
    exposure = (
        f"{months} completed months since first natalizumab infusion on {first.isoformat()} "
        f"(to {day.isoformat()})"
    )

    draw, skipped = latest_usable_draw(record, day)
    flags = list(dict.fromkeys(skipped))  # keep order, no duplicates
    notes = []
    if "result_after_ivig_not_usable" in flags:
        notes.append(
            "An anti-JCV result drawn within 6 months after IVIG is not usable;"
            " the previous usable result is used."
        )
    if "result_after_plasma_exchange_not_usable" in flags:
        notes.append(
            "An anti-JCV result drawn within 2 weeks after plasma exchange is not usable; the "
            "previous usable result is used."
        )

    def unknown(flag: str, why: str, basis_status: str) -> PmlEstimate:
        return PmlEstimate(
            None,
            False,
            "none",
            f"{basis_status}, {_prior_is_words(prior_is)}, {exposure}",
            _join(why, notes),
            SOURCE_NONE,
            None,
            (*flags, flag),
        )

    if draw is None:
        return unknown(
            "anti_jcv_status_unknown",
            "No estimate: anti-JCV status unknown: test needed (no usable anti-JCV result on or "
            "before this date).",
            "anti-JCV status unknown",
        )
    drawn = draw[0].date.isoformat()
    statuses = {r.value for r in draw if r.value in ("positive", "negative")}
    indexes = [r for r in draw if isinstance(r.value, float)]
    if len(statuses) > 1 or len({r.value for r in indexes}) > 1:
        return unknown(
            "conflicting_anti_jcv_results",
            f"No estimate: the anti-JCV results drawn on {drawn} disagree; check the record.",
            f"conflicting anti-JCV results of {drawn}",
        )
    inferred = None
    if not statuses and indexes and is_stratify_jcv(indexes[0].assay):
        value = float(indexes[0].value)
        if value > STRATIFY_POSITIVE_ABOVE:
            inferred = "positive"
        elif value < STRATIFY_NEGATIVE_BELOW:
            inferred = "negative"
        if inferred:
            statuses = {inferred}
            flags.append("status_inferred_from_index")
            notes.append(
                f"Anti-JCV {inferred} was inferred from the STRATIFY JCV index {value:g} "
                f"(negative below {STRATIFY_NEGATIVE_BELOW:g}, positive above "
                f"{STRATIFY_POSITIVE_ABOVE:g}); these cut-offs are unverified against the "
                "assay's current labelling: record the laboratory's positive/negative result."
            )
    if not statuses:
        shown = f"index {indexes[0].value:g}" if indexes else "no positive/negative result"
        return unknown(
            "anti_jcv_status_not_recorded",
            f"No estimate: the anti-JCV result of {drawn} gives {shown} but no positive/negative "
            "status (an index from another assay, or a STRATIFY JCV index in the indeterminate "
            "range 0.20-0.40, needs the laboratory's qualitative result).",
            f"anti-JCV {shown} of {drawn}, status not recorded",
        )
    status: AntiJcv = "positive" if "positive" in statuses else "negative"
    index = float(indexes[0].value) if indexes else None
    assay = indexes[0].assay if indexes else None
    result = estimate(status, months, index=index, prior_immunosuppressant=prior_is, assay=assay)
    result_basis = result.basis.replace(
        f"{months} completed months since first natalizumab infusion", exposure, 1
    )
    return replace(
        result,
        basis=f"{result_basis}; anti-JCV result of {drawn}",
        explanation=_join(result.explanation, notes),
        flags=tuple(dict.fromkeys((*flags, *result.flags))),
    )


def latest_usable_draw(
    record: PatientRecord, day: date
) -> tuple[tuple[Result, ...] | None, list[str]]:
    """Newest anti-JCV draw (all results of one date) on or before `day` that convention 6 allows.

    Returns the draw (or None) and the flags of newer draws that were skipped.
    """
    by_date: dict[date, list[Result]] = {}
    draws = record.results_of(ANTI_JCV_TEST, day) + record.results_of(ANTI_JCV_STATUS_TEST, day)
    for r in draws:
        by_date.setdefault(r.date, []).append(r)
    skipped: list[str] = []
    for drawn in sorted(by_date, reverse=True):
        reason = unusable_reason(record, drawn)
        if reason is None:
            return tuple(by_date[drawn]), skipped
        skipped.append(reason)
    return None, skipped


def unusable_reason(record: PatientRecord, drawn: date) -> str | None:
    """Flag if a draw on `drawn` falls in an IVIG or plasma-exchange window (convention 6)."""
    for event in record.events:
        if event.date > drawn:
            continue
        if event.event == "ivig" and drawn <= add_months(event.date, IVIG_WINDOW_MONTHS):
            return "result_after_ivig_not_usable"
        if event.event == "plasma_exchange" and drawn <= event.date + PLASMA_EXCHANGE_WINDOW:
            return "result_after_plasma_exchange_not_usable"
    return None


def _basis(
    anti_jcv: str,
    index: float | None,
    assay: str | None,
    prior_is: bool,
    months: int,
    band: str | None,
) -> str:
    status = f"anti-JCV {anti_jcv}"
    if index is not None:
        status += f", index {index:g} ({assay or 'assay not recorded'})"
    band_words = f"band {band}" if band else "beyond 72 months"
    return (
        f"{status}, {_prior_is_words(prior_is)}, "
        f"{months} completed months since first natalizumab infusion ({band_words})"
    )


def _prior_is_words(prior_is: bool) -> str:
    return "prior immunosuppressant" if prior_is else "no prior immunosuppressant"


def _fmt(value: float, less_than: bool) -> str:
    return f"{'<' if less_than else ''}{value:g}/1,000"


def _words(value: float, less_than: bool) -> str:
    return f"{'fewer than ' if less_than else ''}{value:g} in 1,000"


def _join(first: str, notes: list[str]) -> str:
    return " ".join([first, *notes])
