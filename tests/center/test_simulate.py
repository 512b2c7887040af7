"""The day simulation: hand-worked small days, paired draws, and the noise it claims to draw."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from msinfusion.center.instance import Appointment, Instance, Nurse
from msinfusion.center.schedule import Assignment, Schedule
from msinfusion.center.simulate import Noise, draws, realised, simulate
from msinfusion.errors import InstanceError

EXACT = Noise.none()
H8, H9, H10, H11, H12 = 480, 540, 600, 660, 720


def day(
    appts: list[tuple[str, int]],
    *,
    chairs: int = 2,
    nurses: int = 1,
    ppn: int = 4,
    nsm: int = 0,
    close: int = H12,
    kinds: dict[int, str] | None = None,
    needs: dict[str, str] | None = None,
) -> Instance:
    """A morning 08:00-close with appointments (id, chair minutes), open windows."""
    return Instance(
        date=date(2026, 3, 2),
        timezone="UTC",
        open=H8,
        close=close,
        chairs=chairs,
        nurses=tuple(Nurse(f"n{i}", H8, close) for i in range(nurses)),
        patients_per_nurse=ppn,
        nurse_start_minutes=nsm,
        appointments=tuple(
            Appointment(
                aid, "p" + aid, "natalizumab", m, H8, close - 1, needs=(needs or {}).get(aid)
            )
            for aid, m in appts
        ),
        chair_kinds=kinds or {},
    )


def plan(*rows: tuple[str, int, int]) -> Schedule:
    return Schedule(tuple(Assignment(aid, chair, start) for aid, chair, start in rows), ())


def one_run(instance: Instance, schedule: Schedule, noise: Noise = EXACT):
    return simulate(instance, schedule, runs=1, seed=0, noise=noise).runs[0]


def test_a_plan_that_comes_true_has_no_wait_and_the_booked_utilization():
    inst = day([("a", 60), ("b", 120)])
    r = one_run(inst, plan(("a", 1, H8), ("b", 2, H9)))
    assert (r.wait_mean_min, r.wait_p90_min, r.overtime_min) == (0, 0, 0)
    assert r.chair_utilization == pytest.approx(180 / (2 * 240))  # 180 chair-min of 480
    assert (r.placed, r.no_shows) == (2, 0)


def test_a_busy_chair_means_waiting_when_no_other_chair_is_free():
    inst = day([("a", 60), ("b", 60)], chairs=1)
    r = one_run(inst, plan(("a", 1, H8), ("b", 1, H8 + 30)))
    # b is ready at 08:30 and sits down at 09:00 when a leaves
    assert r.wait_mean_min == pytest.approx((0 + 30) / 2)
    assert r.wait_p90_min == pytest.approx(0 + 0.9 * 30)


def test_a_patient_is_reseated_in_a_free_chair_of_the_same_kind():
    inst = day([("a", 60), ("b", 60)], chairs=2)
    r = one_run(inst, plan(("a", 1, H8), ("b", 1, H8 + 30)))
    assert r.wait_mean_min == 0


def test_a_patient_is_not_reseated_in_a_bed():
    inst = day([("a", 60), ("b", 60)], chairs=2, kinds={2: "bed"})
    r = one_run(inst, plan(("a", 1, H8), ("b", 1, H8 + 30)))
    assert r.wait_mean_min == pytest.approx(15)


def test_one_nurse_sets_up_one_patient_at_a_time():
    inst = day([("a", 60), ("b", 60)], nsm=15)
    r = one_run(inst, plan(("a", 1, H8), ("b", 2, H8)))
    assert r.wait_mean_min == pytest.approx((0 + 15) / 2)  # b starts when a's set-up ends
    assert r.overtime_min == 0


def test_monitoring_capacity_holds_patients_back_and_sets_the_peak():
    inst = day([("a", 60), ("b", 60)], ppn=1)
    r = one_run(inst, plan(("a", 1, H8), ("b", 2, H8)))
    assert r.wait_mean_min == pytest.approx(30)  # b waits for a to leave at 09:00
    assert r.nurse_peak == 1


def test_nurse_peak_counts_patients_per_nurse_on_shift():
    inst = day([("a", 60), ("b", 60), ("c", 60)], chairs=3, nurses=2)
    r = one_run(inst, plan(("a", 1, H8), ("b", 2, H8), ("c", 3, H8 + 30)))
    assert r.nurse_peak == pytest.approx(3 / 2)


def test_waiting_patients_are_served_in_scheduled_start_order():
    inst = day([("a", 60), ("b", 30), ("c", 30)], chairs=1)
    r = one_run(inst, plan(("a", 1, H8), ("b", 1, H8 + 10), ("c", 1, H8 + 5)))
    # 09:00 c (booked 08:05) sits first, waits 55; b (08:10) sits at 09:30, waits 80
    assert r.wait_mean_min == pytest.approx((0 + 55 + 80) / 3)
    assert r.overtime_min == 0


def test_overtime_is_the_minutes_after_close_until_the_last_patient_leaves():
    inst = day([("a", 90)], close=H12)
    r = one_run(inst, plan(("a", 1, H11)))
    assert r.overtime_min == 30
    assert r.chair_utilization == pytest.approx(60 / (2 * 240))  # only open minutes count


def test_early_arrivals_wait_for_their_slot_without_it_counting():
    inst = day([("a", 60), ("b", 60)])
    noise = Noise(0.0, 0.0, 0.0, early_probability=1.0, early_mean_minutes=20, duration_cv=0)
    res = simulate(inst, plan(("a", 1, H8), ("b", 2, H9)), runs=50, seed=3, noise=noise)
    assert all(r.wait_mean_min == 0 for r in res.runs)


def test_everyone_missing_means_all_no_shows_and_no_wait():
    inst = day([("a", 60), ("b", 60)])
    noise = Noise(1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    r = one_run(inst, plan(("a", 1, H8), ("b", 2, H8)), noise)
    assert (r.no_shows, r.placed, r.wait_mean_min, r.chair_utilization) == (2, 2, 0, 0)


def test_draws_depend_on_the_appointment_not_on_the_schedule_or_the_day():
    inst = day([("a", 60), ("b", 60)])
    other = day([("c", 30), ("b", 90), ("a", 60)], chairs=3)
    d1 = draws(inst, seed=11, runs=20, noise=Noise())
    d2 = draws(other, seed=11, runs=40, noise=Noise())
    assert np.array_equal(d1.offset[0], d2.offset[2, :20])  # a, first 20 replications
    assert np.array_equal(d1.multiplier[1], d2.multiplier[1, :20])  # b
    d3 = draws(inst, seed=12, runs=20, noise=Noise())
    assert not np.array_equal(d1.multiplier, d3.multiplier)


def test_two_schedules_with_one_seed_see_the_same_no_shows_and_durations():
    inst = day([(f"x{i}", 60) for i in range(6)], chairs=6, nurses=2)
    s1 = plan(*((f"x{i}", i + 1, H8) for i in range(6)))
    s2 = plan(*((f"x{i}", 6 - i, H9 + 10 * i) for i in range(6)))
    r1 = simulate(inst, s1, runs=30, seed=5)
    r2 = simulate(inst, s2, runs=30, seed=5)
    assert [r.no_shows for r in r1.runs] == [r.no_shows for r in r2.runs]


def test_noise_is_drawn_at_the_stated_rates():
    inst = day([(f"x{i}", 100) for i in range(20)])
    noise = Noise()
    d = draws(inst, seed=1, runs=2_000, noise=noise)  # 40,000 draws each
    assert 1 - d.show.mean() == pytest.approx(0.05, abs=0.006)
    assert (d.offset > 0).mean() == pytest.approx(0.30 * math.exp(-0.5 / 10), abs=0.01)
    m = d.multiplier
    assert np.median(m) == pytest.approx(1.0, abs=0.01)
    assert m.std() / m.mean() == pytest.approx(0.20, abs=0.01)
    late = d.offset[d.offset > 0]  # whole minutes: the 5% under half a minute round to 0
    assert late.mean() == pytest.approx(10.0 / math.exp(-0.05), abs=0.4)


def test_realised_drops_no_shows_and_uses_the_drawn_durations():
    inst = day([("a", 60), ("b", 60)])
    none = realised(inst, seed=0, run=3, noise=Noise(1.0, 0.0, 0.0, 0.0, 0.0, 0.0))
    assert none.appointments == ()
    same = realised(inst, seed=0, run=3, noise=EXACT)
    assert [a.chair_minutes for a in same.appointments] == [60, 60]
    d = draws(inst, seed=4, runs=8, noise=Noise(0.0))
    r7 = realised(inst, seed=4, run=7, noise=Noise(0.0))
    expected = [max(1, round(60 * m)) for m in d.multiplier[:, 7]]
    assert [a.chair_minutes for a in r7.appointments] == expected


def test_realised_moves_the_close_when_a_long_infusion_no_longer_fits():
    inst = day([("a", 230)], close=H12)  # 08:00 + 230 = 11:50
    long = Noise(0.0, 0.0, 0.0, 0.0, 0.0, duration_cv=0.5)
    for run in range(40):
        r = realised(inst, seed=2, run=run, noise=long)
        a = r.appointments[0]
        assert a.latest_start + a.chair_minutes <= r.close
        assert r.close == max(H12, H8 + a.chair_minutes)
        assert all(n.end == r.close for n in r.nurses)


def test_bad_arguments_name_the_field():
    inst = day([("a", 60)])
    with pytest.raises(InstanceError) as exc:
        simulate(inst, plan(("a", 1, H8)), runs=0, seed=0)
    assert exc.value.field == "runs"
    with pytest.raises(InstanceError) as exc:
        Noise(no_show_probability=1.5)
    assert exc.value.field == "noise.no_show_probability"
    with pytest.raises(InstanceError) as exc:
        simulate(inst, plan(("a", 1, H8)), runs=1, seed=-1)
    assert exc.value.field == "seed"
