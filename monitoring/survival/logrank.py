"""Log-rank test between groups, equal to R's ``survdiff(Surv(time, status) ~ group)``.

At each distinct event time with d deaths among n at risk (n_g in group g), the expected
deaths are E_g = sum d n_g / n, and the variance matrix is
V_gh = sum d (n - d) / (n^2 (n - 1)) * n_g (n delta_gh - n_h) (hypergeometric; Mantel 1966,
Peto & Peto 1972). The statistic is (O - E)' V^- (O - E) over the groups with E > 0, leaving
out the first of them, on (number of such groups - 1) degrees of freedom.

``stratified_log_rank`` is ``survdiff(Surv(time, status) ~ group + strata(s))``: O, E and V
computed within each stratum and summed over strata before the quadratic form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring.distributions import chi2_sf
from monitoring.survival import inputs
from monitoring.survival.inputs import ArrayLike, FloatArray, IntArray


@dataclass(frozen=True, eq=False)
class LogRankResult:
    """Per-group n, observed and expected events; chi-square, df and p-value.

    ``p_value`` is None when fewer than two groups have expected events (no test exists);
    ``chisq`` and ``p_value`` are None when the variance matrix is singular (for example all
    deaths at one time with nobody left at risk), where R's ``survdiff`` stops with an error.
    """

    groups: tuple[str, ...]
    n: IntArray
    observed: FloatArray
    expected: FloatArray
    variance: FloatArray
    chisq: float | None
    df: int
    p_value: float | None


def _group_counts(
    t: FloatArray, e: np.ndarray, codes: IntArray, k: int
) -> tuple[FloatArray, FloatArray]:
    """Subjects and events per (distinct time, group): two (T, k) matrices."""
    _, inv = np.unique(t, return_inverse=True)
    cell = inv * k + codes
    size = (int(inv.max()) + 1) * k
    total = np.bincount(cell, minlength=size).reshape(-1, k).astype(np.float64)
    events = (
        np.bincount(cell, weights=e.astype(np.float64), minlength=size)
        .reshape(-1, k)
        .astype(np.float64)
    )
    return total, events


def log_rank(time: ArrayLike, event: ArrayLike, group: ArrayLike) -> LogRankResult:
    """Log-rank (Mantel–Haenszel) test of equal survival across groups (rho = 0)."""
    return stratified_log_rank(time, event, group, None)


def stratified_log_rank(
    time: ArrayLike, event: ArrayLike, group: ArrayLike, strata: ArrayLike | None
) -> LogRankResult:
    """Log-rank test within strata (``strata`` None: one stratum, the plain log-rank)."""
    t, e = inputs.time_event(time, event)
    labels, codes = inputs.groups(group, t.size)
    k = len(labels)
    if k < 2:
        raise ValueError("the log-rank test needs at least two groups")
    layer = np.zeros(t.size, dtype=np.int64) if strata is None else inputs.groups(strata, t.size)[1]
    observed = np.zeros(k)
    expected = np.zeros(k)
    variance = np.zeros((k, k))
    for s in np.unique(layer):
        o, ex, v = _one_stratum(t[layer == s], e[layer == s], codes[layer == s], k)
        observed += o
        expected += ex
        variance += v
    chisq, df = _statistic(observed, expected, variance)
    frozen = inputs.frozen
    return LogRankResult(
        groups=labels,
        n=frozen(np.bincount(codes, minlength=k).astype(np.int64)),
        observed=frozen(observed),
        expected=frozen(expected),
        variance=frozen(variance),
        chisq=chisq,
        df=df,
        p_value=chi2_sf(chisq, df) if df > 0 and chisq is not None else None,
    )


def _one_stratum(
    t: FloatArray, e: np.ndarray, codes: IntArray, k: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Observed and expected events per group and the variance matrix within one stratum."""
    total, events = _group_counts(t, e, codes, k)
    at_risk = np.cumsum(total[::-1], axis=0)[::-1]
    n = at_risk.sum(axis=1)
    d = events.sum(axis=1)
    expected = (at_risk * (d / n)[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n > 1, d * (n - d) / (n * n * (n - 1)), 0.0)
    variance = np.diag((w * n) @ at_risk) - (at_risk * w[:, None]).T @ at_risk
    return events.sum(axis=0), expected, variance


def _statistic(
    observed: FloatArray, expected: FloatArray, variance: FloatArray
) -> tuple[float | None, int]:
    """Quadratic form over groups with E > 0, the first of them left out (R's choice)."""
    used = np.flatnonzero(expected > 0)
    if used.size < 2:
        return 0.0, 0
    keep = used[1:]
    diff = (observed - expected)[keep]
    vv = variance[np.ix_(keep, keep)]
    df = int(used.size - 1)
    try:
        return float(np.sum(np.linalg.solve(vv, diff) * diff)), df
    except np.linalg.LinAlgError:
        return None, df
