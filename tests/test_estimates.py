"""Rates, intervals and the predictive probability of success (monitoring.estimates).

Reference values were produced with R 4 (stats package) by the calls named next to them, all
in tests/r_reference/estimates.R, and pasted here; R is not called from the tests.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from monitoring.estimates import (
    BetaPrior,
    Interval,
    IntervalMethod,
    clopper_pearson,
    credible_interval,
    predictive_probability,
    rate_estimate,
)
from monitoring.protocol import SimonRule, load_protocol
from monitoring.rules.efficacy import EfficacyState, ResponseCounts, efficacy_decision
from tests.conftest import PROTOCOL_DIR

C = ResponseCounts
RULE = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml").simon
assert RULE is not None
DEFAULT: SimonRule = RULE
JEFFREYS = BetaPrior(0.5, 0.5)
# Both R (qbeta, own Newton iterations) and scipy (Boost ibeta_inv) compute Beta quantiles to
# near double precision; 1e-12 absorbs the different root finders and nothing more.
QUANTILE_TOL = 1e-12


# --- Clopper-Pearson and credible intervals against R --------------------------------------

# R: ci <- binom.test(x, n, conf.level = level)$conf.int; sprintf("%.17g", ci)
BINOM_TEST = [
    (0, 18, 0.95, 0.0, 0.18530196813785227),
    (18, 18, 0.95, 0.81469803186214773, 1.0),
    (7, 18, 0.95, 0.17298585478975181, 0.64254879410693744),
    (21, 48, 0.95, 0.29480124133383212, 0.58819164115935463),
    (0, 1, 0.95, 0.0, 0.97499999999999998),
    (1, 1, 0.95, 0.025000000000000022, 1.0),
    (3, 10, 0.95, 0.066739511177734495, 0.65245285005999731),
    (1, 48, 0.95, 0.00052731525342312048, 0.11069616059315224),
    (47, 48, 0.95, 0.88930383940684776, 0.99947268474657691),
    (0, 18, 0.90, 0.0, 0.1533175539572782),
    (7, 18, 0.90, 0.19895329584249161, 0.60784470312731997),
]


@pytest.mark.parametrize(("x", "n", "level", "low", "high"), BINOM_TEST)
def test_clopper_pearson_matches_r_binom_test(
    x: int, n: int, level: float, low: float, high: float
) -> None:
    ci = clopper_pearson(x, n, level)
    assert ci.low == pytest.approx(low, abs=QUANTILE_TOL)
    assert ci.high == pytest.approx(high, abs=QUANTILE_TOL)
    assert ci.method == IntervalMethod.CLOPPER_PEARSON


def test_clopper_pearson_edges_are_exact() -> None:
    """binom.test gives exactly 0 as lower bound at x = 0 and exactly 1 as upper at x = n."""
    assert clopper_pearson(0, 18, 0.95).low == 0.0
    assert clopper_pearson(18, 18, 0.95).high == 1.0
    assert clopper_pearson(0, 0, 0.95) == Interval(0.0, 1.0, IntervalMethod.CLOPPER_PEARSON)


# R: qbeta(c((1 - level) / 2, (1 + level) / 2), a + x, b + n - x); sprintf("%.17g", q)
QBETA = [
    (0.5, 0.5, 7, 18, 0.95, 0.19381321149421105, 0.61664595729242122),
    (0.5, 0.5, 0, 18, 0.95, 2.6903117300909301e-05, 0.12855821182175953),
    (0.5, 0.5, 18, 18, 0.95, 0.87144178817824047, 0.99997309688269909),
    (0.5, 0.5, 21, 48, 0.95, 0.30422854402821076, 0.5780597917945961),
    (1.0, 1.0, 3, 10, 0.95, 0.10926344381909812, 0.60974255957242118),
    (0.4, 1.6, 4, 8, 0.95, 0.16552542684603383, 0.73711920792399244),
    (0.5, 0.5, 0, 0, 0.95, 0.001541333133436015, 0.99845866686656404),
    (0.5, 0.5, 7, 18, 0.90, 0.22117031679168436, 0.58123385621386014),
]


@pytest.mark.parametrize(("a", "b", "x", "n", "level", "low", "high"), QBETA)
def test_credible_interval_matches_r_qbeta(
    a: float, b: float, x: int, n: int, level: float, low: float, high: float
) -> None:
    ci = credible_interval(BetaPrior(a, b), x, n, level)
    assert ci.low == pytest.approx(low, abs=QUANTILE_TOL)
    assert ci.high == pytest.approx(high, abs=QUANTILE_TOL)
    assert ci.method == IntervalMethod.EQUAL_TAILED_CREDIBLE


def test_rate_estimate_bundles_everything() -> None:
    """7 of 18 with the Jeffreys prior: posterior Beta(7.5, 11.5), mean 7.5 / 19 (hand)."""
    est = rate_estimate("Hematologic remission", 7, 18, JEFFREYS, 0.95)
    assert est.proportion == pytest.approx(7 / 18, rel=1e-15)
    assert est.posterior_mean == pytest.approx(7.5 / 19, rel=1e-15)
    assert est.credible.low == pytest.approx(0.19381321149421105, abs=QUANTILE_TOL)
    assert est.exact.high == pytest.approx(0.64254879410693744, abs=QUANTILE_TOL)
    assert (est.label, est.x, est.n, est.level, est.prior) == (
        "Hematologic remission",
        7,
        18,
        0.95,
        JEFFREYS,
    )


def test_rate_estimate_with_no_patient() -> None:
    """n = 0: no observed proportion; the posterior is the prior (mean 0.5 for Jeffreys)."""
    est = rate_estimate("AE", 0, 0, JEFFREYS, 0.95)
    assert est.proportion is None
    assert est.posterior_mean == 0.5
    assert (est.exact.low, est.exact.high) == (0.0, 1.0)


@pytest.mark.parametrize(
    ("prior", "label"),
    [
        (BetaPrior(0.5, 0.5), "Beta(0.5, 0.5)"),
        (BetaPrior(1, 1), "Beta(1, 1)"),
        (BetaPrior(0.4, 1.6), "Beta(0.4, 1.6)"),
    ],
)
def test_prior_label(prior: BetaPrior, label: str) -> None:
    assert prior.label == label


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: BetaPrior(0, 1), "BetaPrior.a must be positive and finite; got 0"),
        (lambda: BetaPrior(1, float("inf")), "BetaPrior.b must be positive and finite; got inf"),
        (lambda: clopper_pearson(5, 4, 0.95), "0 <= x <= n; got x = 5, n = 4"),
        (lambda: clopper_pearson(-1, 4, 0.95), "0 <= x <= n; got x = -1, n = 4"),
        (lambda: clopper_pearson(1, 4, 95), "level must lie strictly between 0 and 1; got 95"),
        (lambda: credible_interval(JEFFREYS, 1, 4, 0.0), "strictly between 0 and 1; got 0.0"),
        (lambda: rate_estimate("x", 1.0, 4, JEFFREYS, 0.95), "x must be an integer; got 1.0"),
        (lambda: Interval(0.6, 0.4, "plain"), "low (0.6) must not exceed high (0.4)"),
    ],
)
def test_invalid_inputs_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_numpy_numbers_are_accepted() -> None:
    """Counts and prior parameters from numpy/pandas behave as plain numbers."""
    est = rate_estimate("r", np.int64(7), np.int64(18), BetaPrior(np.int64(1), 1.0), 0.95)
    assert (type(est.x), type(est.n), type(est.prior.a)) == (int, int, float)
    assert est.prior.label == "Beta(1, 1)"


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.integers(0, 60).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_interval_invariants(xn: tuple[int, int]) -> None:
    """Both intervals hold x/n (CP) or the posterior mean (credible); CP is symmetric in
    x <-> n - x; a 90% interval lies inside the 95% one (nested quantiles)."""
    x, n = xn
    cp, cp90 = clopper_pearson(x, n, 0.95), clopper_pearson(x, n, 0.90)
    mirror = clopper_pearson(n - x, n, 0.95)
    assert cp.low == pytest.approx(1 - mirror.high, abs=QUANTILE_TOL)
    assert cp.low <= cp90.low <= cp90.high <= cp.high
    if n:
        assert cp.low <= x / n <= cp.high
    est = rate_estimate("r", x, n, JEFFREYS, 0.95)
    assert est.credible.low < est.posterior_mean < est.credible.high


# --- Predictive probability of success ------------------------------------------------------

# R, by numerical integration over p (a different route from the code's beta-binomial sums):
# pp(a, b, m1, need1, m2, need) of tests/r_reference/estimates.R, with the posterior Beta(a, b),
# m1 / m2 unknown stage-1 / later patients and need1 / need responders still needed.
R_PREDICTIVE = [
    # no patient yet: pp(0.5, 0.5, 18, 7, 30, 21)
    (C(0, 0, 0), C(0, 0, 0), 0, 0.53794016995054661),
    # 3 R, 5 NR, 2 pending of 10: pp(3.5, 5.5, 10, 4, 30, 18)
    (C(3, 5, 2), C(3, 5, 2), 10, 0.34260336715665513),
    # suspended, 5 R, 10 NR, 3 pending of 18: pp(5.5, 10.5, 3, 2, 30, 16)
    (C(5, 10, 3), C(5, 10, 3), 18, 0.10993189980658186),
    # stage 2, 9 R, 12 NR, 4 pending of 25: pp(9.5, 12.5, 0, 0, 27, 12)
    (C(8, 8, 2), C(9, 12, 4), 25, 0.5080522889609137),
]


@pytest.mark.parametrize(("stage1", "overall", "treated", "expected"), R_PREDICTIVE)
def test_predictive_probability_matches_r_integration(
    stage1: ResponseCounts, overall: ResponseCounts, treated: int, expected: float
) -> None:
    """Tolerance 1e-10: R's adaptive quadrature was asked for rel.tol = 1e-13."""
    pp = predictive_probability(DEFAULT, JEFFREYS, stage1, overall, treated)
    assert pp.probability == pytest.approx(expected, abs=1e-10)


