"""Checks every cell of a raw table shares, whatever its column: characters and length.

Refused in every cell, naming file, row and column: control characters (C0 and C1, NUL,
tab and line breaks included), format characters that print as nothing (zero-width space
U+200B, byte-order mark U+FEFF inside a value, bidirectional overrides, soft hyphen, ...),
line and paragraph separators, surrogates and private-use characters, and cells longer than
:attr:`ImportLimits.max_cell_chars`. Such characters make two identifiers that look equal
differ (``P012`` and ``P012`` + U+200B would be two patients) or are cut by a database (NUL).
Every cell is then put in Unicode normal form NFC, so that an identifier typed with a
combining accent and one typed precomposed are the same key.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from monitoring.db.problems import ImportProblem

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
ASCII_CONTROL = r"[\x00-\x1f\x7f]"
ASCII_CONTROL_NOT_NUL = r"[\x01-\x1f\x7f]"


def refused_character(text: str) -> str | None:
    """The first character of ``text`` that no cell may hold, if any."""
    for ch in text:
        if unicodedata.category(ch) in REFUSED_CATEGORIES:
            return ch
    return None


def character_message(ch: str) -> str:
    name = unicodedata.name(ch, "a control character")
    return f"contains the invisible or control character U+{ord(ch):04X} ({name}); remove it"


def length_message(length: int, limit: int) -> str:
    return f"cell is {length:,} characters long; the limit is {limit:,}"


def _plain(values: pd.Series) -> bool:
    """True when no cell of ``values`` can need a check or a change: printable ASCII only.

    One join and one search over the column (NUL separates cells: a cell holding a NUL
    makes the count of NULs too high), instead of a test per cell.
    """
    joined = "\x00".join(values.tolist())
    if not joined.isascii() or joined.count("\x00") != max(len(values) - 1, 0):
        return False
    return re.search(ASCII_CONTROL_NOT_NUL, joined) is None


def check_cells(
    source: str, frame: pd.DataFrame, max_chars: int
) -> tuple[pd.DataFrame, list[ImportProblem]]:
    """``frame`` with every cell in NFC, and a problem for each refused cell."""
    problems: list[ImportProblem] = []
    cleaned = {}
    for name in frame.columns:
        values = frame[name]
        if len(values) and max(map(len, values.tolist())) > max_chars:
            lengths = values.str.len()
            long = (lengths > max_chars).to_numpy()
            for row, length in zip(values.index[long], lengths[long], strict=True):
                message = length_message(length, max_chars)
                problems.append(ImportProblem(source, int(row), name, message))
        if _plain(values):
            cleaned[name] = values
            continue
        ascii_only = values.map(str.isascii).astype(bool)
        suspect = ~ascii_only | values.str.contains(ASCII_CONTROL, regex=True)
        for row, text in zip(values.index[suspect.to_numpy()], values[suspect], strict=True):
            ch = refused_character(text)
            if ch is not None:
                problems.append(ImportProblem(source, int(row), name, character_message(ch)))
        nfc = values[~ascii_only].map(lambda text: unicodedata.normalize("NFC", text))
        cleaned[name] = values.where(ascii_only, nfc)
    if all(cleaned[name] is frame[name] for name in frame.columns):
        return frame, problems
    return pd.DataFrame(cleaned, index=frame.index, columns=frame.columns), problems
