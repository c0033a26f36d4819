"""Stream a CSV file into its header and records, in bounded memory, refusing broken structure.

The file is read line by line from bytes (``readline`` with a size limit), so no record
longer than :attr:`ImportLimits.max_row_bytes` is ever held, and decoded as UTF-8 line by
line, so a bad byte is reported on its own row and cell. The ``csv`` module runs in strict
mode: a quote left open at the end of the file, or text after a closing quote, is an error.

Structural problems (each names the spreadsheet row, header = 1, and the cell when known):
a row with fewer cells than the header (the usual sign of a file cut off mid-row), a row
with more cells, a file in UTF-16/UTF-32 or another encoding than UTF-8, a delimiter other
than ``,``, an empty first row. Reading stops at the first problem after which the records
cannot be trusted (encoding, quoting, size). A last row without its line break but with
every cell is read as complete, with a note.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from monitoring.db.limits import ImportLimits
from monitoring.db.problems import HEADER_ROW, MORE, ImportProblem

UTF8_BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS = {";": "';'", "\t": "tab", "|": "'|'"}
WIDE_ENCODINGS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
SAVE_AS = "save it as CSV UTF-8"
START_BYTES = 4096  # read first to tell the encoding

CHUNK_ROWS = 50_000
RowSink = Callable[[list[str], list[list[str]], list[int]], bool]
"""Takes the header and a chunk of rows with their numbers; false stops reading the file."""


@dataclass
class CsvContent:
    """Header, records with their row numbers, problems (fatal) and notes of one CSV file."""

    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    notes: list[ImportProblem] = field(default_factory=list)


class _EnoughError(Exception):
    """The row sink asked to stop reading (it has found enough problems)."""


class _UnreadableError(Exception):
    """A problem after which the rest of the file cannot be read reliably."""

    def __init__(self, message: str, prefix: str) -> None:
        super().__init__(message)
        self.message = message
        self.prefix = prefix  # the record's text up to the fault, to find its cell


class _Lines:
    """Decoded lines for ``csv.reader``; keeps the current record's text to locate faults."""

    def __init__(self, handle: BinaryIO, limits: ImportLimits) -> None:
        self.handle = handle
        self.limits = limits
        self.pending: list[str] = []
        self.pending_bytes = 0
        self.ended_with_newline = True
        self.first = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        room = self.limits.max_row_bytes - self.pending_bytes
        raw = self.handle.readline(room + 1)
        if not raw:
            raise StopIteration
        if self.first:
            raw = raw.removeprefix(UTF8_BOM)
            self.first = False
        if len(raw) > room:
            text = raw.decode("utf-8", "replace")
            limit = self.limits.max_row_bytes
            message = f"the row passes {limit:,} bytes, the limit of a row (is a cell too long?)"
            raise _UnreadableError(message, text)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            prefix = "".join(self.pending) + raw[: exc.start].decode("utf-8", "replace")
            byte = raw[exc.start]
            message = f"is not UTF-8 text (byte 0x{byte:02X}); {SAVE_AS}"
            raise _UnreadableError(message, prefix) from None
        self.pending.append(text)
        self.pending_bytes += len(raw)
        self.ended_with_newline = raw.endswith((b"\n", b"\r"))
        return text

    def record_done(self) -> None:
        self.pending = []
        self.pending_bytes = 0


def cell_lengths(text: str) -> list[int]:
    """Length of each cell of ``text`` (one record's text so far), as ``csv`` splits it."""
    lengths, state = [0], "start"
    for ch in text:
        if state == "quoted":
            state = "after_quote" if ch == '"' else "quoted"
        elif ch == ",":
            lengths.append(0)
            state = "start"
            continue
        elif ch == '"' and state in ("start", "after_quote"):
            state = "quoted"
        else:
            state = "plain"
        lengths[-1] += 1
    return lengths


def _encoding_problem(start: bytes) -> str | None:
    for bom, name in WIDE_ENCODINGS:
        if start.startswith(bom):
            return f"is {name} text; {SAVE_AS}"
    if start and start.count(0) * 4 >= len(start):  # ASCII text as UTF-16 is half NULs
        return f"looks like UTF-16 or UTF-32 text without a byte-order mark; {SAVE_AS}"
    return None


