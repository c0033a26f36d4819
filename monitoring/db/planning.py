"""Plan a change of stored data: stage it, check it across tables, diff it against storage.

Shared by imports and corrections, so a corrected value meets exactly the rules an imported
one does. Runs inside the caller's transaction, which also does the writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from monitoring.data_dictionary import TABLES
from monitoring.db.consistency import (
    DOSE_LEVEL_COLUMNS,
    baseline_problems,
    category_problems,
    dlt_problems,
    dose_history_problems,
    dose_level_problems,
    orphan_problems,
    randomization_problems,
    sequence_problems,
)
from monitoring.db.problems import ImportProblem
from monitoring.db.reading import read_table
from monitoring.db.repository import get_protocol
from monitoring.db.staging import ROW, SOURCE, overlay, stage
from monitoring.db.transactions import Bind, connected
from monitoring.db.validation import ValidatedTable
from monitoring.db.versions import TableDiff, diff_rows
from monitoring.protocol import Protocol


@dataclass(frozen=True)
class Plan:
    """Problems found across tables, or (when none) the diffs to write."""

    problems: tuple[ImportProblem, ...]
    diffs: tuple[TableDiff, ...]


def _stored(conn: sa.Connection, trial_id: str, names: set[str]) -> dict[str, pd.DataFrame]:
    """Current stored rows of the tables the checks need (patients always, for orphans)."""
    needed = {"patients"} | names
    if "patients" in names:
        needed |= set(TABLES)
    if names & {"dose_changes", "dlt_assessments"}:
        needed |= {"dose_changes", "dlt_assessments"}  # a DLT's level against the history
    return {
        name: read_table(conn, spec, trial_id, with_version_id=True)
        for name, spec in TABLES.items()
        if name in needed
    }


def _cross_table_problems(
    conn: sa.Connection, trial_id: str, staged: dict[str, pd.DataFrame], changed: set[str]
) -> list[ImportProblem]:
    """Every cross-table rule, and each rule against the trial's protocol whose tables are
    among ``changed`` (the protocol read once, only if one of them applies)."""
    problems = orphan_problems(staged) + sequence_problems(staged) + dlt_problems(staged)
    problems += dose_history_problems(staged)
    protocol = None

    def the_protocol() -> Protocol:
        nonlocal protocol
        protocol = protocol or get_protocol(conn, trial_id)
        return protocol

    if "responses" in changed:
        problems += category_problems(staged, the_protocol().response.categories)
    if any(name in changed for name, _ in DOSE_LEVEL_COLUMNS):
        levels = tuple(u.id for u in the_protocol().dose_levels)
        problems += dose_level_problems(staged, levels)
    if "baseline" in changed:
        problems += baseline_problems(staged, the_protocol().baseline)
    if "randomization" in changed or "patients" in changed:
        arms = tuple(u.id for u in the_protocol().arms)
        problems += randomization_problems(staged, arms)
    return problems


def plan_changes(
    conn: sa.Connection, trial_id: str, tables: Sequence[ValidatedTable], *, diff: bool = True
) -> Plan:
    """Cross-table problems of writing ``tables``; the diffs if there are none and ``diff``."""
    by_name = {t.spec.name: t for t in tables}
    stored = _stored(conn, trial_id, set(by_name))
    staged = {name: stage(TABLES[name], frame, by_name.get(name)) for name, frame in stored.items()}
    problems = _cross_table_problems(conn, trial_id, staged, set(by_name))
    if problems or not diff:
        return Plan(tuple(problems), ())
    diffs = tuple(
        diff_rows(t.spec, overlay(stored[name], t), stored[name]) for name, t in by_name.items()
    )
    return Plan((), diffs)


def stored_problems(bind: Bind, trial_id: str) -> tuple[ImportProblem, ...]:
    """The cross-table import rules, those against the protocol included, checked over the
    trial's stored current rows as if each table were imported again whole (the "file" of a
    problem is the table's name): a database written only through imports and corrections
    never has one."""
    with connected(bind) as conn:
        stored = {name: read_table(conn, spec, trial_id) for name, spec in TABLES.items()}
        staged = {}
        for name, frame in stored.items():
            rows = frame[list(TABLES[name].names)].copy()
            rows[SOURCE] = name
            rows[ROW] = pd.array(range(1, len(rows) + 1), dtype="Int64")
            staged[name] = rows
        return tuple(_cross_table_problems(conn, trial_id, staged, set(TABLES)))
