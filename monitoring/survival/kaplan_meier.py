"""Kaplan–Meier estimate with Greenwood standard errors, equal to R's ``survfit``.

One row per distinct time, censored-only times included (``summary(fit, censored = TRUE)``).
Cost: one sort of the times (O(n log n)) and cumulative sums over distinct times (O(n)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from monitoring.survival import inputs
from monitoring.survival.confidence import ConfType, confidence_band
from monitoring.survival.inputs import ArrayLike, FloatArray, IntArray
from monitoring.survival.quantiles import SurvivalQuantile, median_with_ci


@dataclass(frozen=True, eq=False)
class KaplanMeierResult:
    """Kaplan–Meier curve at every distinct time, with R's columns.

    ``std_err`` is R's ``summary(fit)$std.err`` (standard error of S, Greenwood);
    ``std_err_log`` is R's ``fit$std.err`` (standard error of the cumulative hazard,
    sqrt of the Greenwood sum), on which the intervals are built. NaN where R has NA/NaN,
    +inf where R has Inf. Arrays are read-only.
    """

    time: FloatArray
    n_risk: IntArray
    n_event: IntArray
    n_censor: IntArray
    survival: FloatArray
    std_err: FloatArray
    std_err_log: FloatArray
    lower: FloatArray
    upper: FloatArray
    n: int
    events: int
    conf_type: ConfType
    conf_level: float
    median: SurvivalQuantile

    @property
    def is_event_time(self) -> npt.NDArray[np.bool_]:
        """Rows with at least one event (the rows of R's default ``summary(fit)``)."""
        return self.n_event > 0

    @property
    def greenwood_terms(self) -> FloatArray:
        """d / (n (n - d)) per row, 0 where n = d (the rule ``survmean`` uses for RMST)."""
        d = self.n_event.astype(np.float64)
        n = self.n_risk.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n - d == 0, 0.0, d / (n * (n - d)))


def _count_table(t: FloatArray, e: npt.NDArray[np.bool_]) -> tuple[FloatArray, IntArray, IntArray]:
    """Distinct sorted times, subjects and events at each, from one sort of one key.

    The bits of a non-negative double, read as an unsigned integer, order as the number
    does and leave the top (sign) bit 0; shifting left by one and putting the event flag in
    the freed low bit gives a single uint64 key. One sort of it yields the distinct times
    and, inside each, the events (about twice as fast as an argsort plus a gather).
    """
    if t.size == 0:
        return t.copy(), np.zeros(0, np.int64), np.zeros(0, np.int64)
    one = np.uint64(1)
    key = np.sort(((t + 0.0).view(np.uint64) << one) | e.astype(np.uint64))  # -0.0 -> 0.0
    bits = key >> one
    starts = np.flatnonzero(np.concatenate(([True], bits[1:] != bits[:-1])))
    counts = np.diff(np.append(starts, key.size)).astype(np.int64)
    events = np.add.reduceat((key & one).astype(np.int64), starts)
    return bits[starts].view(np.float64), counts, events


def kaplan_meier(
    time: ArrayLike,
    event: ArrayLike,
    conf_type: ConfType | str = ConfType.LOG_LOG,
    conf_level: float = 0.95,
) -> KaplanMeierResult:
    """Kaplan–Meier estimate (Kaplan & Meier 1958) with Greenwood (1926) errors.

    Equals ``survfit(Surv(time, event) ~ 1, conf.type = conf_type, conf.int = conf_level)``.
    An empty input gives an empty curve with no median.
    """
    t, e = inputs.time_event(time, event)
    ctype = ConfType(inputs.conf_type_name(str(conf_type), [c.value for c in ConfType]))
    level = inputs.conf_level(conf_level)
    times, counts, d = _count_table(t, e)
    n_risk = np.cumsum(counts[::-1])[::-1]
    nr = n_risk.astype(np.float64)
    df = d.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod((nr - df) / nr).astype(np.float64, copy=False)
        se_log = np.sqrt(np.cumsum(df / (nr * (nr - df))))
        std_err = se_log * surv
    lower, upper = confidence_band(surv, se_log, ctype, level)
    frozen = inputs.frozen
    return KaplanMeierResult(
        time=frozen(times),
        n_risk=frozen(n_risk),
        n_event=frozen(d),
        n_censor=frozen(counts - d),
        survival=frozen(surv),
        std_err=frozen(std_err),
        std_err_log=frozen(se_log),
        lower=frozen(lower),
        upper=frozen(upper),
        n=int(t.size),
        events=int(d.sum()),
        conf_type=ctype,
        conf_level=level,
        median=median_with_ci(times, surv, lower, upper),
    )
