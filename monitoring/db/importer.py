"""Import extract files into a trial: all or nothing, one transaction, every problem at once.

Rows are matched by key: a new key is added, a row whose values differ gets a new version
(the old one is kept, and each changed value is audited), an identical row is left alone.
Stored rows absent from the extract are kept as they are: an extract may be partial.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from monitoring.db.chain import extend_chain
from monitoring.db.errors import concurrent_change_refused
from monitoring.db.extracts import read_extract
from monitoring.db.planning import plan_changes
from monitoring.db.problems import ImportProblem, sort_problems
from monitoring.db.repository import TableCounts, check_time_moves_forward, resolve_trial
from monitoring.db.schema import import_batches, import_counts
from monitoring.db.timestamps import to_utc
from monitoring.db.validation import ValidatedTable, validate_table
from monitoring.db.versions import Change, ChangeSource, TableDiff, write_diff


@dataclass(frozen=True)
class ImportResult:
    """Outcome of an import. When ``accepted`` is false nothing was written."""

    trial_id: str
    accepted: bool
    files: tuple[str, ...]
    problems: tuple[ImportProblem, ...]
    notes: tuple[ImportProblem, ...]
    counts: tuple[TableCounts, ...]
    batch_id: int | None


def validate_files(
    paths: Sequence[Path],
) -> tuple[list[ValidatedTable], list[ImportProblem], list[ImportProblem]]:
    """Read and validate each file on its own (no database): typed tables, problems, notes."""
    extract = read_extract(paths)
    problems, notes = list(extract.problems), list(extract.notes)
    tables = []
    for raw in extract.tables:
        table, trouble, remarks = validate_table(raw)
        tables.append(table)
        problems += trouble
        notes += remarks
    return tables, problems, notes


def _counts(diffs: Sequence[TableDiff]) -> tuple[TableCounts, ...]:
    return tuple(TableCounts(d.spec.name, len(d.added), len(d.changed), d.unchanged) for d in diffs)


def _record_batch(
    conn: sa.Connection, change: Change, files: Sequence[str], counts: Sequence[TableCounts]
) -> int:
    batch_id = conn.execute(
        import_batches.insert()
        .values(
            trial_id=change.trial_id,
            imported_at=change.at,
            imported_by=change.user,
            files=json.dumps(list(files)),
            added=sum(c.added for c in counts),
            changed=sum(c.changed for c in counts),
            unchanged=sum(c.unchanged for c in counts),
        )
        .returning(import_batches.c.id)
    ).scalar_one()
    conn.execute(
        import_counts.insert(),
        [
            {
                "batch_id": batch_id,
                "table_name": c.table,
                "added": c.added,
                "changed": c.changed,
                "unchanged": c.unchanged,
            }
            for c in counts
        ],
    )
    return int(batch_id)


def refresh_statistics(conn: sa.Connection, tables: Sequence[str]) -> None:
    """PostgreSQL: refresh the planner's statistics of the tables an import wrote.

    A bulk load leaves them stale until autovacuum runs; with stale statistics the planner
    scans where an index lookup would do (the default cut-off's ``max`` queries took 89 ms
    instead of 12 ms on the 5,000-patient trial). SQLite plans without them.
    """
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.quote(t) for t in sorted(set(tables)))
        if names:
            conn.exec_driver_sql(f"ANALYZE {names}")


def import_files(
    engine: sa.Engine,
    trial_id: str | None,
    paths: Sequence[str | Path],
    *,
    now: datetime,
    user: str,
) -> ImportResult:
    """Validate ``paths`` against the dictionary and the stored data; write them if clean.

    ``trial_id`` may be ``None`` when the database holds one trial. ``now`` is the time the
    new row versions become valid (resolved by the caller, never read here).
    """
    trial_id = resolve_trial(engine, trial_id)
    files = tuple(Path(p).name for p in paths)
    tables, problems, notes = validate_files([Path(p) for p in paths])
    with concurrent_change_refused(), engine.connect() as conn, conn.begin() as transaction:
        check_time_moves_forward(conn, trial_id, now)
        plan = plan_changes(conn, trial_id, tables, diff=not problems)
        problems += plan.problems
        if problems or not tables:
            transaction.rollback()
            if not tables and not problems:
                problems.append(ImportProblem("-", None, None, "no table to import"))
            return ImportResult(
                trial_id, False, files, sort_problems(problems), sort_problems(notes), (), None
            )
        counts = _counts(plan.diffs)
        change = Change(trial_id, to_utc(now), user, ChangeSource.IMPORT)
        batch_id = _record_batch(conn, change, files, counts)
        change = Change(trial_id, change.at, user, ChangeSource.IMPORT, batch_id=batch_id)
        for diff in plan.diffs:
            write_diff(conn, diff, change)
        extend_chain(conn, trial_id, change.at)
        refresh_statistics(conn, [diff.spec.name for diff in plan.diffs])
    return ImportResult(trial_id, True, files, (), sort_problems(notes), counts, batch_id)
