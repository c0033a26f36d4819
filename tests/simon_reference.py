"""Reference for the Simon search tests: a literal reading of clinfun's Fortran f2bdry."""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats


@functools.cache  # shared by the parametrized tests; callers do not mutate it
def literal_f2bdry_rows(
    p0: float, p1: float, alpha: float, beta: float, nmax: int
) -> dict[int, tuple[int, int, int, int]]:
    """Literal reading of clinfun's Fortran f2bdry: for each n, loop n1 up, r1 down, r down,
    keep a feasible design when its EN(p0) is strictly below the best so far (start: n)."""
    rows = {}
    for n in range(2, nmax + 1):
        best_en, best = float(n), None
        for n1 in range(1, n):
            n2 = n - n1
            x1 = np.arange(n1 + 1)[:, None]
            r = np.arange(n)[None, :]
            m0 = stats.binom.pmf(x1, n1, p0) * stats.binom.sf(r - x1, n2, p0)
            m1 = stats.binom.pmf(x1, n1, p1) * stats.binom.sf(r - x1, n2, p1)
            # row r1 of a0/a1: Pr(X1 > r1, X1 + X2 > r)
            a0 = np.cumsum(m0[::-1], axis=0)[::-1][1:]
            a1 = np.cumsum(m1[::-1], axis=0)[::-1][1:]
            for r1 in range(n1 - 1, -1, -1):
                en = n1 + (1 - stats.binom.cdf(r1, n1, p0)) * n2
                for rr in range(n2 + r1, r1 - 1, -1):
                    if a0[r1, rr] < alpha and 1 - a1[r1, rr] < beta:
                        if en < best_en:
                            best_en, best = en, (r1, n1, rr, n)
                        break
        if best is not None:
            rows[n] = best
    return rows
