"""Clinic summary: counts and Wilson intervals checked against hand calculation.

Wilson, z = 1.959964, z^2 = 3.841459: centre = (x + z^2/2) / (n + z^2),
half = z / (n + z^2) * sqrt(x (n - x) / n + z^2 / 4).
  12/40: centre 13.920729 / 43.841459 = 0.317524, half 1.959964 x 3.059471 / 43.841459 = 0.136775
         -> [0.180749, 0.454299]
  0/10:  centre = half = 1.920729 / 13.841459 = 0.138767 -> [0, 0.277534]
  3/10:  centre 0.355506, half 1.959964 x 1.749390 / 13.841459 = 0.247717 -> [0.107789, 0.603223]
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from msinfusion.diary.clinic import clinic_summary, wilson
from msinfusion.errors import DiaryError


@dataclass
class R:
    verdict: str
    p_value: float | None = None


def test_wilson_by_hand() -> None:
    assert wilson(12, 40) == pytest.approx((0.180749, 0.454299), abs=1e-5)
    assert wilson(0, 10) == pytest.approx((0.0, 0.277534), abs=1e-5)
    assert wilson(10, 10) == pytest.approx((1 - 0.277534, 1.0), abs=1e-5)


def test_groups_by_drug_and_interval_never_pooled() -> None:
    rows = (
        [("natalizumab", 4, R("likely", 0.01))] * 12
        + [("natalizumab", 4, R("unlikely", 0.6))] * 28
        + [("natalizumab", 4, R("insufficient_data"))] * 5
        + [("natalizumab", 6, R("unlikely", 0.9))] * 10
        + [("ocrelizumab", 24, R("insufficient_data"))] * 3
    )
    q4, q6, ocr = clinic_summary(rows)
    assert (q4.drug, q4.interval_weeks) == ("natalizumab", 4)
    assert (q4.patients, q4.analysed, q4.likely, q4.unlikely, q4.insufficient) == (
        45,
        40,
        12,
        28,
        5,
    )
    assert q4.likely_share == pytest.approx(0.3)
    assert q4.likely_interval == pytest.approx((0.180749, 0.454299), abs=1e-5)
    assert (q6.interval_weeks, q6.likely, q6.analysed) == (6, 0, 10)
    assert q6.likely_interval == pytest.approx((0.0, 0.277534), abs=1e-5)
    assert (ocr.patients, ocr.insufficient, ocr.likely_share, ocr.likely_interval) == (
        3,
        3,
        None,
        None,
    )


def test_prevalence_from_p_values_by_hand() -> None:
    """3 of 10 p-values above 0.5: prevalence 1 - 0.3 / 0.5 = 0.4; interval from Wilson 3/10,
    [1 - 0.603223 / 0.5, 1 - 0.107789 / 0.5] = [-0.21 -> 0, 0.784422]."""
    ps = [0.001, 0.01, 0.02, 0.04, 0.2, 0.3, 0.45, 0.55, 0.8, 1.0]
    rows = [("ocrelizumab", 24, R("likely" if p < 0.05 else "unlikely", p)) for p in ps]
    (g,) = clinic_summary([*rows, ("ocrelizumab", 24, R("insufficient_data"))])
    assert g.prevalence == pytest.approx(0.4)
    assert g.prevalence_interval == pytest.approx((0.0, 0.784422), abs=1e-5)
    assert g.likely_share == pytest.approx(0.4)


def test_to_json_is_plain_data() -> None:
    (g,) = clinic_summary(
        [("natalizumab", 4, R("likely", 0.01)), ("natalizumab", 4, R("insufficient_data"))]
    )
    assert g.to_json() == {
        "drug": "natalizumab",
        "interval_weeks": 4,
        "patients": 2,
        "analysed": 1,
        "likely": 1,
        "unlikely": 0,
        "insufficient_data": 1,
        "likely_share": 1.0,
        "likely_interval": [0.2065, 1.0],  # Wilson 1/1: 1 / (1 + z^2) = 0.206549
        "prevalence": 1.0,
        "prevalence_interval": [0.0, 1.0],  # Wilson 0/1 tops at 0.793451 > 0.5: could be all
    }


def test_empty_clinic_is_empty() -> None:
    assert clinic_summary([]) == []


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (("natalizumab", 0, R("likely", 0.01)), "rows[0].interval_weeks"),
        (("natalizumab", 4.5, R("likely", 0.01)), "rows[0].interval_weeks"),
        (("", 4, R("likely", 0.01)), "rows[0].drug"),
        (("natalizumab", 4, R("maybe", 0.01)), "rows[0].verdict"),
    ],
)
def test_bad_rows_name_the_field(row: tuple, field: str) -> None:
    with pytest.raises(DiaryError) as err:
        clinic_summary([row])
    assert err.value.field == field
