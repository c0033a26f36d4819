"""Digests of a trial's tables at a cut-off, computed in the database.

``status`` reads only the rows its decisions need: the adverse events that can be the
monitored toxicity, and none of the exposure, disposition or laboratory rows. The data
digest must still cover every row an analysis at that cut-off uses, so that ``status``,
the reports and the dashboard print the same digest for the same data cut. The database
writes each row's canonical line (``monitoring.provenance``) in SQL and concatenates them
in key order in one aggregate: PostgreSQL returns their SHA-256, SQLite the UTF-8 bytes
(its databases are UTF-8 unless created otherwise), instead of 400,000 rows.

The cut-off rules of ``monitoring.derive.apply_cutoff`` are applied in SQL: rows of
patients enrolled after the cut-off and rows dated after it are left out; an adverse
event's resolution after it is missing. Orphan rows (no patient row) cannot be stored (the
importer refuses them), so "of an enrolled patient" is an ``IN`` on the patients enrolled
by the cut-off.

Numbers: the canonical text is Python's shortest round-trip ``repr``. The database writes
a number as text (SQLite: ``printf`` with ``%!.15g``, 15 significant digits, keeping the
``.0`` of a whole number; PostgreSQL: its shortest round-trip text, to which ``.0`` is
added) and checks in the same query that the text reads back as the stored number, holds
no exponent and that the number is 0 or between 1e-4 and 1e15 in magnitude: there
``repr`` writes fixed notation too, and a text that reads back has ``repr``'s digits (the
shortest; at most one decimal of 15 significant digits names a double). A table holding
any number that fails the check is hashed in memory instead (the same digest, slower).

``tests/test_data_digest.py`` checks equality with the in-memory digest on both backends.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime
from threading import Thread
from typing import Any

import sqlalchemy as sa

from monitoring.canonical import LENGTH_MARK, LINE_END
from monitoring.data_dictionary import CORE_TABLES, PATIENTS, TABLES, ColumnType, TableSpec
from monitoring.db.schema import DATA_TABLES, kept_digests, trials, version_filter
from monitoring.db.transactions import Bind, connected, data_marker

CUT_DATES = {
    "adverse_events": "onset_date",
    "exposure": "start_date",
    "disposition_events": "event_date",
    "lab_results": "sample_date",
}
"""The tables that can be hashed here and the date that cuts their rows (the dates of
``monitoring.derive.apply_cutoff``)."""

UNREAD_FOR_DECISIONS = ("exposure", "disposition_events", "lab_results")
"""Tables no decision rule reads: left empty on a read for the decisions (``status``; the
pages and the reports read them in full)."""
HASHED_FOR_DECISIONS = ("adverse_events", *UNREAD_FOR_DECISIONS)
"""Tables a read for the decisions holds only some rows of (the adverse events: the
monitored terms) or none: their digests are computed here."""

FIXED_RANGE = (1e-4, 1e15)
"""Magnitudes (besides 0) ``repr`` and a 15-digit text both write in fixed notation."""


def _number_text(value: sa.ColumnElement[Any], dialect: str) -> Any:
    """A number as the database writes it: ``value``'s text, read once per row."""
    if dialect == "postgresql":
        return sa.cast(value, sa.Text)
    # printf writes NULL as 0.0: a missing number stays missing
    return sa.case((value.is_(None), sa.null()), else_=sa.func.printf(sa.literal("%!.15g"), value))


def _canonical_number(text: sa.ColumnElement[Any], dialect: str) -> Any:
    """``repr``'s text from ``_number_text`` (valid where ``_number_written`` holds)."""
    if dialect != "postgresql":
        return text  # the '!' flag writes the ".0" of a whole number
    point = sa.func.strpos(text, sa.literal(".")) > 0
    return sa.case((point, text), else_=text.op("||")(sa.literal(".0")))


def _number_written(
    text: sa.ColumnElement[Any], value: sa.ColumnElement[Any], dialect: str
) -> sa.ColumnElement[bool]:
    """Whether ``_canonical_number`` of ``text`` is ``repr(value)`` (NULL: missing, true)."""
    find = sa.func.strpos if dialect == "postgresql" else sa.func.instr
    magnitude = sa.func.abs(value)
    low, high = FIXED_RANGE
    return sa.or_(
        value.is_(None),
        sa.and_(
            sa.cast(text, sa.Float) == value,
            find(text, sa.literal("e")) == 0,
            sa.or_(value == 0, magnitude >= low),
            magnitude < high,
        ),
    )


