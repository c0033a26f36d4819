"""Thall, Simon & Estey (1995) Bayesian toxicity monitoring: boundaries and exact OC.

The rule: with a Beta(a, b) prior on the toxicity rate p, stop the trial at a look after n
evaluable patients if Pr(p > threshold | x toxicities of n) > confidence, the posterior
being Beta(a + x, b + n - x). Looks come after every ``cohort_size`` patients; ``nmax`` ends
the trial. The boundary at each interim look is computed from the rule, never typed in.

Reaching ``nmax`` ends the trial whatever the count (the protocol's "always stop with this
many patients"), so no stopping boundary applies there. The count that would meet the
posterior rule at ``nmax`` is still computed and returned (:attr:`ToxicityBoundaries.final`)
for the final analysis; it is excluded from the operating characteristics.

Operating characteristics are exact: a dynamic programme over the number of toxicities,
carried from look to look with absorption at the boundaries, vectorised over true rates.
Reference: Thall PF, Simon RM, Estey EH. Stat Med 1995;14(4):357-379.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaincc

from monitoring.distributions import binom_pmf
from monitoring.errors import InputError
from monitoring.protocol import ToxicityRule

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Cumulative probabilities within this distance of a quantile level count as reaching it,
# so that floating-point rounding of an exact tie cannot move a percentile to the next look.
_QUANTILE_TOLERANCE = 1e-12


class PlanError(InputError, ValueError):
    """Parameters that do not describe a Thall-Simon-Estey rule (a value out of range)."""


@dataclass(frozen=True)
class ToxicityPlan:
    """The parameters of a Thall-Simon-Estey rule, validated once.

    Raises :class:`PlanError` naming the value and the rule it broke.
    """

    prior_a: float
    prior_b: float
    threshold: float
    confidence: float
    cohort_size: int
    nmax: int

    def __post_init__(self) -> None:
        for name in ("prior_a", "prior_b"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise PlanError(f"{name} must be a positive number; got {value}")
        for name in ("threshold", "confidence"):
            value = getattr(self, name)
            if not 0.0 < value < 1.0:
                raise PlanError(f"{name} must lie strictly between 0 and 1; got {value}")
        if self.nmax < 2:
            raise PlanError(f"nmax must be at least 2; got {self.nmax}")
        if not 1 <= self.cohort_size <= self.nmax:
            raise PlanError(
                f"cohort_size must lie between 1 and nmax ({self.nmax}); got {self.cohort_size}"
            )

    @classmethod
    def from_rule(cls, rule: ToxicityRule) -> ToxicityPlan:
        """The plan of a protocol's toxicity rule."""
        return cls(
            prior_a=rule.prior_a,
            prior_b=rule.prior_b,
            threshold=rule.threshold,
            confidence=rule.confidence,
            cohort_size=rule.cohort_size,
            nmax=rule.nmax,
        )

    @property
    def interim_looks(self) -> tuple[int, ...]:
        """Looks at which the stopping rule applies: k, 2k, ... strictly before nmax."""
        return tuple(range(self.cohort_size, self.nmax, self.cohort_size))

    @property
    def looks(self) -> tuple[int, ...]:
        """Every look, the interim ones and nmax (the end of the trial)."""
        return (*self.interim_looks, self.nmax)


@dataclass(frozen=True)
class ToxicityBoundary:
    """Stop at look ``n`` if at least ``stop_at`` of the first n patients had the toxicity.

    ``stop_at`` is None when no count up to n meets the rule. ``posterior_at_stop`` is
    Pr(p > threshold | stop_at of n) and ``posterior_below`` the same with one toxicity
    fewer (None where stop_at is 0 or None): the rule's margin on either side.
    """

    n: int
    stop_at: int | None
    posterior_at_stop: float | None
    posterior_below: float | None


@dataclass(frozen=True)
class ToxicityBoundaries:
    """Interim stopping boundaries and, for the final analysis only, the count at nmax."""

    plan: ToxicityPlan
    interim: tuple[ToxicityBoundary, ...]
    final: ToxicityBoundary

    def at(self, n: int) -> ToxicityBoundary | None:
        """The interim boundary at look n, or None if n is not an interim look."""
        return next((b for b in self.interim if b.n == n), None)


@dataclass(frozen=True)
class ToxicityOC:
    """Exact operating characteristics at one true toxicity rate.

    ``stop_prob`` is the probability of an early (interim) stop; ``mean_n`` the expected
    number of patients treated; ``p25``/``p75`` the 25th/75th percentiles of that number,
    which takes only look values. ``stop_by_look`` holds the probability of stopping at
    each interim look, in look order.
    """

    rate: float
    stop_prob: float
    mean_n: float
    p25: int
    p75: int
    stop_by_look: tuple[float, ...]


@dataclass(frozen=True)
class ToxicityDesign:
    """Boundaries with the operating characteristics at a list of true rates."""

    boundaries: ToxicityBoundaries
    oc: tuple[ToxicityOC, ...]


def posterior_prob(plan: ToxicityPlan, events: int, n: int) -> float:
    """Pr(p > threshold | events of n) under the Beta(a + events, b + n - events) posterior."""
    if not 0 <= events <= n:
        raise ValueError(f"events must lie between 0 and n ({n}); got {events}")
    return float(betaincc(plan.prior_a + events, plan.prior_b + n - events, plan.threshold))


def _posterior_array(plan: ToxicityPlan, events: IntArray, n: IntArray) -> FloatArray:
    out = betaincc(plan.prior_a + events, plan.prior_b + n - events, plan.threshold)
    return np.asarray(out, dtype=np.float64)


