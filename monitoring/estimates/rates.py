"""Rates with Bayesian credible and exact intervals, and the predictive probability of success.

A rate x/n is reported with the mean and equal-tailed credible interval of its Beta
posterior (the prior is a protocol setting) beside the Clopper-Pearson exact interval
(Clopper & Pearson 1934), as R's ``binom.test`` computes it. The predictive probability
that a Simon design ends in success (Lee & Liu 2008) is computed exactly from beta-binomial
distributions, not simulated.
"""

from __future__ import annotations

import enum
import math
import numbers
from dataclasses import dataclass

import numpy as np

from monitoring.distributions import beta_ppf, betabinom_pmf
from monitoring.protocol import SimonRule
from monitoring.rules.efficacy import ResponseCounts, is_count, validate_counts


class IntervalMethod(enum.StrEnum):
    """How an interval of this module was computed."""

    CLOPPER_PEARSON = "clopper-pearson"
    EQUAL_TAILED_CREDIBLE = "equal-tailed credible"


@dataclass(frozen=True)
class Interval:
    """A two-sided interval [low, high] and the method that produced it."""

    low: float
    high: float
    method: str

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise ValueError(f"Interval low ({self.low}) must not exceed high ({self.high})")


@dataclass(frozen=True)
class BetaPrior:
    """A Beta(a, b) distribution, used as prior (or posterior) of a proportion."""

    a: float
    b: float

    def __post_init__(self) -> None:
        for name in ("a", "b"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"BetaPrior.{name} must be a number; got {value!r}")
            number = float(value)
            if not (math.isfinite(number) and number > 0):
                raise ValueError(f"BetaPrior.{name} must be positive and finite; got {value}")
            object.__setattr__(self, name, number)

    @property
    def label(self) -> str:
        """Printable form, e.g. 'Beta(0.5, 0.5)'."""
        return f"Beta({self.a:g}, {self.b:g})"

    @property
    def mean(self) -> float:
        return self.a / (self.a + self.b)

    def updated(self, x: int, n: int) -> BetaPrior:
        """The posterior after x responders among n patients: Beta(a + x, b + n - x)."""
        _check_count(x, n)
        return BetaPrior(self.a + int(x), self.b + int(n) - int(x))


@dataclass(frozen=True)
class RateEstimate:
    """x of n with the posterior mean, credible interval, exact interval and the prior."""

    label: str
    x: int
    n: int
    proportion: float | None
    posterior_mean: float
    credible: Interval
    exact: Interval
    prior: BetaPrior
    level: float


def _check_count(x: int, n: int) -> None:
    for name, value in (("x", x), ("n", n)):
        if not is_count(value):
            raise ValueError(f"{name} must be an integer; got {value!r}")
    if not 0 <= x <= n:
        raise ValueError(f"counts must satisfy 0 <= x <= n; got x = {x}, n = {n}")


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must lie strictly between 0 and 1; got {level}")


def credible_interval(prior: BetaPrior, x: int, n: int, level: float) -> Interval:
    """Equal-tailed interval of the Beta posterior: its (1-level)/2 and (1+level)/2 quantiles."""
    _check_level(level)
    post = prior.updated(x, n)
    tail = (1.0 - level) / 2.0
    low = float(beta_ppf(tail, post.a, post.b))
    high = float(beta_ppf(1.0 - tail, post.a, post.b))
    return Interval(low, high, IntervalMethod.EQUAL_TAILED_CREDIBLE)


def clopper_pearson(x: int, n: int, level: float) -> Interval:
    """Exact interval as R's ``binom.test(x, n, conf.level = level)$conf.int``.

    Bounds are Beta quantiles; the lower bound is 0 when x = 0 and the upper bound is 1
    when x = n (each other side still uses (1-level)/2). With n = 0 it is [0, 1].
    """
    _check_count(x, n)
    _check_level(level)
    tail = (1.0 - level) / 2.0
    low = 0.0 if x == 0 else float(beta_ppf(tail, x, n - x + 1))
    high = 1.0 if x == n else float(beta_ppf(1.0 - tail, x + 1, n - x))
    return Interval(low, high, IntervalMethod.CLOPPER_PEARSON)


