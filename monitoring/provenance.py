"""Provenance of every number shown: protocol digest, data digest and software version.

The data digest is a SHA-256 over every row an analysis used: the three tables as known
on the as-known-on time, after the cut-off (adverse events of every term, whether or not
the analysis needed them). It is the same whichever path computed it: ``status`` (which
reads only some adverse events and takes that table's digest from the database,
``monitoring.db.digest``), the reports and the dashboard (which hash the rows in memory).

Canonical form (docs/methods.md, "Data digest"): each row is one line of its values in
data-dictionary order, each value written ``<length>:<text>`` (length in characters), a
missing value ``:`` alone, the line ended by a newline; text as stored, dates ``YYYY-MM-DD``,
integers in decimal, numbers as Python's shortest round-trip ``repr``. A table's digest is
the SHA-256 of its lines in key order (code-point order); the data digest is the SHA-256
of one line ``name:columns:table digest`` per table, in dictionary order. Text, not a
binary hash, so that a database can write the same lines in SQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd

from monitoring import __version__
from monitoring.canonical import LENGTH_MARK, LINE_END, MISSING
from monitoring.data_dictionary import CORE_TABLES, TABLES, Column, ColumnType, TableSpec, TrialData


@dataclass(frozen=True)
class Provenance:
    """What a result was computed from; printed on pages and every report page."""

    trial_id: str
    protocol_version: str
    protocol_digest: str
    data_digest: str
    cutoff: date
    as_known_on: datetime | None
    data_batch: int | None = None
    software_version: str = __version__
    chain_head: str | None = None
    """The history chain's head when the data were read (``monitoring.db.chain``): in the
    report's title block and ``status --json``, not in the stamp on every page, which names
    the data and so stays the same when a report is regenerated later."""

    @property
    def line(self) -> str:
        known = self.as_known_on.isoformat(timespec="minutes") if self.as_known_on else "now"
        batch = f" (import batch {self.data_batch})" if self.data_batch is not None else ""
        return (
            f"Protocol {self.protocol_version} ({self.protocol_digest[:12]}) · "
            f"data {self.data_digest[:12]}{batch} · cut-off {self.cutoff.isoformat()} · "
            f"as known on {known} · software {self.software_version}"
        )


def _texts(values: np.ndarray[Any, Any] | pd.Index, column: Column) -> list[str]:
    """Canonical text of each (non-missing) value of one column."""
    if column.type is ColumnType.DATE:
        days = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")
        return list(np.datetime_as_string(days, unit="D").tolist())
    if column.type is ColumnType.INTEGER:
        return list(map(str, np.asarray(values, dtype="int64").tolist()))
    if column.type is ColumnType.NUMBER:
        return list(map(repr, np.asarray(values, dtype="float64").tolist()))
    return list(map(str, values))


def _fields(values: pd.Series, column: Column) -> list[str]:
    """One column's values in canonical form: ``<length>:<text>``, or ``:`` when missing.

    Columns have few distinct values: each is written once (``pd.factorize``) and taken
    for every row. A number column holding -0.0 is written value by value (factorize
    takes -0.0 for 0.0; their text differs)."""
    if column.type is ColumnType.NUMBER:
        numbers = values.to_numpy("float64", na_value=np.nan)
        if (np.signbit(numbers) & (numbers == 0)).any():
            texts = _texts(numbers, column)
            return [
                MISSING if v != v else f"{len(t)}{LENGTH_MARK}{t}"
                for v, t in zip(numbers, texts, strict=True)
            ]
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    written = [f"{len(t)}{LENGTH_MARK}{t}" for t in _texts(uniques, column)]
    return list(np.array([*written, MISSING], dtype=object)[codes].tolist())


def _in_key_order(frame: pd.DataFrame, key: tuple[str, ...]) -> bool:
    """Whether the rows are already in key order (frames read from the database are)."""
    undecided = np.ones(max(len(frame) - 1, 0), dtype=bool)
    for name in key:
        values = frame[name].to_numpy()
        try:
            before, after = values[:-1], values[1:]
            less, equal = before < after, before == after
        except TypeError:  # a missing key value: let the sort decide
            return False
        if (undecided & ~less & ~equal).any():
            return False
        undecided &= equal
    return True


def _columns(frame: pd.DataFrame, spec: TableSpec) -> list[list[str]]:
    """Every column's canonical fields, rows in key order (code-point order)."""
    if not _in_key_order(frame, spec.key):
        frame = frame.sort_values(list(spec.key), kind="mergesort")
    return [_fields(frame[column.name], column) for column in spec.columns]


def canonical_lines(frame: pd.DataFrame, spec: TableSpec) -> list[str]:
    """The rows of ``frame`` as canonical lines, in key order (code-point order)."""
    return ["".join(fields) + LINE_END for fields in zip(*_columns(frame, spec), strict=True)]


def table_digest(frame: pd.DataFrame, spec: TableSpec) -> str:
    """SHA-256 (hex) of one table's canonical lines in key order."""
    columns = _columns(frame, spec)
    ends = [LINE_END] * len(frame)
    text = "".join(chain.from_iterable(zip(*columns, ends, strict=True)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


EMPTY_TABLE_DIGEST = hashlib.sha256(b"").hexdigest()
"""The digest of a table without rows."""


def combine_digests(digests: Mapping[str, str]) -> str:
    """The data digest from the tables' digests (one line each, dictionary order).

    A clinical-detail table (not in ``CORE_TABLES``) has a line only when it holds rows, so
    the digest of a trial that never imported one is the digest the three core tables gave
    before those tables existed (reports and backups made then still verify)."""
    text = "".join(
        f"{name}:{','.join(spec.names)}:{digests[name]}{LINE_END}"
        for name, spec in TABLES.items()
        if name in CORE_TABLES or digests[name] != EMPTY_TABLE_DIGEST
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def data_digest(data: TrialData, computed: Mapping[str, str] | None = None) -> str:
    """SHA-256 of the canonical form of the three tables.

    ``computed`` gives the digests of tables hashed elsewhere (the database: see
    ``monitoring.db.digest``); those tables' frames are then not read and may hold only
    some of the rows.
    """
    given = computed or {}
    unknown = set(given) - set(TABLES)
    if unknown:
        raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
    return combine_digests(
        {
            name: given[name] if name in given else table_digest(getattr(data, name), spec)
            for name, spec in TABLES.items()
        }
    )
