"""Median and quantiles of a Kaplan–Meier curve with their confidence limits, by R's rules.

Two rules exist in R's survival package and both are reproduced:

* the median of ``summary(fit)$table`` / ``print(fit)`` (``survmean``'s ``minmin``): the first
  time the curve is below 0.5; if the curve equals 0.5 (within sqrt(machine epsilon)) on an
  interval and later drops below, the midpoint of that interval;
* ``quantile(fit, probs)`` (``findq``): the same, except that a curve that stays at exactly
  1 - p until the last time gives the midpoint with the last time.

The confidence limits apply the same rule to the lower and upper pointwise curves
(Brookmeyer & Crowley 1982). Quantities that do not exist are None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from monitoring.survival.inputs import FloatArray

if TYPE_CHECKING:
    from monitoring.survival.kaplan_meier import KaplanMeierResult

TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))
"""R's ``sqrt(.Machine$double.eps)``: values this close to the target count as equal."""


@dataclass(frozen=True)
class SurvivalQuantile:
    """Time by which a fraction ``prob`` has had the event, with its confidence limits."""

    prob: float
    time: float | None
    lower: float | None
    upper: float | None


def median_time(time: FloatArray, curve: FloatArray) -> float | None:
    """R's ``minmin``: where ``curve`` (survival or a CI limit) first falls below 0.5."""
    keep = ~np.isnan(curve) & (curve < 0.5 + TOLERANCE)
    if not keep.any():
        return None
    x, y = time[keep], curve[keep]
    if abs(y[0] - 0.5) < TOLERANCE:
        below = np.flatnonzero(y < y[0])
        if below.size:
            return float((x[0] + x[below[0]]) / 2.0)
    return float(x[0])


def quantile_time(time: FloatArray, curve: FloatArray, prob: float) -> float | None:
    """R's ``findq`` on F = 1 - curve for one probability in (0, 1)."""
    x = np.concatenate(([0.0], time))
    y = np.concatenate(([0.0], 1.0 - curve))
    if np.all(np.isnan(y)) or np.nanmax(y) < prob:
        return None
    _, first = np.unique(y, return_index=True)  # R's !duplicated(y); NaNs count as equal
    first.sort()
    x, y = x[first], y[first]
    last_is_value = not np.isnan(y[-1])
    valid = np.flatnonzero(~np.isnan(y))
    order = valid[np.argsort(y[valid], kind="stable")]
    i1 = _first_at_least(y[order] + TOLERANCE, prob)
    i2 = _first_at_least(y[order] - TOLERANCE, prob)
    if i1 is None:
        return None
    x1 = x[order[i1]]
    if last_is_value and abs(prob - y[-1]) < TOLERANCE:
        return float((x1 + time[-1]) / 2.0)
    if i2 is None:
        return None
    return float((x1 + x[order[i2]]) / 2.0)


def _first_at_least(keys: FloatArray, value: float) -> int | None:
    """R's ``approx(keys, ..., method="constant", f=1)`` index: first key >= value, in range."""
    if value < keys[0]:
        return None
    pos = int(np.searchsorted(keys, value, side="left"))
    return pos if pos < keys.size else None


def survival_quantiles(
    fit: KaplanMeierResult, probs: Sequence[float] = (0.25, 0.5, 0.75)
) -> tuple[SurvivalQuantile, ...]:
    """R's ``quantile(fit, probs)``: quantile times with limits from the pointwise band."""
    out = []
    for p in probs:
        if not 0.0 < p < 1.0:
            raise ValueError(f"probability {p} must lie strictly between 0 and 1")
        out.append(
            SurvivalQuantile(
                prob=float(p),
                time=quantile_time(fit.time, fit.survival, p),
                lower=quantile_time(fit.time, fit.lower, p),
                upper=quantile_time(fit.time, fit.upper, p),
            )
        )
    return tuple(out)


def median_with_ci(
    time: FloatArray, surv: FloatArray, lower: FloatArray, upper: FloatArray
) -> SurvivalQuantile:
    """Median and its CI as ``summary(fit)$table`` (median, 0.95LCL, 0.95UCL)."""
    return SurvivalQuantile(
        prob=0.5,
        time=median_time(time, surv),
        lower=median_time(time, lower),
        upper=median_time(time, upper),
    )
