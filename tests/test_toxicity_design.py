"""Thall-Simon-Estey boundaries and exact operating characteristics.

References: seed 003 section 11, Tables 3 and 4 (read from the protocol file), R's
``pbeta`` for posteriors, an independent R recursion, brute-force enumeration of every
outcome sequence, and a seeded Monte Carlo simulation.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.designs.toxicity import (
    ToxicityPlan,
    operating_characteristics,
    posterior_prob,
    sample_size_distribution,
    stopping_boundaries,
    toxicity_design,
)
from monitoring.protocol import DEFAULT_TRIAL_ID, ToxicityRule, bundled_protocols, load_protocol

PROPERTY_SETTINGS = settings(max_examples=60, derandomize=True, deadline=None)


@pytest.fixture(scope="module")
def rule() -> ToxicityRule:
    tox = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID]).primary_toxicity
    assert tox is not None
    return tox


@pytest.fixture(scope="module")
def plan(rule: ToxicityRule) -> ToxicityPlan:
    return ToxicityPlan.from_rule(rule)


def test_boundaries_reproduce_table_3(rule: ToxicityRule, plan: ToxicityPlan) -> None:
    """Seed 003 Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40 (read from the protocol)."""
    computed = [(b.n, b.stop_at) for b in stopping_boundaries(plan).interim]
    printed = [(b.n, b.stop_at) for b in rule.printed_boundaries]
    assert computed == printed
    assert computed == [(8, 4), (16, 6), (24, 8), (32, 11), (40, 12)]


def test_boundary_posteriors_match_r(plan: ToxicityPlan) -> None:
    """R: pbeta(0.2, 0.4 + x, 1.6 + n - x, lower.tail = FALSE) at x = stop_at and stop_at - 1.

    Printed by R with 10 decimals, hence the 1e-9 tolerance.
    """
    r_values = {
        8: (0.9504170710, 0.8253179461),
        16: (0.9283071603, 0.8220343502),
        24: (0.9208664329, 0.8308794100),
        32: (0.9634111438, 0.9195458634),
        40: (0.9210765983, 0.8537659673),
    }
    for b in stopping_boundaries(plan).interim:
        at, below = r_values[b.n]
        assert b.posterior_at_stop == pytest.approx(at, abs=1e-9)
        assert b.posterior_below == pytest.approx(below, abs=1e-9)


def test_final_look_is_the_end_not_a_boundary(plan: ToxicityPlan) -> None:
    """At nmax = 48 the rule would be met with 14 (R: pbeta(0.2, 14.4, 35.6, lower=FALSE)
    = 0.9240005377); it is reported apart from the interim boundaries."""
    bounds = stopping_boundaries(plan)
    assert [b.n for b in bounds.interim] == [8, 16, 24, 32, 40]
    assert bounds.final.n == 48
    assert bounds.final.stop_at == 14
    assert bounds.final.posterior_at_stop == pytest.approx(0.9240005377, abs=1e-9)
    assert bounds.at(48) is None


def test_applying_a_boundary_at_nmax_would_not_reproduce_table_4() -> None:
    """Evidence for the nmax choice: the same rule with a boundary applied at 48 (obtained by
    extending nmax to 56) stops with probability 0.189 at p = 0.20, not Table 4's 0.17."""
    longer = ToxicityPlan(0.4, 1.6, 0.20, 0.92, 8, 56)
    oc = operating_characteristics(stopping_boundaries(longer), [0.20])[0]
    through_48 = sum(oc.stop_by_look[:6])
    assert round(through_48, 2) == 0.19


PRINTED_STOP_DECIMALS = (3, 2, 2, 2, 2, 2, 2, 2)  # as typeset in Table 4 (0.008, 0.05, 0.40 ...)


