"""Import problems and notes: each names the file, the spreadsheet row and the column.

Every problem prints as one bounded line: control and invisible characters are shown as
``\\uXXXX`` escapes and a long message is cut (``MAX_MESSAGE_CHARS``), so that a file with a
stray quote or a huge cell cannot flood the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

HEADER_ROW = 1
MAX_MESSAGE_CHARS = 300
MAX_SHOWN_CHARS = 60
MORE = "… and "  # how a count of problems not listed begins
INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def escaped(text: str) -> str:
    """``text`` with control, format and other invisible characters as ``\\uXXXX``."""
    if text.isprintable():
        return text
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch) in INVISIBLE else ch for ch in text
    )


def shown(value: object, limit: int = MAX_SHOWN_CHARS) -> str:
    """A value as quoted in a message: escaped and cut to ``limit`` characters."""
    text = str(value)
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text):,} characters)"
    return escaped(text)


def _bounded(text: str, limit: int) -> str:
    text = escaped(text)
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


@dataclass(frozen=True, order=True)
class ImportProblem:
    """One problem found in an extract.

    ``row`` is the row number a user sees in a spreadsheet (the header is row 1); ``None``
    when the problem concerns the whole file. ``column`` is ``None`` when it concerns a
    whole row or file.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "file", _bounded(self.file, MAX_SHOWN_CHARS * 2))
        if self.column is not None:
            object.__setattr__(self, "column", _bounded(self.column, MAX_SHOWN_CHARS))
        object.__setattr__(self, "message", _bounded(self.message, MAX_MESSAGE_CHARS))

    def __str__(self) -> str:
        row = "-" if self.row is None else str(self.row)
        return f"{self.file}:{row}:{self.column or '-'}: {self.message}"


def sort_problems(problems: list[ImportProblem]) -> tuple[ImportProblem, ...]:
    """Problems in reading order: file, row, then column name."""
    return tuple(sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "", p.message)))


def at_most_per_file(problems: Iterable[ImportProblem], limit: int) -> tuple[ImportProblem, ...]:
    """The first ``limit`` problems of each file, then one line "… and N more" for the rest.

    ``problems`` come sorted by file (:func:`sort_problems`); the order is kept, and counts
    of problems left out earlier (messages beginning with :data:`MORE`) close their file.
    """
    kept: list[ImportProblem] = []
    for file, group in groupby(problems, key=lambda p: p.file):
        listed = list(group)
        counts = [p for p in listed if p.message.startswith(MORE)]
        listed = [p for p in listed if not p.message.startswith(MORE)]
        kept += listed[:limit]
        if len(listed) > limit:
            more = len(listed) - limit
            kept.append(ImportProblem(file, None, None, f"{MORE}{more:,} more problem(s)"))
        kept += counts
    return tuple(kept)
