"""What the cumulative-incidence chart draws, as numbers (no plotting library): the step
vertices of each group's relapse and death-in-remission curves in months, their colours
and names, and the axis ranges. The dashboard's plotly figure
(:mod:`monitoring.charts.incidence`) and the report's image
(:mod:`monitoring.charts.incidence_static`) draw the same lines."""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitoring.charts.palette import PALETTE
from monitoring.series.incidence import IncidenceView
from monitoring.survival.competing_risks import IncidenceCurve

X_STEPS = (1.0, 3.0, 6.0, 12.0, 24.0)  # months between x ticks: at most about eight ticks


@dataclass(frozen=True)
class IncidenceLine:
    """One step curve: vertices (months, incidence) from 0 to the last follow-up."""

    name: str
    colour: str
    dashed: bool
    months: tuple[float, ...]
    incidence: tuple[float, ...]


@dataclass(frozen=True)
class IncidenceLines:
    """Every line of the chart, with its title and axis ranges."""

    title: str
    lines: tuple[IncidenceLine, ...]
    x_range: tuple[float, float]
    x_step: float
    y_top: float


def _steps(curve: IncidenceCurve, per_month: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    months = [float(t) / per_month for t in curve.times]
    values = [float(v) for v in curve.cif]
    end = curve.last_follow_up / per_month
    if end > months[-1]:
        months.append(end)
        values.append(values[-1])
    return tuple(months), tuple(values)


def incidence_lines(view: IncidenceView) -> IncidenceLines:
    """Relapse (solid) and death in remission (dashed) per group, one colour per group."""
    per_month = view.days_per_month
    lines = []
    for i, group in enumerate(view.groups):
        colour = PALETTE[i % len(PALETTE)]
        head = "" if view.by is None else f"{group.label}: "
        relapse = f"{head}relapse ({group.relapses} of {group.n})"
        death = f"{head}death in remission ({group.deaths} of {group.n})"
        lines.append(IncidenceLine(relapse[0].upper() + relapse[1:], colour, False,
                                   *_steps(group.relapse, per_month)))  # fmt: skip
        lines.append(IncidenceLine(death[0].upper() + death[1:], colour, True,
                                   *_steps(group.death, per_month)))  # fmt: skip
    longest = max(line.months[-1] for line in lines)
    step = next((s for s in X_STEPS if longest / s <= 8), X_STEPS[-1])
    top = max(max(line.incidence) for line in lines)
    by = f" by {view.by}" if view.by else ""
    return IncidenceLines(
        title=f"Cumulative incidence of relapse and of death in remission{by}",
        lines=tuple(lines),
        x_range=(0.0, max(longest, step) * 1.02),
        x_step=step,
        y_top=min(1.0, max(0.1, math.ceil((top + 0.05) * 10) / 10)),
    )
