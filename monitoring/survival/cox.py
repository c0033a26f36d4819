"""Cox proportional-hazards model with one covariate, Efron ties, optionally stratified.

Equal to R's ``coxph(Surv(time, status) ~ x, ties = "efron")`` and, with strata,
``coxph(Surv(time, status) ~ x + strata(s))``: each stratum has its own baseline hazard and
the partial log-likelihoods of the strata add up. At a time with d tied events (set D) among
the risk set R, Efron's approximation contributes

    sum_{i in D} x_i b - sum_{k=0}^{d-1} log(S0(R) - k/d S0(D)),    S0(A) = sum_{j in A} exp(x_j b).

Newton–Raphson from b = 0 with step halving when the log-likelihood falls, iterated until
the step is below 1e-13 (R stops at its default relative tolerance 1e-9 of the
log-likelihood, which can leave the coefficient up to about 2e-9 from the maximum). The
standard error is the inverse square root of the observed information at the maximum, as
``sqrt(vcov(fit))``. The covariate is centred before fitting, as R does (b is unchanged).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.survival import inputs

_MAX_ITERATIONS = 200
_TOLERANCE = 1e-13


@dataclass(frozen=True)
class CoxFit:
    """The coefficient, its standard error, the maximised partial log-likelihood and the
    Newton iterations taken; ``converged`` False when the estimate runs off to infinity
    (an arm without events in every stratum: monotone likelihood)."""

    coef: float
    se: float
    loglik: float
    iterations: int
    converged: bool


@dataclass(frozen=True, eq=False)
class _EventTimes:
    """Per (stratum, distinct event time): the rows at risk and the tied events, flattened
    into index arrays so the sums at any coefficient are a few numpy reductions."""

    risk_start: npt.NDArray[
        np.int64
    ]  # first sorted row at risk; the risk set runs to the stratum end
    risk_end: npt.NDArray[np.int64]
    tie_rows: npt.NDArray[np.int64]  # sorted rows of the tied events, grouped by event time
    tie_time: npt.NDArray[np.int64]  # the event time (index into risk_*) of each tie row
    d: npt.NDArray[np.float64]  # tied events at each event time
    term_time: npt.NDArray[np.int64]  # Efron terms: their event time ...
    term_fraction: npt.NDArray[np.float64]  # ... and k/d, k = 0..d-1


def _event_times(
    t: npt.NDArray[np.float64], e: npt.NDArray[np.bool_], layer: npt.NDArray[np.int64]
) -> _EventTimes:
    starts: list[int] = []
    ends: list[int] = []
    tie_rows: list[npt.NDArray[np.int64]] = []
    tie_time: list[npt.NDArray[np.int64]] = []
    d: list[int] = []
    # rows are sorted by (stratum, time); a stratum's risk set at time u is its rows with time >= u
    bounds = np.flatnonzero(np.diff(layer)) + 1
    stratum_start = np.concatenate(([0], bounds))
    stratum_end = np.concatenate((bounds, [t.size]))
    for lo, hi in zip(stratum_start.tolist(), stratum_end.tolist(), strict=True):
        times = t[lo:hi]
        for u in np.unique(times[e[lo:hi]]):
            first = lo + int(np.searchsorted(times, u, side="left"))
            last = lo + int(np.searchsorted(times, u, side="right"))
            rows = np.arange(first, last)[e[first:last]]
            tie_rows.append(rows)
            tie_time.append(np.full(rows.size, len(starts)))
            starts.append(first)
            ends.append(hi)
            d.append(rows.size)
    dd = np.asarray(d, dtype=np.int64)
    term_time = np.repeat(np.arange(dd.size), dd)
    offsets = np.repeat(np.cumsum(dd) - dd, dd)
    term_fraction = (np.arange(term_time.size) - offsets) / np.repeat(dd, dd)
    empty = np.zeros(0, dtype=np.int64)
    return _EventTimes(
        risk_start=np.asarray(starts, dtype=np.int64),
        risk_end=np.asarray(ends, dtype=np.int64),
        tie_rows=np.concatenate(tie_rows) if tie_rows else empty,
        tie_time=np.concatenate(tie_time) if tie_time else empty,
        d=dd.astype(np.float64),
        term_time=term_time,
        term_fraction=term_fraction.astype(np.float64),
    )


def _derivatives(
    b: float, x: npt.NDArray[np.float64], ev: _EventTimes
) -> tuple[float, float, float]:
    """Log-likelihood, score and information at ``b``."""
    w = np.exp(x * b)
    cum = [np.concatenate(([0.0], np.cumsum(w * x**p))) for p in range(3)]
    risk = [c[ev.risk_end] - c[ev.risk_start] for c in cum]
    ties = [
        np.bincount(ev.tie_time, weights=(w * x**p)[ev.tie_rows], minlength=ev.d.size)
        for p in range(3)
    ]
    f = ev.term_fraction
    j = ev.term_time
    s0, s1, s2 = (risk[p][j] - f * ties[p][j] for p in range(3))
    mean = s1 / s0
    loglik = float(b * x[ev.tie_rows].sum() - np.log(s0).sum())
    score = float(x[ev.tie_rows].sum() - mean.sum())
    information = float((s2 / s0 - mean**2).sum())
    return loglik, score, information


def cox_efron(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    covariate: npt.ArrayLike,
    strata: npt.ArrayLike | None = None,
) -> CoxFit:
    """The Cox fit of one covariate (Efron ties), within ``strata`` when given."""
    t, e = inputs.time_event(time, event)
    x = np.asarray(covariate, dtype=np.float64)
    if x.shape != t.shape:
        raise ValueError(f"time has {t.size} values but the covariate has {x.size}")
    layer = np.zeros(t.size, dtype=np.int64) if strata is None else inputs.groups(strata, t.size)[1]
    order = np.lexsort((t, layer))
    t, e, x, layer = t[order], e[order], x[order], layer[order]
    x = x - x.mean() if x.size else x
    ev = _event_times(t, e, layer)
    if ev.d.size == 0:
        raise ValueError("the Cox model needs at least one event")
    b = 0.0
    loglik, score, information = _derivatives(b, x, ev)
    converged = False
    iterations = 0
    for iterations in range(1, _MAX_ITERATIONS + 1):  # noqa: B007 - the count is reported
        if information <= 0:
            break
        step = score / information
        new = b + step
        new_loglik, new_score, new_information = _derivatives(new, x, ev)
        halvings = 0
        while new_loglik < loglik - 1e-12 * abs(loglik) and halvings < 60:
            step /= 2
            new = b + step
            new_loglik, new_score, new_information = _derivatives(new, x, ev)
            halvings += 1
        b, loglik, score, information = new, new_loglik, new_score, new_information
        if abs(step) < _TOLERANCE * max(1.0, abs(b)):
            converged = True
            break
        if abs(b) > 50:  # exp(50): an arm without events, the estimate diverges
            break
    se = 1 / math.sqrt(information) if information > 0 else math.inf
    return CoxFit(coef=b, se=se, loglik=loglik, iterations=iterations, converged=converged)
