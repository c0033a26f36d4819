"""Everything SPEC 3.3 shows for one time-to-event endpoint, with the protocol's settings.

The CI transform, landmark times and RMST horizon come from the protocol's ``[survival]``
table (months converted with its ``days_per_month``); times are in days.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.protocol import SurvivalSettings
from monitoring.survival import inputs
from monitoring.survival.contract import KmJson, km_json
from monitoring.survival.followup import median_follow_up
from monitoring.survival.inputs import ArrayLike
from monitoring.survival.kaplan_meier import KaplanMeierResult, kaplan_meier
from monitoring.survival.landmarks import LandmarkSummary, survival_at
from monitoring.survival.quantiles import SurvivalQuantile
from monitoring.survival.rmst import RestrictedMean, restricted_mean


@dataclass(frozen=True, eq=False)
class EndpointSurvival:
    """Curve, median, landmarks (in protocol months), RMST and median follow-up.

    ``landmarks`` has one row per ``landmark_months`` value, at month x days_per_month days;
    a landmark after the last observation is not estimable (NaN survival, 0 at risk) rather
    than carried forward. ``rmst`` is None when the protocol sets no horizon.
    """

    endpoint: str
    fit: KaplanMeierResult
    landmark_months: tuple[float, ...]
    landmarks: LandmarkSummary
    rmst: RestrictedMean | None
    follow_up: SurvivalQuantile

    def km_json(self) -> KmJson:
        """The SPEC 6.1 ``km --json`` contract for this endpoint."""
        return km_json(self.fit, self.endpoint)


def summarize_endpoint(
    endpoint: str,
    time: ArrayLike,
    event: ArrayLike,
    settings: SurvivalSettings,
    conf_level: float = 0.95,
) -> EndpointSurvival:
    """Kaplan–Meier summary of one endpoint as the protocol's ``[survival]`` settings ask."""
    t, e = inputs.time_event(time, event)
    fit = kaplan_meier(t, e, settings.conf_type, conf_level)
    days = [m * settings.days_per_month for m in settings.landmarks_months]
    horizon = settings.rmst_horizon_months
    return EndpointSurvival(
        endpoint=endpoint,
        fit=fit,
        landmark_months=settings.landmarks_months,
        landmarks=survival_at(fit, days, extend=False),
        rmst=None if horizon is None else restricted_mean(fit, horizon * settings.days_per_month),
        follow_up=median_follow_up(t, e, settings.conf_type, conf_level),
    )
