"""Bulk inserts: PostgreSQL's COPY, or the driver's executemany elsewhere.

With psycopg, ``executemany`` sends rows one by one and multi-row INSERTs spend their time
parsing huge statements; ``COPY ... FROM STDIN`` is an order of magnitude faster. On SQLite
the rows go to the DB-API ``executemany`` directly, dates and timestamps rendered in
SQLAlchemy's own SQLite storage format (SQLAlchemy's per-row parameter processing took
half of a 100,000-row import). Both run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

import sqlalchemy as sa


def _sqlite_datetime(value: object) -> object:
    """A datetime as SQLAlchemy's SQLite ``DateTime`` stores it (microseconds always)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _sqlite_date(value: object) -> object:
    """A date as SQLAlchemy's SQLite ``Date`` stores it (ISO)."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sqlite_rows(
    table: sa.Table, names: list[str], records: Sequence[Mapping[str, object]]
) -> list[tuple[object, ...]]:
    convert: dict[int, Callable[[object], object]] = {}
    for i, name in enumerate(names):
        kind = table.c[name].type
        if isinstance(kind, sa.DateTime):
            convert[i] = _sqlite_datetime
        elif isinstance(kind, sa.Date):
            convert[i] = _sqlite_date
    rows = [[record[n] for n in names] for record in records]
    for i, fn in convert.items():
        for row in rows:
            row[i] = fn(row[i])
    return [tuple(row) for row in rows]


def _sqlite_insert(
    conn: sa.Connection, table: sa.Table, records: Sequence[Mapping[str, object]]
) -> None:
    keys = set(records[0])
    names = [c.name for c in table.columns if c.name in keys]  # the statement's order
    if len(names) != len(keys):
        raise KeyError(f"unknown columns for {table.name}: {sorted(keys - set(names))}")
    sql = str(table.insert().compile(dialect=conn.dialect, column_keys=names))
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, _sqlite_rows(table, names, records))
    finally:
        cursor.close()


def bulk_insert(
    conn: sa.Connection, table: sa.Table, records: Sequence[Mapping[str, object]]
) -> None:
    """Insert ``records`` (dicts with the same keys) into ``table``."""
    if not records:
        return
    if conn.dialect.name == "sqlite":
        _sqlite_insert(conn, table, records)
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), list(records))
        return
    names = list(records[0])
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(n) for n in names)
    cursor = conn.connection.cursor()
    try:
        with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row([record[n] for n in names])
    finally:
        cursor.close()