def test_predictive_probability_reproduces_lee_and_liu_example() -> None:
    """Lee & Liu (2008), Clinical Trials 5:93-106, p. 97 (Table 1): Nmax = 40, 16 responders
    among 23, prior Beta(0.6, 0.4), success if Pr(p > 0.60 | data) > 0.90 at the end;
    PP = 0.5656 (printed to 4 decimals, hence the tolerance).

    Their end criterion is a count: the smallest total s with Pr(p > 0.6 | s of 40) > 0.9
    (s = 28, their 12 more among the last 17). A Simon rule whose stage 1 (first patient,
    r1 = 0) has already passed reduces our probability to theirs.
    """
    total = min(s for s in range(41) if stats.beta.sf(0.60, 0.6 + s, 0.4 + 40 - s) > 0.90)
    assert total == 28
    rule = dataclasses.replace(DEFAULT, n1=1, r1=0, n=40, r=total - 1)
    pp = predictive_probability(rule, BetaPrior(0.6, 0.4), C(1, 0, 0), C(16, 7, 0), 23)
    assert pp.probability == pytest.approx(0.5656, abs=5e-5)


def test_predictive_probability_carries_its_inputs() -> None:
    """3 R, 5 NR, 2 pending of 10 treated (hand): posterior Beta(3.5, 5.5); stage-1 unknown
    2 pending + 8 places = 10; later 30; 4 more needed in stage 1 and 18 overall."""
    pp = predictive_probability(DEFAULT, JEFFREYS, C(3, 5, 2), C(3, 5, 2), 10)
    assert pp.posterior == BetaPrior(3.5, 5.5)
    assert (pp.stage1_unknown, pp.later_unknown) == (10, 30)
    assert (pp.stage1_needed, pp.final_needed) == (4, 18)
    assert (pp.n1, pp.r1, pp.n, pp.r, pp.treated) == (18, 6, 48, 20, 10)
    assert pp.prior == JEFFREYS
    assert pp.probability < pp.stage1_probability < 1


