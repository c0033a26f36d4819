"""Correct one stored value, with a reason: validated by the import rules, audited, versioned."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from monitoring.data_dictionary import TABLES, TableSpec
from monitoring.db.cells import character_message, refused_character
from monitoring.db.chain import extend_chain
from monitoring.db.digest import keep_digests
from monitoring.db.errors import DataInputError
from monitoring.db.extracts import RawTable
from monitoring.db.planning import plan_changes
from monitoring.db.reading import read_table
from monitoring.db.repository import check_time_moves_forward, resolve_trial
from monitoring.db.timestamps import Clock, read_time, to_utc
from monitoring.db.transactions import writing
from monitoring.db.validation import future_limit, parse_column, validate_table
from monitoring.db.versions import Change, ChangeSource, key_text, value_text, write_diff

SOURCE = "correction"


@dataclass(frozen=True)
class CorrectionResult:
    """The corrected value; ``changed`` is false when the new value equals the stored one."""

    trial_id: str
    table: str
    row_key: str
    column: str
    old_value: str | None
    new_value: str | None
    changed: bool


def parse_key(text: str) -> dict[str, str]:
    """``patient_id=P1,assessment_date=2025-01-03`` as a mapping of column to text."""
    pairs: dict[str, str] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise DataInputError(f"key '{text}' must read column=value[,column=value...]")
        if name.strip() in pairs:  # the later value would silently win: another row
            raise DataInputError(f"key '{text}' gives column '{name.strip()}' twice")
        pairs[name.strip()] = value.strip()
    return pairs


def _spec_and_column(table: str, column: str) -> TableSpec:
    spec = TABLES.get(table)
    if spec is None:
        raise DataInputError(f"unknown table '{table}'; use one of {', '.join(TABLES)}")
    if column not in spec.names:
        raise DataInputError(f"table '{table}' has no column '{column}'")
    if column in spec.key:
        raise DataInputError(
            f"'{column}' is part of the key of '{table}'; re-import the row under its new key"
        )
    return spec


def _key_mask(spec: TableSpec, stored: pd.DataFrame, key: Mapping[str, str]) -> pd.Series:
    if set(key) != set(spec.key):
        raise DataInputError(
            f"the key of '{spec.name}' is {', '.join(spec.key)}; got {', '.join(key)}"
        )
    mask = pd.Series(True, index=stored.index)
    for name in spec.key:
        text = unicodedata.normalize("NFC", key[name])  # as an imported key is stored
        refused = refused_character(text)
        if refused is not None:
            raise DataInputError(f"key {name}: {character_message(refused)}")
        parsed = parse_column(spec.column(name), pd.Series([text]))
        if any(bool(m.iloc[0]) for m, _ in parsed.faults):
            raise DataInputError(f"key {name}: {parsed.faults[0][1](key[name])}")
        mask &= (stored[name] == parsed.values.iloc[0]).to_numpy()
    return mask


def _corrected_row(spec: TableSpec, current: pd.Series, column: str, value: str) -> RawTable:
    raw = {c: value_text(current[c]) or "" for c in spec.names}
    raw[column] = value.strip()
    return RawTable(SOURCE, spec, pd.DataFrame([raw], index=[1], dtype=object))


def correct_value(
    engine: sa.Engine,
    trial_id: str | None,
    table: str,
    key: Mapping[str, str],
    column: str,
    value: str,
    *,
    reason: str,
    now: datetime | Clock,
    user: str,
) -> CorrectionResult:
    """Set one value of one current row (``""`` empties it); refused with a one-line reason.

    Read, checked and written in one transaction serialized with every other writer of the
    trial, as an import is (``now``: a time, or a clock read once the trial is free).
    """
    if not reason.strip():
        raise DataInputError("a correction needs a reason")
    spec = _spec_and_column(table, column)
    trial_id = resolve_trial(engine, trial_id)
    with writing(engine, trial_id) as conn:
        at = to_utc(read_time(now))
        check_time_moves_forward(conn, trial_id, at)
        stored = read_table(conn, spec, trial_id, with_version_id=True)
        match = stored[_key_mask(spec, stored, key).to_numpy()]
        if match.empty:
            raise DataInputError(
                f"no current {table} row with key {','.join(f'{k}={v}' for k, v in key.items())}"
            )
        current = match.iloc[0]
        corrected = _corrected_row(spec, current, column, value)
        validated, problems, _ = validate_table(corrected, latest=future_limit(at))
        plan = plan_changes(conn, trial_id, [validated], diff=not problems)
        problems += plan.problems
        if problems:
            raise DataInputError("; ".join(f"{p.column}: {p.message}" for p in problems))
        diff = plan.diffs[0]
        row_key = key_text(spec, [current[k] for k in spec.key])
        old = value_text(current[column])
        new = value_text(validated.frame[column].iloc[0])
        if diff.cells:
            change = Change(trial_id, at, user, ChangeSource.CORRECTION, reason=reason.strip())
            write_diff(conn, diff, change)
            extend_chain(conn, trial_id, change.at)
            keep_digests(conn, trial_id)
    return CorrectionResult(trial_id, table, row_key, column, old, new, bool(diff.cells))