def test_oc_reproduces_table_4(rule: ToxicityRule, plan: ToxicityPlan) -> None:
    """Seed 003 Table 4, every row at its printed precision: stop probability to the
    decimals shown, mean to 1 decimal, percentiles exactly."""
    rates = [row.rate for row in rule.printed_oc]
    exact = operating_characteristics(stopping_boundaries(plan), rates)
    assert len(exact) == 8
    for row, oc, decimals in zip(rule.printed_oc, exact, PRINTED_STOP_DECIMALS, strict=True):
        assert abs(oc.stop_prob - row.stop_prob) <= 0.5 * 10**-decimals, row
        assert abs(oc.mean_n - row.mean_n) <= 0.05, row
        assert (oc.p25, oc.p75) == (row.p25, row.p75), row


# Independent reference in R 4 (no package): forward recursion with dbinom/pbeta.
R_REFERENCE = """
oc <- function(a, b, t, cc, k, nmax, rates) {
  looks <- seq(k, nmax - 1, by = k)
  bound <- sapply(looks, function(n) { x <- 0:n
    i <- which(pbeta(t, a + x, b + n - x, lower.tail = FALSE) > cc)
    if (length(i)) x[i[1]] else NA })
  for (p in rates) {
    st <- c(1); stop <- numeric(length(looks)); prev <- 0
    for (j in seq_along(looks)) {
      m <- looks[j] - prev; prev <- looks[j]
      st <- convolve(st, rev(dbinom(0:m, m, p)), type = "open")
      if (!is.na(bound[j])) { idx <- (bound[j] + 1):length(st)
        stop[j] <- sum(st[idx]); st[idx] <- 0 }
    }
    pn <- c(stop, 1 - sum(stop))
    cat(sprintf("%.4f %.12f %.12f\\n", p, sum(stop), sum(pn * c(looks, nmax))))
  }
}
oc(0.4, 1.6, 0.2, 0.92, 8, 48, c(0.1, 0.2, 0.45))
oc(1, 1, 0.3, 0.8, 1, 20, c(0.2, 0.3, 0.5))
"""


def test_seed_003_oc_matches_r_reference(plan: ToxicityPlan) -> None:
    """R_REFERENCE, first call, printed with 12 decimals (R's FFT convolution adds ~1e-15):
    tolerance 1e-11."""
    expected = [
        (0.008151181571, 47.709152275774),
        (0.174192972312, 43.005018606682),
        (0.987472869589, 14.262845385320),
    ]
    exact = operating_characteristics(stopping_boundaries(plan), [0.1, 0.2, 0.45])
    for oc, (stop, mean) in zip(exact, expected, strict=True):
        assert oc.stop_prob == pytest.approx(stop, abs=1e-11)
        assert oc.mean_n == pytest.approx(mean, abs=1e-11)
        assert sum(oc.stop_by_look) == pytest.approx(oc.stop_prob, abs=1e-14)


def test_percentiles_are_inverse_cdf_over_looks(plan: ToxicityPlan) -> None:
    """Table 4 at p = 0.25 prints (24, 48): Pr(N <= 16) = 0.224 < 0.25 <= Pr(N <= 24) =
    0.304, and Pr(N <= 40) = 0.397 < 0.75, so the smallest look with F >= q is 24 and 48."""
    probs = sample_size_distribution(stopping_boundaries(plan), [0.25])[0]
    cdf = np.cumsum(probs)
    assert cdf[1] < 0.25 <= cdf[2]
    assert cdf[4] < 0.75 <= cdf[5]
    oc = operating_characteristics(stopping_boundaries(plan), [0.25])[0]
    assert (oc.p25, oc.p75) == (24, 48)