class _Reader:
    """One pass over the records of one file, collecting rows and problems."""

    def __init__(self, source: str, limits: ImportLimits, sink: RowSink | None) -> None:
        self.source = source
        self.limits = limits
        self.sink = sink
        self.content = CsvContent()
        self.misshapen = 0
        self.last_short: tuple[int, int] | None = None  # row, cells

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.content.problems.append(ImportProblem(self.source, row, column, message))

    def column_at(self, index: int) -> str | None:
        header = self.content.header
        return (header[index].strip() or None) if index < len(header) else None

    def stop(self, row: int, exc: _UnreadableError | csv.Error, lines: _Lines) -> None:
        """The problem that ends reading, on the cell being read when it can be told."""
        if isinstance(exc, _UnreadableError):
            message, index = exc.message, len(cell_lengths(exc.prefix)) - 1
        else:
            lengths = cell_lengths("".join(lines.pending))
            text = str(exc)
            if "unexpected end of data" in text:
                message = "a quoted cell is never closed (the file may be cut off)"
                index = len(lengths) - 1
            elif "field larger than field limit" in text:
                message = "a cell is too long (or a quote is never closed)"
                limit = csv.field_size_limit()
                index = next((i for i, n in enumerate(lengths) if n > limit), len(lengths) - 1)
            else:
                message, index = f"cannot be read as CSV: {text}", -1
        column = self.column_at(index) if row > HEADER_ROW and index >= 0 else None
        self.problem(row, column, message)

    def misshapen_row(self, row: int, record: list[str]) -> None:
        """A record with another number of cells than the header (listed up to the cap)."""
        self.misshapen += 1
        width = len(self.content.header)
        self.last_short = (row, len(record)) if len(record) < width else None
        if self.misshapen > self.limits.max_problems_per_file:
            return
        if len(record) > width:
            self.problem(row, None, f"has more cells than the header row ({width})")
        else:
            self.problem(row, None, f"has {len(record)} cells, fewer than the header row ({width})")

    def header(self, record: list[str], start: bytes) -> bool:
        """Take the header row; false (with a problem) when the file cannot be read on."""
        self.content.header = record
        if not any(name.strip() for name in record):
            blank = not start.strip() and len(start) < START_BYTES  # the whole file seen
            message = (
                "is blank: it holds only spaces or line breaks"
                if blank
                else "row 1 is empty: the first row must be the header row"
            )
            self.problem(None if blank else HEADER_ROW, None, message)
            return False
        if len(record) == 1:
            for delimiter, name in OTHER_DELIMITERS.items():
                if delimiter in record[0]:
                    message = f"uses {name} as delimiter, expected ','"
                    self.problem(HEADER_ROW, None, message)
                    return False
        return True

    def record(self, row: int, record: list[str]) -> None:
        self.last_short = None
        if not "".join(record).strip():
            return  # a blank row keeps its number but holds nothing
        if len(record) != len(self.content.header):
            self.misshapen_row(row, record)
        else:
            self.content.rows.append(record)
            self.content.row_numbers.append(row)
            if self.sink is not None and len(self.content.rows) >= CHUNK_ROWS:
                self.flush()

    def flush(self) -> None:
        """Hand the rows read so far to the sink and forget them."""
        content = self.content
        if self.sink is None or not content.rows:
            return
        go_on = self.sink(content.header, content.rows, content.row_numbers)
        content.rows, content.row_numbers = [], []
        if not go_on:
            raise _EnoughError

    def finish(self, row: int, lines: _Lines) -> None:
        width = len(self.content.header)
        if not lines.ended_with_newline and self.last_short is not None:
            short_row, cells = self.last_short
            message = f"the file ends in the middle of row {short_row} ({cells} of {width} cells)"
            cut = ImportProblem(self.source, short_row, None, f"{message}: it looks cut off")
            problems = self.content.problems
            if problems and problems[-1].row == short_row:
                problems[-1] = cut
            else:
                problems.append(cut)
        elif not lines.ended_with_newline and not self.content.problems:
            message = "the file does not end with a line break; its last row was read as complete"
            self.content.notes.append(ImportProblem(self.source, row, None, message))
        if self.misshapen > self.limits.max_problems_per_file:
            more = self.misshapen - self.limits.max_problems_per_file
            message = f"{MORE}{more:,} more row(s) with another number of cells than the header"
            self.problem(None, None, message)

    def read(self, handle: BinaryIO) -> CsvContent:
        start = handle.read(START_BYTES)
        handle.seek(0)
        if not start:
            self.problem(None, None, "is empty")
            return self.content
        problem = _encoding_problem(start)
        if problem is not None:
            self.problem(None, None, problem)
            return self.content
        lines = _Lines(handle, self.limits)
        records = csv.reader(lines, strict=True)
        row, width = 0, -1
        rows, numbers = self.content.rows, self.content.row_numbers
        try:
            for record in records:
                row += 1
                lines.record_done()
                if len(record) == width and len(rows) < CHUNK_ROWS - 1 and "".join(record).strip():
                    rows.append(record)  # the usual row, inline: no call per row
                    numbers.append(row)
                    self.last_short = None
                elif row > HEADER_ROW:
                    self.record(row, record)
                    rows, numbers = self.content.rows, self.content.row_numbers
                elif self.header(record, start):
                    width = len(record)
                else:
                    return self.content
            self.finish(row, lines)
            self.flush()
        except _EnoughError:
            pass
        except (_UnreadableError, csv.Error) as exc:
            self.stop(row + 1, exc, lines)
        return self.content


def read_csv_records(
    path: Path, source: str, limits: ImportLimits, sink: RowSink | None = None
) -> CsvContent:
    """Header, rows (with spreadsheet row numbers) and problems of the CSV file ``path``.

    With a ``sink``, rows go to it in chunks of :data:`CHUNK_ROWS` as they are read (and
    are not kept): memory then holds one chunk, and the sink may stop the reading.
    """
    with path.open("rb") as handle:
        return _Reader(source, limits, sink).read(handle)
