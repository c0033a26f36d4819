"""One endpoint's Kaplan–Meier view: overall summary, optional split by a column, risk table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from monitoring.derive import Derivation
from monitoring.protocol import Protocol
from monitoring.survival import (
    EndpointSurvival,
    KaplanMeierResult,
    LogRankResult,
    RiskTable,
    kaplan_meier_by,
    log_rank,
    risk_table,
    summarize_endpoint,
)


@dataclass(frozen=True, eq=False)
class SurvivalCurve:
    """One curve to draw, with its numbers at risk at the view's ``risk_times``."""

    label: str
    fit: KaplanMeierResult
    risk: RiskTable


@dataclass(frozen=True, eq=False)
class SurvivalView:
    """What the Survival page and report show for one endpoint.

    ``curves`` holds the overall curve, or one per group when ``by`` is set (patients with
    no value in ``by`` are left out of the split and counted in ``missing_group``).
    ``risk_times`` (days) are whole multiples of ``risk_step_months``.
    """

    endpoint: str
    summary: EndpointSurvival
    curves: tuple[SurvivalCurve, ...]
    by: str | None
    missing_group: int
    log_rank: LogRankResult | None
    risk_times: tuple[float, ...]
    risk_step_months: float
    days_per_month: float


def _risk_step(max_days: float, days_per_month: float) -> float:
    """A step in months giving at most about eight columns: 1, 3, 6, 12 or 24 months."""
    months = max_days / days_per_month
    return next((s for s in (1.0, 3.0, 6.0, 12.0) if months / s <= 8), 24.0)


def _risk_times(max_days: float, days_per_month: float) -> tuple[tuple[float, ...], float]:
    step = _risk_step(max_days, days_per_month)
    count = math.floor(max_days / (step * days_per_month)) + 1
    return tuple(i * step * days_per_month for i in range(count)), step


def survival_view(
    derived: Derivation, protocol: Protocol, endpoint: str, by: str | None = None
) -> SurvivalView:
    """Kaplan–Meier of ``endpoint`` by the protocol's settings, split by ``by`` if given."""
    settings = protocol.survival
    records = derived.time_to_event(endpoint, by)
    summary = summarize_endpoint(endpoint, records.time, records.event, settings)
    longest = float(records.time.max()) if records.n else 0.0
    times, step = _risk_times(longest, settings.days_per_month)
    curves: tuple[SurvivalCurve, ...]
    test = None
    missing = 0
    if by is None or records.groups is None:
        curves = (SurvivalCurve("All patients", summary.fit, risk_table(summary.fit, times)),)
    else:
        known = np.array([g is not None for g in records.groups], dtype=bool)
        missing = int((~known).sum())
        t, e, g = records.time[known], records.event[known], records.groups[known]
        labels = np.array([str(v) for v in g], dtype=object)
        grouped = kaplan_meier_by(t, e, labels, settings.conf_type)
        curves = tuple(
            SurvivalCurve(f"{by} = {label}", fit, risk_table(fit, times))
            for label, fit in zip(grouped.groups, grouped.fits, strict=True)
        )
        test = log_rank(t, e, labels) if len(grouped.groups) > 1 else None
    return SurvivalView(
        endpoint=endpoint,
        summary=summary,
        curves=curves,
        by=by,
        missing_group=missing,
        log_rank=test,
        risk_times=times,
        risk_step_months=step,
        days_per_month=settings.days_per_month,
    )