def test_continuous_monitoring_matches_independent_r_recursion() -> None:
    """R_REFERENCE, second call (Beta(1, 1), t = 0.3, c = 0.8, k = 1, nmax = 20); its
    boundaries (print(bound)) are 1 2 2 2 3 3 3 4 4 5 5 5 6 6 6 7 7 7 8. Printed with 12
    decimals: tolerance 1e-11."""
    design = toxicity_design(ToxicityPlan(1.0, 1.0, 0.3, 0.8, 1, 20), [0.2, 0.3, 0.5])
    stops = [b.stop_at for b in design.boundaries.interim]
    assert stops == [1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8]
    expected = [
        (0.343120967241, 14.187706255716),
        (0.604963600800, 10.291556326190),
        (0.952934265137, 4.273933410645),
    ]
    for oc, (stop, mean) in zip(design.oc, expected, strict=True):
        assert oc.stop_prob == pytest.approx(stop, abs=1e-11)
        assert oc.mean_n == pytest.approx(mean, abs=1e-11)


def _brute_force(plan: ToxicityPlan, rate: float) -> tuple[float, float]:
    """Enumerate every toxicity sequence of length nmax and apply the rule look by look."""
    bounds = {b.n: b.stop_at for b in stopping_boundaries(plan).interim}
    stop_prob = mean = 0.0
    for seq in itertools.product((0, 1), repeat=plan.nmax):
        prob = math.prod(rate if s else 1 - rate for s in seq)
        n_treated = plan.nmax
        for n, stop_at in bounds.items():
            if stop_at is not None and sum(seq[:n]) >= stop_at:
                n_treated = n
                break
        stop_prob += prob if n_treated < plan.nmax else 0.0
        mean += prob * n_treated
    return stop_prob, mean


@pytest.mark.parametrize("cohort", [1, 2, 3, 10])
def test_dp_equals_brute_force_enumeration(cohort: int) -> None:
    """Independent check: 2^10 sequences, any cohort size (10 also has no interim look)."""
    plan = ToxicityPlan(0.5, 1.5, 0.25, 0.8, cohort, 10)
    for oc in operating_characteristics(stopping_boundaries(plan), [0.1, 0.3, 0.6]):
        stop, mean = _brute_force(plan, oc.rate)
        assert oc.stop_prob == pytest.approx(stop, abs=1e-12)
        assert oc.mean_n == pytest.approx(mean, abs=1e-12)


def test_exact_oc_agrees_with_seeded_simulation(plan: ToxicityPlan) -> None:
    """Monte Carlo (seed 20261125, 40 000 trials per rate): exact values lie within 4
    Monte Carlo standard errors (a 4-SE band fails by chance with probability 6e-5)."""
    rng = np.random.default_rng(20261125)
    bounds = stopping_boundaries(plan)
    sims = 40_000
    for oc in operating_characteristics(bounds, [0.1, 0.2, 0.3, 0.45]):
        counts = np.cumsum(rng.random((sims, plan.nmax)) < oc.rate, axis=1)
        n_treated = np.full(sims, plan.nmax)
        running = np.ones(sims, dtype=bool)
        for b in bounds.interim:
            assert b.stop_at is not None
            stop = running & (counts[:, b.n - 1] >= b.stop_at)
            n_treated[stop] = b.n
            running &= ~stop
        stopped = n_treated < plan.nmax
        se_stop = math.sqrt(oc.stop_prob * (1 - oc.stop_prob) / sims)
        assert abs(stopped.mean() - oc.stop_prob) <= 4 * se_stop + 1e-12
        se_mean = n_treated.std(ddof=1) / math.sqrt(sims)
        assert abs(n_treated.mean() - oc.mean_n) <= 4 * se_mean + 1e-12


def test_no_qualifying_count_gives_none() -> None:
    """Beta(0.1, 10), t = 0.5, c = 0.99: at n = 1 even 1/1 gives a posterior far below 0.99
    (R: pbeta(0.5, 1.1, 10, lower.tail = FALSE) = 0.0012225602), so no count stops there."""
    plan = ToxicityPlan(0.1, 10.0, 0.5, 0.99, 1, 30)
    first = stopping_boundaries(plan).interim[0]
    assert first.stop_at is None
    assert first.posterior_at_stop is None
    assert posterior_prob(plan, 1, 1) == pytest.approx(0.0012225602, abs=1e-9)


