"""Header checks: repeated names, and names that look like a dictionary column but are not.

Column names are matched exactly (lower case, underscores, as in ``monitoring/data_dictionary.py``).
A name that differs from a dictionary column only in case, spaces, hyphens or a slip of one
or two letters (``Patient_ID``, ``death date``, ``deth_date``) is refused with the known name
suggested: ignoring it as an extra column would silently drop its values. Other unknown
names are extra columns: a note, never fatal (SPEC 5).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from monitoring.data_dictionary import TableSpec
from monitoring.db.problems import HEADER_ROW, ImportProblem

SIMILARITY = 0.8  # difflib ratio above which an unknown name is taken for a misspelling


def _folded(name: str) -> str:
    return re.sub(r"[\s\-_.]+", "_", name.strip().lower()).strip("_")


def known_name(name: str, spec: TableSpec) -> str | None:
    """The dictionary column ``name`` was probably meant to be, if any."""
    folded = _folded(name)
    for known in spec.names:
        if _folded(known) == folded or known.replace("_", "") == folded.replace("_", ""):
            return known
    close = difflib.get_close_matches(folded, spec.names, n=1, cutoff=SIMILARITY)
    return close[0] if close else None


def repeated_names(source: str, header: Sequence[str]) -> list[ImportProblem]:
    """A problem on the header row for each name given a second time."""
    seen: set[str] = set()
    problems = []
    for name in header:
        if name and name in seen:
            problems.append(ImportProblem(source, HEADER_ROW, name, "column appears twice"))
        seen.add(name)
    return problems


def unknown_names(
    source: str, header: Sequence[str], spec: TableSpec
) -> tuple[list[ImportProblem], list[ImportProblem]]:
    """Problems (near misses of a dictionary column) and notes (extra columns)."""
    problems, notes = [], []
    for name in dict.fromkeys(header):
        if not name or name in spec.names:
            continue
        meant = known_name(name, spec)
        if meant is None:
            message = "column ignored: not in the data dictionary"
            notes.append(ImportProblem(source, HEADER_ROW, name, message))
        else:
            message = f"unknown column; did you mean '{meant}'? (names are exact, lower case)"
            problems.append(ImportProblem(source, HEADER_ROW, name, message))
    return problems, notes
