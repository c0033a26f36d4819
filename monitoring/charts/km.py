"""Kaplan–Meier curves with CI bands, censoring marks and the aligned number-at-risk table.

What is drawn (vertices, bands, marks, axis ranges) comes from
:func:`monitoring.charts.geometry.km_lines`, shared with the report's static image.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from monitoring.charts.geometry import MARK_HALF_HEIGHT, CurveLines, KmLines, km_lines
from monitoring.charts.labels import plain
from monitoring.charts.theme import BLACK, FONT_SIZE, TICK_SIZE, rgba, styled
from monitoring.series import SurvivalView


def _curve_traces(fig: go.Figure, lines: CurveLines) -> None:
    colour = lines.colour
    group = plain(lines.curve.label)  # from data: a site's or a subgroup's name
    fig.add_scatter(
        x=lines.months,
        y=lines.lower,
        mode="lines",
        line={"width": 0, "shape": "hv"},
        showlegend=False,
        legendgroup=group,
        hoverinfo="skip",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=lines.months,
        y=lines.upper,
        mode="lines",
        line={"width": 0, "shape": "hv"},
        fill="tonexty",
        fillcolor=rgba(colour, 0.18),
        name=plain(lines.band_name),
        legendgroup=group,
        hoverinfo="skip",
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=lines.months,
        y=lines.survival,
        mode="lines",
        line={"color": colour, "width": 3, "shape": "hv"},
        name=plain(lines.line_name),
        legendgroup=group,
        hovertemplate="%{x:.1f} months: %{y:.3f}<extra>" + group + "</extra>",
        row=1,
        col=1,
    )
    mark_x, mark_y = lines.mark_months, lines.mark_survival
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


def _risk_rows(fig: go.Figure, lines: KmLines) -> None:
    for curve in lines.curves:
        fig.add_scatter(
            x=lines.risk_months,
            y=[plain(curve.curve.label)] * len(lines.risk_months),
            mode="text",
            text=curve.at_risk,
            textfont={"size": TICK_SIZE, "color": curve.colour},
            showlegend=False,
            hoverinfo="skip",
            row=2,
            col=1,
        )


def km_figure(view: SurvivalView) -> go.Figure:
    """The endpoint's curve(s) over months from the origin, numbers at risk underneath."""
    lines = km_lines(view)
    rows = len(lines.curves)
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.16,  # room for the time labels and the table's title
        row_heights=list(lines.row_heights),
        subplot_titles=("", "Number at risk"),
    )
    for curve in lines.curves:
        _curve_traces(fig, curve)
    _risk_rows(fig, lines)
    fig.update_xaxes(range=list(lines.x_range), dtick=lines.x_step)
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%", row=1, col=1)
    fig.update_yaxes(
        range=[rows - 0.5, -0.5], showgrid=False, showline=False, row=2, col=1, type="category"
    )
    fig.update_xaxes(showticklabels=True, row=1, col=1)
    styled(fig, title=lines.title, x_title="", y_title="", height=lines.height)
    fig.update_layout(margin={"t": lines.top_margin}, legend={"y": 1.02})
    fig.update_xaxes(title_text="Months from origin", row=2, col=1)
    fig.update_yaxes(title_text="Probability without event", row=1, col=1)
    for note in fig.layout.annotations:
        note.font = {"size": FONT_SIZE, "color": BLACK}
        note.x = 0.0
        note.xanchor = "left"
    return fig
