"""Changes made from the dashboard to the database: imports and corrections, through the
library; reports recorded as sent or signed off; and what the signed-in person did with
closed data or downloads, appended to the account audit log.

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
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Protocol as Typing

import pandas as pd
import streamlit as st

from dashboard import signin, source
from dashboard.keys import Key
from monitoring.accounts.events import Event, record_action
from monitoring.analysis.access import SENDS, SIGNS_OFF, WRITES, holds, require_role
from monitoring.db.corrections import CorrectionResult, correct_value, parse_key
from monitoring.db.errors import DataInputError
from monitoring.db.importer import ImportResult, import_extract, import_files
from monitoring.db.looks import mark_report_sent, sign_off_look
from monitoring.ingest.registry import reader


class Upload(Typing):
    """What ``st.file_uploader`` returns: a name and the bytes."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(frozen=True)
class CorrectionOutcome:
    """A correction applied, or the one-line reason it was refused."""

    result: CorrectionResult | None
    error: str | None


def may_write(trial_id: str) -> bool:
    """Whether the signed-in person may import and correct the trial's data (statistician)."""
    return holds(signin.signed_in(), trial_id, WRITES)


def import_uploads(url: str, trial_id: str, uploads: Sequence[Upload]) -> ImportResult:
    """Write the uploads under their own names (the table is the file name) and import them
    all or nothing, as the signed-in person (statistician role; refused otherwise)."""
    require_role(signin.signed_in(), trial_id, WRITES, "import")
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for upload in uploads:
            path = Path(folder) / Path(upload.name).name
            path.write_bytes(upload.getvalue())
            paths.append(path)
        result = import_files(
            source.engine(url),
            trial_id,
            paths,
            now=partial(datetime.now, UTC),
            user=signin.signed_in_name(),
        )
    if result.accepted:
        record(url, Event.IMPORTED, trial_id, f"batch {result.batch_id}: {', '.join(result.files)}")
    return result


def import_mapped(
    url: str, trial_id: str, format_name: str, mapping: Upload, uploads: Sequence[Upload]
) -> ImportResult:
    """Import datasets of ``format_name`` (adam, sdtm, redcap) mapped by ``mapping``, all or
    nothing, exactly as ``import --format FORMAT --mapping FILE`` does: the same reader
    (``monitoring.ingest``) and ``import_extract``. Needs the statistician's role."""
    principal = signin.signed_in()
    require_role(principal, trial_id, WRITES, "import")
    read = reader(format_name)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        mapping_path = root / Path(mapping.name).name
        mapping_path.write_bytes(mapping.getvalue())
        datasets = root / "datasets"
        datasets.mkdir()
        for upload in uploads:
            (datasets / Path(upload.name).name).write_bytes(upload.getvalue())
        extract = read([datasets], mapping_path)
        names = [mapping_path.name, *(Path(u.name).name for u in uploads)]
        result = import_extract(
            source.engine(url),
            trial_id,
            extract,
            names,
            now=partial(datetime.now, UTC),
            user=principal.name,
        )
    if result.accepted:
        record(url, Event.IMPORTED, trial_id, f"batch {result.batch_id}: {', '.join(result.files)}")
    return result


def correct(
    url: str, trial_id: str, table: str, key: str, column: str, value: str, reason: str
) -> CorrectionOutcome:
    """One audited correction, as the signed-in person (statistician role); refused (with
    its reason) without the role, a reason or a known row."""
    try:
        require_role(signin.signed_in(), trial_id, WRITES, "correction")
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
    if result.changed:
        where = f"{result.table} {result.row_key}: {result.column}"
        record(url, Event.CORRECTED, trial_id, where)
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


def notes_frame(result: ImportResult) -> pd.DataFrame:
    """Every note of an import (records left out, completed dates, data-quality findings)."""
    return pd.DataFrame(
        {
            "File": [p.file for p in result.notes],
            "Row": ["—" if p.row is None else p.row for p in result.notes],
            "Column": [p.column or "—" for p in result.notes],
            "Note": [p.message for p in result.notes],
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


def record(url: str, event: Event, trial_id: str, detail: str) -> None:
    """Append ``event`` on ``trial_id`` under the signed-in person to the account audit log
    (for a ``demo:`` source, the demo accounts' database)."""
    record_action(
        source.accounts_engine(url),
        event,
        at=datetime.now(UTC),
        user_name=signin.signed_in_name(),
        trial_id=trial_id,
        detail=detail,
    )


def record_closed_view(url: str, trial_id: str, what: str) -> None:
    """Record once per session that the signed-in person viewed closed data (``what``)."""
    seen = st.session_state.setdefault(Key.CLOSED_SEEN, set())
    if (url, trial_id, what) not in seen:
        record(url, Event.CLOSED_VIEWED, trial_id, what)
        seen.add((url, trial_id, what))


def mark_sent(url: str, trial_id: str, report_id: int) -> None:
    """Record report ``report_id`` sent by the signed-in person (statistician role)."""
    principal = signin.signed_in()
    require_role(principal, trial_id, SENDS, "report sent")
    mark_report_sent(
        source.engine(url), trial_id, report_id, user=principal.name, now=datetime.now(UTC)
    )
    record(url, Event.REPORT_SENT, trial_id, f"report {report_id}")


def sign_off(
    url: str, trial_id: str, look: int, reached_on: date, recommendation: str | None = None
) -> None:
    """Sign off the summary of the look at ``look`` evaluable patients (DSMB role), with
    the committee's recommendation (``monitoring.db.looks.RECOMMENDATIONS``)."""
    principal = signin.signed_in()
    require_role(principal, trial_id, SIGNS_OFF, "sign-off")
    sign_off_look(
        source.engine(url),
        trial_id,
        look,
        reached_date=reached_on,
        user=principal.name,
        now=datetime.now(UTC),
        recommendation=recommendation,
    )
    advice = f", recommendation: {recommendation}" if recommendation else ""
    record(url, Event.SIGNED_OFF, trial_id, f"look at {look}{advice}")
