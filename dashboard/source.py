"""Where the trial data come from: the database named by ``TRIAL_MONITORING_DB``.

One module hides the data source from the pages. The variable holds an SQLAlchemy URL or an
SQLite path; unset, the default SQLite file of ``monitoring.db`` is used. A database with
no trial gets the embedded demo trial (scenario ``on_track``) on first start. A URL
``demo:<scenario>`` (for example ``demo:large``) serves a seeded demo trial generated in
memory, without a database: tests and benchmarks of the pages use it.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
import streamlit as st

from monitoring.db.demo_trial import create_demo_trial as create_demo
from monitoring.db.engine import open_database
from monitoring.db.looks import look_records
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import data_version as repository_data_version
from monitoring.db.repository import get_protocol, latest_batch, list_trials
from monitoring.db.transactions import snapshot
from monitoring.db.url import default_database_path
from monitoring.demo import generate
from monitoring.protocol import DEFAULT_TRIAL_ID, Protocol, bundled_protocol, load_protocol
from monitoring.status import LookRecord
from monitoring.tables import TrialData

ENV_VAR = "TRIAL_MONITORING_DB"
DEMO_PREFIX = "demo:"
DEMO_SCENARIO = "on_track"


@dataclass(frozen=True)
class TrialEntry:
    """A trial the source holds."""

    id: str
    title: str


@dataclass(frozen=True)
class LoadedTrial:
    """A trial's protocol and its data as known on a date."""

    protocol: Protocol
    data: TrialData
    batch: int | None = None


def database_url() -> str:
    """``TRIAL_MONITORING_DB`` if set, else the default SQLite file."""
    return os.environ.get(ENV_VAR) or str(default_database_path())


def is_demo(url: str) -> bool:
    return url.startswith(DEMO_PREFIX)


def user() -> str:
    """Who makes a change from the dashboard (the server's login)."""
    return getpass.getuser()


def create_demo_trial(database: sa.Engine, scenario: str = DEMO_SCENARIO) -> str:
    """The embedded demo trial (``monitoring.db.demo_trial``); returns the trial id."""
    return create_demo(database, scenario, now=datetime.now(UTC), user=user())


def open_with_demo(url: str) -> sa.Engine:
    """Open (and migrate) the database; an empty one gets the demo trial."""
    database = open_database(url)
    if not list_trials(database):
        create_demo_trial(database)
    return database


@st.cache_resource(show_spinner="Opening the database…")
def engine(url: str) -> sa.Engine:
    """One engine per database for the server's life."""
    return open_with_demo(url)


def _demo_protocol() -> Protocol:
    return load_protocol(bundled_protocol(DEFAULT_TRIAL_ID))


def trials(url: str) -> tuple[TrialEntry, ...]:
    """Trials in the source, by id."""
    if is_demo(url):
        protocol = _demo_protocol()
        return (TrialEntry(protocol.id, protocol.short_title or protocol.title),)
    return tuple(TrialEntry(t.id, t.title) for t in list_trials(engine(url)))


def load_trial(url: str, trial_id: str, as_known_on: datetime | None) -> LoadedTrial:
    """The trial's protocol and data (as known on ``as_known_on``; None: now), read in one
    snapshot: a page never shows rows of one import with the batch of another."""
    if is_demo(url):
        protocol = _demo_protocol()
        return LoadedTrial(protocol, generate(protocol, url.removeprefix(DEMO_PREFIX), seed=0))
    with snapshot(engine(url)) as conn:  # protocol, rows and batch of one state of the data
        return LoadedTrial(
            get_protocol(conn, trial_id),
            load_trial_data(conn, trial_id, as_known_on),
            latest_batch(conn, trial_id, as_known_on),
        )


def records(url: str, trial_id: str) -> tuple[LookRecord, ...]:
    """What the database knows of each look's summary (generated, signed off)."""
    return () if is_demo(url) else look_records(engine(url), trial_id)


def data_version(url: str, trial_id: str) -> str:
    """Latest import or correction time of the trial: part of every cache key."""
    if is_demo(url):
        return "demo"
    version = repository_data_version(engine(url), trial_id)
    last = version.last_change.isoformat() if version.last_change else "none"
    return f"{last}/{version.batches}/{version.audit_entries}"


if __name__ == "__main__":  # scripts/run.sh: create the demo database before the first start
    location = database_url()
    trial_ids = [t.id for t in list_trials(open_with_demo(location))]
    print(f"database {location}: trials {', '.join(trial_ids)}")
