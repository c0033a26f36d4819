"""Differences between two Kaplan–Meier curves: survival at a landmark and the median.

``landmark_difference``: S_b(t) - S_a(t) with the variance the sum of the two Greenwood
variances (independent groups; ``summary(fit, times)$std.err`` squared) and a Wald
interval on the difference (normal approximation, Klein & Moeschberger 2003, 7.8). Not
estimable (None) where ``t`` lies after either group's last observation.

``median_difference``: m_b - m_a of the Kaplan–Meier medians (R's rule, ``quantiles``), with
a percentile bootstrap interval (Efron & Tibshirani 1993, 13.3): each group resampled with
replacement on its own, ``resamples`` times from ``numpy.random.default_rng(seed)``. A
resample is a multinomial count per patient, so its curve is the weighted Kaplan–Meier on
the original times (the same estimate as fitting the resampled rows). A resampled median
not reached counts as +infinity (later than any observed time); a resample where neither
median is reached has no difference and is left out (counted in ``undefined``). A limit
that falls on an infinite difference is not estimable (None), as is the whole interval
when the observed difference is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from monitoring.distributions import norm_ppf
from monitoring.survival import inputs
from monitoring.survival.inputs import ArrayLike, FloatArray
from monitoring.survival.kaplan_meier import KaplanMeierResult
from monitoring.survival.landmarks import survival_at
from monitoring.survival.quantiles import median_time

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20260101


@dataclass(frozen=True)
class LandmarkDifference:
    """Survival of groups a and b at ``time`` with Greenwood standard errors, and b - a
    with its Wald interval; None where not estimable."""

    time: float
    survival_a: float | None
    se_a: float | None
    survival_b: float | None
    se_b: float | None
    difference: float | None
    lower: float | None
    upper: float | None
    conf_level: float


@dataclass(frozen=True)
class MedianDifference:
    """Median of b minus median of a, with its percentile bootstrap interval."""

    difference: float | None
    lower: float | None
    upper: float | None
    conf_level: float
    resamples: int
    seed: int
    undefined: int
    """Resamples where neither median is reached (no difference), left out."""


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def landmark_difference(
    a: KaplanMeierResult, b: KaplanMeierResult, time: float, conf_level: float = 0.95
) -> LandmarkDifference:
    """S_b(time) - S_a(time) with a Wald interval from the two Greenwood variances."""
    level = inputs.conf_level(conf_level)
    at_a = survival_at(a, [time], extend=False)
    at_b = survival_at(b, [time], extend=False)
    sa, sea = _optional(at_a.survival[0]), _optional(at_a.std_err[0])
    sb, seb = _optional(at_b.survival[0]), _optional(at_b.std_err[0])
    if sa is None or sb is None or sea is None or seb is None:
        return LandmarkDifference(float(time), sa, sea, sb, seb, None, None, None, level)
    diff = sb - sa
    half = float(norm_ppf(0.5 + level / 2)) * float(np.sqrt(sea**2 + seb**2))
    return LandmarkDifference(float(time), sa, sea, sb, seb, diff, diff - half, diff + half, level)


def weighted_medians(time: FloatArray, event: FloatArray, weights: FloatArray) -> FloatArray:
    """The Kaplan–Meier median of each row of ``weights`` (patients' resampled counts);
    +inf where the curve never falls to 0.5."""
    times, inverse = np.unique(time, return_inverse=True)
    rows = weights.shape[0]
    total = np.zeros((rows, times.size))
    dead = np.zeros((rows, times.size))
    np.add.at(total.T, inverse, weights.T)
    np.add.at(dead.T, inverse, (weights * event).T)
    at_risk = np.cumsum(total[:, ::-1], axis=1)[:, ::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(at_risk > 0, (at_risk - dead) / at_risk, 1.0)
    curves = np.cumprod(factor, axis=1)
    out = np.empty(rows)
    for i in range(rows):
        m = median_time(times, curves[i])
        out[i] = np.inf if m is None else m
    return out


def _bootstrap_medians(
    time: FloatArray, event: FloatArray, resamples: int, rng: np.random.Generator
) -> FloatArray:
    n = time.size
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)
    return weighted_medians(time, event, weights)


def _percentile(values: FloatArray, prob: float) -> float | None:
    """Type-7 quantile (R's default) of sorted ``values``; None where it touches an
    infinite value."""
    h = (values.size - 1) * prob
    lo, hi = int(np.floor(h)), int(np.ceil(h))
    x, y = values[lo], values[hi]
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return float(x + (h - lo) * (y - x))


def median_difference(
    time_a: ArrayLike,
    event_a: ArrayLike,
    time_b: ArrayLike,
    event_b: ArrayLike,
    conf_level: float = 0.95,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> MedianDifference:
    """Median of b minus median of a (R's median rule) with a percentile bootstrap interval."""
    level = inputs.conf_level(conf_level)
    if resamples < 2:
        raise ValueError("resamples must be at least 2")
    ta, ea = inputs.time_event(time_a, event_a)
    tb, eb = inputs.time_event(time_b, event_b)
    if ta.size == 0 or tb.size == 0:
        raise ValueError("each group needs at least one patient")
    ma = weighted_medians(ta, ea.astype(float), np.ones((1, ta.size)))[0]
    mb = weighted_medians(tb, eb.astype(float), np.ones((1, tb.size)))[0]
    if not (np.isfinite(ma) and np.isfinite(mb)):
        return MedianDifference(None, None, None, level, resamples, seed, 0)
    rng = np.random.default_rng(seed)
    boot_a = _bootstrap_medians(ta, ea.astype(float), resamples, rng)
    boot_b = _bootstrap_medians(tb, eb.astype(float), resamples, rng)
    both_infinite = np.isinf(boot_a) & np.isinf(boot_b)
    diffs = np.sort((boot_b - boot_a)[~both_infinite])
    tail = (1 - level) / 2
    lower = _percentile(diffs, tail) if diffs.size >= 2 else None
    upper = _percentile(diffs, 1 - tail) if diffs.size >= 2 else None
    return MedianDifference(
        float(mb - ma), lower, upper, level, resamples, seed, int(both_infinite.sum())
    )
