"""End-of-trial inference that respects a Simon two-stage design.

Follows clinfun's ``twostage.inference(x, r1, n1, n, pu, alpha)``: the UMVUE of the response
rate (Jung & Kim 2004), the exact p-value under the stage-wise ordering and the confidence
limits of Koyama & Chen (2008) located on clinfun's grid. Outcomes are ordered stage-wise:
every trial stopped after stage 1 ranks below every completed trial; within a stage, by the
number of responses. ``x`` is the total number of responses: a trial with x <= r1 stopped
after stage 1 (x of n1), otherwise it completed (x of n).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from monitoring.designs.simon import check_design

# clinfun brackets each limit on a grid of step 0.01, then refines on a grid of step 1e-4.
_COARSE: NDArray[np.float64] = np.arange(101, dtype=np.float64) * 0.01
_FINE: NDArray[np.float64] = _COARSE / 100


@dataclass(frozen=True)
class ConfidenceLimits:
    """Two one-sided limits, each at level 1 - alpha (together a 1 - 2 alpha interval).

    ``None`` where the method gives no limit (clinfun returns NA for x = 0).
    """

    low: float | None
    high: float | None
    level: float
    method: str


@dataclass(frozen=True)
class TwoStageInference:
    """Estimate, p-value and confidence limits for a trial run under a two-stage design."""

    x: int
    r1: int
    n1: int
    n: int
    p0: float
    alpha: float
    stopped_early: bool
    observed_rate: float
    umvue: float
    p_value: float
    clinfun_limits: ConfidenceLimits
    exact_limits: ConfidenceLimits


def check_outcome(x: int, r1: int, n1: int, n: int) -> None:
    """Refuse a response count no two-stage trial with these boundaries can end with."""
    check_design(r1, n1, r1, n)
    if not 0 <= x <= n:
        raise ValueError(f"x must lie between 0 and n ({n}); got {x}")


def umvue(x: int, r1: int, n1: int, n: int) -> float:
    """Jung & Kim (2004) UMVUE: x/n1 after an early stop, else a ratio of binomial sums.

    For a completed trial, sum C(n1-1, x1-1) C(n2, x-x1) / sum C(n1, x1) C(n2, x-x1) over
    the stage-1 counts x1 in [max(r1+1, x-n2), min(x, n1)], computed in exact integers.
    """
    check_outcome(x, r1, n1, n)
    if x <= r1:
        return x / n1
    n2 = n - n1
    x1 = range(max(r1 + 1, x - n2), min(x, n1) + 1)
    top = sum(math.comb(n1 - 1, k - 1) * math.comb(n2, x - k) for k in x1)
    bottom = sum(math.comb(n1, k) * math.comb(n2, x - k) for k in x1)
    return float(Fraction(top, bottom))


def stagewise_tail(x: int, r1: int, n1: int, n: int, p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pr(outcome >= observed | p) in the stage-wise ordering, for each p.

    Stopped at x <= r1: Pr(X1 >= x). Completed with x: Pr(X1 > r1, X1 + X2 >= x).
    """
    p = np.asarray(p, dtype=np.float64)
    if x <= r1:
        return np.asarray(stats.binom.sf(x - 1, n1, p[:, None]), dtype=np.float64)[:, 0]
    x1 = np.arange(r1 + 1, n1 + 1)[None, :]
    terms = stats.binom.pmf(x1, n1, p[:, None]) * stats.binom.sf(x - x1 - 1, n - n1, p[:, None])
    return np.asarray(np.sum(terms, axis=1), dtype=np.float64)


def _tail(x: int, r1: int, n1: int, n: int, p: float) -> float:
    return float(stagewise_tail(x, r1, n1, n, np.array([p]))[0])


def p_value(x: int, r1: int, n1: int, n: int, p0: float) -> float:
    """Exact one-sided p-value Pr(outcome >= observed | p0), stage-wise ordering."""
    check_outcome(x, r1, n1, n)
    return _tail(x, r1, n1, n, p0)


def _first(mask: NDArray[np.bool_]) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def clinfun_limits(x: int, r1: int, n1: int, n: int, alpha: float) -> ConfidenceLimits:
    """The limits clinfun's ``twostage.inference`` reports, on its own 1e-4 grid.

    LCL: the first grid p where the tail Pr(>= observed | p) exceeds alpha. UCL: the last
    grid p before the tail reaches 1 - alpha, i.e. the p at which Pr(outcome < observed)
    = alpha (see docs/methods.md on how this differs from the exact upper limit).
    """
    coarse = stagewise_tail(x, r1, n1, n, _COARSE)
    low: float | None = None
    high: float | None = None
    i = _first(coarse > alpha)
    if i is not None and i > 0:
        grid = _COARSE[i - 1] + _FINE
        k = _first(stagewise_tail(x, r1, n1, n, grid) > alpha)
        low = None if k is None else float(grid[k])
    j = _first(coarse >= 1.0 - alpha)
    if j is not None and j > 0:
        grid = _COARSE[j - 1] + _FINE
        k = _first(stagewise_tail(x, r1, n1, n, grid) >= 1.0 - alpha)
        high = None if k is None or k == 0 else float(grid[k - 1])
    return ConfidenceLimits(low, high, 1.0 - 2.0 * alpha, "clinfun twostage.inference grid")


def exact_limits(x: int, r1: int, n1: int, n: int, alpha: float) -> ConfidenceLimits:
    """Koyama & Chen (2008) limits solved exactly (Brent's method, tolerance 1e-12).

    Low: Pr(outcome >= observed | p) = alpha (0 when x = 0). High: Pr(outcome <= observed
    | p) = alpha (1 when the outcome is the largest possible, x = n).
    """
    low = 0.0
    if x > 0:
        low = optimize.brentq(lambda p: _tail(x, r1, n1, n, p) - alpha, 0.0, 1.0, xtol=1e-12)
    high = 1.0
    if x < n:
        # Pr(outcome <= observed) = 1 - Pr(outcome >= next outcome), and the outcome after
        # x in the stage-wise order is always the one with x + 1 responses.
        def below(p: float) -> float:
            return 1.0 - _tail(x + 1, r1, n1, n, p) - alpha

        high = optimize.brentq(below, 0.0, 1.0, xtol=1e-12)
    return ConfidenceLimits(float(low), float(high), 1.0 - 2.0 * alpha, "Koyama-Chen exact")


def infer(x: int, r1: int, n1: int, n: int, p0: float, alpha: float = 0.05) -> TwoStageInference:
    """UMVUE, stage-wise p-value and confidence limits, as ``twostage.inference``."""
    check_outcome(x, r1, n1, n)
    if not 0.0 < alpha < 0.5:
        raise ValueError(f"alpha must lie strictly between 0 and 0.5; got {alpha}")
    if not 0.0 < p0 < 1.0:
        raise ValueError(f"p0 must lie strictly between 0 and 1; got {p0}")
    stopped = x <= r1
    return TwoStageInference(
        x=x,
        r1=r1,
        n1=n1,
        n=n,
        p0=p0,
        alpha=alpha,
        stopped_early=stopped,
        observed_rate=x / (n1 if stopped else n),
        umvue=umvue(x, r1, n1, n),
        p_value=p_value(x, r1, n1, n, p0),
        clinfun_limits=clinfun_limits(x, r1, n1, n, alpha),
        exact_limits=exact_limits(x, r1, n1, n, alpha),
    )
