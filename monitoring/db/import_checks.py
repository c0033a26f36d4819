"""Disagreements an import found between a dataset's own values and the product's derivation,
kept with the batch so that the data-quality report shows them after the import.

A CDISC ADTTE holds its own time (AVAL) and censoring (CNSR); the product derives them from
the imported dates. ``monitoring.ingest.convert`` compares the two and gives a
``DatasetCheck`` (``monitoring.dataset_findings``) per dataset compared: its findings, none
when every record agreed. :func:`write_checks` stores them with the import batch (table
``import_checks``, hashed with the batch in the history chain) and
:func:`read_dataset_findings` reads those of the latest batch that compared any dataset, as
known at a time: a later import of the dataset replaces them, an import of other files (CSV,
a correction) leaves them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date, datetime

import sqlalchemy as sa

from monitoring.dataset_findings import DatasetCheck, DatasetFinding
from monitoring.db.schema import import_batches, import_checks
from monitoring.db.timestamps import to_utc
from monitoring.db.transactions import Bind, connected


def _to_json(findings: Sequence[DatasetFinding]) -> str:
    rows = []
    for f in findings:
        row = asdict(f)
        row["day"] = None if f.day is None else f.day.isoformat()
        rows.append(row)
    return json.dumps(rows, sort_keys=True, separators=(",", ":"))


def _from_json(text: str) -> list[DatasetFinding]:
    out = []
    for row in json.loads(text):
        day = row.pop("day")
        out.append(DatasetFinding(day=None if day is None else date.fromisoformat(day), **row))
    return out


def write_checks(conn: sa.Connection, batch_id: int, checks: Sequence[DatasetCheck]) -> None:
    """Store ``checks`` with the batch (before the chain is extended: hashed with it)."""
    if checks:
        conn.execute(
            import_checks.insert(),
            [
                {"batch_id": batch_id, "dataset": c.dataset, "findings": _to_json(c.findings)}
                for c in checks
            ],
        )


def read_dataset_findings(
    bind: Bind, trial_id: str, as_known_on: datetime | None = None
) -> tuple[DatasetFinding, ...]:
    """The findings of the trial's latest batch (at or before ``as_known_on``) that compared
    a dataset, in dataset then record order; none when no import compared one."""
    latest = sa.select(sa.func.max(import_batches.c.id)).where(
        import_batches.c.trial_id == trial_id,
        import_batches.c.id.in_(sa.select(import_checks.c.batch_id)),
    )
    if as_known_on is not None:
        latest = latest.where(import_batches.c.imported_at <= to_utc(as_known_on))
    query = (
        sa.select(import_checks.c.findings)
        .where(import_checks.c.batch_id == latest.scalar_subquery())
        .order_by(import_checks.c.dataset)
    )
    with connected(bind) as conn:
        texts = conn.execute(query).scalars().all()
    found = [f for text in texts for f in _from_json(text)]
    return tuple(sorted(found, key=lambda f: (f.dataset, f.record, f.parameter, f.variable)))
