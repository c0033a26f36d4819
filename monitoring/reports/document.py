"""Format-neutral report document: what a report says, not how a format draws it.

A :class:`ReportDocument` is built once from the statistics and handed to the PDF, DOCX and
XLSX writers, so the three files carry the same title block, provenance stamp, open/closed
label, decisions, tables and figures. Table values are plain Python values; formatting by
column kind happens in :mod:`monitoring.reports.formatting`, shared by every writer.
"""

from __future__ import annotations

import enum
import itertools
import math
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

CellValue = str | int | float | date | None


class VersionLabel(enum.Enum):
    """Which DSMB report this is: the open one (pooled) or the closed one (unblinded)."""

    OPEN = "OPEN version"
    CLOSED = "CLOSED version"


class ParagraphStyle(enum.Enum):
    NORMAL = "normal"
    EMPHASIS = "emphasis"
    DECISION = "decision"


class Status(enum.Enum):
    """Traffic status of a decision; each writer colours it with the Okabe-Ito palette."""

    OK = "ok"
    INFO = "info"
    WARNING = "warning"
    STOP = "stop"

    @property
    def word(self) -> str:
        """As printed (the severity words of ``monitoring.vocabulary.Severity``)."""
        return {"ok": "OK", "info": "Info", "warning": "Attention", "stop": "STOP"}[self.value]


