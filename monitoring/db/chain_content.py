"""Canonical content of history rows for the chain: typed, unambiguous, backend-independent.

A row's text is its table name, then per column ``<length>:<name>=`` and the value, ended
by a newline. A value is ``n`` when missing, else its column's type letter (``i``
integer, ``f`` float, ``s`` text, ``d`` date, ``t`` naive-UTC timestamp) and
``<length>:<text>``: integers in decimal, floats as Python's shortest round-trip
``repr``, dates ``YYYY-MM-DD``, timestamps ``YYYY-MM-DD HH:MM:SS.ffffff``. A value that is
not of its column's type (only a hand edit of an SQLite file can store one) is written
``x`` with its Python type and ``repr``, so it can never equal a well-typed value.

Rows are read without SQLAlchemy's conversions (``raw``): SQLite returns dates and
timestamps as the text SQLAlchemy stored, which is already the canonical text;
PostgreSQL's driver returns ``date`` and ``datetime`` objects, written in the same form,
as are the values a writer sends to the driver (``monitoring.db.chain.note_written``).
Columns are encoded one at a time with each distinct value written once (dates, codes and
names repeat): the chain must not double the cost of an import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa


def column_kind(column: sa.Column[Any]) -> str:
    """The type letter of a column."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return "t"
    if isinstance(kind, sa.Date):
        return "d"
    if isinstance(kind, sa.Integer):
        return "i"
    if isinstance(kind, sa.Float):
        return "f"
    if isinstance(kind, sa.String):
        return "s"
    raise TypeError(f"{column.name}: no canonical form for {kind}")


def raw(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """``column`` as the driver returns it (no SQLAlchemy result conversion)."""
    return sa.type_coerce(column, sa.types.NullType())


def _canonical(kind: str, value: object) -> str | None:
    """The canonical text of a value of a column of ``kind`` (``None``: not of that type)."""
    cls = type(value)
    if kind == "s":
        return value if cls is str else None  # type: ignore[return-value]
    if kind == "i":
        return str(value) if cls is int else None
    if kind == "f":
        return repr(value) if cls is float else None
    if cls is str:  # SQLite: dates and timestamps as stored
        return value  # type: ignore[return-value]
    if kind == "d" and cls is date:
        return value.isoformat()  # type: ignore[attr-defined, no-any-return]
    if kind == "t" and cls is datetime and value.tzinfo is None:  # type: ignore[attr-defined]
        return value.isoformat(sep=" ", timespec="microseconds")  # type: ignore[attr-defined, no-any-return]
    return None


def value_text(kind: str, value: object) -> str:
    """One value in canonical form."""
    if value is None:
        return "n"
    text = _canonical(kind, value)
    if text is None:
        kind, text = "x", f"{type(value).__name__}:{value!r}"
    return f"{kind}{len(text)}:{text}"


def _column_fields(name: str, kind: str, values: Iterable[object]) -> list[str]:
    """``<length>:<name>=<value>\\n`` for each value; each distinct value written once
    (not floats: -0.0 and 0.0 are equal keys with different texts)."""
    prefix = f"{len(name)}:{name}="
    if kind == "f":
        return [f"{prefix}{value_text(kind, v)}\n" for v in values]
    written: dict[tuple[type, object], str] = {}
    out = []
    for v in values:
        key = (type(v), v)
        field = written.get(key)
        if field is None:
            field = written[key] = f"{prefix}{value_text(kind, v)}\n"
        out.append(field)
    return out


def content_texts(
    table: str, names: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[object]]
) -> list[str]:
    """The canonical text of each row (values in the order of ``names``)."""
    header = f"{len(table)}:{table}\n"
    if not rows:
        return []
    columns = [
        _column_fields(n, k, values)
        for n, k, values in zip(names, kinds, zip(*rows, strict=True), strict=True)
    ]
    return [header + "".join(fields) for fields in zip(*columns, strict=True)]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hashes(
    table: str, names: Sequence[str], kinds: Sequence[str], rows: Sequence[Sequence[object]]
) -> list[str]:
    """SHA-256 (hex) of each row's canonical text."""
    return [sha256(text) for text in content_texts(table, names, kinds, rows)]
