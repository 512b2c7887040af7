"""The wearing-off analysis on diaries with a known truth (simulated and hand-built)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest

from msinfusion.diary import wearing_off_stats as st
from msinfusion.diary.cycles import align
from msinfusion.diary.entries import SYMPTOMS, DiaryDay, Infusion
from msinfusion.diary.oracle import gls_shift
from msinfusion.diary.simulate import SimSpec, simulate_diary
from msinfusion.diary.wearing_off import analyse, analyse_overall_only
from msinfusion.diary.wearing_off_frame import Windows, design, frame
from msinfusion.errors import DiaryError

D0 = date(2025, 1, 6)


def hand_diary(
    doses: list[int], bump: float, onset: int, seed: int = 0, sd: float = 0.8, drug="natalizumab"
):
    """Daily overall score 3 + noise, `bump` points higher from `onset` days before each REAL
    infusion up to the infusion day; every third day missing."""
    rng = np.random.default_rng(seed)
    end = doses[-1] + 7
    days = []
    for k in range(end):
        if k % 3 == 2:
            continue
        worse = any(0 <= dose - k <= onset for dose in doses[1:]) or k in doses
        value = 3 + (bump if worse else 0.0) + sd * rng.standard_normal()
        days.append(DiaryDay(D0 + timedelta(days=k), {"fatigue": round(float(value), 1)}))
    infusions = [Infusion(D0 + timedelta(days=d), drug) for d in doses]
    return days, infusions


def test_a_clear_effect_is_likely_with_the_onset_near_the_truth():
    sim = simulate_diary(SimSpec.natalizumab(effect=2.5, noise_sd=1.0, ar_phi=0.3), seed=3)
    result = analyse(sim.days, sim.infusions, permutations=199, seed=1)
    assert result.verdict == "likely"
    assert result.p_value is not None and result.p_value < 0.05
    truth = sim.truth.onset_days_before
    assert abs(result.onset_days_before - truth) <= 3
    lo, hi = result.onset_interval
    assert lo <= result.onset_days_before <= hi
    assert result.overall.effect > 1.0
    # Infusions are jittered up to 2 days: the typical cycle is the median real length.
    assert 24 <= result.cycle_days <= 32 and result.cycles_used == 3
    assert "likely" in result.explanation and "28" not in result.explanation.split(".")[0]


def test_no_effect_with_autocorrelation_rarely_says_likely():
    # A plain late-vs-mid t-test flags about 13% of such diaries (phi 0.5, 30% missing).
    spec = SimSpec.natalizumab(ar_phi=0.5, noise_sd=1.5)
    n = 200
    likely = sum(
        analyse_overall_only(
            (s := simulate_diary(spec, 500 + i)).days, s.infusions, permutations=99, seed=i
        ).verdict
        == "likely"
        for i in range(n)
    )
    assert likely / n <= 0.08


def test_a_delayed_infusion_keeps_the_late_window_anchored_to_the_real_infusion():
    # Third infusion 10 days late: the worse days precede the real infusion, not the due date.
    days, infusions = hand_diary([0, 28, 66, 94], bump=2.0, onset=7, seed=2)
    result = analyse(days, infusions, permutations=199, seed=0)
    assert result.verdict == "likely"
    assert 5 <= result.onset_days_before <= 9


def test_one_complete_cycle_is_not_enough():
    days, infusions = hand_diary([0, 28], bump=3.0, onset=7)
    result = analyse(days, infusions, permutations=99)
    assert result.verdict == "insufficient_data"
    assert result.p_value is None and result.onset_days_before is None
    assert "two complete cycles" in result.explanation


def test_no_infusions_is_insufficient_not_an_error():
    days, _ = hand_diary([0, 28, 56], bump=0.0, onset=7)
    result = analyse(days, [], permutations=99)
    assert result.verdict == "insufficient_data"
    assert "no infusions" in result.explanation


def test_too_few_late_days_is_insufficient():
    days, infusions = hand_diary([0, 28, 56, 84], bump=3.0, onset=7)
    # Keep only the first 14 days of each cycle: nothing is ever recorded late in a cycle.
    early = [d for d in days if (d.date - D0).days % 28 < 14]
    assert analyse(early, infusions, permutations=99).verdict == "insufficient_data"


def test_a_flat_diary_is_unlikely_and_says_why():
    days, infusions = hand_diary([0, 28, 56, 84], bump=0.0, onset=7, seed=4)
    result = analyse(days, infusions, permutations=199)
    assert result.verdict == "unlikely"
    assert result.onset_days_before is None and result.onset_interval is None
    assert "unlikely" in result.explanation.lower()


def test_worse_days_after_a_flagged_relapse_are_not_taken_for_wearing_off():
    # A relapse flagged 6 days before each of two infusions, 3 points worse for 3 weeks.
    days, infusions = hand_diary([0, 28, 56, 84], bump=0.0, onset=7, seed=5)
    out = []
    for d in days:
        k = (d.date - D0).days
        relapse_day = next((s for s in (22, 50) if 0 <= k - s < 21), None)
        if relapse_day is not None:
            fatigue = d.ratings["fatigue"] + 3 * (1 - (k - relapse_day) / 21)
            out.append(DiaryDay(d.date, {"fatigue": fatigue}, relapse=k == relapse_day))
        else:
            out.append(d)
    flagged = analyse(out, infusions, permutations=199)
    # Two relapses with 6 weeks after each leave too few clean late days: not "likely".
    assert flagged.verdict in {"unlikely", "insufficient_data"}
    # Without the flag the same days make the end of those cycles look worse.
    unflagged = [DiaryDay(d.date, d.ratings) for d in out]
    assert analyse(unflagged, infusions, permutations=199).overall.effect > 0.3


def test_each_symptom_gets_its_own_verdict():
    spec = SimSpec.natalizumab(effect=3.0, noise_sd=1.0, ar_phi=0.3, affected=("fatigue",))
    sim = simulate_diary(spec, seed=8)
    result = analyse(sim.days, sim.infusions, permutations=499, seed=2)
    assert set(result.symptoms) == set(SYMPTOMS)
    assert result.symptoms["fatigue"].verdict == "likely"
    assert result.symptoms["fatigue"].effect > 1.5
    assert sum(r.verdict == "likely" for r in result.symptoms.values()) <= 3


def test_curve_is_daily_for_monthly_cycles_and_weekly_for_six_monthly_ones():
    days, infusions = hand_diary([0, 28, 56, 84], bump=2.0, onset=7, seed=6)
    curve = analyse(days, infusions, permutations=99, symptoms=False).overall.curve
    assert [p.day for p in curve] == list(range(28))
    late, mid = curve[24], curve[12]  # 4 days before the infusion vs mid-cycle
    assert late.mean - mid.mean > 1.0
    assert all(p.lo < p.mean < p.hi and p.n >= 1 for p in curve)

    sim = simulate_diary(SimSpec.ocrelizumab(missing=0.3), seed=1)
    weekly = analyse_overall_only(sim.days, sim.infusions, permutations=99).overall.curve
    assert [p.day for p in weekly] == [7 * k + 3 for k in range(24)]


def test_json_contract():
    sim = simulate_diary(SimSpec.natalizumab(effect=2.0, noise_sd=1.0), seed=2)
    doc = json.loads(json.dumps(analyse(sim.days, sim.infusions, permutations=99).to_json()))
    required = {"verdict", "p_value", "onset_days_before", "onset_interval", "symptoms"}
    assert required | {"explanation"} <= set(doc)
    assert doc["verdict"] in {"likely", "unlikely", "insufficient_data"}
    for name, sym in doc["symptoms"].items():
        assert name in SYMPTOMS
        assert set(sym) >= {"verdict", "p_value", "effect", "curve"}
        assert set(sym["curve"][0]) == {"day", "mean", "lo", "hi", "n"}
    if doc["verdict"] == "likely":
        lo, hi = doc["onset_interval"]
        assert lo <= doc["onset_days_before"] <= hi


def test_same_seed_same_answer():
    sim = simulate_diary(SimSpec.natalizumab(effect=1.0), seed=4)
    a = analyse(sim.days, sim.infusions, permutations=99, seed=7).to_json()
    b = analyse(sim.days, sim.infusions, permutations=99, seed=7).to_json()
    assert a == b


def test_course_change_analyses_the_current_drug_only():
    days, infusions = hand_diary([0, 28, 56, 84], bump=2.0, onset=7, seed=9)
    switched = [*infusions, Infusion(D0 + timedelta(days=91), "ocrelizumab")]
    result = analyse(days, switched, permutations=99, symptoms=False)
    assert result.drug == "ocrelizumab" and result.verdict == "insufficient_data"
    before = analyse(days, switched, permutations=99, symptoms=False, drug="natalizumab")
    assert before.verdict == "likely" and before.drug == "natalizumab"


def test_too_few_replicates_is_an_error():
    days, infusions = hand_diary([0, 28, 56], bump=0.0, onset=7)
    with pytest.raises(DiaryError, match="permutations"):
        analyse(days, infusions, permutations=5)
    # With B replicates the smallest p-value is 1 / (B + 1): below the 4% decision level only
    # from B = 25 on, so 24 could never say "likely".
    with pytest.raises(DiaryError, match="at least 25"):
        analyse(days, infusions, permutations=24)
    assert analyse(days, infusions, permutations=25, symptoms=False).p_value is not None


def test_the_decision_level_is_four_percent():
    """A p-value between 0.04 and 0.05 is not enough for "likely" (docs/wearing-off.md, step 4),
    and the explanation says what the verdict needs."""
    from msinfusion.diary import wearing_off as wo

    assert wo.ALPHA == 0.04
    assert wo.chance_words(0.045) == "fewer than 1 in 20"
    assert wo.chance_words(0.039) == "fewer than 1 in 25"


def test_the_clinician_explanation_speaks_about_the_patient():
    days, infusions = hand_diary([0, 28, 56, 84], bump=2.0, onset=7, seed=6)
    result = analyse(days, infusions, permutations=199, symptoms=False)
    assert result.verdict == "likely"
    assert "your overall score" in result.explanation
    assert "the patient's overall score" in result.explanation_clinician
    assert "your" not in result.explanation_clinician.lower()
    # Same verdict, numbers and chance wording; only the person changes.
    assert result.explanation_clinician.split(".")[0] == result.explanation.split(".")[0]
    assert result.to_json()["explanation_clinician"] == result.explanation_clinician


def test_not_enough_data_reads_the_same_for_both():
    days, infusions = hand_diary([0, 28], bump=3.0, onset=7)
    result = analyse(days, infusions, permutations=99)
    assert result.explanation_clinician == result.explanation
    assert result.explanation.startswith("Not enough data yet")


def test_a_recovery_taking_two_days_is_still_found():
    # Worse from 7 days before each infusion through the day after it (Ratchford: a median of
    # one day after the infusion, so some patients take two).
    rng = np.random.default_rng(11)
    doses = [0, 28, 56, 84]
    days = []
    for k in range(doses[-1] + 10):
        if k % 3 == 2:
            continue
        worse = any(-1 <= dose - k <= 7 for dose in doses[1:]) or k in (0, 1)
        value = 3 + (2.0 if worse else 0.0) + 0.8 * rng.standard_normal()
        days.append(DiaryDay(D0 + timedelta(days=k), {"fatigue": round(float(value), 1)}))
    infusions = [Infusion(D0 + timedelta(days=d), "natalizumab") for d in doses]
    result = analyse(days, infusions, permutations=199, symptoms=False)
    assert result.verdict == "likely"
    assert 5 <= result.onset_days_before <= 9


def test_bootstrap_noise_has_the_ar1_correlation_across_gaps():
    t = np.array([0, 1, 2, 5, 6, 10, 11, 12, 20])
    noise = st.ar1_noise(np.random.default_rng(0), t, 0.6, 40_000)
    assert np.allclose(noise.var(axis=0), 1.0, atol=0.04)
    corr = np.corrcoef(noise.T)
    assert corr[0, 1] == pytest.approx(0.6, abs=0.02)  # 1 day apart
    assert corr[2, 3] == pytest.approx(0.6**3, abs=0.02)  # 3 days apart
    assert corr[7, 8] == pytest.approx(0.6**8, abs=0.02)  # 8 days apart: about 0.017


def _one_window_design(seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.choice(120, 80, replace=False))
    window = ((t % 28) >= 21).astype(float)
    Z = np.column_stack([np.ones(len(t)), (t - t.mean()) / 365.25])
    made = st.Design(t, Z, window[:, None], np.array([7]), np.array([1.0]))
    y = 0.8 * window + st.ar1_noise(rng, t, 0.4, 1)[0]
    return made, y


def test_scan_effect_is_the_gls_estimate_at_the_chosen_phi():
    made, y = _one_window_design()
    got = st.scan(st.prepare(made), y[None, :], detail=True)
    phi = float(got.phi[0, 0])
    effect, _ = gls_shift(y, np.column_stack([made.X[:, 0], made.Z]), made.t, phi, None)
    assert got.delta[0, 0] == pytest.approx(effect, rel=1e-8)
    assert got.lr[0, 0] > 0


def test_statistic_ignores_level_trend_and_scale():
    # The bootstrap needs only phi because of this invariance.
    made, y = _one_window_design(seed=3)
    basis = st.prepare(made)
    base = st.scan(basis, y[None, :]).statistic(made.weights)[0]
    moved = 5.0 + 2.5 * (y + 0.01 * made.t)
    assert st.scan(basis, moved[None, :]).statistic(made.weights)[0] == pytest.approx(base)


def test_onset_prior_follows_the_published_onsets():
    short = Windows.for_length(28)
    w = short.onset_prior(short=True)
    onsets = list(short.onsets)
    assert onsets == list(range(3, 15)) and w.sum() == pytest.approx(1.0)
    assert onsets[int(np.argmax(w))] == 7  # Ratchford: a median of day 21 of 28
    assert w[onsets.index(4)] == pytest.approx(w[onsets.index(10)])
    long = Windows.for_length(168)
    w = long.onset_prior(short=False)
    onsets = np.array(long.onsets)
    # Amsterdam cohort: < 1 week 11%, 1-4 weeks 49%, > 4 weeks 37% (renormalised over 97%).
    assert w[onsets <= 7].sum() == pytest.approx(0.11 / 0.97)
    assert w[(onsets > 7) & (onsets <= 28)].sum() == pytest.approx(0.49 / 0.97)
    assert w[onsets > 28].sum() == pytest.approx(0.37 / 0.97)


def test_a_window_counted_from_the_last_dose_lasts_until_the_late_infusion():
    # Cycles of 28, 28 and 38 days: counted from the last dose, a 7-day onset starts on day 21
    # of the long cycle and lasts to the day of the late infusion (day 94) itself.
    doses = [0, 28, 56, 94]
    days = [DiaryDay(D0 + timedelta(days=k), {"fatigue": 3}) for k in range(100)]
    infusions = [Infusion(D0 + timedelta(days=d), "natalizumab") for d in doses]
    fr = frame(align(days, infusions), "natalizumab", None)
    assert fr.length == 28
    made = design(fr, np.ones(len(fr.t), bool))
    k = fr.t
    expected = (
        ((k >= 21) & (k < 28)) | ((k >= 49) & (k < 56)) | ((k >= 77) & (k < 94)) | np.isin(k, doses)
    )
    matches = [j for j in range(made.X.shape[1]) if np.array_equal(made.X[:, j] > 0, expected)]
    assert matches and all(made.onsets[j] == 7 for j in matches)
    assert made.weights.sum() == pytest.approx(1.0)


def test_bootstrap_can_draw_the_diary_s_own_surprises():
    # Skewed surprises (mostly small drops, rare big rises) stay skewed in the simulated noise.
    t = np.arange(200)
    own = np.array([-0.5] * 8 + [2.0, 2.0])
    own = (own - own.mean()) / own.std()
    white = st.ar1_noise(np.random.default_rng(1), t, 0.0, 50, own)
    assert set(np.round(white.ravel(), 6)) == set(np.round(own, 6))
    skew = lambda x: float(((x - x.mean()) ** 3).mean() / x.std() ** 3)  # noqa: E731
    assert skew(st.ar1_noise(np.random.default_rng(2), t, 0.5, 200, own).ravel()) > 0.5
    assert abs(skew(st.ar1_noise(np.random.default_rng(2), t, 0.5, 200).ravel())) < 0.1


def test_normal_scores_keep_the_order_and_share_ties():
    # Ranks 4, 1, 2.5, 2.5 of 4 -> normal quantiles of 0.875, 0.125, 0.5, 0.5.
    got = st.normal_scores(np.array([3.0, 1.0, 2.0, 2.0]))
    assert got == pytest.approx([1.1503494, -1.1503494, 0.0, 0.0], abs=1e-6)


def test_the_p_value_depends_only_on_the_order_of_the_scores():
    # Squeezing the scale near the floor (a monotone change of the 0-10 ratings) changes the
    # effect in points but not the test: a skewed score is tested like a Gaussian one.
    days, infusions = hand_diary([0, 28, 56, 84], bump=0.3, onset=7, seed=4, sd=1.0)
    squeezed = [
        DiaryDay(d.date, {k: 10 * (v / 10) ** 3 for k, v in d.ratings.items()}) for d in days
    ]
    a = analyse(days, infusions, permutations=199, seed=0, symptoms=False)
    b = analyse(squeezed, infusions, permutations=199, seed=0, symptoms=False)
    assert a.p_value == b.p_value
    assert a.verdict == b.verdict
    assert a.overall.effect != pytest.approx(b.overall.effect)
