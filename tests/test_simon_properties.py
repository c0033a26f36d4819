"""Invariants of Simon designs, searches and inference (hypothesis, deterministic)."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from monitoring.designs.simon import characteristics, rejection_probability
from monitoring.designs.simon_inference import exact_limits, p_value
from monitoring.designs.simon_search import NoFeasibleDesignError, search
from tests.simon_reference import literal_f2bdry_rows

FAST = settings(max_examples=40, derandomize=True, deadline=None)


@st.composite
def designs(draw: st.DrawFn) -> tuple[int, int, int, int]:
    n1 = draw(st.integers(1, 25))
    n = n1 + draw(st.integers(1, 25))
    r1 = draw(st.integers(0, n1 - 1))
    r = draw(st.integers(r1, n - 1))
    return r1, n1, r, n


@FAST
@given(designs(), st.floats(0.01, 0.98), st.floats(0.001, 0.5))
def test_rejection_probability_increases_with_p(
    design: tuple[int, int, int, int], p: float, step: float
) -> None:
    """Pr(reject) is increasing in p (both events increase in each response); 1e-12 is
    float rounding of the sums."""
    q = min(p + step, 0.99)
    assert rejection_probability(*design, p) <= rejection_probability(*design, q) + 1e-12


@FAST
@given(designs(), st.floats(0.05, 0.6), st.floats(0.05, 0.35))
def test_design_alpha_below_power_and_en_consistent(
    design: tuple[int, int, int, int], p0: float, delta: float
) -> None:
    d = characteristics(*design, p0, min(p0 + delta, 0.95))
    assert d.alpha <= d.power + 1e-12
    assert d.pet1 <= d.pet0 + 1e-12
    assert d.n1 <= d.en0 <= d.n
    assert d.en0 <= d.en1 + 1e-9


@st.composite
def problems(draw: st.DrawFn) -> tuple[float, float, float, float]:
    p0 = draw(st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7]))
    p1 = p0 + draw(st.sampled_from([0.15, 0.2, 0.25, 0.3]))
    alpha = draw(st.sampled_from([0.05, 0.1, 0.15]))
    beta = draw(st.sampled_from([0.1, 0.2, 0.3]))
    assume(p1 < 1.0)
    return p0, p1, alpha, beta


@settings(max_examples=30, derandomize=True, deadline=None)
@given(problems())
def test_search_results_are_consistent(problem: tuple[float, float, float, float]) -> None:
    """Optimal EN0 <= minimax EN0, minimax n <= optimal n, every design meets the bounds,
    the hull runs from minimax to optimal with n up, EN0 down and q ranges tiling [0, 1]."""
    p0, p1, alpha, beta = problem
    try:
        result = search(p0, p1, alpha, beta, nmax=80)
    except NoFeasibleDesignError:
        return
    assert result.optimal.en0 <= result.minimax.en0
    assert result.minimax.n <= result.optimal.n
    hull = result.admissible
    for d in (result.optimal, result.minimax, *(a.design for a in hull)):
        assert d.alpha < alpha
        assert 1 - d.power < beta
        exact = characteristics(*d.rule, p0, p1)
        assert abs(exact.alpha - d.alpha) < 1e-12
        assert abs(exact.power - d.power) < 1e-12
    assert hull[0].design == result.minimax
    assert hull[-1].design == result.optimal
    assert hull[0].q_high == 1.0
    assert hull[-1].q_low == 0.0
    for a, b in itertools.pairwise(hull):
        assert a.design.n < b.design.n
        assert a.design.en0 > b.design.en0
        assert a.q_low == b.q_high
        assert 0.0 <= a.q_low <= 1.0


def simulate(
    design: tuple[int, int, int, int], p: float, trials: int, seed: int
) -> tuple[float, float, float]:
    """Seeded Monte Carlo of the design: Pr(reject), PET and mean sample size."""
    r1, n1, r, n = design
    rng = np.random.default_rng(seed)
    x1 = rng.binomial(n1, p, trials)
    x2 = rng.binomial(n - n1, p, trials)
    go_on = x1 > r1
    reject = go_on & (x1 + x2 > r)
    size = np.where(go_on, n, n1)
    return float(reject.mean()), float(1 - go_on.mean()), float(size.mean())


@settings(max_examples=8, derandomize=True, deadline=None)
@given(designs(), st.floats(0.05, 0.9), st.integers(0, 2**32 - 1))
def test_exact_characteristics_agree_with_simulation(
    design: tuple[int, int, int, int], p: float, seed: int
) -> None:
    """200 000 seeded trials: simulated Pr(reject), PET and mean size lie within 5 Monte Carlo
    standard errors of the exact values (a false alarm has probability < 1e-6 per check)."""
    trials = 200_000
    d = characteristics(*design, p, min(p + 0.05, 0.99))
    reject, pet, mean_n = simulate(design, p, trials, seed)
    # Standard errors from the exact values; the floor covers events of probability ~0 or ~1.
    se = lambda q: max(np.sqrt(q * (1 - q) / trials), 1e-5)  # noqa: E731
    assert abs(reject - d.alpha) <= 5 * se(d.alpha)
    assert abs(pet - d.pet0) <= 5 * se(d.pet0)
    assert abs(mean_n - d.en0) <= 5 * (d.n - d.n1) * se(d.pet0)


def outcome_probabilities(r1: int, n1: int, n: int, p: float) -> np.ndarray:
    from scipy import stats

    probs = np.zeros(n + 1)
    probs[: r1 + 1] = stats.binom.pmf(np.arange(r1 + 1), n1, p)
    for x1 in range(r1 + 1, n1 + 1):
        probs[x1 : x1 + n - n1 + 1] += stats.binom.pmf(x1, n1, p) * stats.binom.pmf(
            np.arange(n - n1 + 1), n - n1, p
        )
    return probs


@settings(max_examples=10, derandomize=True, deadline=None)
@given(designs(), st.floats(0.05, 0.9), st.sampled_from([0.05, 0.1, 0.2]))
def test_p_value_is_valid(design: tuple[int, int, int, int], p0: float, u: float) -> None:
    """Exact enumeration: Pr_p0(p-value <= u) <= u for the stage-wise p-value."""
    r1, n1, _, n = design
    probs = outcome_probabilities(r1, n1, n, p0)
    pv = np.array([p_value(x, r1, n1, n, p0) for x in range(n + 1)])
    assert probs[pv <= u].sum() <= u + 1e-12


@settings(max_examples=6, derandomize=True, deadline=None)
@given(designs(), st.floats(0.05, 0.95))
def test_exact_limits_cover(design: tuple[int, int, int, int], p: float) -> None:
    """Exact enumeration: each one-sided 95% limit covers p with probability >= 0.95."""
    r1, n1, _, n = design
    probs = outcome_probabilities(r1, n1, n, p)
    limits = [exact_limits(x, r1, n1, n, 0.05) for x in range(n + 1)]
    low_ok = np.array([lim.low is not None and lim.low <= p for lim in limits])
    high_ok = np.array([lim.high is not None and p <= lim.high for lim in limits])
    assert probs[low_ok].sum() >= 0.95 - 1e-9
    assert probs[high_ok].sum() >= 0.95 - 1e-9


@settings(max_examples=12, derandomize=True, deadline=None)
@given(
    st.floats(0.02, 0.7),
    st.floats(0.15, 0.5),
    st.sampled_from([0.05, 0.1, 0.2]),
    st.sampled_from([0.1, 0.2, 0.3]),
)
def test_pruned_search_equals_exhaustive_enumeration(
    p0: float, delta: float, alpha: float, beta: float
) -> None:
    """For random problems (nmax 22), the pruned search returns the minimax design, the
    optimal design and the improving sizes of the literal f2bdry enumeration."""
    p1 = min(p0 + delta, 0.98)
    rows = literal_f2bdry_rows(p0, p1, alpha, beta, 22)
    try:
        result = search(p0, p1, alpha, beta, 22)
    except NoFeasibleDesignError:
        assert rows == {}
        return
    en = {n: characteristics(*rule, p0, p1).en0 for n, rule in rows.items()}
    improving, best = [], float("inf")
    for n in sorted(rows):
        if en[n] < best:
            improving.append(rows[n])
            best = en[n]
    assert [d.rule for d in result.frontier] == improving
    assert result.minimax.rule == rows[min(rows)]
