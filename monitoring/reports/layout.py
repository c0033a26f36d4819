"""Column widths that fit a page, shared by the PDF and DOCX writers.

Widths are measured with the PDF font's metrics (Bitstream Vera, a little wider than the
usual Word fonts, so a DOCX column is never too narrow). Number and date columns never wrap;
text columns may wrap at word boundaries. A table wider than the page first takes width from
its widest columns only (a "water level" cap), then shrinks its font, down to a floor.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from monitoring.reports import theme
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Figure,
    PageBreak,
    Paragraph,
    ReportDocument,
    Table,
)
from monitoring.reports.formatting import format_cell
from monitoring.reports.pdf_fonts import BOLD, REGULAR, printable, text_width

POINTS_PER_INCH = 72.0
PAD = 4.0
MIN_FONT_PT = 5.5
MAX_STRETCH = 1.4  # a narrow table widens a little, not to the full frame
EMPTY_TEXT = "No records."


@dataclass(frozen=True)
class ColumnWidths:
    """Widths in points and the font size at which the table fits."""

    widths: tuple[float, ...]
    font_size: float


def cell_texts(table: Table) -> list[list[str]]:
    """Formatted text of every body cell (the shared formatting rule).

    Each distinct value of a column is formatted once: a listing of tens of thousands of
    rows repeats its terms, grades and dates, so this stays a few dictionary look-ups a row.
    """
    memos: list[dict[CellValue, str]] = [{} for _ in table.columns]
    texts = []
    for row in table.rows:
        line = []
        for value, column, memo in zip(row, table.columns, memos, strict=True):
            text = memo.get(value)
            if text is None:
                text = memo[value] = printable(format_cell(value, column))
            line.append(text)
        texts.append(line)
    return texts


@dataclass(frozen=True)
class _Extent:
    """A column's widths at a 1-point font (widths scale linearly with the font size)."""

    widest: float  # widest body text, one line
    widest_word: float  # widest word of the body
    header: float  # header on one line (bold)
    header_word: float  # widest word of the header (bold)


def _longest_word(text: str, font: str, size: float) -> float:
    return max((text_width(w, font, size) for w in text.split()), default=0.0)


def _extents(columns: Sequence[Column], texts: list[list[str]]) -> list[_Extent]:
    """Each column's extent, measuring each distinct text once."""
    extents = []
    for j, column in enumerate(columns):
        distinct = {row[j] for row in texts}
        header = printable(column.name)
        extents.append(
            _Extent(
                widest=max((text_width(t, REGULAR, 1.0) for t in distinct), default=0.0),
                widest_word=max((_longest_word(t, REGULAR, 1.0) for t in distinct), default=0.0),
                header=text_width(header, BOLD, 1.0),
                header_word=_longest_word(header, BOLD, 1.0),
            )
        )
    return extents


def _measure(
    columns: Sequence[Column], extents: list[_Extent], size: float
) -> tuple[list[float], list[float]]:
    """Natural (no wrap) and minimal (wrap text at words) width of each column."""
    natural, minimal = [], []
    for column, e in zip(columns, extents, strict=True):
        natural.append(size * max(e.widest, e.header) + 2 * PAD)
        body = e.widest_word if column.kind is ColumnKind.TEXT else e.widest
        minimal.append(size * max(body, e.header_word) + 2 * PAD)
    return natural, minimal


def fit_columns(columns: Sequence[Column], texts: list[list[str]], width: float) -> ColumnWidths:
    """Column widths filling ``width``, shrinking the font if even wrapped text does not fit."""
    size = theme.TABLE_PT
    extents = _extents(columns, texts)
    while True:
        natural, minimal = _measure(columns, extents, size)
        if sum(minimal) <= width or size <= MIN_FONT_PT:
            break
        size = max(MIN_FONT_PT, size * width / sum(minimal) - 0.05)
    total = sum(natural)
    if total <= width:
        widths = [w * min(width / total, MAX_STRETCH) for w in natural]
    else:
        cap = _water_level(natural, minimal, width)
        widths = [max(m, min(n, cap)) for n, m in zip(natural, minimal, strict=True)]
    if sum(widths) > width:  # too wide even at the floor font: every cell may wrap
        widths = [w * width / sum(widths) for w in widths]
    return ColumnWidths(tuple(widths), size)


