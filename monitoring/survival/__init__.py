"""Kaplan–Meier estimation that equals R's survival package (SPEC 3.3, 4 and 6.1).

Every function is pure; results are frozen dataclasses of read-only numpy arrays. Methods
and R correspondences are in docs/methods.md, "Kaplan–Meier estimation".
"""

from monitoring.survival.confidence import ConfType
from monitoring.survival.contract import KmJson, km_json
from monitoring.survival.endpoint import EndpointSurvival, summarize_endpoint
from monitoring.survival.followup import median_follow_up
from monitoring.survival.grouped import GroupedKaplanMeier, kaplan_meier_by
from monitoring.survival.kaplan_meier import KaplanMeierResult, kaplan_meier
from monitoring.survival.landmarks import LandmarkSummary, RiskTable, risk_table, survival_at
from monitoring.survival.logrank import LogRankResult, log_rank
from monitoring.survival.quantiles import SurvivalQuantile, survival_quantiles
from monitoring.survival.rmst import RestrictedMean, restricted_mean

__all__ = [
    "ConfType",
    "EndpointSurvival",
    "GroupedKaplanMeier",
    "KaplanMeierResult",
    "KmJson",
    "LandmarkSummary",
    "LogRankResult",
    "RestrictedMean",
    "RiskTable",
    "SurvivalQuantile",
    "kaplan_meier",
    "kaplan_meier_by",
    "km_json",
    "log_rank",
    "median_follow_up",
    "restricted_mean",
    "risk_table",
    "summarize_endpoint",
    "survival_at",
    "survival_quantiles",
]
