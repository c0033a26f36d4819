"""Errors of the data layer that the user can fix (exit status 2 at the command line)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from monitoring.errors import DataInputError as DataInputError  # one of the input-error family

CONCURRENT_CHANGE = (
    "another change to the same trial was written at the same time; nothing was changed, "
    "run the command again"
)

STILL_WRITING = (
    "another change to the same trial is still being written; nothing was changed, run the "
    "command again when it is done"
)

BUSY_SQLITE = ("SQLITE_BUSY", "SQLITE_LOCKED")
"""SQLite: the write lock was not obtained within the busy timeout."""

BUSY_POSTGRESQL = ("55P03", "40001", "40P01")
"""PostgreSQL: lock wait timed out, serialization failure, deadlock."""


def _busy(exc: BaseException) -> bool:
    """Whether ``exc`` says another writer held the lock (not a broken database)."""
    orig = getattr(exc, "orig", exc)
    name = getattr(orig, "sqlite_errorname", None)
    if name is not None:
        return str(name).startswith(BUSY_SQLITE)
    return getattr(orig, "sqlstate", None) in BUSY_POSTGRESQL


@contextmanager
def concurrent_change_refused(dbapi: Any = None) -> Iterator[None]:
    """Turn a clash with another writer into a clear error: a uniqueness violation (two
    writers changing the same rows), a lock not obtained in time, a serialization failure.

    ``dbapi``: the driver module, whose own exceptions (raised by bulk writes on the raw
    cursor, which SQLAlchemy does not wrap) are turned too. The transaction is already
    rolled back when this is raised, so nothing was changed.
    """
    clash: tuple[type[BaseException], ...] = (sa.exc.IntegrityError,)
    busy: tuple[type[BaseException], ...] = (sa.exc.OperationalError,)
    if dbapi is not None:
        clash += (dbapi.IntegrityError,)
        busy += (dbapi.OperationalError,)
    try:
        yield
    except clash as exc:
        raise DataInputError(CONCURRENT_CHANGE) from exc
    except busy as exc:
        if not _busy(exc):
            raise
        raise DataInputError(STILL_WRITING) from exc
