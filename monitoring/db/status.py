"""A trial's live status straight from the database: the one entry point for CLI and pages.

Every value of one status is read from one state of the data: the rows, the protocol, the
batch and the monitoring log in one snapshot (``monitoring.db.transactions.snapshot``), and
the adverse events' digest, computed on a second connection meanwhile, from the same state
(PostgreSQL: the snapshot exported to that connection; SQLite: checked by the data marker,
and computed again on the snapshot's own connection in the rare case it differs).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial

import sqlalchemy as sa

from monitoring.awaiting_data import no_data_message
from monitoring.db.chain import chain_head
from monitoring.db.digest import adverse_event_digest
from monitoring.db.errors import DataInputError
from monitoring.db.looks import look_records
from monitoring.db.reading import latest_data_date, load_trial_data
from monitoring.db.repository import data_marker, get_protocol, latest_batch
from monitoring.db.transactions import IMPORTS_SNAPSHOT, snapshot
from monitoring.status import TrialStatus, trial_status

SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f-]+")


class _Pending(Mapping[str, str]):
    """Table digests still being computed in the database: read when the digest is built."""

    def __init__(self, results: Mapping[str, Callable[[], str]]) -> None:
        self._results = {name: cache(result) for name, result in results.items()}

    def __getitem__(self, name: str) -> str:
        return self._results[name]()

    def __iter__(self) -> Iterator[str]:
        return iter(self._results)

    def __len__(self) -> int:
        return len(self._results)


@dataclass(frozen=True)
class _Cut:
    """Which adverse events the digest covers: the trial's, at a cut-off, as known on."""

    trial_id: str
    cutoff: date | None
    as_known_on: datetime | None

    def digest(self, conn: sa.Connection) -> str:
        return adverse_event_digest(conn, self.trial_id, self.cutoff, self.as_known_on)


def _postgresql_digest(engine: sa.Engine, snapshot_id: str, cut: _Cut) -> str:
    """The digest in a transaction that imports the caller's snapshot: the same state."""
    with engine.connect() as conn:
        conn.execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True, **{IMPORTS_SNAPSHOT: True}
        )
        with conn.begin():
            conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot_id}'")
            return cut.digest(conn)


def _sqlite_digest(engine: sa.Engine, cut: _Cut) -> tuple[tuple[int, int], str]:
    """The digest and the data marker of the state it was computed from (one transaction)."""
    with engine.connect() as conn, conn.begin():
        return data_marker(conn), cut.digest(conn)


def _digest_beside(pool: ThreadPoolExecutor, conn: sa.Connection, cut: _Cut) -> Callable[[], str]:
    """The adverse events' digest of the state ``conn`` reads, computed on a second
    connection while the caller goes on; on ``conn`` itself for an in-memory SQLite
    database (each connection there is a database of its own). Call it before any other
    read of ``conn``: it starts the snapshot."""
    engine = conn.engine
    if engine.dialect.name == "postgresql":
        snapshot_id = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
        if not SNAPSHOT_ID.fullmatch(snapshot_id):
            raise ValueError(f"unexpected snapshot id {snapshot_id!r}")
        return pool.submit(_postgresql_digest, engine, snapshot_id, cut).result
    if engine.url.database in (None, "", ":memory:"):
        return partial(cut.digest, conn)
    marker = data_marker(conn)
    beside = pool.submit(_sqlite_digest, engine, cut)

    def checked() -> str:
        seen, digest = beside.result()
        return digest if seen == marker else cut.digest(conn)

    return checked


def load_status(
    engine: sa.Engine,
    trial_id: str,
    *,
    cutoff: date | None = None,
    as_known_on: datetime | None = None,
) -> TrialStatus:
    """Decisions and the monitoring log at ``cutoff`` (default: the latest date in the data)
    from the data as known on ``as_known_on`` (default: now).

    Only the adverse events that can be the monitored toxicity are read (the decisions need
    no other): this keeps status fast on large trials. The cut-off is computed over every
    row, and the adverse events' digest is computed by the database over every row at that
    cut-off (``monitoring.db.digest``, on a second connection while the rows are read and
    derived), so cut-off and data digest are those of a full analysis of the same cut.
    """
    with ThreadPoolExecutor(max_workers=1) as pool, snapshot(engine) as conn:
        # No cut for the default cut-off: the latest date cuts nothing.
        events = _digest_beside(pool, conn, _Cut(trial_id, cutoff, as_known_on))
        protocol = get_protocol(conn, trial_id)
        day = cutoff or latest_data_date(conn, trial_id, as_known_on)
        if day is None:
            raise DataInputError(no_data_message(trial_id))
        terms = [term for rule in protocol.toxicity for term in rule.terms]
        data = load_trial_data(conn, trial_id, as_known_on, adverse_event_terms=terms)
        return trial_status(
            protocol,
            data,
            cutoff=day,
            as_known_on=as_known_on,
            records=look_records(conn, trial_id),
            trial_id=trial_id,
            data_batch=latest_batch(conn, trial_id, as_known_on),
            table_digests=_Pending({"adverse_events": events}),
            chain_head=chain_head(conn, trial_id).hash,
        )
