"""A trial's live status straight from the database: the one entry point for CLI and pages."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from monitoring.awaiting_data import no_data_message
from monitoring.db.digest import adverse_event_digest
from monitoring.db.errors import DataInputError
from monitoring.db.looks import look_records
from monitoring.db.reading import latest_data_date, load_trial_data
from monitoring.db.repository import get_protocol, latest_batch
from monitoring.status import TrialStatus, trial_status


class _Pending(Mapping[str, str]):
    """Table digests still being computed in the database: read when the digest is built."""

    def __init__(self, futures: Mapping[str, Future[str]]) -> None:
        self._futures = futures

    def __getitem__(self, name: str) -> str:
        return self._futures[name].result()

    def __iter__(self) -> Iterator[str]:
        return iter(self._futures)

    def __len__(self) -> int:
        return len(self._futures)


def _digest_beside(pool: ThreadPoolExecutor, engine: sa.Engine, *args: Any) -> Future[str]:
    """The adverse events' digest, on a second connection while the caller goes on; at once
    for an in-memory SQLite database (each connection there is a database of its own)."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        done: Future[str] = Future()
        done.set_result(adverse_event_digest(engine, *args))
        return done
    return pool.submit(adverse_event_digest, engine, *args)


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
    with ThreadPoolExecutor(max_workers=1) as pool:
        # No cut for the default cut-off: the latest date cuts nothing.
        events = _digest_beside(pool, engine, trial_id, cutoff, as_known_on)
        protocol = get_protocol(engine, trial_id)
        day = cutoff or latest_data_date(engine, trial_id, as_known_on)
        if day is None:
            raise DataInputError(no_data_message(trial_id))
        terms = [term for rule in protocol.toxicity for term in rule.terms]
        data = load_trial_data(engine, trial_id, as_known_on, adverse_event_terms=terms)
        return trial_status(
            protocol,
            data,
            cutoff=day,
            as_known_on=as_known_on,
            records=look_records(engine, trial_id),
            trial_id=trial_id,
            data_batch=latest_batch(engine, trial_id, as_known_on),
            table_digests=_Pending({"adverse_events": events}),
        )