def _line(values: list[Any], dialect: str) -> Any:
    """A row's canonical line from its values' texts, in one function call per row (string
    concatenation with ``||`` costs SQLite twice as much): ``<length>:<text>`` per value, a
    missing value ``:`` alone (a NULL length and text print as nothing in both functions).

    SQLite: ``printf`` (dates are stored as ``YYYY-MM-DD`` text, integers print in
    decimal). PostgreSQL: ``concat`` of texts (a date prints as ``YYYY-MM-DD`` in the ISO
    date style)."""
    if dialect == "postgresql":
        parts: list[Any] = []
        for text in values:
            parts += [sa.func.length(text), sa.literal(LENGTH_MARK), text]
        return sa.func.concat(*parts, sa.literal(LINE_END))
    template = f"%s{LENGTH_MARK}%s" * len(values) + LINE_END
    pairs = [item for value in values for item in (sa.func.length(value), value)]
    return sa.func.printf(sa.literal(template), *pairs)


def _cut_texts(
    table: sa.Table, spec: TableSpec, day: sa.ColumnElement[Any] | None, dialect: str
) -> list[Any]:
    """The columns of ``spec`` as text, as an analysis at the cut-off ``day`` (if any) sees
    them (numbers as ``_number_text``)."""
    texts: list[Any] = []
    for column in spec.columns:
        value: Any = table.c[column.name]
        if column.name == "resolution_date" and day is not None:
            value = sa.case((value > day, sa.null()), else_=value)
        if column.type is ColumnType.NUMBER:
            value = _number_text(value, dialect)
        elif dialect == "postgresql" and column.type not in (ColumnType.TEXT, ColumnType.CODE):
            value = sa.cast(value, sa.Text)
        texts.append(value)
    return texts


def _cut_rows(
    table: sa.Table,
    name: str,
    trial_id: str,
    day: sa.ColumnElement[Any] | None,
    as_known_on: datetime | None,
) -> list[sa.ColumnElement[bool]]:
    """The trial's rows as known on ``as_known_on`` that an analysis at ``day`` uses."""
    rows = [table.c.trial_id == trial_id, *version_filter(table, as_known_on)]
    if day is None:
        return rows
    patients = DATA_TABLES["patients"]
    enrolled = sa.select(patients.c[PATIENTS.key[0]]).where(
        patients.c.trial_id == trial_id,
        patients.c.enrollment_date <= day,
        *version_filter(patients, as_known_on),
    )
    return [*rows, table.c[CUT_DATES[name]] <= day, table.c.patient_id.in_(enrolled)]


def _ordered(
    spec: TableSpec, keys: list[sa.ColumnElement[Any]], dialect: str
) -> list[sa.ColumnElement[Any]]:
    """The key columns in code-point order: PostgreSQL's "C" collation on text, SQLite's
    default BINARY."""
    if dialect != "postgresql":
        return keys
    text = (ColumnType.TEXT, ColumnType.CODE)
    return [
        key.collate("C") if spec.column(name).type in text else key
        for name, key in zip(spec.key, keys, strict=True)
    ]


def _in_memory(
    conn: sa.Connection, name: str, trial_id: str, cutoff: date | None, as_known_on: datetime | None
) -> str:
    """The same digest from the rows (``apply_cutoff`` on the table and the patients)."""
    # Only for tables the database cannot write: this module loads no pandas otherwise.
    from monitoring.data_dictionary import TrialData, empty_frame
    from monitoring.db.reading import read_table
    from monitoring.derive import apply_cutoff
    from monitoring.provenance import table_digest

    spec = TABLES[name]
    frame = read_table(conn, spec, trial_id, as_known_on)
    if cutoff is not None:
        patients = read_table(conn, PATIENTS, trial_id, as_known_on)
        empty = {core: empty_frame(TABLES[core]) for core in CORE_TABLES if core != "patients"}
        data = TrialData(patients=patients, **{**empty, name: frame})
        frame = apply_cutoff(data, cutoff).table(name)
    return table_digest(frame, spec)


