"""Survival at chosen times and the KMunicate risk table, as R's ``summary(fit, times=)``.

A row for time ``t`` takes the curve's last row at or before ``t`` (S(t) is right-continuous,
so events at ``t`` are included); the number at risk is the number still under observation
just before ``t`` (times >= t); events and censorings are counted cumulatively up to and
including ``t``. Before the first observed time the curve is 1 with standard error 0.

``extend=True`` (R's ``extend = TRUE``): a time after the last observed time keeps the
last value of the curve and of its limits, with 0 at risk. With ``extend=False`` such rows
are kept (one row per requested time) but their survival, error and limits are NaN.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitoring.survival import inputs
from monitoring.survival.inputs import FloatArray, IntArray
from monitoring.survival.kaplan_meier import KaplanMeierResult


@dataclass(frozen=True, eq=False)
class LandmarkSummary:
    """One row per requested time (sorted ascending), R's ``summary(fit, times=)`` columns.

    ``n_event`` / ``n_censor`` count what happened since the previous requested time;
    ``cum_event`` / ``cum_censor`` since the origin.
    """

    time: FloatArray
    n_risk: IntArray
    n_event: IntArray
    n_censor: IntArray
    cum_event: IntArray
    cum_censor: IntArray
    survival: FloatArray
    std_err: FloatArray
    lower: FloatArray
    upper: FloatArray


@dataclass(frozen=True, eq=False)
class RiskTable:
    """KMunicate table (Morris et al. 2019): at risk, cumulative events and censored."""

    time: FloatArray
    at_risk: IntArray
    events: IntArray
    censored: IntArray


def _with_origin(
    fit: KaplanMeierResult,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """R's ``survfit0``: prepend a row at time 0 (S = 1, se = 0) unless a row is at 0."""
    cols = (fit.time, fit.survival, fit.std_err, fit.lower, fit.upper)
    if fit.time.size and fit.time[0] == 0.0:
        return cols
    first = (0.0, 1.0, 0.0, 1.0, 1.0)
    t, s, se, lo, up = (np.concatenate(([v], c)) for c, v in zip(cols, first, strict=True))
    return t, s, se, lo, up


def survival_at(
    fit: KaplanMeierResult, times: Sequence[float], extend: bool = True
) -> LandmarkSummary:
    """Survival with CI at each of ``times``: R's ``summary(fit, times = times, extend = extend)``
    (``extend=False`` keeps the rows, with NaN survival, where R drops them)."""
    req = np.sort(np.asarray(times, dtype=np.float64))
    if not np.all(np.isfinite(req)):
        raise ValueError("landmark times must be finite")
    t0, s0, se0, lo0, up0 = _with_origin(fit)
    row = np.maximum(np.searchsorted(t0, req, side="right"), 1) - 1
    cum_e = np.concatenate(([0], np.cumsum(fit.n_event)))
    cum_c = np.concatenate(([0], np.cumsum(fit.n_censor)))
    upto = np.searchsorted(fit.time, req, side="right")
    risk = np.concatenate((fit.n_risk, [0]))[np.searchsorted(fit.time, req, side="left")]
    surv, se, lo, up = (c[row].astype(np.float64) for c in (s0, se0, lo0, up0))
    if not extend:
        beyond = req > (fit.time[-1] if fit.time.size else 0.0)
        for col in (surv, se, lo, up):
            col[beyond] = np.nan
    ce, cc = cum_e[upto].astype(np.int64), cum_c[upto].astype(np.int64)
    frozen = inputs.frozen
    return LandmarkSummary(
        time=frozen(req),
        n_risk=frozen(risk.astype(np.int64)),
        n_event=frozen(np.diff(ce, prepend=0)),
        n_censor=frozen(np.diff(cc, prepend=0)),
        cum_event=frozen(ce),
        cum_censor=frozen(cc),
        survival=frozen(surv),
        std_err=frozen(se),
        lower=frozen(lo),
        upper=frozen(up),
    )


def risk_table(fit: KaplanMeierResult, times: Sequence[float]) -> RiskTable:
    """Numbers at risk, cumulative events and cumulative censored at ``times``."""
    s = survival_at(fit, times)
    return RiskTable(time=s.time, at_risk=s.n_risk, events=s.cum_event, censored=s.cum_censor)
