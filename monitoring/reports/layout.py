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
    RecommendationForm,
    ReportDocument,
    Table,
)
from monitoring.reports.formatting import format_cell, joined
from monitoring.reports.pdf_fonts import BOLD, REGULAR, printable, text_width

POINTS_PER_INCH = 72.0
PAD = 4.0
INDENT = 9.0  # points: a member row's first cell (a term under its category)
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


def fit_columns(
    columns: Sequence[Column], texts: list[list[str]], width: float, indent: float = 0.0
) -> ColumnWidths:
    """Column widths filling ``width``: a table that fits on one line at a font down to
    ``theme.ONE_LINE_MIN_PT`` is set at that size (a listing: one line per event); else
    text wraps, and the font shrinks if even wrapped text does not fit; ``indent`` points
    more in the first column (nested rows)."""
    size = theme.TABLE_PT
    extents = _extents(columns, texts)
    while True:
        natural, minimal = _measure(columns, extents, size)
        natural[0] += indent
        minimal[0] += indent
        if sum(minimal) <= width or size <= MIN_FONT_PT:
            break
        size = max(MIN_FONT_PT, size * width / sum(minimal) - 0.05)
    total = sum(natural)
    padding = 2 * PAD * len(columns) + indent  # does not scale with the font
    one_line = (width - padding) / (total - padding) * size  # the font filling ``width``
    if total > width and one_line >= theme.ONE_LINE_MIN_PT:  # one line at a smaller font
        size = one_line - 0.01
        natural, minimal = _measure(columns, extents, size)
        natural[0] += indent
        minimal[0] += indent
        total = sum(natural)
    if total <= width:
        widths = [w * min(width / total, MAX_STRETCH) for w in natural]
    else:
        widths = _shared(columns, natural, minimal, width)
    if sum(widths) > width:  # too wide even at the floor font: every cell may wrap
        widths = [w * width / sum(widths) for w in widths]
    return ColumnWidths(tuple(widths), size)


def _shared(
    columns: Sequence[Column], natural: list[float], minimal: list[float], width: float
) -> list[float]:
    """Widths of a table wider than ``width`` on one line: headers of number and date
    columns wrap (at words) before any text cell does; when text must wrap too, number and
    date columns keep their narrowest width and the text columns share the rest, the widest
    giving up width first (:func:`_water_level`)."""
    text = [c.kind is ColumnKind.TEXT for c in columns]
    text_natural = sum(n for n, t in zip(natural, text, strict=True) if t)
    other_minimal = sum(m for m, t in zip(minimal, text, strict=True) if not t)
    if text_natural + other_minimal <= width:
        pick = [not t for t in text]  # text on one line; number headers share what is left
        room = width - text_natural
    else:
        pick = text
        room = width - other_minimal
    chosen_n = [n for n, p in zip(natural, pick, strict=True) if p]
    chosen_m = [m for m, p in zip(minimal, pick, strict=True) if p]
    cap = _water_level(chosen_n, chosen_m, room) if chosen_n else 0.0
    return [
        max(m, min(n, cap)) if p else (n if t else m)
        for n, m, p, t in zip(natural, minimal, pick, text, strict=True)
    ]


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
    """A table goes on a landscape page only when it does not fit a portrait frame at the
    table font with its text columns wrapped to at most ``theme.TEXT_WRAP_SHARE`` of the
    frame each (a text column already narrower keeps its one-line width), headers of number
    and date columns wrapped at words; numbers and dates never wrap."""
    extents = _extents(table.columns, cell_texts(table))
    natural, minimal = _measure(table.columns, extents, theme.TABLE_PT)
    floor = theme.TEXT_WRAP_SHARE * portrait_width
    needed = [
        min(n, max(m, floor)) if c.kind is ColumnKind.TEXT else m
        for c, n, m in zip(table.columns, natural, minimal, strict=True)
    ]
    return sum(needed) > portrait_width


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
    """Put a paragraph, table, figure or form on the current page."""

    block: Paragraph | Table | Figure | RecommendationForm
    orientation: Orientation


Step = NewPage | Heading | Place


def _wanted(block: Block) -> Orientation:
    portrait = text_width_pt(Orientation.PORTRAIT)
    wide = isinstance(block, Table) and needs_landscape(joined(block.printed()), portrait)
    return Orientation.LANDSCAPE if wide else Orientation.PORTRAIT


def _orientations(blocks: tuple[Block, ...]) -> list[Orientation]:
    """Each block's page orientation: landscape for a table too wide for portrait, and for
    a table followed (in its section) by a landscape table, so that a short table before a
    wide listing shares its pages instead of taking a portrait page of its own."""
    wanted = [_wanted(b) for b in blocks]
    following = Orientation.PORTRAIT
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, Table) and following is Orientation.LANDSCAPE:
            wanted[index] = Orientation.LANDSCAPE
        following = wanted[index]
    return wanted


def reading_order(doc: ReportDocument) -> tuple[Step, ...]:
    """The document as page steps: wide tables on landscape pages, headings kept with the
    first block of their section, explicit page breaks merged with orientation changes (a
    table before a landscape one in its section is landscape too); a
    section without blocks is left out."""
    steps: list[Step] = []
    current = Orientation.PORTRAIT
    for section in doc.sections:
        blocks = section.blocks
        orientations = _orientations(blocks)
        for index, block in enumerate(blocks):
            ahead = [i for i in range(index, len(blocks)) if not isinstance(blocks[i], PageBreak)]
            wanted = orientations[ahead[0]] if ahead else current
            if wanted is not current or isinstance(block, PageBreak):
                steps.append(NewPage(wanted))
                current = wanted
            if index == 0:
                steps.append(Heading(section.title))
            if not isinstance(block, PageBreak):
                steps.append(Place(block, current))
    return tuple(steps)
