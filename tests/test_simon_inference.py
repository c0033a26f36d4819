"""End-of-trial inference under a two-stage design (monitoring/designs/simon_inference.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from monitoring.designs.simon import characteristics
from monitoring.designs.simon_inference import (
    clinfun_limits,
    exact_limits,
    infer,
    p_value,
    umvue,
)

SEED003 = {"r1": 6, "n1": 18, "n": 48}
GRID = 1e-4  # clinfun's refined grid step
FLOAT = 1e-12  # rounding of grid values such as 0.15 + 0.0064


def test_p_value_at_the_success_boundary_is_the_design_alpha() -> None:
    """Stage-wise ordering: Pr(outcome >= 'completed with r + 1') = Pr(X1 > r1, X > r) = alpha
    of the design, by definition (hand derivation); seed 003 alpha = 0.1127 (SPEC 3.1)."""
    alpha = characteristics(6, 18, 20, 48, 0.35, 0.50).alpha
    assert p_value(21, **SEED003, p0=0.35) == pytest.approx(alpha, abs=1e-14)
    assert round(p_value(21, **SEED003, p0=0.35), 4) == 0.1127


def test_p_value_after_an_early_stop_is_binomial() -> None:
    """Stopped after stage 1 with x: Pr(X1 >= x | p0), scipy's binomial survival."""
    assert p_value(3, **SEED003, p0=0.35) == pytest.approx(stats.binom.sf(2, 18, 0.35), rel=1e-14)


def test_umvue_small_design_by_hand() -> None:
    """r1 = 0, n1 = 2, n = 3 (Jung & Kim 2004 formula worked by hand): x = 1 -> C(1,0)C(1,0) /
    C(2,1)C(1,0) = 1/2; x = 2 -> (1 + 1) / (2 + 1) = 2/3; x = 3 -> 1; x = 0 -> 0/2."""
    assert [umvue(x, 0, 2, 3) for x in range(4)] == pytest.approx([0.0, 0.5, 2 / 3, 1.0])


def test_umvue_after_early_stop_is_the_stage_1_proportion() -> None:
    assert umvue(5, **SEED003) == 5 / 18


@pytest.mark.parametrize("x", [1, 3, 6])
def test_early_stop_limits_are_clopper_pearson(x: int) -> None:
    """After an early stop the stage-wise limits are the one-sided Clopper-Pearson limits for
    x of n1 (Koyama & Chen 2008); Beta quantiles from scipy. Brent tolerance 1e-12."""
    low = stats.beta.ppf(0.05, x, 18 - x + 1)
    high = stats.beta.ppf(0.95, x + 1, 18 - x)
    lim = exact_limits(x, **SEED003, alpha=0.05)
    assert (lim.low, lim.high) == pytest.approx((low, high), abs=1e-10)


@pytest.mark.parametrize("x", range(1, 49))
def test_clinfun_grid_limits_follow_its_definition(x: int) -> None:
    """clinfun's LCL is the first 1e-4 grid point above the exact lower limit; its UCL is the
    last grid point below the exact upper limit of the outcome just below x (it solves
    Pr(outcome >= x) = 1 - alpha, i.e. Pr(outcome <= x - 1) = alpha): read from clinfun's
    twostage.inference source, checked here for every outcome of the seed-003 design."""
    grid = clinfun_limits(x, **SEED003, alpha=0.05)
    exact = exact_limits(x, **SEED003, alpha=0.05)
    before = exact_limits(x - 1, **SEED003, alpha=0.05)
    assert grid.low is not None
    assert grid.high is not None
    assert exact.low < grid.low + FLOAT <= exact.low + GRID + 2 * FLOAT
    assert before.high - GRID - 2 * FLOAT <= grid.high < before.high + FLOAT


def test_clinfun_limits_are_missing_when_nothing_responds() -> None:
    """x = 0: the tail Pr(outcome >= 0) is 1 at every p, so clinfun returns NA for both;
    the exact interval is [0, 1 - alpha^(1/n1)] since (1 - p)^18 = alpha (hand)."""
    grid = clinfun_limits(0, **SEED003, alpha=0.05)
    assert (grid.low, grid.high) == (None, None)
    exact = exact_limits(0, **SEED003, alpha=0.05)
    assert exact.low == 0.0
    assert exact.high == pytest.approx(1 - 0.05 ** (1 / 18), abs=1e-10)


def test_all_responders_upper_limit_is_one() -> None:
    """x = n is the largest outcome: Pr(outcome <= n) = 1 at every p, so the limit is 1."""
    assert exact_limits(48, **SEED003, alpha=0.05).high == 1.0


def test_infer_bundles_the_pieces() -> None:
    res = infer(21, 6, 18, 48, 0.35, 0.05)
    assert not res.stopped_early
    assert res.observed_rate == 21 / 48
    assert res.umvue == umvue(21, 6, 18, 48)
    assert res.p_value == p_value(21, 6, 18, 48, 0.35)
    assert res.clinfun_limits.level == pytest.approx(0.90)
    # The UMVUE corrects the downward bias of x/n after passing stage 1 (Jung & Kim 2004).
    assert res.umvue > res.observed_rate


@pytest.mark.parametrize(
    ("x", "alpha", "message"),
    [(49, 0.05, "x must lie"), (-1, 0.05, "x must lie"), (3, 0.5, "alpha"), (3, 0.0, "alpha")],
)
def test_bad_inputs_are_refused(x: int, alpha: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        infer(x, 6, 18, 48, 0.35, alpha)


def outcome_probabilities(r1: int, n1: int, n: int, p: float) -> np.ndarray:
    """Probability of each outcome x = 0..n (x <= r1: stopped; else completed with x)."""
    probs = np.zeros(n + 1)
    probs[: r1 + 1] = stats.binom.pmf(np.arange(r1 + 1), n1, p)
    for x1 in range(r1 + 1, n1 + 1):
        probs[x1 : x1 + n - n1 + 1] += stats.binom.pmf(x1, n1, p) * stats.binom.pmf(
            np.arange(n - n1 + 1), n - n1, p
        )
    return probs


@pytest.mark.parametrize("p", [0.05, 0.35, 0.5, 0.9])
def test_umvue_is_unbiased_for_the_seed_design(p: float) -> None:
    """Unbiasedness, the defining property (Jung & Kim 2004): sum over outcomes of
    Pr(outcome) * UMVUE = p; exact enumeration, tolerance for float sums of 49 terms."""
    probs = outcome_probabilities(6, 18, 48, p)
    assert math.isclose(probs.sum(), 1.0, abs_tol=1e-12)
    estimate = sum(probs[x] * umvue(x, 6, 18, 48) for x in range(49))
    assert estimate == pytest.approx(p, abs=1e-12)
