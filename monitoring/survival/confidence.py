"""Pointwise confidence intervals for a survival curve, as R's ``survfit_confint``.

The input is the Greenwood standard error of the cumulative hazard (R's ``fit$std.err``,
``logse = TRUE``). Undefined limits are NaN, exactly where R gives NA or NaN: ``log`` at
S = 0, ``log-log`` at S = 0 or S = 1, every transform after a Greenwood term is infinite.
"""

from __future__ import annotations

import enum

import numpy as np

from monitoring.distributions import norm_ppf
from monitoring.survival.inputs import FloatArray


class ConfType(enum.StrEnum):
    """Transform on which the normal interval is built (R's ``conf.type``)."""

    LOG_LOG = "log-log"
    PLAIN = "plain"
    LOG = "log"


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile, R's ``qnorm(1 - (1 - conf.int) / 2)``."""
    return float(norm_ppf(1.0 - (1.0 - conf_level) / 2.0))


def confidence_band(
    surv: FloatArray, se_log: FloatArray, conf_type: ConfType, conf_level: float
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits at each row (R survival 3.5, ``survfit_confint``)."""
    z = z_value(conf_level)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if conf_type is ConfType.PLAIN:
            half = se_log * surv * z
            return np.maximum(surv - half, 0.0), np.minimum(surv + half, 1.0)
        if conf_type is ConfType.LOG:
            x = np.where(surv == 0, np.nan, surv)
            return np.exp(np.log(x) - z * se_log), np.minimum(np.exp(np.log(x) + z * se_log), 1.0)
        x = np.where((surv == 0) | (surv == 1), np.nan, surv)
        loglog = np.log(-np.log(x))
        shift = z * se_log / np.log(x)
        return np.exp(-np.exp(loglog - shift)), np.exp(-np.exp(loglog + shift))