class ColumnKind(enum.Enum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"
    DATE = "date"
    FIGURES = "figures"
    """Numbers printed together as text ("4 (13.8%)"): right-aligned, never wrapped; only
    in a printed table (:func:`monitoring.reports.formatting.joined`)."""


DEFAULT_DECIMALS = {
    ColumnKind.FIGURES: 0,
    ColumnKind.TEXT: 0,
    ColumnKind.INTEGER: 0,
    ColumnKind.NUMBER: 2,
    ColumnKind.PERCENT: 1,
    ColumnKind.DATE: 0,
}


@dataclass(frozen=True)
class MetadataRow:
    """One label/value line of the title block (trial, look number, data cut-off, ...)."""

    label: str
    value: str


@dataclass(frozen=True)
class Paragraph:
    """Text. A decision paragraph carries a status and the decision word (e.g. CONTINUE)."""

    text: str
    style: ParagraphStyle = ParagraphStyle.NORMAL
    status: Status | None = None
    verdict: str = ""

    def __post_init__(self) -> None:
        is_decision = self.style is ParagraphStyle.DECISION
        if is_decision and (self.status is None or not self.verdict.strip()):
            raise ValueError("a decision paragraph needs a status and a verdict word")
        if not is_decision and (self.status is not None or self.verdict):
            raise ValueError("only decision paragraphs carry a status and a verdict")


@dataclass(frozen=True)
class Column:
    """A table column: its header, its kind (drives format and alignment) and decimals.

    Percent values are fractions (0.35 is shown as 35.0%), as spreadsheets store them.
    """

    name: str
    kind: ColumnKind = ColumnKind.TEXT
    decimals: int | None = None

    def __post_init__(self) -> None:
        if self.decimals is not None and not 0 <= self.decimals <= 10:
            raise ValueError(f"column '{self.name}': decimals must be 0..10")

    @property
    def places(self) -> int:
        """Decimals used for display: the explicit value or the kind's default."""
        return DEFAULT_DECIMALS[self.kind] if self.decimals is None else self.decimals

    @property
    def numeric(self) -> bool:
        return self.kind in (ColumnKind.INTEGER, ColumnKind.NUMBER, ColumnKind.PERCENT)

    @property
    def right_aligned(self) -> bool:
        """Numbers, and numbers printed together, are right-aligned."""
        return self.numeric or self.kind is ColumnKind.FIGURES


def _check_value(value: CellValue, column: Column) -> None:
    """Refuse a value that does not fit its column's kind (numbers stay numbers)."""
    if value is None:
        return
    kind = column.kind
    if isinstance(value, bool):
        ok = False
    elif kind in (ColumnKind.TEXT, ColumnKind.FIGURES):
        ok = isinstance(value, str)
    elif kind is ColumnKind.INTEGER:
        ok = isinstance(value, int)
    elif kind is ColumnKind.DATE:
        ok = isinstance(value, date) and not isinstance(value, datetime)
    else:
        ok = isinstance(value, int | float) and math.isfinite(value)
    if not ok:
        raise ValueError(f"column '{column.name}' ({kind.value}) cannot hold {value!r}")


class RowStyle(enum.Enum):
    """How a table row is drawn: a plain row, a group header (bold, kept with the rows
    below it: a system organ class) or a member of the group above (indented: a term)."""

    BODY = "body"
    GROUP = "group"
    MEMBER = "member"


class Joint(enum.Enum):
    """How two adjacent columns are printed as one in the PDF and DOCX."""

    COUNT_PERCENT = "count_percent"  # n and its percentage: "4 (13.8%)"
    RANGE = "range"  # an interval's bounds: "4.8–29.5%"


@dataclass(frozen=True)
class Merge:
    """Print column ``first`` and the next one as one column named ``name`` (the PDF and
    DOCX; the XLSX keeps both, as numbers)."""

    first: int
    name: str
    joint: Joint


@dataclass(frozen=True)
class Excerpt:
    """The rows of a long table that the PDF and DOCX print, with their own title and note
    (saying how many rows are shown and where the others are); the XLSX has every row."""

    positions: tuple[int, ...]  # 0-based row positions, increasing
    title: str
    note: str


def _valid_positions(positions: tuple[int, ...], count: int) -> bool:
    """Strictly increasing positions of existing rows."""
    inside = all(0 <= i < count for i in positions[:1] + positions[-1:])
    return inside and all(a < b for a, b in itertools.pairwise(positions))


@dataclass(frozen=True)
class Table:
    """A titled table; ``sheet_name`` proposes the XLSX sheet name (made valid and unique).

    ``excerpt``: print only these rows in the PDF and DOCX (see :meth:`printed`).
    ``row_styles``: one :class:`RowStyle` per row (empty: every row a plain row).
    """

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    note: str = ""
    sheet_name: str = ""
    excerpt: Excerpt | None = None
    row_styles: tuple[RowStyle, ...] = ()
    group_name: str = ""
    """Header of the column the XLSX adds for nested rows: each row's group label."""
    merges: tuple[Merge, ...] = ()
    """Adjacent columns printed as one in the PDF and DOCX (in increasing order)."""
    printed_columns: tuple[int, ...] = ()
    """The columns the PDF and DOCX print (increasing positions; empty: all); the XLSX has
    every column. The note says where the others are."""

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError(f"table '{self.title}' has no columns")
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(
                    f"table '{self.title}' row {number}: {len(row)} values for {width} columns"
                )
            for value, column in zip(row, self.columns, strict=True):
                _check_value(value, column)
        if self.excerpt is not None and not _valid_positions(
            self.excerpt.positions, len(self.rows)
        ):
            raise ValueError(f"table '{self.title}': excerpt rows must be increasing positions")
        if self.row_styles and len(self.row_styles) != len(self.rows):
            raise ValueError(f"table '{self.title}': one row style per row, or none")
        if self.printed_columns and (
            self.merges or not _valid_positions(self.printed_columns, width)
        ):
            raise ValueError(
                f"table '{self.title}': printed columns must be increasing positions, "
                "without merges"
            )
        firsts = [m.first for m in self.merges]
        if firsts and not (
            all(b > a + 1 for a, b in itertools.pairwise(firsts))
            and firsts[0] >= 0
            and firsts[-1] + 1 < width
        ):
            raise ValueError(f"table '{self.title}': merges must name distinct column pairs")

    def style_of(self, row: int) -> RowStyle:
        """The style of body row ``row`` (0-based)."""
        return self.row_styles[row] if self.row_styles else RowStyle.BODY

    def printed(self) -> Table:
        """The table as the PDF and DOCX print it: itself, or its excerpt (rows, title, note),
        with its printed columns."""
        if self.printed_columns:
            keep = self.printed_columns
            every = replace(
                self,
                columns=tuple(self.columns[i] for i in keep),
                rows=tuple(tuple(row[i] for i in keep) for row in self.rows),
                printed_columns=(),
            )
            return every.printed()
        if self.excerpt is None:
            return self
        positions = self.excerpt.positions
        rows = tuple(self.rows[i] for i in positions)
        styles = tuple(self.row_styles[i] for i in positions) if self.row_styles else ()
        return Table(
            self.excerpt.title,
            self.columns,
            rows,
            self.excerpt.note,
            self.sheet_name,
            row_styles=styles,
            group_name=self.group_name,
            merges=self.merges,
        )

    def flat(self) -> Table:
        """The table with nested rows as a spreadsheet wants it: a first column holding each
        row's group (a group header's own label, a member's header above it), every row
        plain. A table without row styles is returned as it is."""
        if not self.row_styles:
            return self
        groups: list[CellValue] = []
        current: CellValue = None
        for row, style in zip(self.rows, self.row_styles, strict=True):
            if style is RowStyle.GROUP:
                current = row[0]
            groups.append(current if style is not RowStyle.BODY else None)
        return Table(
            self.title,
            (Column(self.group_name or "Group"), *self.columns),
            tuple((g, *row) for g, row in zip(groups, self.rows, strict=True)),
            self.note,
            self.sheet_name,
        )


@dataclass(frozen=True)
class Figure:
    """A chart: a chart to draw (rendered by the writers) or a pre-rendered image.

    ``figure`` is a :class:`monitoring.charts.static.StaticChart` (drawn with matplotlib), a
    ``plotly.graph_objects.Figure`` (rendered with kaleido) or a
    :class:`monitoring.reports.figures.RenderedFigure`. ``height_in`` defaults to 0.6 x width.
    """

    title: str
    figure: Any
    caption: str = ""
    width_in: float = 6.5
    height_in: float | None = None
    data: Table | None = None
    """The numbers the figure draws, as a table: a sheet of the XLSX (which has no
    figures); the PDF and DOCX print the figure only (a diagram holding every count)."""

    def __post_init__(self) -> None:
        if not self.width_in > 0 or (self.height_in is not None and not self.height_in > 0):
            raise ValueError(f"figure '{self.title}': sizes must be positive")

    @property
    def size_in(self) -> tuple[float, float]:
        """(width, height) in inches."""
        height = self.width_in * 0.6 if self.height_in is None else self.height_in
        return self.width_in, height


@dataclass(frozen=True)
class PageBreak:
    """Start a new page (PDF, DOCX); ignored by the XLSX writer."""


@dataclass(frozen=True)
class Choice:
    """One box of the recommendation form: its word and what it means."""

    word: str
    meaning: str


@dataclass(frozen=True)
class RecommendationForm:
    """The committee's recommendation, to tick and sign: one box per choice, lines for the
    rationale and one signature line per signatory (name, signature, date). ``recorded``:
    the choice already recorded by a sign-off (printed as ticked), or empty."""

    title: str
    choices: tuple[Choice, ...]
    signatories: tuple[str, ...]
    instructions: str = ""
    recorded: str = ""

    def __post_init__(self) -> None:
        words = [c.word for c in self.choices]
        if not words or (self.recorded and self.recorded not in words):
            raise ValueError("a recommendation form needs choices; a recorded one among them")


Block = Paragraph | Table | Figure | PageBreak | RecommendationForm


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportDocument:
    """A whole report: title block, stamp and label for every page, then sections."""

    title: str
    subtitle: str
    metadata: tuple[MetadataRow, ...]
    provenance: str
    version: VersionLabel
    sections: tuple[Section, ...]
    author: str = ""
    subject: str = ""
    short_title: str = ""
    cover: tuple[MetadataRow, ...] = ()
    """The cover page's lines (trial, meeting date, data cut-off, version); empty: no cover
    page, the title block opens the first page."""

    @property
    def running_title(self) -> str:
        """Title used in page headers: the short title when given."""
        return self.short_title or self.title

    def blocks(self) -> tuple[Block, ...]:
        """All blocks in reading order."""
        return tuple(block for section in self.sections for block in section.blocks)

    def tables(self) -> tuple[Table, ...]:
        return tuple(b for b in self.blocks() if isinstance(b, Table))

    def sheets(self) -> tuple[Table, ...]:
        """The XLSX's tables in reading order: every table, and the data of a figure
        (``Figure.data``) where the figure is."""
        out: list[Table] = []
        for block in self.blocks():
            if isinstance(block, Table):
                out.append(block)
            elif isinstance(block, Figure) and block.data is not None:
                out.append(block.data)
        return tuple(out)

    def label(self, table: Table) -> str:
        """ "Table 3", or "Figure 1 data" for a figure's data table."""
        for figure in self.figures():
            if figure.data is table:
                return f"Figure {self.figure_number(figure)} data"
        return f"Table {self.table_number(table)}"

    def figures(self) -> tuple[Figure, ...]:
        return tuple(b for b in self.blocks() if isinstance(b, Figure))

    def decisions(self) -> tuple[Paragraph, ...]:
        return tuple(
            b
            for b in self.blocks()
            if isinstance(b, Paragraph) and b.style is ParagraphStyle.DECISION
        )

    def table_number(self, table: Table) -> int:
        """1-based number of a table in reading order (same in every format)."""
        return _position(self.tables(), table)

    def figure_number(self, figure: Figure) -> int:
        return _position(self.figures(), figure)


def _position(items: tuple[Any, ...], item: Any) -> int:
    for index, candidate in enumerate(items, start=1):
        if candidate is item:
            return index
    raise ValueError("block is not part of this document")
