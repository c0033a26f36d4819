"""What the Kaplan–Meier and toxicity-boundary charts draw, as numbers (no plotting library).

The dashboard's plotly figures (:mod:`monitoring.charts.km`, :mod:`monitoring.charts.toxicity`)
and the report's static images (:mod:`monitoring.charts.static`) both draw these, so the two
show the same vertices, bands, censoring marks, numbers at risk, boundaries and axis ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from monitoring.charts.palette import HEIGHT, PALETTE
from monitoring.series import SurvivalCurve, SurvivalView, ToxicityLookPoint, ToxicityPath

MARKS_ACROSS = 800  # censoring marks closer than 1/800 of the time axis overlap: one is drawn
MARK_HALF_HEIGHT = 0.022  # a censoring tick spans 4.4% of the survival axis (10-14 px)


def band(bound: Any, survival: Any) -> list[float | None]:
    """A confidence bound drawn as a step band from time 0: 1 while no event has occurred
    (the log-log and log bounds are undefined where the estimate is 1), and where a bound is
    undefined later on (estimate 0) the band keeps its last value instead of breaking."""
    values = np.asarray(bound, float).copy()
    values[np.asarray(survival, float) >= 1.0] = 1.0
    out: list[float | None] = [1.0]
    for v in values:
        out.append(float(v) if math.isfinite(v) else out[-1])
    return out


def drawn_rows(fit: Any) -> Any:
    """Rows where the step changes (event times) and the last row (end of follow-up): the
    curve and its bounds are constant between events, so the other rows add no vertex."""
    rows = np.asarray(fit.is_event_time).copy()
    if rows.size:
        rows[-1] = True
    return rows


def censor_marks(fit: Any, per_month: float, resolution: float) -> tuple[list[float], list[float]]:
    """Censoring marks, one per (time, survival) place at the chart's resolution: marks
    closer than ``resolution`` months at the same height are drawn once (they would overlap)."""
    censored = fit.n_censor > 0
    months = fit.time[censored] / per_month
    survival = fit.survival[censored]
    keys = np.column_stack([np.round(months / resolution), np.round(survival, 3)])
    _, first = np.unique(keys, axis=0, return_index=True)
    first.sort()
    return months[first].tolist(), survival[first].tolist()


@dataclass(frozen=True, eq=False)
class CurveLines:
    """One Kaplan–Meier curve as drawn: step vertices (months) of the estimate and of both
    bounds (from time 0), censoring marks, and its numbers at risk."""

    curve: SurvivalCurve
    colour: str
    months: list[Any]
    lower: list[float | None]
    upper: list[float | None]
    survival: list[float]
    mark_months: list[float]
    mark_survival: list[float]

    @property
    def line_name(self) -> str:
        fit = self.curve.fit
        return f"{self.curve.label} (n = {fit.n}, {fit.events} events)"

    @property
    def band_name(self) -> str:
        return f"{self.curve.label}: {self.curve.fit.conf_level:.0%} CI"

    @property
    def at_risk(self) -> list[str]:
        return [str(int(v)) for v in self.curve.risk.at_risk]


@dataclass(frozen=True, eq=False)
class KmLines:
    """A Kaplan–Meier chart of one endpoint: its curves, the at-risk columns (months), the
    time axis (range and tick step, months) and the height (CSS px)."""

    title: str
    curves: tuple[CurveLines, ...]
    risk_months: list[float]
    x_range: tuple[float, float]
    x_step: float
    height: int
    top_margin: int
    row_heights: tuple[float, float]


def km_height(curves: int) -> int:
    """Height (CSS px) of a Kaplan–Meier chart with ``curves`` curves."""
    return 560 + 28 * max(0, curves - 1)


def km_lines(view: SurvivalView) -> KmLines:
    """What the Kaplan–Meier chart of ``view`` draws."""
    per_month = view.days_per_month
    last = max(view.risk_times[-1], max(float(c.fit.time.max(initial=0)) for c in view.curves))
    resolution = last / per_month / MARKS_ACROSS
    curves = []
    for i, curve in enumerate(view.curves):
        fit = curve.fit
        rows = drawn_rows(fit)
        mark_x, mark_y = censor_marks(fit, per_month, resolution)
        curves.append(
            CurveLines(
                curve=curve,
                colour=PALETTE[i % len(PALETTE)],
                months=[0.0, *(fit.time[rows] / per_month)],
                lower=band(fit.lower[rows], fit.survival[rows]),
                upper=band(fit.upper[rows], fit.survival[rows]),
                survival=[1.0, *fit.survival[rows].tolist()],
                mark_months=mark_x,
                mark_survival=mark_y,
            )
        )
    n = len(view.curves)
    return KmLines(
        title=f"{view.endpoint}: Kaplan–Meier estimate",
        curves=tuple(curves),
        risk_months=[t / per_month for t in view.risk_times],
        x_range=(-0.02 * last / per_month, last / per_month * 1.03),
        x_step=view.risk_step_months,
        height=km_height(n),
        top_margin=100 + 24 * n,
        row_heights=(0.78, 0.22) if n < 3 else (0.68, 0.32),
    )


@dataclass(frozen=True, eq=False)
class BoundaryLines:
    """The toxicity-boundary chart: looks with a stopping boundary, the top of the event
    axis (and of the stop regions), the looks reached, the axis range and tick step."""

    path: ToxicityPath
    stop_looks: list[ToxicityLookPoint]
    reached: list[ToxicityLookPoint]
    top: int
    x_range: tuple[float, float]
    x_step: int
    height: int = HEIGHT


def boundary_lines(path: ToxicityPath) -> BoundaryLines:
    """What the toxicity-boundary chart of ``path`` draws."""
    looks = [look for look in path.looks if look.stop_at is not None]
    top = max([look.stop_at or 0 for look in looks] + [max(path.cumulative, default=0)]) + 2
    return BoundaryLines(
        path=path,
        stop_looks=looks,
        reached=[look for look in path.looks if look.reached],
        top=top,
        x_range=(0, path.nmax + 0.5),
        x_step=path.boundaries.plan.cohort_size,
    )
