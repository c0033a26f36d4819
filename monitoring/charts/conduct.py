"""Trial-conduct charts: the CONSORT-style disposition diagram and accrual against plan.

Each is a :class:`monitoring.charts.static.StaticChart`: the dashboard draws its plotly
figure, the report its matplotlib image, both from one layout computed here
(:func:`flow_layout`: boxes and arrows in CSS px, y downwards), so the two agree. Neither
plotly nor matplotlib is imported before a chart is drawn.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitoring.analyses.conduct import Accrual, Disposition
from monitoring.charts.palette import BLACK, BLUE, FONT_SIZE, GREY, TICK_SIZE, rgba
from monitoring.charts.static import MARGIN, StaticChart, _axes_style, _frame, _legend, _pt, _title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FLOW_WIDTH = 864  # the report's chart width (9 in at 96 px); the dashboard stretches it
LINE_PX = 19  # one line of box text
BOX_PAD = 6
GAP = 28  # vertical gap between rows of boxes
TOP = 12
TITLE_SPACE = 50  # px above a chart's plot area for its own title


@dataclass(frozen=True)
class FlowBox:
    """A box: left, top, width, height in px; its lines (the first in bold)."""

    x: float
    y: float
    width: float
    height: float
    lines: tuple[str, ...]

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass(frozen=True)
class FlowArrow:
    """A polyline ending in an arrowhead at its last point."""

    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class FlowLayout:
    width: float
    height: float
    boxes: tuple[FlowBox, ...]
    arrows: tuple[FlowArrow, ...]


def _box(centre: float, top: float, width: float, lines: tuple[str, ...]) -> FlowBox:
    return FlowBox(centre - width / 2, top, width, len(lines) * LINE_PX + 2 * BOX_PAD, lines)


def _down(upper: FlowBox, lower: FlowBox) -> FlowArrow:
    return FlowArrow(((upper.centre, upper.bottom), (upper.centre, lower.y)))


def flow_layout(d: Disposition) -> FlowLayout:
    """Enrolled -> treated (not treated beside) -> on / off treatment (completed,
    discontinued by reason) -> status of the treated patients at the cut-off."""
    w = FLOW_WIDTH
    mid = w / 2
    enrolled = _box(mid, TOP, 240, (f"Enrolled (n = {d.enrolled})",))
    aside_top = enrolled.bottom + GAP / 2
    not_treated = FlowBox(
        mid + 150,
        aside_top,
        250,
        LINE_PX + 2 * BOX_PAD,
        (f"Not treated (n = {d.not_treated})",),
    )
    treated = _box(mid, not_treated.bottom + GAP / 2, 240, (f"Treated (n = {d.treated})",))
    row3 = treated.bottom + GAP
    on = _box(w * 0.25, row3, 300, (f"On treatment at the cut-off (n = {d.on_treatment})",))
    off_lines = (
        f"Off treatment (n = {d.off_treatment})",
        f"Completed treatment: {d.completed}",
        f"Discontinued: {d.off_treatment - d.completed}",
        *(f"    {reason}: {n}" for reason, n in d.discontinued),
    )
    off = _box(w * 0.72, row3, 330, off_lines)
    bus = max(on.bottom, off.bottom) + GAP / 2
    shown = [(s, n) for s, n in d.status if n or s in ("In follow-up", "Died")]
    row4 = bus + GAP / 2
    slot = w / len(shown)
    status = [
        _box(slot * (i + 0.5), row4, min(slot - 14, 230), (s, f"n = {n}"))
        for i, (s, n) in enumerate(shown)
    ]
    trunk_y = aside_top + not_treated.height / 2
    split = treated.bottom + GAP / 2
    arrows = [
        FlowArrow(((mid, enrolled.bottom), (mid, treated.y))),
        FlowArrow(((mid, trunk_y), (not_treated.x, trunk_y))),
        FlowArrow(((mid, treated.bottom), (mid, split), (on.centre, split), (on.centre, on.y))),
        FlowArrow(((mid, split), (off.centre, split), (off.centre, off.y))),
        FlowArrow(((on.centre, on.bottom), (on.centre, bus))),
        FlowArrow(((off.centre, off.bottom), (off.centre, bus))),
    ]
    left = min(b.centre for b in (on, off, *status))
    right = max(b.centre for b in (on, off, *status))
    arrows.append(FlowArrow(((left, bus), (right, bus))))
    arrows += [FlowArrow(((b.centre, bus), (b.centre, b.y))) for b in status]
    height = max(b.bottom for b in status) + TOP
    return FlowLayout(w, height, (enrolled, not_treated, treated, on, off, *status), tuple(arrows))


def _headless(arrow: FlowArrow) -> bool:
    """The bus line joining the boxes above the status row has no head."""
    (x0, y0), (x1, y1) = arrow.points[0], arrow.points[-1]
    return len(arrow.points) == 2 and y0 == y1 and x1 > x0 and x0 != FLOW_WIDTH / 2


@dataclass(frozen=True, eq=False)
class FlowChart(StaticChart):
    """The disposition diagram (CONSORT style) of a :class:`Disposition`."""

    disposition: Disposition
    title: str = "Patient disposition at the cut-off"
    titled: bool = True
    """False: the image has no title of its own (a report prints the figure's title above
    it), and is that much shorter."""

    @property
    def layout(self) -> FlowLayout:
        return flow_layout(self.disposition)

    @property
    def _top(self) -> int:
        return TITLE_SPACE if self.titled else 0

    @property
    def height_px(self) -> int:
        return int(self.layout.height) + self._top

    def plotly(self) -> Any:
        import plotly.graph_objects as go

        layout = self.layout
        fig = go.Figure()
        for box in layout.boxes:
            fig.add_shape(
                type="rect",
                x0=box.x,
                y0=box.y,
                x1=box.x + box.width,
                y1=box.bottom,
                line={"color": BLUE, "width": 1.5},
                fillcolor=rgba(BLUE, 0.06),
            )
            text = "<br>".join([f"<b>{box.lines[0]}</b>", *box.lines[1:]])
            fig.add_annotation(
                x=box.centre,
                y=box.y + box.height / 2,
                text=text.replace("    ", "&nbsp;&nbsp;&nbsp;"),
                showarrow=False,
                font={"size": TICK_SIZE, "color": BLACK},
                align="left" if len(box.lines) > 2 else "center",
            )
        for arrow in layout.arrows:
            points = arrow.points
            for (x0, y0), (x1, y1) in itertools.pairwise(points):
                fig.add_shape(
                    type="line", x0=x0, y0=y0, x1=x1, y1=y1, line={"color": GREY, "width": 1.5}
                )
            if not _headless(arrow):
                (ax, ay), (x, y) = points[-2], points[-1]
                fig.add_annotation(
                    x=x,
                    y=y,
                    ax=ax,
                    ay=ay,
                    xref="x",
                    yref="y",
                    axref="x",
                    ayref="y",
                    text="",
                    showarrow=True,
                    arrowhead=2,
                    arrowsize=1.2,
                    arrowwidth=1.5,
                    arrowcolor=GREY,
                )
        fig.update_xaxes(visible=False, range=[0, layout.width])
        fig.update_yaxes(visible=False, range=[layout.height, 0])
        fig.update_layout(
            title={"text": self.title, "font": {"size": FONT_SIZE + 2}, "x": 0.0, "pad": {"l": 12}},
            height=int(layout.height) + TITLE_SPACE,  # the dashboard's, titled
            margin={"l": 10, "r": 10, "t": 50, "b": 0},
            plot_bgcolor="white",
            paper_bgcolor="white",
            font={"family": "Arial, Helvetica, sans-serif", "size": TICK_SIZE, "color": BLACK},
            showlegend=False,
        )
        return fig

    def draw(self, figure: Figure) -> None:
        from matplotlib.patches import Rectangle

        layout = self.layout
        height_px = figure.get_figheight() * 96
        axes = figure.add_axes((0.01, 0.0, 0.98, 1 - self._top / height_px))
        axes.set_xlim(0, layout.width)
        axes.set_ylim(layout.height, 0)
        axes.axis("off")
        if self.titled:
            _title(figure, self.title)
        for box in layout.boxes:
            axes.add_patch(
                Rectangle(
                    (box.x, box.y),
                    box.width,
                    box.height,
                    facecolor=rgba_tuple(BLUE, 0.06),
                    edgecolor=BLUE,
                    linewidth=_pt(1.5),
                )
            )
            many = len(box.lines) > 2
            x = box.x + BOX_PAD if many else box.centre
            for i, line in enumerate(box.lines):
                axes.text(
                    x,
                    box.y + BOX_PAD + (i + 0.5) * LINE_PX,
                    line,
                    ha="left" if many else "center",
                    va="center",
                    fontsize=_pt(TICK_SIZE),
                    fontweight="bold" if i == 0 else "normal",
                )
        for arrow in layout.arrows:
            xs = [p[0] for p in arrow.points]
            ys = [p[1] for p in arrow.points]
            if _headless(arrow):
                axes.plot(xs, ys, color=BLACK, alpha=0.55, linewidth=_pt(1.5))
                continue
            axes.plot(xs[:-1], ys[:-1], color=BLACK, alpha=0.55, linewidth=_pt(1.5))
            axes.annotate(
                "",
                xy=arrow.points[-1],
                xytext=arrow.points[-2],
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": (0, 0, 0, 0.55),
                    "linewidth": _pt(1.5),
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )


def rgba_tuple(hex_colour: str, alpha: float) -> tuple[float, float, float, float]:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return (r, g, b, alpha)


ACCRUAL_HEIGHT = 380  # 200 px of plot area under the title, legend and axis titles
UNTITLED_SAVING = 30  # px: of the 70 the title takes, 40 go to the plot area
BAR_ALPHA = 0.3  # the monthly bars behind the cumulative line


@dataclass(frozen=True, eq=False)
class AccrualChart(StaticChart):
    """Patients enrolled per month (bars) and cumulative, against the planned cumulative."""

    accrual: Accrual
    title: str = "Accrual by month against the plan"
    titled: bool = True
    """False: no title in the image (a report prints the figure's title above it): the
    legend moves up and the image is shorter, with a taller plot area."""

    @property
    def height_px(self) -> int:
        return ACCRUAL_HEIGHT if self.titled else ACCRUAL_HEIGHT - UNTITLED_SAVING

    @property
    def planned(self) -> list[float] | None:
        values = [m.planned_cumulative for m in self.accrual.months]
        if not values or any(v is None for v in values):
            return None
        return [float(v) for v in values if v is not None]

    def _planned_name(self) -> str:
        return f"Planned ({self.accrual.planned_per_month:g} per month)"

    def plotly(self) -> Any:
        import plotly.graph_objects as go

        from monitoring.charts.theme import styled

        months = [m.month for m in self.accrual.months]
        fig = go.Figure()
        fig.add_bar(
            x=months,
            y=[m.total for m in self.accrual.months],
            name="Enrolled in the month",
            marker_color=rgba(BLUE, BAR_ALPHA),
        )
        fig.add_scatter(
            x=months,
            y=[m.cumulative for m in self.accrual.months],
            name="Enrolled (cumulative)",
            mode="lines+markers",
            line={"color": BLUE, "width": 3},
        )
        planned = self.planned
        if planned is not None:
            fig.add_scatter(
                x=months,
                y=planned,
                name=self._planned_name(),
                mode="lines",
                line={"color": GREY, "dash": "dash", "width": 2},
            )
        fig.update_xaxes(type="category")
        fig.update_yaxes(rangemode="tozero")
        return styled(
            fig,
            title=self.title,
            x_title="Month of enrolment",
            y_title="Patients",
            height=ACCRUAL_HEIGHT,
        )

    def draw(self, figure: Figure) -> None:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        months = [m.month for m in self.accrual.months]
        axes = figure.add_axes(_frame(figure, 110 if self.titled else 40, MARGIN["b"]))
        _axes_style(axes)
        xs = list(range(len(months)))
        axes.bar(
            xs, [m.total for m in self.accrual.months], color=rgba_tuple(BLUE, BAR_ALPHA), width=0.8
        )
        axes.plot(
            xs,
            [m.cumulative for m in self.accrual.months],
            color=BLUE,
            linewidth=_pt(3),
            marker="o",
            markersize=_pt(6),
        )
        handles: list[Any] = [
            Patch(color=rgba_tuple(BLUE, BAR_ALPHA), label="Enrolled in the month"),
            Line2D([], [], color=BLUE, linewidth=_pt(3), marker="o", label="Enrolled (cumulative)"),
        ]
        planned = self.planned
        if planned is not None:
            axes.plot(xs, planned, color=(0, 0, 0, 0.55), linestyle="--", linewidth=_pt(2))
            handles.append(
                Line2D([], [], color=(0, 0, 0, 0.55), linestyle="--", label=self._planned_name())
            )
        step = max(1, -(-len(xs) // 7))
        axes.set_xticks(xs[::step], months[::step], rotation=0)
        axes.set_xlim(-0.6, len(xs) - 0.4)
        axes.set_ylim(bottom=0)
        axes.set_xlabel("Month of enrolment")
        axes.set_ylabel("Patients")
        if self.titled:
            _title(figure, self.title)
        _legend(figure, axes, handles, len(handles))
