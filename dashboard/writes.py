"""Changes made from the dashboard to the database: imports and corrections, through the library.

Reports to download are produced in ``dashboard.reads``; what the dashboard reads of past
changes (audit log, batches, reports) is in ``dashboard.history``. Each returns a frozen
outcome the Data page shows. The time of a change is taken here, at the boundary (the
library never reads the clock). A successful change moves the trial's data version forward,
so every cached result keyed on the old version is no longer used.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Protocol as Typing

import pandas as pd

from dashboard import signin, source
from monitoring.db.corrections import CorrectionResult, correct_value, parse_key
from monitoring.db.errors import DataInputError
from monitoring.db.importer import ImportResult, import_files


class Upload(Typing):
    """What ``st.file_uploader`` returns: a name and the bytes."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class CorrectionOutcome:
    """A correction applied, or the one-line reason it was refused."""

    result: CorrectionResult | None
    error: str | None


def import_uploads(url: str, trial_id: str, uploads: Sequence[Upload]) -> ImportResult:
    """Write the uploads under their own names (the table is the file name) and import them
    all or nothing."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for upload in uploads:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            paths.append(path)
        return import_files(
            source.engine(url),
            trial_id,
            paths,
            now=partial(datetime.now, UTC),
            user=signin.signed_in_name(),
        )


def correct(
    url: str, trial_id: str, table: str, key: str, column: str, value: str, reason: str
) -> CorrectionOutcome:
    """One audited correction; refused (with its reason) without a reason or a known row."""
    try:
        result = correct_value(
            source.engine(url),
            trial_id,
            table,
            parse_key(key),
            column,
            value,
            reason=reason,
            now=partial(datetime.now, UTC),
            user=signin.signed_in_name(),
        )
    except DataInputError as error:
        return CorrectionOutcome(None, str(error))
    return CorrectionOutcome(result, None)


def problems_frame(result: ImportResult) -> pd.DataFrame:
    """Every problem of a refused import: file, row, column, message."""
    return pd.DataFrame(
        {
            "File": [p.file for p in result.problems],
            "Row": ["—" if p.row is None else p.row for p in result.problems],
            "Column": [p.column or "—" for p in result.problems],
            "Problem": [p.message for p in result.problems],
        }
    )


def import_message(result: ImportResult) -> str:
    """One line on an accepted import: files, batch and per-table counts."""
    counts = "; ".join(f"{c.table}: {c.added} added, {c.changed} changed" for c in result.counts)
    return f"Imported {', '.join(result.files)} (batch {result.batch_id}). {counts}."


def correction_message(result: CorrectionResult) -> str:
    """One line on an applied correction."""
    where = f"{result.table} {result.row_key}: {result.column}"
    if not result.changed:
        return f"{where} already holds {result.new_value!r}; nothing changed."
    return f"{where} changed from {result.old_value!r} to {result.new_value!r}."
