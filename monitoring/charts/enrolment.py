"""Enrolment over time against the protocol's planned accrual."""

from __future__ import annotations

import plotly.graph_objects as go

from monitoring.charts.theme import BLUE, GREEN, GREY, styled
from monitoring.series import EnrolmentSeries


def enrolment_figure(series: EnrolmentSeries) -> go.Figure:
    """Patients enrolled and treated (steps) and the planned straight line."""
    fig = go.Figure()
    if series.planned_dates is not None and series.planned is not None:
        fig.add_scatter(
            x=list(series.planned_dates),
            y=list(series.planned),
            mode="lines",
            line={"color": GREY, "dash": "dash", "width": 2},
            name=f"Planned ({series.planned_per_month:g} per month, {series.target} in all)",
        )
    fig.add_scatter(
        x=list(series.enrolled_dates),
        y=list(series.enrolled),
        mode="lines",
        line={"color": BLUE, "width": 3, "shape": "hv"},
        name="Enrolled",
    )
    fig.add_scatter(
        x=list(series.treated_dates),
        y=list(series.treated),
        mode="lines",
        line={"color": GREEN, "width": 2, "shape": "hv"},
        name="Treated (first dose)",
    )
    fig.add_vline(x=series.cutoff.isoformat(), line={"color": GREY, "width": 1, "dash": "dot"})
    fig.update_yaxes(rangemode="tozero")
    return styled(
        fig,
        title="Enrolment over time against the plan",
        x_title="Date",
        y_title="Patients (cumulative)",
        height=380,
    )
