"""Where the trial data come from: the database named by ``TRIAL_MONITORING_DB``.

One module hides the data source from the pages; reading and deriving go through
``monitoring.analysis`` (``trial_source``), as the command line's do. The variable holds an
SQLAlchemy URL or an SQLite path; unset, the default SQLite file of ``monitoring.db`` is
used. A database with no trial gets the embedded demo trial (scenario ``on_track``) on first
start. A URL ``demo:<scenario>`` (for example ``demo:large``) serves a seeded demo trial
generated in memory, without a database: tests and benchmarks of the pages use it.
"""

from __future__ import annotations

import getpass
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from monitoring.accounts.demo import create_demo_database, open_demo_accounts
from monitoring.accounts.model import Principal
from monitoring.accounts.store import has_users
from monitoring.analysis import DatabaseSource, DemoSource, TrialEntry, TrialSource
from monitoring.analysis.access import permitted
from monitoring.db.engine import open_database
from monitoring.db.repository import data_version as repository_data_version
from monitoring.db.repository import list_trials
from monitoring.db.url import default_database_path
from monitoring.status import LookRecord

ENV_VAR = "TRIAL_MONITORING_DB"
DEMO_PREFIX = "demo:"
DEMO_SCENARIO = "on_track"


def database_url() -> str:
    """``TRIAL_MONITORING_DB`` if set, else the default SQLite file."""
    return os.environ.get(ENV_VAR) or str(default_database_path())


def is_demo(url: str) -> bool:
    return url.startswith(DEMO_PREFIX)


def user() -> str:
    """Who creates the demo database on first start (the server's login); changes made
    in the dashboard are recorded under the signed-in account (``signin.signed_in_name``)."""
    return getpass.getuser()


def create_demo_trial(database: sa.Engine, scenario: str = DEMO_SCENARIO) -> str:
    """The embedded demo trial; on an empty database also the demo mark and the demo
    accounts (``monitoring.accounts.demo``). Returns the trial id."""
    trial_id, _ = create_demo_database(database, scenario, now=datetime.now(UTC), user=user())
    return trial_id


def open_with_demo(url: str) -> sa.Engine:
    """Open (and migrate) the database; an empty one becomes the demo database."""
    database = open_database(url)
    if not list_trials(database):
        create_demo_trial(database)
    return database


@st.cache_resource(show_spinner=False)
def _demo_accounts() -> sa.Engine:
    """The accounts of the ``demo:`` sources: a new SQLite file for the server's life."""
    folder = tempfile.mkdtemp(prefix="trial-monitoring-demo-")
    return open_demo_accounts(str(Path(folder) / "accounts.sqlite"), now=datetime.now(UTC))


def accounts_engine(url: str) -> sa.Engine:
    """Where the accounts of ``url`` are: the database itself, or for a ``demo:`` source
    (which has no database) the demo accounts of :func:`_demo_accounts`."""
    return _demo_accounts() if is_demo(url) else engine(url)


@st.cache_resource(show_spinner="Opening the database…")
def engine(url: str) -> sa.Engine:
    """One engine per database for the server's life."""
    return open_with_demo(url)


def trial_source(url: str) -> TrialSource:
    """The source ``url`` names: the demo trial of a scenario, or the database."""
    if is_demo(url):
        return DemoSource(url.removeprefix(DEMO_PREFIX))
    return DatabaseSource(engine(url))


def trials(url: str, principal: Principal) -> tuple[TrialEntry, ...]:
    """The trials of the source ``principal`` holds a role on, by id (the others do not
    exist for them: ``monitoring.analysis.access``)."""
    return permitted(trial_source(url), principal).trials()


def records(url: str, trial_id: str) -> tuple[LookRecord, ...]:
    """What the source knows now of each look's summary (generated, signed off)."""
    return trial_source(url).records(trial_id)


def data_version(url: str, trial_id: str) -> str:
    """Latest import or correction time of the trial: part of every cache key."""
    if is_demo(url):
        return "demo"
    version = repository_data_version(engine(url), trial_id)
    last = version.last_change.isoformat() if version.last_change else "none"
    return f"{last}/{version.batches}/{version.audit_entries}"


if __name__ == "__main__":  # scripts/run.sh: create the demo database before the first start
    location = database_url()
    database = open_with_demo(location)
    trial_ids = [t.id for t in list_trials(database)]
    print(f"database {location}: trials {', '.join(trial_ids)}")
    if not has_users(database):  # made before accounts existed, or not by the demo
        print(
            "no account can sign in yet: add one with 'python -m monitoring users add NAME "
            f"--role admin --password-stdin --db {location}' (docs/cli.md)"
        )
