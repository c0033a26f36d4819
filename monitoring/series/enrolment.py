"""Cumulative enrolment and first doses over time, against the protocol's planned accrual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from monitoring.derive import Derivation
from monitoring.protocol import Protocol


@dataclass(frozen=True)
class EnrolmentSeries:
    """Step series of patients enrolled and treated by date, and the planned straight line.

    ``planned`` is None when the protocol sets no planned accrual rate; it starts at the
    first enrolment and rises by ``planned_per_month`` per month up to ``target`` patients.
    """

    enrolled_dates: tuple[date, ...]
    enrolled: tuple[int, ...]
    treated_dates: tuple[date, ...]
    treated: tuple[int, ...]
    planned_dates: tuple[date, ...] | None
    planned: tuple[float, ...] | None
    planned_per_month: float | None
    target: int | None
    cutoff: date


def _cumulative(dates: pd.Series) -> tuple[tuple[date, ...], tuple[int, ...]]:
    counts = dates.dropna().dt.date.value_counts().sort_index()
    return tuple(counts.index), tuple(int(c) for c in counts.cumsum())


def _plan(
    start: date, per_month: float, target: int, end: date, days_per_month: float
) -> tuple[tuple[date, ...], tuple[float, ...]]:
    """Straight line from (start, 0) to the day the target is reached, flat to ``end``."""
    full = start + timedelta(days=round(target / per_month * days_per_month))
    dates, values = [start, full], [0.0, float(target)]
    if end > full:
        dates.append(end)
        values.append(float(target))
    return tuple(dates), tuple(values)


def enrolment_series(derived: Derivation, protocol: Protocol) -> EnrolmentSeries:
    """Enrolment and treatment counts by date; the plan runs to max(cut-off, planned end)."""
    patients = derived.patients
    enrolled_dates, enrolled = _cumulative(patients["enrollment_date"])
    treated_dates, treated = _cumulative(patients["first_dose_date"])
    per_month = protocol.accrual.planned_per_month
    target = protocol.max_patients
    planned_dates = planned = None
    if per_month and target and enrolled_dates:
        planned_dates, planned = _plan(
            enrolled_dates[0], per_month, target, derived.cutoff, protocol.survival.days_per_month
        )
    return EnrolmentSeries(
        enrolled_dates=enrolled_dates,
        enrolled=enrolled,
        treated_dates=treated_dates,
        treated=treated,
        planned_dates=planned_dates,
        planned=planned,
        planned_per_month=per_month,
        target=target,
        cutoff=derived.cutoff,
    )