def database_table_digest(
    bind: Bind,
    name: str,
    trial_id: str,
    cutoff: date | None,
    as_known_on: datetime | None = None,
) -> str:
    """``monitoring.provenance.table_digest`` of the trial's table ``name`` (a key of
    ``CUT_DATES``) as known on ``as_known_on`` (default: now), cut at ``cutoff``, computed
    in the database.

    ``cutoff=None`` means no cut: right for the default cut-off, the latest date in the
    data, which cuts nothing (and lets SQLite read the rows in key order from the index
    of current rows, with no sort).
    """
    spec, table = TABLES[name], DATA_TABLES[name]
    day = None if cutoff is None else sa.literal(cutoff, sa.Date)
    dialect = bind.dialect.name
    # Each value's text once per row, in a subquery the outer query does not merge into
    # itself (SQLite's LIMIT, kept on PostgreSQL alike): written into the line, where it is
    # named twice (length and text), and checked, an expression would be evaluated again.
    texts = _cut_texts(table, spec, day, dialect)
    names = [f"v{i}" for i in range(len(texts))]
    # PostgreSQL orders the aggregate by the key (its columns kept as stored); SQLite
    # orders the subquery itself.
    keys = [f"k{i}" for i in range(len(spec.key))]
    key_columns = [table.c[k].label(n) for k, n in zip(spec.key, keys, strict=True)]
    numbers = [c.name for c in spec.columns if c.type is ColumnType.NUMBER]
    rows = sa.select(
        *(text.label(n) for text, n in zip(texts, names, strict=True)),
        *(key_columns if dialect == "postgresql" else []),
        *(table.c[n].label(f"raw_{n}") for n in numbers),
    ).where(*_cut_rows(table, name, trial_id, day, as_known_on))
    if dialect != "postgresql":
        # SQLite keeps a subquery's ORDER BY under an aggregate other than count/min/max.
        rows = rows.order_by(*_ordered(spec, [table.c[k] for k in spec.key], dialect))
    values = rows.limit(-1 if dialect != "postgresql" else None).subquery()
    columns = dict(zip(spec.names, (values.c[n] for n in names), strict=True))
    written = [_number_written(columns[n], values.c[f"raw_{n}"], dialect) for n in numbers]
    for n in numbers:
        columns[n] = _canonical_number(columns[n], dialect)
    line = _line(list(columns.values()), dialect)
    unwritten = sa.case((sa.and_(*written), 0), else_=1) if written else sa.literal(0)
    failed_rows = sa.func.sum(unwritten)
    query: sa.Select[Any, Any]
    if dialect == "postgresql":
        # Hashed in the server: 32 bytes come back instead of the text of every row.
        from sqlalchemy.dialects.postgresql import aggregate_order_by  # not on SQLite

        order = _ordered(spec, [values.c[k] for k in keys], dialect)
        joined = sa.func.string_agg(line, aggregate_order_by(sa.literal(""), *order))
        utf8 = sa.func.convert_to(sa.func.coalesce(joined, sa.literal("")), sa.literal("UTF8"))
        query = sa.select(sa.func.sha256(utf8), failed_rows)
    else:
        joined = sa.func.group_concat(line, sa.literal(""))
        # As a blob: UTF-8 bytes as stored, no decoding into a Python string.
        query = sa.select(
            sa.cast(sa.func.coalesce(joined, sa.literal("")), sa.LargeBinary), failed_rows
        )
    with connected(bind) as conn:
        value, failed = conn.execute(query).one()
        if failed:
            return _in_memory(conn, name, trial_id, cutoff, as_known_on)
    value = bytes(value)
    return value.hex() if dialect == "postgresql" else hashlib.sha256(value).hexdigest()


def _table_state(conn: sa.Connection, name: str, trial_id: str) -> tuple[int, int]:
    """The trial's number of current rows in table ``name`` and its largest row-version id:
    every import or correction of the table changes one of them (a new version has a larger
    id; a row that ends without a successor lowers the count), and no row is ever deleted."""
    table = DATA_TABLES[name]
    rows = sa.select(sa.func.count()).where(
        table.c.trial_id == trial_id, table.c.valid_to.is_(None)
    )
    last = sa.select(sa.func.max(table.c.version_id)).where(table.c.trial_id == trial_id)
    count, version = conn.execute(sa.select(rows.scalar_subquery(), last.scalar_subquery())).one()
    return int(count or 0), int(version or 0)