@pytest.mark.parametrize(
    ("stage1", "overall", "treated", "expected"),
    [
        # Success reached (21 of 40): the criterion is met whatever happens next.
        (C(8, 10, 0), C(21, 15, 4), 40, 1.0),
        # Cannot succeed (15 + 2 pending of 48 < 21).
        (C(8, 10, 0), C(15, 31, 2), 48, 0.0),
        # Stage-1 futility (5 + 1 pending of 18 < 7): the final analysis is never reached.
        (C(5, 12, 1), C(5, 12, 1), 18, 0.0),
    ],
)
def test_predictive_probability_certain_cases(
    stage1: ResponseCounts, overall: ResponseCounts, treated: int, expected: float
) -> None:
    pp = predictive_probability(DEFAULT, JEFFREYS, stage1, overall, treated)
    assert pp.probability == expected


def test_predictive_probability_against_seeded_monte_carlo() -> None:
    """Simulate p ~ posterior, then the unknown stage-1 and later patients, and count trials
    that pass stage 1 and reach 21. 400,000 draws: standard error <= 0.0008; the tolerance
    is 4.5 standard errors (a false alarm about once in 150,000 seeds; the seed is fixed)."""
    rng = np.random.default_rng(20261125)
    draws = 400_000
    for prior, stage1, overall, treated in [
        (JEFFREYS, C(3, 5, 2), C(3, 5, 2), 10),
        (BetaPrior(1, 1), C(5, 10, 3), C(5, 11, 6), 22),
        (BetaPrior(0.35, 0.65), C(6, 9, 3), C(6, 9, 3), 18),
    ]:
        pp = predictive_probability(DEFAULT, prior, stage1, overall, treated)
        p = rng.beta(pp.posterior.a, pp.posterior.b, draws)
        y1 = rng.binomial(pp.stage1_unknown, p)
        y2 = rng.binomial(pp.later_unknown, p)
        ok = (y1 >= pp.stage1_needed) & (y1 + y2 >= pp.final_needed)
        se = np.sqrt(pp.probability * (1 - pp.probability) / draws)
        assert abs(ok.mean() - pp.probability) < 4.5 * se
        assert abs((y1 >= pp.stage1_needed).mean() - pp.stage1_probability) < 4.5 * max(se, 1e-4)


