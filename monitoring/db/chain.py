"""The history chain: a SHA-256 hash chain over everything a trial's history holds.

One chain per trial, in ``history_chain``. Every history row (or *part* of one) has a
content hash, the SHA-256 of its canonical content. A link holds the rows one change wrote
to one table (or part): their ids and content hashes, and the hash of the link itself,
which covers the previous link's hash: changing, removing, inserting or reordering
anything already linked changes every later hash, and the head (the last link's hash)
names the whole history. Reports record the head at the time they are made. One link per
table and change, not per row: the chain adds a few rows to an import, not one per row.

What is linked (``CHAINED``, in this order within one change): the trial's registration
(its protocol text included), import batches (with their per-table counts and dataset
checks), the row
versions of the three data tables, audit rows, reports and monitoring-log rows. A row is
linked once, when written. Two things change later by design: a version's ``valid_to``
(set when a newer version supersedes it) is not hashed, it must equal the next version's
``valid_from`` (``monitoring.db.chain_verify`` checks that); a report's sent and
signed-off fields are parts of their own, linked again each time they are set.

The chain is extended by :func:`extend_chain` inside the transaction that writes, after
the writes. It links only rows stamped with that change's time: a row outside the chain
written at any other time (a forged row) makes the change refused, never absorbed.

Canonical content: ``monitoring.db.chain_content`` (typed, the same on both backends).
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

import sqlalchemy as sa

from monitoring.db.bulk import bulk_insert
from monitoring.db.chain_content import column_kind, content_hashes, raw, value_text
from monitoring.db.chain_links import (
    GENESIS,
    ROW,
    ChainHead,
    Pending,
    links,
    unpack_hashes,
    unpack_ids,
)
from monitoring.db.errors import DataInputError
from monitoring.db.schema import (
    DATA_TABLES,
    audit_log,
    history_chain,
    import_batches,
    import_checks,
    import_counts,
    monitoring_log,
    reports,
    trials,
)
from monitoring.db.transactions import Bind, connected


@dataclass(frozen=True)
class Chained:
    """One history table as the chain sees it: what identifies, stamps and makes a row."""

    table: sa.Table
    id_column: str
    stamp: str
    """The column holding the time of the change that wrote the row."""
    excluded: tuple[str, ...] = ()
    """Columns set after the row is written (hashed as parts, or checked otherwise)."""

    @property
    def name(self) -> str:
        return self.table.name

    @cached_property
    def content_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.table.columns if c.name not in self.excluded)

    @cached_property
    def kinds(self) -> tuple[str, ...]:
        return tuple(column_kind(self.table.c[n]) for n in self.content_columns)

    @cached_property
    def id_index(self) -> int:
        return self.content_columns.index(self.id_column)

    @property
    def keyed_by_text(self) -> bool:
        """The trials table: one row per trial, its id is text (links carry no row id)."""
        return self.table is trials


@dataclass(frozen=True)
class Part:
    """Columns of a row set after it is written, linked each time they are set."""

    chained: Chained
    name: str
    columns: tuple[str, ...]
    stamp: str

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(column_kind(self.chained.table.c[n]) for n in self.columns)


CHAINED: tuple[Chained, ...] = (
    Chained(trials, "id", "registered_at"),
    Chained(import_batches, "id", "imported_at"),
    *(Chained(t, "version_id", "valid_from", ("valid_to",)) for t in DATA_TABLES.values()),
    Chained(audit_log, "id", "changed_at"),
    Chained(
        reports, "id", "generated_at", ("sent_at", "sent_by", "signed_off_at", "signed_off_by")
    ),
    Chained(monitoring_log, "id", "signed_off_at"),
)
BY_NAME = {c.name: c for c in CHAINED}
PARTS: tuple[Part, ...] = (
    Part(BY_NAME["reports"], "sent", ("sent_at", "sent_by"), "sent_at"),
    Part(BY_NAME["reports"], "signed_off", ("signed_off_at", "signed_off_by"), "signed_off_at"),
)
COUNT_COLUMNS = ("table_name", "added", "changed", "unchanged")
"""An import batch's per-table counts, hashed with the batch (ordered by table)."""
CHECK_COLUMNS = ("dataset", "findings")
"""An import batch's dataset checks (``monitoring.db.import_checks``), hashed with the batch
after its counts (ordered by dataset); a batch without checks hashes as before them."""


