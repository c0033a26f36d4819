"""Trials in a database: every value of one analysis read from one state of the data.

The rows, the protocol, the batch, the monitoring log and the history chain's head are
read in one snapshot (``monitoring.db.transactions.snapshot``). Reading ``DECISIONS``, the
digests of the tables not read in full (``HASHED_FOR_DECISIONS``) are computed on a second
connection meanwhile, from the same state:
on PostgreSQL the snapshot is exported to that connection; on SQLite the data marker shows
whether the state is the same, and the digest is computed again on the snapshot's own
connection in the rare case it differs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, partial

import sqlalchemy as sa

from monitoring.analysis.cut import Cut
from monitoring.analysis.source import TrialEntry
from monitoring.analysis.state import Reading, TrialState
from monitoring.db.chain import chain_head
from monitoring.db.digest import (
    HASHED_FOR_DECISIONS,
    UNREAD_FOR_DECISIONS,
    EarlyDigests,
    cut_digest,
)
from monitoring.db.import_checks import read_dataset_findings
from monitoring.db.looks import look_records
from monitoring.db.reading import latest_data_date, load_trial_data
from monitoring.db.repository import (
    get_protocol,
    latest_batch,
    list_trials,
    resolve_trial,
)
from monitoring.db.transactions import IMPORTS_SNAPSHOT, data_marker, snapshot
from monitoring.status import LookRecord

SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")


Digests = dict[str, str]


class _Pending(Mapping[str, str]):
    """Table digests still being computed in the database: read when the digest is built."""

    def __init__(self, result: Callable[[], Digests]) -> None:
        self._result = cache(result)

    def __getitem__(self, name: str) -> str:
        return self._result()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(HASHED_FOR_DECISIONS)

    def __len__(self) -> int:
        return len(HASHED_FOR_DECISIONS)


def _digest(conn: sa.Connection, cut: Cut) -> Digests:
    return {
        name: cut_digest(conn, name, cut.trial_id, cut.cutoff, cut.as_known_on)
        for name in HASHED_FOR_DECISIONS
    }


def _postgresql_digest(engine: sa.Engine, snapshot_id: str, cut: Cut) -> Digests:
    """The digests in a transaction that imports the caller's snapshot: the same state."""
    with engine.connect() as conn:
        conn.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True, **{IMPORTS_SNAPSHOT: True}
        )
        with conn.begin():
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
            return _digest(conn, cut)


def _sqlite_digest(engine: sa.Engine, cut: Cut) -> tuple[tuple[int, int], Digests]:
    """The digests and the data marker of the state they were computed from (one
    transaction)."""
    with engine.connect() as conn, conn.begin():
        return data_marker(conn), _digest(conn, cut)


def _early_or_again(
    early: Future[EarlyDigests | None], conn: sa.Connection, cut: Cut, marker: tuple[int, int]
) -> Digests:
    """The early digests if they are of this cut and this state, else hashed on ``conn``."""
    try:
        found = early.result()
    except Exception:  # the early hashing only saves time: hash again here
        found = None
    if (
        found is not None
        and found.marker == marker
        and (
            found.trial_id,
            found.cutoff,
            found.as_known_on,
        )
        == (cut.trial_id, cut.cutoff, cut.as_known_on)
    ):
        return found.digests
    return _digest(conn, cut)


def _digest_beside(
    pool: ThreadPoolExecutor,
    conn: sa.Connection,
    cut: Cut,
    early: Future[EarlyDigests | None] | None = None,
) -> Callable[[], Digests]:
    """The digests of ``HASHED_FOR_DECISIONS`` in the state ``conn`` reads, computed on a
    second connection while the caller goes on; on ``conn`` itself for an in-memory SQLite
    database (each connection there is a database of its own). Call it before any other
    read of ``conn``: it starts the snapshot. ``early``: the same digests begun before the
    read (``monitoring.db.digest.start_early_digests``, SQLite), used if of the same state.

    The tables one after another on one connection: hashing some of them on the caller's
    connection at the same time made ``status`` of the 5,000-patient trial slower on two
    cores (2.3 s against 1.9 to 2.1 s; two SQLite statements running at once in one process
    each took about twice as long as alone)."""
    engine = conn.engine
    if engine.dialect.name == "postgresql":
        snapshot_id = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
        if not SNAPSHOT_ID.fullmatch(snapshot_id):
            raise ValueError(f"unexpected snapshot id {snapshot_id!r}")
        return pool.submit(_postgresql_digest, engine, snapshot_id, cut).result
    if engine.url.database in (None, "", ":memory:"):
        return partial(_digest, conn, cut)
    marker = data_marker(conn)
    if early is not None:
        return partial(_early_or_again, early, conn, cut, marker)
    beside = pool.submit(_sqlite_digest, engine, cut)

    def checked() -> Digests:
        seen, digests = beside.result()
        return digests if seen == marker else _digest(conn, cut)

    return checked


@dataclass(frozen=True)
class DatabaseSource:
    """The trials of one database (an engine opened and upgraded by the caller);
    ``early_digests``: digests begun before the first read (``_digest_beside``)."""

    engine: sa.Engine
    early_digests: Future[EarlyDigests | None] | None = field(default=None, compare=False)

    def trials(self) -> tuple[TrialEntry, ...]:
        return tuple(TrialEntry(t.id, t.title) for t in list_trials(self.engine))

    def resolve(self, trial_id: str | None) -> str:
        return resolve_trial(self.engine, trial_id)

    def records(self, trial_id: str) -> tuple[LookRecord, ...]:
        return look_records(self.engine, trial_id)

    @contextmanager
    def read(self, cut: Cut, reading: Reading) -> Iterator[TrialState]:
        """The trial's state in one snapshot; reading ``DECISIONS``, the digests of
        ``HASHED_FOR_DECISIONS`` are computed beside (read ``table_digests`` before the
        context exits)."""
        with ThreadPoolExecutor(max_workers=1) as pool, snapshot(self.engine) as conn:
            digests = None
            if reading is Reading.DECISIONS:  # first: it starts the snapshot
                digests = _Pending(_digest_beside(pool, conn, cut, self.early_digests))
            trial_id, known = cut.trial_id, cut.as_known_on
            protocol = get_protocol(conn, trial_id)
            terms = None
            latest = None
            if reading is Reading.DECISIONS:
                terms = [term for rule in protocol.toxicity for term in rule.terms]
                latest = latest_data_date(conn, trial_id, known)
            yield TrialState(
                trial_id=trial_id,
                protocol=protocol,
                data=load_trial_data(
                    conn,
                    trial_id,
                    known,
                    adverse_event_terms=terms,
                    unread=UNREAD_FOR_DECISIONS if reading is Reading.DECISIONS else (),
                ),
                records=look_records(conn, trial_id),
                batch=latest_batch(conn, trial_id, known),
                chain_head=chain_head(conn, trial_id).hash,
                latest=latest,
                table_digests=digests,
                dataset_findings=(
                    read_dataset_findings(conn, trial_id, known) if reading is Reading.ALL else ()
                ),
            )
