"""Database location: an SQLAlchemy URL or a plain path to an SQLite file."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError

from monitoring.db.errors import DataInputError

APP_NAME = "trial-monitoring"
DEFAULT_FILE_NAME = "monitoring.sqlite"


def default_database_path() -> Path:
    """The SQLite file used when no database is named (per-user data directory)."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / DEFAULT_FILE_NAME


def resolve_url(location: str | Path | None) -> sa.URL:
    """An SQLAlchemy URL from a URL, a plain file path, or ``None`` (the default file).

    A text containing ``://`` is an SQLAlchemy URL; anything else is a path to an SQLite
    file, made absolute and with its directory created.
    """
    if location is None:
        location = default_database_path()
    text = str(location)
    if "://" in text:
        try:
            return sa.make_url(text)
        except ArgumentError as exc:
            raise DataInputError(f"'{text}' is not a valid database URL: {exc}") from exc
    path = Path(text).expanduser().resolve()
    if path.is_dir():
        raise DataInputError(f"'{text}' is a directory, not a database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    return sa.URL.create("sqlite+pysqlite", database=str(path))