def read_head(conn: sa.Connection, trial_id: str) -> ChainHead:
    """The trial's chain head as stored."""
    row = conn.execute(
        sa.select(history_chain.c.seq, history_chain.c.link_hash)
        .where(history_chain.c.trial_id == trial_id)
        .order_by(history_chain.c.seq.desc())
        .limit(1)
    ).first()
    return ChainHead(0, GENESIS) if row is None else ChainHead(int(row[0]), str(row[1]))


def chain_head(bind: Bind, trial_id: str) -> ChainHead:
    """The trial's chain head, read in ``bind``'s transaction when it is a connection."""
    with connected(bind) as conn:
        return read_head(conn, trial_id)


def batch_counts(conn: sa.Connection, batch_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Per batch: its import counts rows, ordered by table name (hashed with the batch)."""
    counts: dict[int, list[Any]] = {b: [] for b in batch_ids}
    if not batch_ids:
        return counts
    query = (
        sa.select(import_counts.c.batch_id, *(import_counts.c[n] for n in COUNT_COLUMNS))
        .where(import_counts.c.batch_id.in_(list(batch_ids)))
        .order_by(import_counts.c.batch_id, import_counts.c.table_name)
    )
    for row in conn.execute(query):
        counts[int(row[0])].extend(row[1:])
    return counts


def batch_checks(conn: sa.Connection, batch_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Per batch: its dataset checks rows, ordered by dataset (hashed with the batch)."""
    checks: dict[int, list[Any]] = {b: [] for b in batch_ids}
    if not batch_ids:
        return checks
    query = (
        sa.select(import_checks.c.batch_id, *(raw(import_checks.c[n]) for n in CHECK_COLUMNS))
        .where(import_checks.c.batch_id.in_(list(batch_ids)))
        .order_by(import_checks.c.batch_id, import_checks.c.dataset)
    )
    for row in conn.execute(query):
        checks[int(row[0])].extend(row[1:])
    return checks


def row_hashes(
    chained: Chained,
    conn: sa.Connection,
    rows: Sequence[Any],
    existing: Collection[str] | None = None,
) -> list[str]:
    """The content hash of each of ``rows`` (raw values of ``chained.content_columns``).

    ``existing``: the tables the database has (None: all; the migration that links history
    written before the chain runs before later revisions create their tables)."""
    names, kinds = chained.content_columns, chained.kinds
    if chained.table is not import_batches:
        return content_hashes(chained.name, names, kinds, rows)
    ids = [int(r[chained.id_index]) for r in rows]
    counts = batch_counts(conn, ids)
    has_checks = existing is None or import_checks.name in existing
    checks = batch_checks(conn, ids) if has_checks else {b: [] for b in ids}
    per_names = [f"count.{n}" for n in COUNT_COLUMNS]
    per_kinds = [column_kind(import_counts.c[n]) for n in COUNT_COLUMNS]
    check_names = [f"check.{n}" for n in CHECK_COLUMNS]
    check_kinds = [column_kind(import_checks.c[n]) for n in CHECK_COLUMNS]
    hashes = []
    for row, batch in zip(rows, ids, strict=True):
        extra, checked = counts[batch], checks[batch]
        times = len(extra) // len(COUNT_COLUMNS)
        checked_times = len(checked) // len(CHECK_COLUMNS)
        (digest,) = content_hashes(
            chained.name,
            [*names, *per_names * times, *check_names * checked_times],
            [*kinds, *per_kinds * times, *check_kinds * checked_times],
            [(*row, *extra, *checked)],
        )
        hashes.append(digest)
    return hashes


def part_hash(part: Part, values: Sequence[object]) -> str:
    """The content hash of a part's raw values."""
    (digest,) = content_hashes(
        f"{part.chained.name}.{part.name}", part.columns, part.kinds, [values]
    )
    return digest


def same_time(stamp: object, at: datetime) -> bool:
    """Whether a raw stored timestamp is ``at`` (naive UTC)."""
    return _time_text(stamp) == _time_text(at)


@lru_cache(maxsize=64)
def _time_text(stamp: object) -> str:
    """Rows of one change share one stamp: its canonical text is written once."""
    return value_text("t", stamp)


def _last_linked(conn: sa.Connection, trial_id: str, chained: Chained) -> int | None:
    """The highest row id of ``chained`` already linked (0 for a linked trial row)."""
    c = history_chain.c
    where = (c.trial_id == trial_id, c.table_name == chained.name, c.part == ROW)
    value = conn.execute(sa.select(sa.func.max(c.last_row_id)).where(*where)).scalar_one_or_none()
    return None if value is None else int(value)


def _linked_ids(conn: sa.Connection, trial_id: str, table: str, part: str, since: int) -> set[int]:
    """Ids of ``table`` linked (as ``part``) in links whose last id is ``since`` or more."""
    c = history_chain.c
    query = sa.select(c.row_ids).where(
        c.trial_id == trial_id, c.table_name == table, c.part == part, c.last_row_id >= since
    )
    return {i for (blob,) in conn.execute(query) for i in unpack_ids(bytes(blob))}


def _trial_rows(table: sa.Table, trial_id: str) -> sa.ColumnElement[bool]:
    return (table.c.id if table is trials else table.c.trial_id) == trial_id


def _refuse_skipped(
    conn: sa.Connection, trial_id: str, chained: Chained, last: int, at: datetime
) -> None:
    """Refuse when rows of this change have ids below the last linked one: a change of the
    same trial committed in between (writers of a trial are meant to be serialized)."""
    table = chained.table
    id_column = table.c[chained.id_column]
    candidates = conn.execute(
        sa.select(id_column).where(
            table.c.trial_id == trial_id, table.c[chained.stamp] == at, id_column <= last
        )
    ).scalars()
    found = [int(i) for i in candidates]
    if found and set(found) - _linked_ids(conn, trial_id, chained.name, ROW, min(found)):
        raise DataInputError(
            "another change to the same trial was written at the same time; nothing was "
            "changed, run the command again"
        )


_WRITTEN: weakref.WeakKeyDictionary[sa.Connection, list[_Written]] = weakref.WeakKeyDictionary()
"""Per open connection: the rows its writers inserted and noted (``note_written``)."""


def note_written(
    conn: sa.Connection,
    table: sa.Table,
    trial_id: str,
    at: datetime,
    records: Sequence[Mapping[str, object]],
) -> None:
    """Keep the rows a writer has just inserted (the values sent to the driver), so that
    :func:`extend_chain` hashes them without reading them back. They are used only when
    their number equals the rows stored after the last linked one, paired by id order."""
    _WRITTEN.setdefault(conn, []).append(_Written(table.name, trial_id, at, records))


@dataclass(frozen=True)
class _Written:
    table: str
    trial_id: str
    at: datetime
    records: Sequence[Mapping[str, object]]


Rows = tuple[list[int | None], list[Any], list[str]]
"""Ids, raw stamps and content hashes of rows to link."""


def _from_written(
    conn: sa.Connection, trial_id: str, chained: Chained, last: int | None, at: datetime
) -> Rows | None:
    """The rows to link, hashed from the values noted by the writer (ids read back)."""
    records = [
        record
        for written in _WRITTEN.get(conn, [])
        if (written.table, written.trial_id, written.at) == (chained.name, trial_id, at)
        for record in written.records
    ]
    if not records:
        return None
    table = chained.table
    id_column = table.c[chained.id_column]
    query = sa.select(id_column).where(table.c.trial_id == trial_id)
    if last is not None:
        query = query.where(id_column > last)
    ids: list[int | None] = [int(i) for i in conn.execute(query.order_by(id_column)).scalars()]
    others = [n for n in chained.content_columns if n != chained.id_column]
    if len(ids) != len(records) or any(set(others) - set(r) for r in records[:1]):
        return None
    # As many rows after the last linked one as this change wrote: they are its own rows.
    content = [(i, *(record[n] for n in others)) for i, record in zip(ids, records, strict=True)]
    return ids, [at] * len(ids), row_hashes(chained, conn, content)


def _unlinked_rows(
    conn: sa.Connection,
    trial_id: str,
    chained: Chained,
    at: datetime | None,
    existing: Collection[str] | None = None,
) -> Rows:
    """Rows of ``chained`` written after its last linked row: ids, stamps, content hashes
    (``existing``: as for :func:`row_hashes`)."""
    last = _last_linked(conn, trial_id, chained)
    if chained.keyed_by_text and last is not None:
        return [], [], []
    if at is not None and last is not None and not chained.keyed_by_text:
        _refuse_skipped(conn, trial_id, chained, last, at)
    if at is not None and not chained.keyed_by_text and chained.id_index == 0:
        noted = _from_written(conn, trial_id, chained, last, at)
        if noted is not None:
            return noted
    table = chained.table
    columns = [raw(table.c[n]) for n in chained.content_columns]
    query = sa.select(raw(table.c[chained.stamp]), *columns).where(_trial_rows(table, trial_id))
    if not chained.keyed_by_text:
        id_column = table.c[chained.id_column]
        if last is not None:
            query = query.where(id_column > last)
        query = query.order_by(id_column)
    rows = conn.execute(query).all()
    content = [r[1:] for r in rows]
    ids: list[int | None] = (
        [None] * len(rows)
        if chained.keyed_by_text
        else [int(r[1 + chained.id_index]) for r in rows]
    )
    return ids, [r[0] for r in rows], row_hashes(chained, conn, content, existing)


def _latest_parts(conn: sa.Connection, trial_id: str, part: Part) -> dict[int, str]:
    """Per row: the content hash of the part's latest link."""
    c = history_chain.c
    query = (
        sa.select(c.row_ids, c.row_hashes)
        .where(c.trial_id == trial_id, c.table_name == part.chained.name, c.part == part.name)
        .order_by(c.seq)
    )
    latest: dict[int, str] = {}
    for ids, hashes in conn.execute(query):
        latest.update(zip(unpack_ids(bytes(ids)), unpack_hashes(bytes(hashes)), strict=True))
    return latest


def empty_part_hash(part: Part) -> str:
    """The hash of a part never set (every column missing): needs no link."""
    return part_hash(part, [None] * len(part.columns))


def _changed_parts(conn: sa.Connection, trial_id: str, part: Part) -> list[tuple[int, Any, str]]:
    """Rows whose ``part`` differs from its latest link: id, stamp, new content hash."""
    table = part.chained.table
    query = (
        sa.select(table.c.id, raw(table.c[part.stamp]), *(raw(table.c[n]) for n in part.columns))
        .where(table.c.trial_id == trial_id)
        .order_by(table.c.id)
    )
    latest = _latest_parts(conn, trial_id, part)
    changed = []
    for row in conn.execute(query):
        now = part_hash(part, row[2:])
        if now != latest.get(int(row[0]), empty_part_hash(part)):
            changed.append((int(row[0]), row[1], now))
    return changed


def _refuse_unstamped(table: str, row_id: int | None, stamp: object, at: datetime) -> None:
    if not same_time(stamp, at):
        where = f"{table} row {row_id}" if row_id is not None else f"the {table} row"
        raise DataInputError(
            f"{where} is not in the trial's history chain and was not written by this change; "
            "nothing was changed: run 'python -m monitoring audit verify'"
        )


def pending_links(
    conn: sa.Connection,
    trial_id: str,
    at: datetime | None,
    existing: Collection[str] | None = None,
) -> list[Pending]:
    """What the chain lacks: rows written after the last linked ones, then changed parts.

    With ``at`` (a change's naive-UTC time) each of them must carry that time; ``None``
    links whatever is there (the migration that links history written before the chain).
    ``existing``: the tables the database has (a migration runs before later revisions
    create theirs, which hold no row yet); None: every chained table.
    """
    pending: list[Pending] = []
    for chained in CHAINED:
        if existing is not None and chained.name not in existing:
            continue
        ids, stamps, hashes = _unlinked_rows(conn, trial_id, chained, at, existing)
        if at is not None:  # the rows of one change share one stamp: each checked once
            foreign = {stamp for stamp in set(stamps) if not same_time(stamp, at)}
            if foreign:
                first = next(n for n, stamp in enumerate(stamps) if stamp in foreign)
                _refuse_unstamped(chained.name, ids[first], stamps[first], at)
        pending += [Pending(chained.name, i, ROW, h) for i, h in zip(ids, hashes, strict=True)]
    for part in PARTS:
        for row_id, stamp, digest in _changed_parts(conn, trial_id, part):
            if at is not None:
                _refuse_unstamped(f"{part.chained.name}.{part.name}", row_id, stamp, at)
            pending.append(Pending(part.chained.name, row_id, part.name, digest))
    return pending


def extend_chain(conn: sa.Connection, trial_id: str, at: datetime | None) -> ChainHead:
    """Link what the change at ``at`` wrote (inside its transaction); the new head."""
    try:
        head = read_head(conn, trial_id)
        rows = links(head, pending_links(conn, trial_id, at), trial_id)
    finally:
        _WRITTEN.pop(conn, None)
    bulk_insert(conn, history_chain, rows)
    return ChainHead(head.length + len(rows), str(rows[-1]["link_hash"])) if rows else head