@st.composite
def small_trials(draw: st.DrawFn) -> tuple[SimonRule, ResponseCounts, ResponseCounts, int]:
    n1 = draw(st.integers(1, 8))
    n = draw(st.integers(n1 + 1, n1 + 10))
    r1 = draw(st.integers(0, n1 - 1))
    rule = dataclasses.replace(DEFAULT, n1=n1, r1=r1, n=n, r=draw(st.integers(r1, n - 1)))
    treated = draw(st.integers(0, n))
    counts = []
    for total in (min(treated, n1), treated - min(treated, n1)):
        resp = draw(st.integers(0, total))
        pend = draw(st.integers(0, total - resp))
        counts.append(C(resp, total - resp - pend, pend))
    s1, later = counts
    overall = C(*(getattr(s1, f) + getattr(later, f) for f in C.__dataclass_fields__))
    return rule, s1, overall, treated


@settings(max_examples=200, derandomize=True, deadline=None)
@given(small_trials(), st.sampled_from([JEFFREYS, BetaPrior(1, 1), BetaPrior(0.4, 1.6)]))
def test_predictive_probability_agrees_with_the_decision(
    trial: tuple[SimonRule, ResponseCounts, ResponseCounts, int], prior: BetaPrior
) -> None:
    """Certain decisions give 0 or 1; uncertain ones a probability strictly inside (0, 1)."""
    d = efficacy_decision(*trial)
    pp = predictive_probability(trial[0], prior, *trial[1:])
    if d.state is EfficacyState.SUCCESS:
        assert pp.probability == 1.0
    elif d.state in (EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED):
        assert pp.probability == 0.0
    else:
        assert 0.0 < pp.probability < 1.0
    assert pp.probability <= pp.stage1_probability + 1e-15


@settings(max_examples=200, derandomize=True, deadline=None)
@given(small_trials(), st.booleans())
def test_predictive_probability_is_a_martingale(
    trial: tuple[SimonRule, ResponseCounts, ResponseCounts, int], in_stage1: bool
) -> None:
    """Law of total probability: resolving one pending patient (responder with probability
    equal to the posterior mean) leaves the expected predictive probability unchanged, and a
    responder never lowers it. Tolerance 1e-12: sums of at most ~20 terms of size <= 1."""
    rule, s1, overall, treated = trial
    if (s1.pending if in_stage1 else overall.pending - s1.pending) == 0:
        return

    def resolved(responds: bool) -> float:
        def move(c: ResponseCounts) -> ResponseCounts:
            return C(c.responders + responds, c.non_responders + (not responds), c.pending - 1)

        new_s1 = move(s1) if in_stage1 else s1
        return predictive_probability(rule, JEFFREYS, new_s1, move(overall), treated).probability

    before = predictive_probability(rule, JEFFREYS, s1, overall, treated)
    q = before.posterior.mean
    yes, no = resolved(True), resolved(False)
    assert before.probability == pytest.approx(q * yes + (1 - q) * no, abs=1e-12)
    assert yes >= no - 1e-12
