"""Small builders shared by the report sections: decision paragraphs and label/value tables.

They only arrange results the library has computed; no statistic is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from monitoring.charts.static import StaticChart
from monitoring.reports.document import (
    CellValue,
    Column,
    ColumnKind,
    Figure,
    Paragraph,
    ParagraphStyle,
    Status,
    Table,
)
from monitoring.reports.figures import CSS_PX_PER_INCH
from monitoring.vocabulary import Severity, State, words

REPORT_STATUS = {
    Severity.OK: Status.OK,
    Severity.INFO: Status.INFO,
    Severity.ATTENTION: Status.WARNING,
    Severity.STOP: Status.STOP,
}


def verdict(state: State) -> str:
    """The decision words printed beside a decision ("Continue to stage 2"): the vocabulary's."""
    return words(state).headline


def decision_paragraph(state: State, sentence: str) -> Paragraph:
    """The rule's sentence behind its verdict, coloured by the state's severity."""
    status = REPORT_STATUS[words(state).severity]
    return Paragraph(sentence, ParagraphStyle.DECISION, status, verdict(state))


def text(value: str) -> Paragraph:
    return Paragraph(value)


def note(value: str) -> Paragraph:
    return Paragraph(value, ParagraphStyle.EMPHASIS)


def quantity_table(
    title: str,
    rows: Sequence[tuple[str, CellValue]],
    kind: ColumnKind,
    *,
    value_name: str = "Value",
    decimals: int | None = None,
    note: str = "",
    sheet_name: str = "",
) -> Table:
    """A two-column table: what is counted or estimated, and its value."""
    columns = (Column("Quantity"), Column(value_name, kind, decimals))
    return Table(title, columns, tuple(rows), note=note, sheet_name=sheet_name)


def optional_int(value: int | None) -> int | None:
    return None if value is None else int(value)


def optional_float(value: float | None) -> float | None:
    """A finite float or None (a NaN from the library becomes an empty cell)."""
    if value is None:
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


# Charts are rendered at about the dashboard's width (864 CSS px) and at the height their
# layout sets, so legends and titles sit as on the dashboard; the writers then scale the
# image to the 6.5-inch text width: rendered at CHART_DPI, 1440 pixels wide, 221 dpi on
# paper (the floor is 200 dpi).
CHART_WIDTH_IN = 9.0
CHART_DPI = 160


def chart(title: str, figure: Any, caption: str) -> Figure:
    """A dashboard chart (a :class:`monitoring.charts.static.StaticChart` or a plotly
    figure) as a report figure, at the chart's own aspect ratio."""
    height_px = figure.height_px if isinstance(figure, StaticChart) else figure.layout.height
    height_in = None if height_px is None else height_px / CSS_PX_PER_INCH
    return Figure(title, figure, caption=caption, width_in=CHART_WIDTH_IN, height_in=height_in)