def test_a_single_look_design_never_stops_early() -> None:
    """cohort = nmax: no interim look, so stopping probability 0 and N = nmax always."""
    design = toxicity_design(ToxicityPlan(0.4, 1.6, 0.2, 0.92, 12, 12), [0.1, 0.9])
    assert design.boundaries.interim == ()
    assert [(o.stop_prob, o.mean_n, o.p25, o.p75) for o in design.oc] == [(0, 12, 12, 12)] * 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.0, 1.6, 0.2, 0.92, 8, 48), "prior_a"),
        ((0.4, -1.0, 0.2, 0.92, 8, 48), "prior_b"),
        ((0.4, 1.6, 1.0, 0.92, 8, 48), "threshold"),
        ((0.4, 1.6, 0.2, 0.0, 8, 48), "confidence"),
        ((0.4, 1.6, 0.2, 0.92, 8, 1), "nmax"),
        ((0.4, 1.6, 0.2, 0.92, 0, 48), "cohort_size"),
        ((0.4, 1.6, 0.2, 0.92, 49, 48), "cohort_size"),
    ],
)
def test_plan_validation_names_the_value(args: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ToxicityPlan(*args)  # type: ignore[arg-type]


def test_rates_outside_unit_interval_are_refused(plan: ToxicityPlan) -> None:
    with pytest.raises(ValueError, match="rates"):
        operating_characteristics(stopping_boundaries(plan), [0.2, 1.5])


plans = st.builds(
    ToxicityPlan,
    prior_a=st.floats(0.05, 5.0),
    prior_b=st.floats(0.05, 5.0),
    threshold=st.floats(0.05, 0.6),
    confidence=st.floats(0.5, 0.99),
    cohort_size=st.integers(1, 10),
    nmax=st.integers(10, 80),
)


@PROPERTY_SETTINGS
@given(plans)
def test_boundaries_are_minimal_and_monotone(plan: ToxicityPlan) -> None:
    """stop_at is the smallest crossing count; boundaries never decrease with n and rise by
    at most the patients added (x of n crossing implies x + m of n + m crossing)."""
    bounds = stopping_boundaries(plan)
    for b in (*bounds.interim, bounds.final):
        if b.stop_at is None:
            assert posterior_prob(plan, b.n, b.n) <= plan.confidence
            continue
        assert posterior_prob(plan, b.stop_at, b.n) > plan.confidence
        if b.stop_at > 0:
            assert posterior_prob(plan, b.stop_at - 1, b.n) <= plan.confidence
    defined = [b for b in (*bounds.interim, bounds.final) if b.stop_at is not None]
    for before, after in itertools.pairwise(defined):
        assert before.stop_at is not None
        assert after.stop_at is not None
        assert before.stop_at <= after.stop_at <= before.stop_at + (after.n - before.n)


@PROPERTY_SETTINGS
@given(plans, st.integers(0, 80))
def test_posterior_increases_with_events(plan: ToxicityPlan, n: int) -> None:
    values = [posterior_prob(plan, x, n) for x in range(n + 1)]
    assert all(a <= b for a, b in itertools.pairwise(values))


@PROPERTY_SETTINGS
@given(plans)
def test_oc_is_a_distribution_and_monotone_in_rate(plan: ToxicityPlan) -> None:
    """N's distribution sums to 1; stopping is more likely and N smaller as the rate rises."""
    rates = [0.0, 0.05, 0.2, 0.4, 0.7, 1.0]
    bounds = stopping_boundaries(plan)
    probs = sample_size_distribution(bounds, rates)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-12)
    ocs = operating_characteristics(bounds, rates)
    for low, high in itertools.pairwise(ocs):
        assert high.stop_prob >= low.stop_prob - 1e-12
        assert high.mean_n <= low.mean_n + 1e-9
        assert high.p25 <= low.p25
        assert high.p75 <= low.p75
