"""Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith 1996).

Censoring is treated as the event and events as censoring, exactly as R's
``survfit(Surv(time, 1 - status) ~ 1)``: a death at the same time as a censoring does not
change the order (R does not move tied censorings after events for the reverse curve).
"""

from __future__ import annotations

from monitoring.survival import inputs
from monitoring.survival.confidence import ConfType
from monitoring.survival.inputs import ArrayLike
from monitoring.survival.kaplan_meier import kaplan_meier
from monitoring.survival.quantiles import SurvivalQuantile


def median_follow_up(
    time: ArrayLike,
    event: ArrayLike,
    conf_type: ConfType | str = ConfType.LOG_LOG,
    conf_level: float = 0.95,
) -> SurvivalQuantile:
    """Median potential follow-up with its CI (R's ``summary(reverse_fit)$table``)."""
    t, e = inputs.time_event(time, event)
    return kaplan_meier(t, ~e, conf_type, conf_level).median
