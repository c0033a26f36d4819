"""Median and landmark differences between two Kaplan–Meier curves
(``monitoring.survival.differences``) and their comparison by arm
(``monitoring.series.arm_comparison``).

Expected numbers are hand calculations: the Kaplan–Meier products and Greenwood sums of
five-patient groups written out below, and medians read off those curves. The bootstrap
is checked by refitting the resampled rows with ``kaplan_meier`` (which equals R's
``survfit``, tests/test_survival_reference.py), with the same random draws.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.distributions import norm_ppf
from monitoring.protocol import load_protocol
from monitoring.series import survival_view
from monitoring.series.arm_comparison import arm_comparison, reference_arm
from monitoring.survival import kaplan_meier
from monitoring.survival.differences import (
    landmark_difference,
    median_difference,
    weighted_medians,
)
from tests.conftest import PROTOCOL_DIR

# Arm a: events at 1, 2, 3, 4, 5. Arm b: censored at 1, events at 2, 3, 4, censored at 6.
TIME_A, EVENT_A = [1, 2, 3, 4, 5], [1, 1, 1, 1, 1]
TIME_B, EVENT_B = [1, 2, 3, 4, 6], [0, 1, 1, 1, 0]


def test_landmark_difference_is_the_greenwood_wald_interval_by_hand() -> None:
    a, b = kaplan_meier(TIME_A, EVENT_A), kaplan_meier(TIME_B, EVENT_B)
    d = landmark_difference(a, b, 2.5)
    # a: S(2.5) = 4/5 * 3/4 = 0.6, Greenwood var = 0.6^2 (1/(5*4) + 1/(4*3)) = 0.048
    # b: 4 at risk at 2, S(2.5) = 3/4, var = 0.75^2 * 1/(4*3) = 0.046875
    assert d.survival_a == pytest.approx(0.6, abs=1e-12)
    assert d.se_a == pytest.approx(math.sqrt(0.048), abs=1e-12)
    assert d.survival_b == pytest.approx(0.75, abs=1e-12)
    assert d.se_b == pytest.approx(math.sqrt(0.046875), abs=1e-12)
    half = 1.959963984540054 * math.sqrt(0.048 + 0.046875)  # z_0.975 (R: qnorm(0.975))
    assert d.difference == pytest.approx(0.15, abs=1e-12)
    assert d.lower == pytest.approx(0.15 - half, abs=1e-9)
    assert d.upper == pytest.approx(0.15 + half, abs=1e-9)


def test_landmark_difference_level_changes_only_the_quantile() -> None:
    a, b = kaplan_meier(TIME_A, EVENT_A), kaplan_meier(TIME_B, EVENT_B)
    d = landmark_difference(a, b, 2.5, conf_level=0.8)
    half = float(norm_ppf(0.9)) * math.sqrt(0.048 + 0.046875)
    assert (d.lower, d.upper) == pytest.approx((0.15 - half, 0.15 + half), abs=1e-9)


def test_landmark_after_an_arms_last_observation_is_not_estimable() -> None:
    a, b = kaplan_meier(TIME_A, EVENT_A), kaplan_meier(TIME_B, EVENT_B)
    d = landmark_difference(a, b, 5.5)  # a's last time is 5, b's is 6
    assert d.survival_a is None
    assert d.survival_b == pytest.approx(0.25, abs=1e-12)  # 3/4 * 2/3 * 1/2
    assert (d.difference, d.lower, d.upper) == (None, None, None)


def test_median_difference_point_by_hand() -> None:
    # a: S drops to 0.4 at 3 -> median 3; b = 2a: median 6
    m = median_difference(TIME_A, EVENT_A, [2, 4, 6, 8, 10], EVENT_A, resamples=200)
    assert m.difference == 3.0
    assert m.lower is not None
    assert m.upper is not None
    assert m.lower <= 3.0 <= m.upper
    assert (m.resamples, m.undefined) == (200, 0)


def test_median_not_reached_has_no_difference() -> None:
    m = median_difference(TIME_A, EVENT_A, TIME_B, [0, 1, 0, 0, 0])
    assert (m.difference, m.lower, m.upper) == (None, None, None)


def test_weighted_median_equals_the_fit_of_the_resampled_rows() -> None:
    rng = np.random.default_rng(7)
    time = rng.integers(1, 40, 30).astype(float)  # ties on purpose
    event = (rng.random(30) < 0.7).astype(float)
    draws = np.random.default_rng(11).multinomial(30, np.full(30, 1 / 30), size=200)
    medians = weighted_medians(time, event, draws.astype(float))
    for counts, got in zip(draws, medians, strict=True):
        rows = np.repeat(np.arange(30), counts)
        want = kaplan_meier(time[rows], event[rows]).median.time
        assert got == (math.inf if want is None else want)


def test_bootstrap_is_reproducible_and_seeded() -> None:
    rng = np.random.default_rng(3)
    ta, tb = rng.exponential(100, 60).round() + 1, rng.exponential(160, 60).round() + 1
    ea, eb = rng.random(60) < 0.9, rng.random(60) < 0.9
    first = median_difference(ta, ea, tb, eb)
    assert median_difference(ta, ea, tb, eb) == first
    other = median_difference(ta, ea, tb, eb, seed=first.seed + 1)
    assert other.difference == first.difference
    assert (other.lower, other.upper) != (first.lower, first.upper)


def test_identical_arms_differ_by_zero_inside_the_interval() -> None:
    rng = np.random.default_rng(5)
    t = rng.exponential(100, 80).round() + 1
    e = rng.random(80) < 0.8
    m = median_difference(t, e, t, e)
    assert m.difference == 0.0
    assert m.lower is not None
    assert m.upper is not None
    assert m.lower < 0.0 < m.upper


AALL1732 = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")


def test_arm_comparison_of_the_randomized_demo() -> None:
    derived = derive(generate(AALL1732, "early_success", seed=0), AALL1732)
    assert reference_arm(AALL1732) == "A"  # the rule's control arm
    comparison = arm_comparison(derived, AALL1732, "EFS")
    assert comparison is not None
    view = survival_view(derived, AALL1732, "EFS", by="arm")
    for arm, curve in zip(comparison.arms, view.curves, strict=True):
        assert curve.label == f"arm = {arm.arm}"
        assert arm.fit.n == curve.fit.n
        assert arm.fit.median == curve.fit.median
    (versus,) = comparison.comparisons
    assert (versus.reference.arm, versus.arm.arm) == ("A", "B")
    days = [m * AALL1732.survival.days_per_month for m in AALL1732.survival.landmarks_months]
    for got, day in zip(versus.landmarks, days, strict=True):
        assert got == landmark_difference(versus.reference.fit, versus.arm.fit, day)


def test_a_single_arm_protocol_has_no_comparison() -> None:
    single = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
    assert reference_arm(single) is None
