"""Isotonic regression by pool-adjacent-violators, as the R package BOIN computes it.

BOIN's ``select.mtd`` carries its own ``pava``: repeatedly take the first adjacent pair that
decreases, replace every member of the two level sets by their weighted mean, and start
again. The result is the weighted least-squares non-decreasing fit (the same as any PAVA);
this module follows that exact order of operations so that ties and rounding come out as in
R. Exact (no simulation).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitoring.designs.dose_finding.errors import DoseFindingError


def pava(values: Sequence[float], weights: Sequence[float] | None = None) -> tuple[float, ...]:
    """The non-decreasing sequence closest to ``values`` in weighted least squares.

    ``weights`` default to 1; each must be positive. Follows BOIN's ``pava`` step for step.
    """
    x = [float(v) for v in values]
    w = [1.0] * len(x) if weights is None else [float(v) for v in weights]
    if len(w) != len(x):
        raise DoseFindingError(f"pava: {len(x)} values but {len(w)} weights")
    if any(not v > 0 for v in w):
        raise DoseFindingError("pava: every weight must be positive")
    n = len(x)
    if n <= 1:
        return tuple(x)
    level = list(range(n))
    while True:
        violation = next((i for i in range(n - 1) if x[i + 1] - x[i] < 0), None)
        if violation is None:
            return tuple(x)
        first, second = level[violation], level[violation + 1]
        members = [j for j in range(n) if level[j] in (first, second)]
        pooled = sum(x[j] * w[j] for j in members) / sum(w[j] for j in members)
        for j in members:
            x[j] = pooled
            level[j] = first


def boin_isotonic_estimates(n: Sequence[int], dlt: Sequence[int]) -> tuple[float | None, ...]:
    """BOIN's isotonic DLT-rate estimates per dose (None where no patient was treated).

    Over the treated doses, the bias-corrected rates (y + 0.05)/(n + 0.1) are fitted by
    weighted PAVA with weights 1/var, var = (y + 0.05)(n - y + 0.05)/((n + 0.1)^2 (n + 1.1))
    (``phat.all`` of ``select.mtd``).
    """
    treated = [i for i, count in enumerate(n) if count > 0]
    rates = [(dlt[i] + 0.05) / (n[i] + 0.1) for i in treated]
    weights = [1.0 / _variance(n[i], dlt[i]) for i in treated]
    fitted = iter(pava(rates, weights))
    return tuple(next(fitted) if count > 0 else None for count in n)


def _variance(n: int, y: int) -> float:
    return (y + 0.05) * (n - y + 0.05) / ((n + 0.1) ** 2 * (n + 0.1 + 1))
