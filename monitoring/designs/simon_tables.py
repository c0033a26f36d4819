"""Binomial probability tables shared by the Simon design search.

Row m, column k holds Pr(Bin(m, p) = k), Pr(<= k) and Pr(> k) for m, k = 0..size, so a
search looks probabilities up instead of recomputing them. Tables grow on demand (doubling)
so that a search that stops early never pays for sizes it does not reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class BinomialTable:
    """pmf, cdf and survival of Bin(m, p) for m, k = 0..size (zero/one beyond k = m)."""

    p: float
    size: int
    pmf: FloatArray
    cdf: FloatArray
    sf: FloatArray
    sf_padded: FloatArray

    def survival(self, m: IntArray, k: IntArray) -> FloatArray:
        """Pr(Bin(m, p) > k) elementwise, for any -size - 1 <= k (1 for k < 0)."""
        values: FloatArray = self.sf_padded[m, k + self.size + 1]
        return values

    def survival_runs(self, m: IntArray, k: IntArray, width: int) -> FloatArray:
        """Pr(Bin(m, p) > k + j) for j = 0..width-1, as a trailing axis of length width.

        Copies contiguous runs of the padded table (a sliding-window view), which is much
        cheaper than gathering each element; k + width - 1 must stay <= size.
        """
        table = self.sf_padded
        rows, cols = table.shape
        step_row, step_col = table.strides
        runs = np.ndarray(
            (rows, cols - width + 1, width),
            dtype=table.dtype,
            buffer=table,
            strides=(step_row, step_col, step_col),
        )
        values: FloatArray = runs[m, k + self.size + 1]
        return values


def binomial_pmf_rows(p: float, size: int, start: FloatArray | None = None) -> FloatArray:
    """Rows m = 0..size of Pr(Bin(m, p) = k), by Pascal's recurrence.

    pmf(m + 1, k) = p pmf(m, k - 1) + (1 - p) pmf(m, k): a convex combination of positive
    numbers, so the relative error grows only linearly with m (about m x 1e-16). Rows of
    ``start`` (an earlier, smaller table) are reused.
    """
    pmf = np.zeros((size + 1, size + 1))
    first = 0
    if start is not None:
        first = min(start.shape[0], size + 1) - 1
        pmf[: first + 1, : first + 1] = start[: first + 1, : first + 1]
    else:
        pmf[0, 0] = 1.0
    q = 1.0 - p
    for m in range(first, size):
        row, nxt = pmf[m, : m + 1], pmf[m + 1]
        nxt[: m + 1] = q * row
        nxt[1 : m + 2] += p * row
    return pmf


def binomial_table(p: float, size: int, start: FloatArray | None = None) -> BinomialTable:
    """Binomial tables for sizes 0..size; cdf and survival are sums of pmf terms.

    The survival Pr(X > k) is summed from the upper tail, the cdf from the lower tail, so
    each keeps full absolute precision where it is small.
    """
    pmf = binomial_pmf_rows(p, size, start)
    cdf = np.cumsum(pmf, axis=1)
    sf = np.zeros_like(pmf)
    sf[:, :-1] = np.cumsum(pmf[:, :0:-1], axis=1)[:, ::-1]
    padded = np.concatenate([np.ones((size + 1, size + 1)), sf], axis=1)
    return BinomialTable(p=p, size=size, pmf=pmf, cdf=cdf, sf=sf, sf_padded=padded)


class GrowingTables:
    """Tables at p0 and p1 that double in size when a larger sample size is needed."""

    def __init__(self, p0: float, p1: float, limit: int, start: int = 64) -> None:
        self.p0 = p0
        self.p1 = p1
        self.limit = limit
        self.t0 = binomial_table(p0, min(limit, start))
        self.t1 = binomial_table(p1, min(limit, start))

    @property
    def size(self) -> int:
        return self.t0.size

    def ensure(self, size: int) -> None:
        """Make sure sample sizes up to ``size`` are tabulated (rows already built are kept)."""
        if size > self.size:
            new = self.size
            while new < size:
                new *= 2
            new = min(self.limit, new)
            self.t0 = binomial_table(self.p0, new, self.t0.pmf)
            self.t1 = binomial_table(self.p1, new, self.t1.pmf)
