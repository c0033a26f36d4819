"""Restricted mean survival time to a horizon, as ``print(fit, rmean = H)`` in R.

RMST(H) = integral of S(t) from 0 to H (the curve is carried forward past the last time).
Its variance is R's ``survmean`` formula, sum over times t_j <= H of
A_j^2 d_j / (n_j (n_j - d_j)), with A_j the area under the curve from t_j to H and the term
set to 0 where n_j = d_j.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring.survival.kaplan_meier import KaplanMeierResult


@dataclass(frozen=True)
class RestrictedMean:
    """RMST to ``horizon`` (same time unit as the data) and its standard error."""

    horizon: float
    rmst: float
    se: float


def restricted_mean(fit: KaplanMeierResult, horizon: float) -> RestrictedMean:
    """Area under the Kaplan–Meier curve on [0, horizon] with its standard error.

    R refuses a horizon below the first observed time; here the curve is 1 there, so the
    RMST is the horizon itself with standard error 0.
    """
    if not (np.isfinite(horizon) and horizon > 0):
        raise ValueError(f"horizon {horizon} must be a positive finite time")
    keep = fit.time <= horizon
    if not keep.any():
        return RestrictedMean(horizon=float(horizon), rmst=float(horizon), se=0.0)
    times = np.append(fit.time[keep], horizon)
    surv_before = np.concatenate(([1.0], fit.survival[keep]))
    rectangles = np.diff(times, prepend=0.0) * surv_before
    hh = fit.greenwood_terms[keep]
    area_after = np.cumsum(rectangles[::-1])[::-1][1:]  # area from t_j to the horizon
    variance = float(np.sum(area_after**2 * hh))
    return RestrictedMean(
        horizon=float(horizon), rmst=float(rectangles.sum()), se=float(np.sqrt(variance))
    )
