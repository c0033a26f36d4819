"""Worker processes of the concurrency tests: imports and reads in real processes.

The pool is started with the 'spawn' method, so each worker is a fresh interpreter with its
own engine and connections, as a second command on the same database is. Workers are
reused across rounds; a barrier shared at start-up makes the two writers of a round begin
together, an event tells a reader that the writer is done. Outcomes come back as text
(``accepted``, ``rejected: ...``, ``refused: ...`` or ``traceback: ...``) so that the test
process can assert on them.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from monitoring.db.engine import open_database
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from tests.waits import HANG_GUARD

_shared: dict[str, Any] = {}
_engines: dict[str, sa.Engine] = {}

Observation = tuple[str, int | None, str]
"""A reader's view: what read it, the batch it reported, the data digest it printed."""


def start(barrier: Barrier, done: Event) -> None:
    """Pool initializer: keep the synchronisation objects of this pool."""
    _shared["barrier"] = barrier
    _shared["done"] = done


def _engine(url: str) -> sa.Engine:
    if url not in _engines:
        _engines[url] = open_database(url)
    return _engines[url]


def _outcome(step: Callable[[], str]) -> str:
    try:
        return step()
    except DataInputError as exc:
        return f"refused: {exc}"
    except Exception:
        return f"traceback: {traceback.format_exc()}"


def import_together(url: str, trial_id: str, paths: Sequence[Path]) -> str:
    """Wait for the other worker, then import ``paths`` with the real clock."""
    _shared["barrier"].wait(timeout=HANG_GUARD)

    def run() -> str:
        now = partial(datetime.now, UTC)
        result = import_files(_engine(url), trial_id, paths, now=now, user="worker")
        if result.accepted:
            return "accepted"
        return "rejected: " + "; ".join(str(p) for p in result.problems)

    return _outcome(run)


def import_in_turn(url: str, trial_id: str, extracts: Sequence[Sequence[Path]]) -> list[str]:
    """After the barrier, import each extract in turn (outcome: the batch id); then tell
    the reader to stop."""
    _shared["barrier"].wait(timeout=HANG_GUARD)

    def batch(paths: Sequence[Path]) -> str:
        now = partial(datetime.now, UTC)
        return str(import_files(_engine(url), trial_id, paths, now=now, user="worker").batch_id)

    try:
        return [_outcome(partial(batch, paths)) for paths in extracts]
    finally:
        _shared["done"].set()


def _status_read(url: str, trial_id: str) -> Observation:
    from monitoring.analysis import DatabaseSource, status_of

    provenance = status_of(DatabaseSource(_engine(url)), trial_id).provenance
    return "status", provenance.data_batch, provenance.data_digest


def _report_read(url: str, trial_id: str) -> Observation:
    """What ``report`` reads: the analysis of every row as known now (``Reading.ALL``)."""
    from monitoring.analysis import Cut, DatabaseSource, open_analysis

    cut = Cut(trial_id, None, datetime.now(UTC))
    provenance = open_analysis(DatabaseSource(_engine(url)), cut).status.provenance
    return "report", provenance.data_batch, provenance.data_digest


def _page_read(url: str, trial_id: str) -> Observation:
    """What a page reads: the trial's state through the dashboard's source, then analysed."""
    from dashboard.source import trial_source
    from monitoring.analysis import Analysis, Cut, Reading

    cut = Cut(trial_id)
    with trial_source(url).read(cut, Reading.ALL) as state:
        pass
    status = Analysis(state, cut).status
    return "page", status.provenance.data_batch, status.provenance.data_digest


READERS = (_status_read, _report_read, _page_read)


def read_until_done(url: str, trial_id: str) -> list[Observation] | str:
    """After the barrier, read the trial's status as ``status``, ``report`` and a dashboard
    page do, in turn, until the writer is done (and once more after), and at least once
    each: on a busy machine the writer may finish before the reader's first reads."""
    _shared["barrier"].wait(timeout=HANG_GUARD)
    seen: list[Observation] = []
    try:
        while True:
            last = _shared["done"].is_set() and len(seen) >= len(READERS) - 1
            reader = READERS[len(seen) % len(READERS)]
            seen.append(reader(url, trial_id))
            if last:
                return seen
    except Exception:
        return f"traceback: {traceback.format_exc()}"
