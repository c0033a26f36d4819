"""Transactions that see one state of the data: serialized writes and snapshot reads.

Every change of a trial (import, correction, trial registration, report records, sign-offs)
runs in :func:`writing`: its checks read inside the transaction that writes, and only one
such transaction runs at a time for a trial, so a check can never pass on data another
writer is about to change. SQLite has one writer per database: ``BEGIN IMMEDIATE`` takes
the write lock before the first read (a waiting writer waits, up to :data:`WRITE_WAIT`).
PostgreSQL takes a transaction-level advisory lock on the trial before the first read;
READ COMMITTED then shows each statement every change committed before the lock was held.

Every read of one status, report or page load runs in :func:`snapshot`: one connection,
one transaction, one state of the data (PostgreSQL REPEATABLE READ READ ONLY; SQLite one
read transaction, whose WAL snapshot starts at its first read).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from monitoring.db.errors import concurrent_change_refused
from monitoring.db.schema import audit_log, import_batches

Bind = sa.Engine | sa.Connection
"""Where a query runs: an engine (a connection of its own) or the caller's connection."""

WRITE_WAIT = 60
"""Seconds a writer waits for another writer of the same trial before it is refused."""

SQLITE_BEGIN = "sqlite_begin"
"""Execution option naming the ``BEGIN`` mode of an SQLite transaction (see ``engine``)."""

LOCK_CLASS = 0x6D6F6E
"""First key of PostgreSQL's two-key advisory locks taken here (the second hashes the
trial id), so that other users of advisory locks in the same database cannot collide."""


@contextmanager
def connected(bind: Bind) -> Iterator[sa.Connection]:
    """``bind`` itself when it is a connection (reads join the caller's transaction), else
    a new connection of the engine, closed at the end."""
    if isinstance(bind, sa.Connection):
        yield bind
    else:
        with bind.connect() as conn:
            yield conn


@contextmanager
def writing(engine: sa.Engine, scope: str) -> Iterator[sa.Connection]:
    """A write transaction serialized with every other writer of ``scope`` (a trial id).

    Committed at the end, rolled back on an exception. Two writers that still clash (a
    uniqueness violation) or wait longer than :data:`WRITE_WAIT` end in the one-line
    refusal of :func:`monitoring.db.errors.concurrent_change_refused`.
    """
    with concurrent_change_refused(engine.dialect.loaded_dbapi), engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITE_WAIT}s'")
                conn.execute(
                    sa.select(sa.func.pg_advisory_xact_lock(LOCK_CLASS, sa.func.hashtext(scope)))
                )
            yield conn


IMPORTS_SNAPSHOT = "monitoring_imports_snapshot"
"""Execution option of a PostgreSQL connection whose transaction imports a snapshot itself
(``SET TRANSACTION SNAPSHOT``): an engine pinned to another snapshot leaves it alone, as a
transaction can set its snapshot only once."""


@contextmanager
def snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only transaction on one connection: every read through it sees one state."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def data_marker(bind: Bind) -> tuple[int, int]:
    """The latest import batch id and audit entry id of the whole database.

    Every change of the data tables adds one of them (an import its batch, a correction its
    audit rows) and nothing is ever deleted, so two transactions that read the same marker
    read the same data. Two primary-key maxima: one index lookup each.
    """
    with connected(bind) as conn:
        batch, entry = conn.execute(
            sa.select(
                sa.select(sa.func.max(import_batches.c.id)).scalar_subquery(),
                sa.select(sa.func.max(audit_log.c.id)).scalar_subquery(),
            )
        ).one()
    return int(batch or 0), int(entry or 0)
