"""PML risk estimate. Expected numbers are typed from facts.md 3.5 tables A and B, not computed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msinfusion.care.pml import PmlEstimate, band_for, estimate, estimate_for_record
from msinfusion.care.record import Administration, Event, PatientRecord, Result
from msinfusion.errors import CareError

# Representative completed-month values for each band: (low edge, middle, high edge).
BAND_MONTHS = {"1-24": (0, 12, 24), "25-48": (25, 30, 48), "49-72": (49, 60, 72)}

# facts.md 3.5 A (US label, S11): (risk, less_than) per band.
US_LABEL = [
    # status, prior IS, band, risk, less_than
    ("negative", False, "1-24", 1, True),
    ("negative", False, "25-48", 1, True),
    ("negative", False, "49-72", 1, True),
    ("negative", True, "1-24", 1, True),
    ("negative", True, "25-48", 1, True),
    ("negative", True, "49-72", 1, True),
    ("positive", False, "1-24", 1, True),
    ("positive", False, "25-48", 3, False),
    ("positive", False, "49-72", 6, False),
    ("positive", True, "1-24", 1, False),
    ("positive", True, "25-48", 12, False),
    ("positive", True, "49-72", 13, False),
]

# facts.md 3.5 B (index-stratified, S24): anti-JCV+, no prior IS, STRATIFY JCV index.
INDEX_TABLE = [
    (0.5, "1-24", 0.2),
    (0.5, "25-48", 1.1),
    (0.5, "49-72", 1.4),
    (2.4, "1-24", 1.2),
    (2.4, "25-48", 8.8),
    (2.4, "49-72", 10.1),
]


@pytest.mark.parametrize(("status", "prior_is", "band", "risk", "less_than"), US_LABEL)
@pytest.mark.parametrize("where", [0, 1, 2])
def test_us_label_every_cell(status, prior_is, band, risk, less_than, where):
    months = BAND_MONTHS[band][where]
    got = estimate(status, months, prior_immunosuppressant=prior_is)
    assert (got.risk_per_1000, got.less_than) == (risk, less_than)
    assert got.table == "us_label"
    assert got.band == band
    assert "S11" in got.source
    assert got.flags == ()


@pytest.mark.parametrize(("index", "band", "risk"), INDEX_TABLE)
@pytest.mark.parametrize("where", [0, 1, 2])
def test_index_table_every_cell(index, band, risk, where):
    months = BAND_MONTHS[band][where]
    got = estimate("positive", months, index=index)
    assert got.risk_per_1000 == risk
    assert got.less_than is False
    assert got.table == "index_stratified"
    assert got.band == band
    assert "S24" in got.source


def test_index_exactly_1_5_is_low_band_and_1_51_high():
    assert estimate("positive", 30, index=1.5).risk_per_1000 == 1.1
    assert estimate("positive", 30, index=1.51).risk_per_1000 == 8.8


def test_prior_is_with_stratify_index_uses_us_label():
    got = estimate("positive", 30, index=2.4, prior_immunosuppressant=True)
    assert got.table == "us_label"
    assert got.risk_per_1000 == 12


def test_negative_with_index_uses_us_label():
    got = estimate("negative", 30, index=0.1)
    assert got.table == "us_label"
    assert (got.risk_per_1000, got.less_than) == (1, True)


def test_positive_without_index_uses_us_label():
    got = estimate("positive", 30)
    assert got.table == "us_label"
    assert got.risk_per_1000 == 3


def test_other_assay_flagged_and_not_banded():
    got = estimate("positive", 30, index=2.4, assay="ImmunoWELL")
    assert got.table == "us_label"
    assert got.risk_per_1000 == 3  # not 8.8
    assert "other_assay" in got.flags
    assert "STRATIFY JCV" in got.explanation
    assert "across assays" in got.explanation


def test_unnamed_assay_not_banded():
    got = estimate("positive", 30, index=2.4, assay=None)
    assert got.table == "us_label"
    assert got.risk_per_1000 == 3
    assert "assay_not_recorded" in got.flags


def test_stratify_name_variants():
    for assay in ("STRATIFY JCV", "stratify_jcv", "STRATIFY JCV DxSelect"):
        assert estimate("positive", 30, index=2.4, assay=assay).table == "index_stratified"


@pytest.mark.parametrize(
    ("months", "band"),
    [(0, "1-24"), (24, "1-24"), (25, "25-48"), (48, "25-48"), (49, "49-72"), (72, "49-72")],
)
def test_band_edges(months, band):
    assert band_for(months) == band
    assert estimate("positive", months).band == band


def test_edges_change_value():
    assert estimate("positive", 24, prior_immunosuppressant=True).risk_per_1000 == 1
    assert estimate("positive", 25, prior_immunosuppressant=True).risk_per_1000 == 12
    assert estimate("positive", 48, prior_immunosuppressant=True).risk_per_1000 == 12
    assert estimate("positive", 49, prior_immunosuppressant=True).risk_per_1000 == 13


def test_beyond_72_months_no_estimate_with_context():
    got = estimate("positive", 73, prior_immunosuppressant=True)
    assert got.risk_per_1000 is None
    assert got.band is None
    assert "beyond_72_months" in got.flags
    assert "data beyond 6 years are limited" in got.explanation
    assert "13/1,000" in got.explanation  # last band as context only
    assert "context only" in got.explanation
    assert estimate("positive", 72, prior_immunosuppressant=True).risk_per_1000 == 13


def test_negative_months_is_care_error():
    with pytest.raises(CareError) as exc:
        estimate("positive", -1)
    assert exc.value.field == "months"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"anti_jcv": "unknown", "months": 3}, "anti_jcv"),
        ({"anti_jcv": "positive", "months": 3, "index": -0.1}, "index"),
        ({"anti_jcv": "positive", "months": 3, "index": float("nan")}, "index"),
        ({"anti_jcv": "positive", "months": 2.5}, "months"),
    ],
)
def test_bad_inputs(kwargs, field):
    with pytest.raises(CareError) as exc:
        estimate(**kwargs)
    assert exc.value.field == field


def test_basis_and_to_dict_json_ready():
    got = estimate("positive", 30, index=1.3)
    assert got.basis == (
        "anti-JCV positive, index 1.3 (STRATIFY JCV), no prior immunosuppressant, "
        "30 completed months since first natalizumab infusion (band 25-48)"
    )
    data = json.loads(json.dumps(got.to_dict()))
    assert set(data) == {
        "risk_per_1000",
        "less_than",
        "table",
        "basis",
        "explanation",
        "source",
        "band",
        "flags",
    }
    assert data["risk_per_1000"] == 1.1
    assert data["band"] == "25-48"
    assert data["flags"] == []


def test_less_than_shown():
    got = estimate("negative", 10)
    assert got.to_dict()["risk_per_1000"] == 1
    assert got.to_dict()["less_than"] is True
    assert "<1/1,000" in got.explanation


# ---------------------------------------------------------------- record path


def _record(*, infusions=(), results=(), events=(), prior=()) -> PatientRecord:
    return PatientRecord(
        administrations=tuple(Administration(drug=d, date=x) for d, x in infusions),
        results=tuple(
            Result(
                test="anti_jcv" if isinstance(v, str) else "anti_jcv_index",
                value=v,
                date=x,
                assay=a,
            )
            for v, x, a in results
        ),
        events=tuple(Event(event=e, date=x) for e, x in events),
        prior_immunosuppressants=tuple(prior),
    )


START = date(2024, 1, 31)


def _positive(day: date, index: float | None = None, assay: str | None = "STRATIFY JCV"):
    out = [("positive", day, None)]
    if index is not None:
        out.append((index, day, assay))
    return out


def test_record_completed_months_across_month_end():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=_positive(date(2024, 1, 10)),
        prior=["mitoxantrone"],
    )
    got = estimate_for_record(rec, date(2026, 1, 30))  # 23 completed months
    assert got.band == "1-24"
    assert got.risk_per_1000 == 1
    assert got.less_than is False
    assert "23 completed months" in got.basis
    assert "prior immunosuppressant" in got.basis
    got = estimate_for_record(rec, date(2026, 1, 31))  # 24 completed months
    assert "24 completed months" in got.basis
    assert got.band == "1-24"
    got = estimate_for_record(rec, date(2026, 2, 27))  # still 24
    assert got.band == "1-24"
    # 2024-01-31 + 25 months = 2026-02-28 (end-of-month clamping, convention 2): 25 completed
    got = estimate_for_record(rec, date(2026, 2, 28))
    assert "25 completed months" in got.basis
    assert got.band == "25-48"
    assert got.risk_per_1000 == 12


def test_record_biosimilar_counts_and_earliest_infusion_wins():
    rec = _record(
        infusions=[("natalizumab", date(2024, 6, 1)), ("natalizumab-sztn", date(2022, 1, 1))],
        results=_positive(date(2021, 12, 1)),
    )
    got = estimate_for_record(rec, date(2024, 6, 1))  # 29 months since 2022-01-01
    assert got.band == "25-48"
    assert got.risk_per_1000 == 3


def test_record_index_stratified_with_stratify_index():
    rec = _record(infusions=[("natalizumab", START)], results=_positive(date(2025, 6, 1), 1.3))
    got = estimate_for_record(rec, date(2026, 3, 31))
    assert got.table == "index_stratified"
    assert got.risk_per_1000 == 1.1
    assert "anti-JCV result of 2025-06-01" in got.basis


def test_record_other_assay_flagged():
    rec = _record(
        infusions=[("natalizumab-sztn", START)],
        results=_positive(date(2025, 6, 1), 2.0, "ImmunoWELL"),
    )
    got = estimate_for_record(rec, date(2026, 3, 31))
    assert got.table == "us_label"
    assert got.risk_per_1000 == 3
    assert "other_assay" in got.flags


def test_record_no_natalizumab_infusion():
    rec = _record(infusions=[("ocrelizumab", START)], results=_positive(START))
    got = estimate_for_record(rec, date(2026, 1, 1))
    assert got.risk_per_1000 is None
    assert got.table == "none"
    assert "no_natalizumab_infusion" in got.flags
    assert "no natalizumab infusion" in got.explanation.lower()


def test_record_infusion_after_day_does_not_count():
    rec = _record(infusions=[("natalizumab", date(2026, 2, 1))], results=_positive(START))
    assert estimate_for_record(rec, date(2026, 1, 1)).risk_per_1000 is None


def test_record_no_result():
    rec = _record(infusions=[("natalizumab", START)])
    got = estimate_for_record(rec, date(2025, 1, 1))
    assert got.risk_per_1000 is None
    assert "anti_jcv_status_unknown" in got.flags
    assert "anti-JCV status unknown: test needed" in got.explanation


def test_record_result_after_day_does_not_count():
    rec = _record(infusions=[("natalizumab", START)], results=_positive(date(2025, 2, 1)))
    assert estimate_for_record(rec, date(2025, 1, 1)).risk_per_1000 is None
    assert estimate_for_record(rec, date(2025, 2, 1)).risk_per_1000 == 1


def test_record_ivig_within_6_months_uses_previous_result():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[
            ("negative", date(2024, 1, 15), None),
            ("positive", date(2026, 5, 1), None),  # 4 months after IVIG: not usable
        ],
        events=[("ivig", date(2026, 1, 1))],
        prior=["azathioprine"],
    )
    got = estimate_for_record(rec, date(2026, 6, 1))  # 28 months
    assert (got.risk_per_1000, got.less_than) == (1, True)  # negative, not 12/1,000
    assert "result_after_ivig_not_usable" in got.flags
    assert "anti-JCV result of 2024-01-15" in got.basis
    assert "IVIG" in got.explanation


def test_record_ivig_more_than_6_months_before_is_usable():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[("negative", date(2024, 1, 15), None), ("positive", date(2026, 7, 2), None)],
        events=[("ivig", date(2026, 1, 1))],
    )
    got = estimate_for_record(rec, date(2026, 8, 1))
    assert got.risk_per_1000 == 3
    assert got.flags == ()


def test_record_ivig_only_result_not_usable():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[("positive", date(2026, 5, 1), None)],
        events=[("ivig", date(2026, 1, 1))],
    )
    got = estimate_for_record(rec, date(2026, 6, 1))
    assert got.risk_per_1000 is None
    assert set(got.flags) >= {"result_after_ivig_not_usable", "anti_jcv_status_unknown"}


@pytest.mark.parametrize(
    ("days_after", "usable"),
    [(13, False), (15, True)],
)
def test_record_plasma_exchange_two_weeks(days_after, usable):
    pe = date(2026, 3, 1)
    drawn = date.fromordinal(pe.toordinal() + days_after)
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[("negative", date(2025, 1, 1), None), ("positive", drawn, None)],
        events=[("plasma_exchange", pe)],
    )
    got = estimate_for_record(rec, date(2026, 4, 30))  # 26 months
    if usable:
        assert got.risk_per_1000 == 3
        assert got.flags == ()
    else:
        assert (got.risk_per_1000, got.less_than) == (1, True)
        assert got.flags == ("result_after_plasma_exchange_not_usable",)


def test_record_stratify_index_alone_infers_status_with_an_unverified_flag():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[(2.5, date(2025, 6, 1), "STRATIFY JCV")],
    )
    got = estimate_for_record(rec, date(2026, 3, 31))  # 26 months, index > 1.5
    assert got.risk_per_1000 == 8.8
    assert "status_inferred_from_index" in got.flags
    assert "unverified" in got.explanation


@pytest.mark.parametrize(
    ("index", "assay"), [(0.3, "STRATIFY JCV"), (2.5, "ImmunoWELL"), (2.5, None)]
)
def test_record_index_alone_gives_no_status_when_indeterminate_or_other_assay(index, assay):
    rec = _record(infusions=[("natalizumab", START)], results=[(index, date(2025, 6, 1), assay)])
    got = estimate_for_record(rec, date(2026, 3, 31))
    assert got.risk_per_1000 is None
    assert "anti_jcv_status_not_recorded" in got.flags


def test_record_conflicting_same_day_results():
    rec = _record(
        infusions=[("natalizumab", START)],
        results=[("positive", date(2025, 6, 1), None), ("negative", date(2025, 6, 1), None)],
    )
    got = estimate_for_record(rec, date(2026, 3, 31))
    assert got.risk_per_1000 is None
    assert "conflicting_anti_jcv_results" in got.flags


def test_record_beyond_72_months():
    rec = _record(
        infusions=[("natalizumab", date(2019, 1, 1))], results=_positive(date(2025, 1, 1))
    )
    assert estimate_for_record(rec, date(2025, 1, 1)).risk_per_1000 == 6  # 72 months
    got = estimate_for_record(rec, date(2025, 2, 1))  # 73 months
    assert got.risk_per_1000 is None
    assert "beyond_72_months" in got.flags


# ---------------------------------------------------------------- property


def _rank(e: PmlEstimate) -> tuple[float, int]:
    assert e.risk_per_1000 is not None
    return (e.risk_per_1000, 0 if e.less_than else 1)  # "<1" ranks below "1"


@given(
    status=st.sampled_from(["negative", "positive"]),
    prior_is=st.booleans(),
    index=st.one_of(st.none(), st.floats(min_value=0, max_value=10, allow_nan=False)),
    assay=st.sampled_from(["STRATIFY JCV", "ImmunoWELL", None]),
    a=st.integers(min_value=0, max_value=72),
    b=st.integers(min_value=0, max_value=72),
    beyond=st.integers(min_value=73, max_value=1000),
)
def test_risk_never_decreases_with_months_and_none_beyond(
    status, prior_is, index, assay, a, b, beyond
):
    lo, hi = sorted((a, b))
    kw = {"index": index, "prior_immunosuppressant": prior_is, "assay": assay}
    first, second = estimate(status, lo, **kw), estimate(status, hi, **kw)
    assert first.table == second.table
    assert _rank(first) <= _rank(second)
    after = estimate(status, beyond, **kw)
    assert after.risk_per_1000 is None
    assert after.band is None
    assert "beyond_72_months" in after.flags