def _smallest_crossing(plan: ToxicityPlan, looks: IntArray) -> IntArray:
    """Smallest x <= n with posterior > confidence at each look; n + 1 where none.

    A vectorised bisection: the posterior increases with x (Beta(a + x, b + n - x) is
    stochastically increasing in x), so about log2(nmax) ufunc calls serve every look.
    """
    lo = np.zeros_like(looks)
    hi = looks + 1
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        safe = np.minimum(mid, looks)
        crosses = (_posterior_array(plan, safe, looks) > plan.confidence) & (mid <= looks)
        active = lo < hi
        hi = np.where(active & crosses, mid, hi)
        lo = np.where(active & ~crosses, mid + 1, lo)
    return lo


def _boundary(plan: ToxicityPlan, n: int, x: int) -> ToxicityBoundary:
    if x > n:
        return ToxicityBoundary(n, None, None, None)
    below = posterior_prob(plan, x - 1, n) if x > 0 else None
    return ToxicityBoundary(n, x, posterior_prob(plan, x, n), below)


def stopping_boundaries(plan: ToxicityPlan) -> ToxicityBoundaries:
    """The interim boundaries of the rule and the count meeting it at nmax."""
    looks = np.asarray(plan.looks, dtype=np.int64)
    counts = _smallest_crossing(plan, looks)
    bounds = [_boundary(plan, int(n), int(x)) for n, x in zip(looks, counts, strict=True)]
    return ToxicityBoundaries(plan=plan, interim=tuple(bounds[:-1]), final=bounds[-1])


def _add_patients(state: FloatArray, pmf: FloatArray) -> FloatArray:
    """Convolve each row (one per rate) with that rate's Binomial(m, rate) pmf row."""
    m = pmf.shape[1] - 1
    width = state.shape[1]
    out = np.zeros((state.shape[0], width + m))
    for j in range(m + 1):
        out[:, j : j + width] += state * pmf[:, j : j + 1]
    return out


def _quantile_look(looks: Sequence[int], probs: FloatArray, level: float) -> int:
    """Smallest look whose cumulative probability reaches ``level`` (inverse CDF)."""
    cdf = np.cumsum(probs)
    index = int(np.argmax(cdf >= level - _QUANTILE_TOLERANCE))
    return looks[index]


def _check_rates(rates: Sequence[float]) -> FloatArray:
    array = np.asarray(rates, dtype=np.float64)
    if array.ndim != 1 or np.any(~np.isfinite(array)) or np.any((array < 0) | (array > 1)):
        raise PlanError(f"rates must be numbers between 0 and 1; got {list(rates)}")
    return array


def sample_size_distribution(boundaries: ToxicityBoundaries, rates: Sequence[float]) -> FloatArray:
    """Pr(N = look) for every look (columns) and true rate (rows), by exact DP.

    The state holds, for each rate, the probability of each toxicity count among the
    patients so far with the trial still running; at an interim look the mass at or above
    the boundary is absorbed (the trial stops with N = look). What is left at nmax ends
    there. Cost: O(len(rates) * nmax^2) arithmetic, whatever the cohort size.
    """
    rate_array = _check_rates(rates)
    plan = boundaries.plan
    state = np.ones((rate_array.size, 1))
    probs = np.zeros((rate_array.size, len(plan.looks)))
    pmfs: dict[int, FloatArray] = {}
    previous = 0
    for i, bound in enumerate(boundaries.interim):
        m = bound.n - previous
        if m not in pmfs:
            pmf = binom_pmf(np.arange(m + 1)[None, :], m, rate_array[:, None])
            pmfs[m] = np.asarray(pmf, dtype=np.float64)
        state = _add_patients(state, pmfs[m])
        previous = bound.n
        if bound.stop_at is not None:
            probs[:, i] = state[:, bound.stop_at :].sum(axis=1)
            state = state[:, : bound.stop_at]
    probs[:, -1] = state.sum(axis=1)
    return probs


def operating_characteristics(
    boundaries: ToxicityBoundaries, rates: Sequence[float]
) -> tuple[ToxicityOC, ...]:
    """Exact early-stopping probability, mean and quartiles of N at each true rate."""
    looks = boundaries.plan.looks
    probs = sample_size_distribution(boundaries, rates)
    look_array = np.asarray(looks, dtype=np.float64)
    return tuple(
        ToxicityOC(
            rate=float(rate),
            stop_prob=float(row[:-1].sum()),
            mean_n=float(row @ look_array),
            p25=_quantile_look(looks, row, 0.25),
            p75=_quantile_look(looks, row, 0.75),
            stop_by_look=tuple(float(v) for v in row[:-1]),
        )
        for rate, row in zip(rates, probs, strict=True)
    )


def toxicity_design(plan: ToxicityPlan, rates: Sequence[float]) -> ToxicityDesign:
    """Boundaries and exact operating characteristics in one call."""
    boundaries = stopping_boundaries(plan)
    return ToxicityDesign(boundaries, operating_characteristics(boundaries, rates))


DEFAULT_RATE_STEP = 0.05


def default_rates(threshold: float) -> tuple[float, ...]:
    """True toxicity rates for operating characteristics when none are given: the threshold
    and multiples of DEFAULT_RATE_STEP around it, inside (0, 1)
    (the CLI and the Design page use the same)."""
    rates = (round(threshold + j * DEFAULT_RATE_STEP, 4) for j in range(-4, 6))
    return tuple(r for r in rates if 0.0 < r < 1.0)
