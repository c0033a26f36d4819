"""Copy every table of one database into another of the same schema revision, ids kept.

The way from the embedded SQLite file to a PostgreSQL server. The tables and their columns
are reflected from both databases (not listed here), so a column added by a later migration
is copied with no change to this module; a column present on one side only stops the copy.
Rows go in foreign-key order, in primary-key order, in one transaction with the clearing of
the target (if asked); the serial sequences of the target are then set past the largest
copied id, so that the next import continues the numbering instead of failing on a
duplicate key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from monitoring.db.bulk import bulk_insert
from monitoring.db.errors import DataInputError

MIGRATIONS_TABLE = "alembic_version"
"""Written by the migrations on each side; compared, not copied."""
CHUNK = 5000


@dataclass(frozen=True)
class CopiedTable:
    """One copied table and its number of rows."""

    table: str
    rows: int


def _reflected(engine: sa.Engine) -> dict[str, sa.Table]:
    """Every table of ``engine`` with its columns and their types (indexes are not needed)."""
    inspector = sa.inspect(engine)
    tables = {}
    for name in inspector.get_table_names():
        if name == MIGRATIONS_TABLE:
            continue
        columns = inspector.get_columns(name)
        key = set(inspector.get_pk_constraint(name)["constrained_columns"])
        tables[name] = sa.Table(
            name,
            sa.MetaData(),
            *(sa.Column(c["name"], c["type"], primary_key=c["name"] in key) for c in columns),
        )
    return tables


def _in_dependency_order(engine: sa.Engine) -> list[str]:
    """The tables of ``engine`` so that a table comes after every table it refers to."""
    order = sa.inspect(engine).get_sorted_table_and_fkc_names()
    return [name for name, _ in order if name is not None and name != MIGRATIONS_TABLE]


def _check_same_tables(source: dict[str, sa.Table], target: dict[str, sa.Table]) -> None:
    differences = []
    for name in sorted(set(source) | set(target)):
        if name not in target or name not in source:
            side = "target" if name not in target else "source"
            differences.append(f"table {name} missing in the {side}")
            continue
        ours, theirs = set(source[name].c.keys()), set(target[name].c.keys())
        differences += [f"{name}.{c} missing in the target" for c in sorted(ours - theirs)]
        differences += [f"{name}.{c} missing in the source" for c in sorted(theirs - ours)]
    if differences:
        raise DataInputError("source and target schemas differ: " + "; ".join(differences))


def _clear(conn: sa.Connection, names: Sequence[str]) -> None:
    """Empty the target's tables (``--force``), in the copy's transaction."""
    quote = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        listed = ", ".join(quote(n) for n in names)
        conn.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY")
        return
    for name in reversed(names):
        conn.exec_driver_sql(f"DELETE FROM {quote(name)}")


def _copy_table(
    source: sa.Connection, target: sa.Connection, table: sa.Table, into: sa.Table
) -> int:
    query = sa.select(table).order_by(*table.primary_key.columns)
    result = source.execution_options(yield_per=CHUNK).execute(query)
    count = 0
    for chunk in result.mappings().partitions(CHUNK):
        bulk_insert(target, into, [dict(row) for row in chunk])
        count += len(chunk)
    return count


def reset_sequences(conn: sa.Connection, tables: Sequence[sa.Table]) -> None:
    """Set each serial sequence of the tables' primary keys past the largest stored id
    (PostgreSQL; SQLite numbers from the largest stored id by itself)."""
    if conn.dialect.name != "postgresql":
        return
    quote = conn.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(
                sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))
            ).scalar_one()
            if sequence is None:
                continue
            name, col = quote(table.name), quote(column.name)
            conn.exec_driver_sql(
                f"SELECT setval(%(sequence)s, COALESCE(MAX({col}), 1), MAX({col}) IS NOT NULL) "
                f"FROM {name}",
                {"sequence": sequence},
            )


def copy_database(
    source: sa.Engine, target: sa.Engine, *, clear: bool = False
) -> tuple[CopiedTable, ...]:
    """Copy every row of ``source`` into ``target`` (same schema revision), ids kept.

    All or nothing: one transaction on the target. ``clear`` empties the target first.
    """
    tables, into = _reflected(source), _reflected(target)
    _check_same_tables(tables, into)
    order = _in_dependency_order(target)
    copied = []
    try:
        with source.connect() as reading, target.begin() as writing:
            if clear:
                _clear(writing, order)
            for name in order:
                rows = _copy_table(reading, writing, tables[name], into[name])
                copied.append(CopiedTable(name, rows))
            reset_sequences(writing, [into[name] for name in order])
    except sa.exc.DBAPIError as exc:
        done = copied[-1].table if copied else "none"
        raise DataInputError(
            f"the copy failed after table {done} ({exc.orig}); nothing was copied"
        ) from exc
    return tuple(copied)
