"""Read and validate extract files on their own (no database): typed tables, problems, notes.

CSV rows are validated in chunks as they are read (``csv_records.py``), so that only the
typed chunks are kept and a file with too many problems is not read to its end; workbook
sheets are validated whole. Checks across tables and against stored data are the
importer's (``planning.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from monitoring.db.extracts import Extract, RawTable, read_extract
from monitoring.db.limits import ImportLimits
from monitoring.db.origins import explain
from monitoring.db.problems import HEADER_ROW, MORE, ImportProblem
from monitoring.db.validation import ValidatedTable, duplicate_keys, validate_table

Validated = tuple[list[ValidatedTable], list[ImportProblem], list[ImportProblem]]
"""Typed tables, problems (fatal) and notes."""


class _Chunks:
    """Validates CSV tables chunk by chunk as they are read; stops a file at the problem cap.

    Only the typed chunks are kept (the text of a chunk is dropped once validated), and a
    file with more than ``max_problems_per_file`` problems is not read further.
    """

    def __init__(self, latest: date | None, limits: ImportLimits) -> None:
        self.latest = latest
        self.limits = limits
        self.parts: dict[str, list[ValidatedTable]] = {}
        self.counts: dict[str, int] = {}
        self.stopped: set[str] = set()
        self.problems: list[ImportProblem] = []
        self.notes: list[ImportProblem] = []

    def check(self, raw: RawTable) -> bool:
        table, trouble, remarks = validate_table(
            raw, latest=self.latest, limits=self.limits, keys=False
        )
        source, first = raw.source, raw.source not in self.counts
        if not first:  # header problems and notes were given with the first chunk
            trouble = [p for p in trouble if p.row != HEADER_ROW]
            remarks = []
        self.problems += trouble
        self.notes += remarks
        self.counts[source] = self.counts.get(source, 0) + len(trouble)
        if self.counts[source] > self.limits.max_problems_per_file:
            cap = self.limits.max_problems_per_file
            message = f"{MORE}the rest of the file was not read (more than {cap} problems)"
            self.problems.append(ImportProblem(source, None, None, message))
            self.stopped.add(source)
            self.parts.pop(source, None)
            return False
        self.parts.setdefault(source, []).append(table)
        return True

    def tables(self) -> list[ValidatedTable]:
        """Each streamed table whole, with its duplicate keys as problems."""
        tables = []
        for parts in self.parts.values():
            frame = pd.concat([p.frame for p in parts]) if len(parts) > 1 else parts[0].frame
            table = ValidatedTable(parts[0].source, parts[0].spec, frame, parts[0].provided)
            self.problems += duplicate_keys(table)
            tables.append(table)
        return tables


def validate_files(
    paths: Sequence[Path], *, latest: date | None = None, limits: ImportLimits | None = None
) -> tuple[list[ValidatedTable], list[ImportProblem], list[ImportProblem]]:
    """Read and validate each file on its own (no database): typed tables, problems, notes.

    A date after ``latest`` is a problem. When a file cannot be read (or has too many
    problems to be read to the end), the readable ones are still validated but no table
    is returned: checks across tables would only report the missing file's rows as missing.
    """
    limits = limits or ImportLimits.from_environment()
    chunks = _Chunks(latest, limits)
    extract = read_extract(paths, limits, chunks.check)
    problems, notes = list(extract.problems), list(extract.notes)
    tables = chunks.tables()
    for raw in extract.tables:
        if raw.source in chunks.counts:
            continue  # streamed: validated chunk by chunk
        table, trouble, remarks = validate_table(raw, latest=latest, limits=limits)
        tables.append(table)
        problems += trouble
        notes += remarks
    problems += chunks.problems
    notes = chunks.notes + notes
    unreadable = extract.problems or chunks.stopped
    return ([] if unreadable else tables), problems, notes


def validate_extract(
    extract: Extract, *, latest: date | None = None, limits: ImportLimits | None = None
) -> Validated:
    """Validate the raw tables of an extract read whole (by a reader of ``monitoring.ingest``).

    As :func:`validate_files`: a date after ``latest`` is a problem, and when the extract has
    problems of its own no table is returned. The tables' problems are told in the terms of
    the extract's sources (:func:`monitoring.db.origins.explain`), once.
    """
    limits = limits or ImportLimits.from_environment()
    tables: list[ValidatedTable] = []
    problems, notes = list(extract.problems), list(extract.notes)
    for raw in extract.tables:
        table, trouble, remarks = validate_table(raw, latest=latest, limits=limits)
        tables.append(table)
        problems += explain(trouble, extract.origins, problems)
        notes += explain(remarks, extract.origins)
    return ([] if extract.problems else tables), problems, notes
