"""Kaplan–Meier curves with CI bands, censoring marks and the aligned number-at-risk table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from monitoring.charts.labels import plain
from monitoring.charts.theme import BLACK, FONT_SIZE, PALETTE, TICK_SIZE, rgba, styled
from monitoring.series import SurvivalCurve, SurvivalView

MARKS_ACROSS = 800  # censoring marks closer than 1/800 of the time axis overlap: one is drawn
MARK_HALF_HEIGHT = 0.022  # a censoring tick spans 4.4% of the survival axis (10-14 px)


def _band(bound: Any, survival: Any) -> list[float | None]:
    """A confidence bound drawn as a step band from time 0: 1 while no event has occurred
    (the log-log and log bounds are undefined where the estimate is 1), and where a bound is
    undefined later on (estimate 0) the band keeps its last value instead of breaking."""
    values = np.asarray(bound, float).copy()
    values[np.asarray(survival, float) >= 1.0] = 1.0
    band: list[float | None] = [1.0]
    for v in values:
        band.append(float(v) if math.isfinite(v) else band[-1])
    return band


def _drawn_rows(fit: Any) -> Any:
    """Rows where the step changes (event times) and the last row (end of follow-up): the
    curve and its bounds are constant between events, so the other rows add no vertex."""
    rows = np.asarray(fit.is_event_time).copy()
    if rows.size:
        rows[-1] = True
    return rows


def _censor_marks(fit: Any, per_month: float, resolution: float) -> tuple[list[float], list[float]]:
    """Censoring marks, one per (time, survival) place at the chart's resolution: marks
    closer than ``resolution`` months at the same height are drawn once (they would overlap)."""
    censored = fit.n_censor > 0
    months = fit.time[censored] / per_month
    survival = fit.survival[censored]
    keys = np.column_stack([np.round(months / resolution), np.round(survival, 3)])
    _, first = np.unique(keys, axis=0, return_index=True)
    first.sort()
    return months[first].tolist(), survival[first].tolist()


def _curve_traces(
    fig: go.Figure, curve: SurvivalCurve, colour: str, per_month: float, resolution: float
) -> None:
    fit = curve.fit
    rows = _drawn_rows(fit)
    months = [0.0, *(fit.time[rows] / per_month)]
    group = plain(curve.label)  # from data: a site's or a subgroup's name
    fig.add_scatter(
        x=months,
        y=_band(fit.lower[rows], fit.survival[rows]),
        mode="lines",
        line={"width": 0, "shape": "hv"},
        showlegend=False,
        legendgroup=group,
        hoverinfo="skip",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=months,
        y=_band(fit.upper[rows], fit.survival[rows]),
        mode="lines",
        line={"width": 0, "shape": "hv"},
        fill="tonexty",
        fillcolor=rgba(colour, 0.18),
        name=f"{group}: {fit.conf_level:.0%} CI",
        legendgroup=group,
        hoverinfo="skip",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=months,
        y=[1.0, *fit.survival[rows].tolist()],
        mode="lines",
        line={"color": colour, "width": 3, "shape": "hv"},
        name=f"{group} (n = {fit.n}, {fit.events} events)",
        legendgroup=group,
        hovertemplate="%{x:.1f} months: %{y:.3f}<extra>" + group + "</extra>",
        row=1,
        col=1,
    )
    mark_x, mark_y = _censor_marks(fit, per_month, resolution)
    fig.add_scatter(  # one path of short vertical ticks: a marker per point costs the
        # browser an SVG element each (0.5 s for a thousand marks)
        x=[x for t in mark_x for x in (t, t, None)],
        y=[y for s in mark_y for y in (s - MARK_HALF_HEIGHT, s + MARK_HALF_HEIGHT, None)],
        mode="lines",
        line={"color": colour, "width": 2},
        name=f"{group}: censored",
        legendgroup=group,
        showlegend=False,
        hovertemplate="censored at %{x:.1f} months<extra></extra>",
        row=1,
        col=1,
    )


def _risk_rows(fig: go.Figure, view: SurvivalView) -> None:
    months = [t / view.days_per_month for t in view.risk_times]
    for i, curve in enumerate(view.curves):
        fig.add_scatter(
            x=months,
            y=[plain(curve.label)] * len(months),
            mode="text",
            text=[str(int(v)) for v in curve.risk.at_risk],
            textfont={"size": TICK_SIZE, "color": PALETTE[i % len(PALETTE)]},
            showlegend=False,
            hoverinfo="skip",
            row=2,
            col=1,
        )


def km_figure(view: SurvivalView) -> go.Figure:
    """The endpoint's curve(s) over months from the origin, numbers at risk underneath."""
    rows = len(view.curves)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.16,  # room for the time labels and the table's title
        row_heights=[0.78, 0.22] if rows < 3 else [0.68, 0.32],
        subplot_titles=("", "Number at risk"),
    )
    per_month = view.days_per_month
    last = max(view.risk_times[-1], max(float(c.fit.time.max(initial=0)) for c in view.curves))
    resolution = last / per_month / MARKS_ACROSS
    for i, curve in enumerate(view.curves):
        _curve_traces(fig, curve, PALETTE[i % len(PALETTE)], per_month, resolution)
    _risk_rows(fig, view)
    step = view.risk_step_months
    fig.update_xaxes(range=[-0.02 * last / per_month, last / per_month * 1.03], dtick=step)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(
        range=[rows - 0.5, -0.5], showgrid=False, showline=False, row=2, col=1, type="category"
    )
    fig.update_xaxes(showticklabels=True, row=1, col=1)
    styled(
        fig,
        title=f"{view.endpoint}: Kaplan–Meier estimate",
        x_title="",
        y_title="",
        height=560 + 28 * max(0, rows - 1),
    )
    fig.update_layout(margin={"t": 100 + 24 * rows}, legend={"y": 1.02})
    fig.update_xaxes(title_text="Months from origin", row=2, col=1)
    fig.update_yaxes(title_text="Probability without event", row=1, col=1)
    for note in fig.layout.annotations:
        note.font = {"size": FONT_SIZE, "color": BLACK}
        note.x = 0.0
        note.xanchor = "left"
    return fig