def _kept(conn: sa.Connection, name: str, trial_id: str, state: tuple[int, int]) -> str | None:
    k = kept_digests.c
    found = conn.execute(
        sa.select(k.digest).where(
            k.trial_id == trial_id,
            k.table_name == name,
            k.current_rows == state[0],
            k.last_version_id == state[1],
        )
    ).scalar_one_or_none()
    return None if found is None else str(found)


def keep_digests(conn: sa.Connection, trial_id: str) -> None:
    """Inside the transaction of an import or correction, after its writes: the digest of
    each ``UNREAD_FOR_DECISIONS`` table in the state the change leaves, unless kept
    already (a table the change did not touch)."""
    for name in UNREAD_FOR_DECISIONS:
        state = _table_state(conn, name, trial_id)
        if _kept(conn, name, trial_id, state) is None:
            digest = database_table_digest(conn, name, trial_id, None)
            conn.execute(
                kept_digests.insert().values(
                    trial_id=trial_id,
                    table_name=name,
                    current_rows=state[0],
                    last_version_id=state[1],
                    digest=digest,
                )
            )


def cut_digest(
    bind: Bind,
    name: str,
    trial_id: str,
    cutoff: date | None,
    as_known_on: datetime | None = None,
) -> str:
    """``database_table_digest``, read from ``kept_digests`` when the cut is the current
    rows uncut and the table is in the state a kept digest names."""
    with connected(bind) as conn:
        if cutoff is None and as_known_on is None and name in UNREAD_FOR_DECISIONS:
            kept = _kept(conn, name, trial_id, _table_state(conn, name, trial_id))
            if kept is not None:
                return kept
        return database_table_digest(conn, name, trial_id, cutoff, as_known_on)


@dataclass(frozen=True)
class EarlyDigests:
    """``HASHED_FOR_DECISIONS`` digests of one cut, with the data marker of the state they
    are of (``monitoring.db.transactions.data_marker``)."""

    trial_id: str
    cutoff: date | None
    as_known_on: datetime | None
    marker: tuple[int, int]
    digests: dict[str, str]


def _only_trial(conn: sa.Connection) -> str | None:
    ids = conn.execute(sa.select(trials.c.id).limit(2)).scalars().all()
    return str(ids[0]) if len(ids) == 1 else None


def _early(
    engine: sa.Engine, trial_id: str | None, cutoff: date | None, as_known_on: datetime | None
) -> EarlyDigests | None:
    with engine.connect() as conn, conn.begin():
        trial_id = trial_id or _only_trial(conn)
        if trial_id is None:
            return None
        marker = data_marker(conn)
        digests = {
            name: cut_digest(conn, name, trial_id, cutoff, as_known_on)
            for name in HASHED_FOR_DECISIONS
        }
    return EarlyDigests(trial_id, cutoff, as_known_on, marker, digests)


def start_early_digests(
    engine: sa.Engine, trial_id: str | None, cutoff: date | None, as_known_on: datetime | None
) -> Future[EarlyDigests | None] | None:
    """Start computing ``HASHED_FOR_DECISIONS`` digests of a cut on a thread of their own,
    before the caller has loaded the analysis (``status``: about 0.5 s of imports on which
    the hashing, in SQLite and without Python's lock, runs alongside). ``trial_id`` None:
    the database's only trial, if it has one.

    SQLite files only: the reader uses them only if its own snapshot has the same data marker
    (SQLite serialises writers, so the same marker is the same data) and the same cut; a
    trial the caller may not see is hashed but never shown. None elsewhere (PostgreSQL
    hashes in the reader's own exported snapshot; an in-memory database is one connection's).
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    future: Future[EarlyDigests | None] = Future()

    def run() -> None:
        try:
            future.set_result(_early(engine, trial_id, cutoff, as_known_on))
        except BaseException as error:  # handed to the reader, which hashes again itself
            future.set_exception(error)

    Thread(target=run, name="early-digests", daemon=True).start()
    return future
