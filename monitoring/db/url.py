"""Database location: an SQLAlchemy URL or a plain path to an SQLite file.

Resolving a location changes nothing on disk: whether a missing database may be created is
decided by :func:`monitoring.db.engine.open_database`.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError

from monitoring.db.errors import DataInputError

APP_NAME = "trial-monitoring"
DEFAULT_FILE_NAME = "monitoring.sqlite"
BACKENDS = ("sqlite", "postgresql")
POSTGRES_DRIVER = "postgresql+psycopg"  # the driver installed with the package (psycopg 3)


def default_database_path() -> Path:
    """The SQLite file used when no database is named (per-user data directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / DEFAULT_FILE_NAME


def shown(url: sa.URL) -> str:
    """``url`` for a message: the password hidden, an SQLite file as its path."""
    path = sqlite_path(url)
    return str(path) if path is not None else url.render_as_string(hide_password=True)


def sqlite_path(url: sa.URL) -> Path | None:
    """The file of an SQLite URL; None for another backend or an in-memory database."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def resolve_url(location: str | Path | None) -> sa.URL:
    """An SQLAlchemy URL from a URL, a plain file path, or ``None`` (the default file).

    A text containing ``://`` is an SQLAlchemy URL, of SQLite or PostgreSQL (a bare
    ``postgresql://`` uses psycopg); anything else is a path to an SQLite file, made
    absolute. Nothing is created.
    """
    if location is None:
        location = default_database_path()
    text = str(location)
    if "://" in text:
        try:
            url = sa.make_url(text)
        except ArgumentError as exc:
            raise DataInputError(f"'{text}' is not a valid database URL: {exc}") from exc
        backend = url.get_backend_name()
        if backend not in BACKENDS:
            raise DataInputError(
                f"'{url.render_as_string(hide_password=True)}': unsupported database backend "
                f"'{backend}'; use a path to an SQLite file or a postgresql+psycopg:// URL"
            )
        if url.drivername == "postgresql":
            url = url.set(drivername=POSTGRES_DRIVER)
        return url
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise DataInputError(f"'{text}' is a directory, not a database file")
    return sa.URL.create("sqlite+pysqlite", database=str(path))
