"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``TEST_POSTGRES_URL``; when unset, ``scripts/postgres.sh start``
starts a throw-away server (under a file lock, so parallel pytest-xdist workers start it
once). Each test gets a fresh database (``t_<uuid>``) dropped afterwards, so tests can run in
parallel with no shared names.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial

ROOT = Path(__file__).resolve().parent.parent
# Every dashboard page, from the folder the navigation reads (a new page is tested too).
PAGES = [f"pages/{path.name}" for path in sorted((ROOT / "pages").glob("*.py"))]
PROTOCOL_DIR = ROOT / "monitoring" / "protocols"  # the bundled protocols, as files in the checkout
DEFAULT_PROTOCOL = PROTOCOL_DIR / "ino-lowdose-ph2.toml"
REGISTERED_AT = datetime(2025, 1, 2, 8, 0, tzinfo=UTC)

# Property tests are judged on what they find, never on how fast examples run or are
# generated (a busy machine: tests/waits.py): no per-example deadline, no "too slow" check.
settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("suite")


def _start_postgres() -> str:
    with open("/tmp/trial-monitoring-pg.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        out = subprocess.run(
            [str(ROOT / "scripts" / "postgres.sh"), "start"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return out.strip().split("TEST_POSTGRES_URL=", 1)[1]


@pytest.fixture(scope="session")
def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL") or _start_postgres()


BACKENDS = [pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)]


def _create_pg_database(admin: sa.Engine, template: str | None = None) -> str:
    name = f"t_{uuid.uuid4().hex}"
    suffix = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"{suffix}')
    return name


def _drop_pg_database(admin: sa.Engine, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_admin(postgres_admin_url: str) -> Iterator[sa.Engine]:
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_admin: sa.Engine) -> Iterator[str]:
    """A database migrated once per worker; tests copy it (CREATE DATABASE ... TEMPLATE)."""
    name = _create_pg_database(pg_admin)
    engine = open_database(pg_admin.url.set(database=name).render_as_string(hide_password=False))
    engine.dispose()
    yield name
    _drop_pg_database(pg_admin, name)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "monitoring.sqlite"
    open_database(path).dispose()
    return path


def _fresh(request: pytest.FixtureRequest, tmp_path: Path, migrated: bool) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "monitoring.sqlite"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield str(path)
        return
    admin: sa.Engine = request.getfixturevalue("pg_admin")
    template = request.getfixturevalue("pg_template") if migrated else None
    name = _create_pg_database(admin, template)
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file path or a new PostgreSQL database's URL."""
    yield from _fresh(request, tmp_path, migrated=False)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of its own, already at the head revision (copied from a template)."""
    yield from _fresh(request, tmp_path, migrated=True)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """The fresh database opened (migrated to head) as every command opens it."""
    eng = open_database(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def trial(engine: sa.Engine) -> str:
    """The default trial (seed 003) registered; returns its id."""
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


@pytest.fixture
def _navigation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """AppTest resets Streamlit's legacy multipage flag before every run and, seeing a
    ``pages/`` folder, would rerun the current page alone, without app.py and its sidebar.
    The app declares its pages with ``st.navigation``, which turns that mode off in the
    real server; the tests turn it off the same way."""
    from streamlit.runtime.pages_manager import PagesManager  # only the page tests load it

    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