def rate_estimate(label: str, x: int, n: int, prior: BetaPrior, level: float) -> RateEstimate:
    """x of n patients: observed proportion (None if n = 0), posterior and both intervals."""
    _check_count(x, n)
    return RateEstimate(
        label=label,
        x=int(x),
        n=int(n),
        proportion=x / n if n else None,
        posterior_mean=prior.updated(x, n).mean,
        credible=credible_interval(prior, x, n, level),
        exact=clopper_pearson(x, n, level),
        prior=prior,
        level=level,
    )


# --- Predictive probability of success ------------------------------------------------------


@dataclass(frozen=True)
class PredictiveProbability:
    """Posterior predictive probability that the Simon design ends in success.

    ``stage1_unknown`` patients of the stage-1 cohort (pending or not yet treated) and
    ``later_unknown`` patients after it are still to contribute; ``stage1_needed`` and
    ``final_needed`` more responders are needed. ``stage1_probability`` is the probability of
    passing stage 1; ``probability`` that of passing stage 1 and meeting the final criterion.
    """

    prior: BetaPrior
    posterior: BetaPrior
    stage1: ResponseCounts
    overall: ResponseCounts
    treated: int
    n1: int
    r1: int
    n: int
    r: int
    stage1_unknown: int
    later_unknown: int
    stage1_needed: int
    final_needed: int
    stage1_probability: float
    probability: float


def _betabinom_pmf(m: int, post: BetaPrior) -> np.ndarray:
    """P(Y = 0..m) for Y ~ BetaBinomial(m, a, b)."""
    return np.asarray(betabinom_pmf(np.arange(m + 1), m, post.a, post.b), dtype=float)


def _upper_tail(k: int, m: int, post: BetaPrior) -> float:
    """P(Y >= k) for Y ~ BetaBinomial(m, a, b), summed over the tail (no 1 - cdf)."""
    if k <= 0:
        return 1.0
    if k > m:
        return 0.0
    return float(_betabinom_pmf(m, post)[k:].sum())


def predictive_probability(
    rule: SimonRule,
    prior: BetaPrior,
    stage1: ResponseCounts,
    overall: ResponseCounts,
    treated: int,
) -> PredictiveProbability:
    """Exact probability, under the Beta posterior, of passing stage 1 and then the final test.

    Given p, the Y1 responders among the stage-1 patients still unknown and the Y2 among the
    later ones are independent binomials; integrating p over its Beta posterior gives
    Y1 ~ BetaBin(m1, a', b') and Y2 | Y1 = y ~ BetaBin(m2, a' + y, b' + m1 - y), so
    P = sum over y >= stage1_needed of P(Y1 = y) P(Y2 >= final_needed - y | Y1 = y).
    """
    validate_counts(rule, stage1, overall, treated)
    treated = int(treated)
    post = prior.updated(overall.responders, overall.evaluated)
    m1 = stage1.pending + rule.n1 - stage1.total
    m2 = rule.n - treated + overall.pending - m1
    need1 = max(0, rule.r1 + 1 - stage1.responders)
    need = max(0, rule.r + 1 - overall.responders)
    if need1 == 0:  # stage 1 passed: only the total of all unknown patients matters
        joint = _upper_tail(need, m1 + m2, post)
    else:
        pmf1 = _betabinom_pmf(m1, post)
        joint = sum(
            float(pmf1[y]) * _upper_tail(need - y, m2, BetaPrior(post.a + y, post.b + m1 - y))
            for y in range(need1, m1 + 1)
        )
    return PredictiveProbability(
        prior=prior,
        posterior=post,
        stage1=stage1,
        overall=overall,
        treated=treated,
        n1=rule.n1,
        r1=rule.r1,
        n=rule.n,
        r=rule.r,
        stage1_unknown=m1,
        later_unknown=m2,
        stage1_needed=need1,
        final_needed=need,
        stage1_probability=_upper_tail(need1, m1, post),
        probability=min(1.0, float(joint)),
    )
