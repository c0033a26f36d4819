"""Exact operating characteristics of a Simon two-stage design (Simon 1989).

A design (r1/n1, r/n) treats n1 patients, stops for futility when at most r1 respond, and
otherwise treats n - n1 more; the treatment is declared promising when more than r of the
n respond. Every probability here is an exact binomial sum, no approximation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring.distributions import binom_cdf, binom_pmf, binom_sf
from monitoring.errors import InputError
from monitoring.protocol import SimonRule


class DesignError(InputError, ValueError):
    """Design parameters that do not describe a design (out of range, inconsistent)."""


@dataclass(frozen=True)
class SimonDesign:
    """A Simon two-stage design with its exact characteristics at p0 and p1.

    ``alpha`` = Pr(reject H0 | p0), ``power`` = Pr(reject H0 | p1), ``pet0``/``pet1`` the
    probabilities of early termination and ``en0``/``en1`` the expected sample sizes.
    """

    r1: int
    n1: int
    r: int
    n: int
    alpha: float
    power: float
    pet0: float
    en0: float
    pet1: float
    en1: float
    p0: float
    p1: float

    @property
    def beta(self) -> float:
        """Type II error, 1 - power."""
        return 1.0 - self.power

    @property
    def rule(self) -> tuple[int, int, int, int]:
        """The boundaries (r1, n1, r, n) alone."""
        return (self.r1, self.n1, self.r, self.n)

    def label(self) -> str:
        """The usual notation r1/n1, r/n."""
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"


def check_design(r1: int, n1: int, r: int, n: int) -> None:
    """Refuse boundaries that are not a two-stage design: 0 <= r1 < n1 < n, r1 <= r < n."""
    if not 1 <= n1 < n:
        raise DesignError(f"need 1 <= n1 < n; got n1={n1}, n={n}")
    if not 0 <= r1 < n1:
        raise DesignError(f"need 0 <= r1 < n1; got r1={r1}, n1={n1}")
    if not r1 <= r < n:
        raise DesignError(f"need r1 <= r < n; got r1={r1}, r={r}, n={n}")


def check_rates(p0: float, p1: float) -> None:
    """Refuse response rates outside (0, 1) or with p1 <= p0."""
    if not (0.0 < p0 < 1.0 and 0.0 < p1 < 1.0):
        raise DesignError(f"response rates must lie strictly between 0 and 1; got {p0}, {p1}")
    if p1 <= p0:
        raise DesignError(f"p1 must exceed p0; got p0={p0}, p1={p1}")


def rejection_probability(r1: int, n1: int, r: int, n: int, p: float) -> float:
    """Pr(X1 > r1 and X1 + X2 > r) with X1 ~ Bin(n1, p), X2 ~ Bin(n - n1, p)."""
    x1 = np.arange(r1 + 1, n1 + 1)
    # sf(k) = Pr(X2 > k); for k < 0 it is 1, as required.
    terms = binom_pmf(x1, n1, p) * binom_sf(r - x1, n - n1, p)
    return float(np.sum(terms))


def early_termination(r1: int, n1: int, p: float) -> float:
    """Pr(X1 <= r1): probability of stopping after stage 1."""
    return float(binom_cdf(r1, n1, p))


def expected_size(r1: int, n1: int, n: int, p: float) -> float:
    """n1 + (1 - PET(p)) (n - n1)."""
    return n1 + (1.0 - early_termination(r1, n1, p)) * (n - n1)


def characteristics(r1: int, n1: int, r: int, n: int, p0: float, p1: float) -> SimonDesign:
    """Exact alpha, power, PET and EN of the design (r1/n1, r/n) at p0 and p1."""
    check_design(r1, n1, r, n)
    check_rates(p0, p1)
    return SimonDesign(
        r1=r1,
        n1=n1,
        r=r,
        n=n,
        alpha=rejection_probability(r1, n1, r, n, p0),
        power=rejection_probability(r1, n1, r, n, p1),
        pet0=early_termination(r1, n1, p0),
        en0=expected_size(r1, n1, n, p0),
        pet1=early_termination(r1, n1, p1),
        en1=expected_size(r1, n1, n, p1),
        p0=p0,
        p1=p1,
    )


def for_rule(rule: SimonRule) -> SimonDesign:
    """Exact characteristics of a protocol's Simon rule (its boundaries at its p0, p1)."""
    return characteristics(rule.r1, rule.n1, rule.r, rule.n, rule.p0, rule.p1)