def _water_level(natural: list[float], minimal: list[float], width: float) -> float:
    """Largest cap L with sum(max(min, min(natural, L))) <= width: only the widest columns
    give up width (and wrap), short columns keep their one-line width."""
    low, high = 0.0, max(natural)
    for _ in range(40):
        mid = (low + high) / 2
        used = sum(max(m, min(n, mid)) for n, m in zip(natural, minimal, strict=True))
        low, high = (mid, high) if used <= width else (low, mid)
    return low


def column_panels(table: Table, width: float) -> tuple[Table, ...]:
    """``table`` split into panels of consecutive columns when it cannot fit ``width`` even at
    the floor font; each panel repeats the first (identifying) column, so no number is ever
    broken across lines. A table that fits is returned alone."""
    _, minimal = _measure(table.columns, _extents(table.columns, cell_texts(table)), MIN_FONT_PT)
    if sum(minimal) <= width or len(table.columns) < 3:
        return (table,)
    groups: list[list[int]] = [[]]
    used = minimal[0]
    for j in range(1, len(table.columns)):
        if groups[-1] and used + minimal[j] > width:
            groups.append([])
            used = minimal[0]
        groups[-1].append(j)
        used += minimal[j]
    return tuple(_panel(table, group, k, len(groups)) for k, group in enumerate(groups, 1))


def _panel(table: Table, group: list[int], number: int, count: int) -> Table:
    keep = [0, *group]
    title = (
        f"{table.title} (part {number} of {count}: columns {group[0] + 1}–{group[-1] + 1} "
        f"of {len(table.columns)})"
    )
    return Table(
        title,
        tuple(table.columns[i] for i in keep),
        tuple(tuple(row[i] for i in keep) for row in table.rows),
        note=table.note if number == count else "",
        sheet_name=table.sheet_name,
    )


def needs_landscape(table: Table, portrait_width: float) -> bool:
    """Wide tables (many columns, or wider than a portrait frame) go on a landscape page."""
    if len(table.columns) > theme.WIDE_TABLE_COLUMNS:
        return True
    extents = _extents(table.columns, cell_texts(table))
    natural, _ = _measure(table.columns, extents, theme.TABLE_PT)
    return sum(natural) > portrait_width


class Orientation(enum.Enum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


def text_width_pt(orientation: Orientation) -> float:
    """Width between the margins of a Letter page, in points."""
    across = theme.PAGE_WIDTH_IN if orientation is Orientation.PORTRAIT else theme.PAGE_HEIGHT_IN
    return (across - 2 * theme.MARGIN_IN) * POINTS_PER_INCH


@dataclass(frozen=True)
class NewPage:
    """Start a new page with this orientation (a landscape switch or a page break)."""

    orientation: Orientation


@dataclass(frozen=True)
class Heading:
    """A section heading (level 1)."""

    title: str


@dataclass(frozen=True)
class Place:
    """Put a paragraph, table or figure on the current page."""

    block: Paragraph | Table | Figure
    orientation: Orientation


Step = NewPage | Heading | Place


def _wanted(block: Block) -> Orientation:
    portrait = text_width_pt(Orientation.PORTRAIT)
    wide = isinstance(block, Table) and needs_landscape(block.printed(), portrait)
    return Orientation.LANDSCAPE if wide else Orientation.PORTRAIT


def reading_order(doc: ReportDocument) -> tuple[Step, ...]:
    """The document as page steps: wide tables on landscape pages, headings kept with the
    first block of their section, explicit page breaks merged with orientation changes."""
    steps: list[Step] = []
    current = Orientation.PORTRAIT
    for section in doc.sections:
        if not section.blocks:
            steps.append(Heading(section.title))
        blocks = section.blocks
        for index, block in enumerate(blocks):
            following = [b for b in blocks[index:] if not isinstance(b, PageBreak)]
            wanted = _wanted(following[0]) if following else current
            if wanted is not current or isinstance(block, PageBreak):
                steps.append(NewPage(wanted))
                current = wanted
            if index == 0:
                steps.append(Heading(section.title))
            if not isinstance(block, PageBreak):
                steps.append(Place(block, current))
    return tuple(steps)
