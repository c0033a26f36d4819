"""Bulk inserts: PostgreSQL's COPY, or the driver's executemany elsewhere.

With psycopg, ``executemany`` sends rows one by one and multi-row INSERTs spend their time
parsing huge statements; ``COPY ... FROM STDIN`` is an order of magnitude faster. SQLite's
``executemany`` is already fast. Both run inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa


def bulk_insert(
    conn: sa.Connection, table: sa.Table, records: Sequence[Mapping[str, object]]
) -> None:
    """Insert ``records`` (dicts with the same keys) into ``table``."""
    if not records:
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
