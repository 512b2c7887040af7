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

from msinfusion.diary.clinic import (
    LIKELY_SHARE_MEANS,
    PREVALENCE_MEANS,
    clinic_summary,
    wilson,
)
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


def test_prevalence_of_uniform_p_values_is_none() -> None:
    """1,000 p-values spread evenly over (0, 1), as without wearing-off: every bin holds exactly
    1,000 x its width (5 in (0, 0.005], ...), which the uniform part fits exactly, so the best
    share is 0 and the interval starts at 0."""
    ps = [(i + 0.5) / 1000 for i in range(1000)]
    (g,) = clinic_summary([("natalizumab", 4, R("unlikely", p)) for p in ps])
    assert g.prevalence == 0.0
    assert g.prevalence_interval is not None
    assert g.prevalence_interval[0] == 0.0
    assert g.prevalence_interval[1] < 0.2


def test_prevalence_of_tiny_p_values_is_near_one() -> None:
    """300 p-values of 0.001, all in the first bin (width 0.005). With share s the best fit has
    bin probability 0.005 (1 - s) + 0.9997 s (z shift 6, spread 1: Phi(6 - 2.576) = 0.9997), so
    300 log(...) must stay within 1.92 of its value at s = 1 (-0.09): s >= 0.9936."""
    (g,) = clinic_summary([("natalizumab", 4, R("likely", 0.001))] * 300)
    assert g.prevalence == 1.0
    assert g.prevalence_interval is not None
    assert g.prevalence_interval[0] == pytest.approx(0.9936, abs=0.003)
    assert g.prevalence_interval[1] == 1.0


def test_prevalence_counts_patients_whose_diary_looks_null() -> None:
    """Half the patients without wearing-off (p evenly over (0, 1)), half with it but only a
    third of those with a small p-value (0.001), the rest spread like z ~ N(1.5, 1) would put
    them: counting p > 0.5 (Storey) gives 1 - 2 x 0.5 x (1 + 0.067) ... about 0.43, the mixture
    should find about 0.5 and its interval must hold 0.5."""
    from scipy.stats import norm

    null = [(i + 0.5) / 400 for i in range(400)]
    alt = [float(norm.sf(norm.ppf((i + 0.5) / 400) + 1.5)) for i in range(400)]
    rows = [("ocrelizumab", 24, R("unlikely", p)) for p in null + alt]
    (g,) = clinic_summary(rows)
    storey = 1 - 2 * sum(p > 0.5 for p in null + alt) / 800
    assert storey < 0.46
    assert g.prevalence == pytest.approx(0.5, abs=0.03)
    assert g.prevalence_interval is not None
    assert g.prevalence_interval[0] <= 0.5 <= g.prevalence_interval[1]


def test_one_small_p_value_excludes_no_wearing_off() -> None:
    """One p-value of 0.01, in the bin (0.005, 0.01] of width 0.005. The likeliest alternative
    puts 0.0995 there (z shift 2.45, spread 1: Phi(0.125) - Phi(-0.125)); the ratio to the null's
    0.005 is 19.9 > exp(1.92) = 6.8, so share 0 is out, and the lower end solves
    0.005 (1 - s) + 0.0995 s = 0.0995 / 6.8: s = 0.10."""
    (g,) = clinic_summary([("natalizumab", 4, R("likely", 0.01))])
    assert g.prevalence == 1.0
    assert g.prevalence_interval == pytest.approx((0.10, 1.0), abs=0.01)


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
        "prevalence_interval": [0.1025, 1.0],  # 0.1015 (see below) up to the 0.0025 grid
        "likely_share_means": LIKELY_SHARE_MEANS,
        "prevalence_means": PREVALENCE_MEANS,
    }
    assert "not the share with wearing-off" in LIKELY_SHARE_MEANS
    assert "estimated share of analysed patients with wearing-off" in PREVALENCE_MEANS


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
