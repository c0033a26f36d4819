"""PostgreSQL's own client programs (pg_dump, pg_restore) run on a database URL.

The program must be of the server's major version or newer (pg_dump refuses a newer server;
an archive is readable by a pg_restore at least as new as the pg_dump that wrote it). It is
looked for on ``PATH`` and in ``/usr/lib/postgresql/*/bin`` (Debian installs every version
there). The password goes to the program in the ``PGPASSWORD`` environment variable, never
on its command line, where any user of the machine could read it (``ps``).
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus

from monitoring.db.errors import DataInputError
from monitoring.db.transactions import IMPORTS_SNAPSHOT

PROGRAM_DIRS = "/usr/lib/postgresql/*/bin"
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


@dataclass(frozen=True)
class ClientProgram:
    """A pg_dump or pg_restore found on this machine, with its major version."""

    path: Path
    major: int


def _major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def _candidates(name: str) -> Iterator[str]:
    on_path = shutil.which(name)
    if on_path:
        yield on_path
    yield from sorted(glob.glob(os.path.join(PROGRAM_DIRS, name)))


def server_major(engine: sa.Engine) -> int:
    """The server's major version (``server_version_num`` 150018 -> 15)."""
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def find_program(name: str, minimum: int) -> ClientProgram:
    """``name`` of major version ``minimum`` if there is one, else the oldest newer one."""
    found: dict[int, ClientProgram] = {}
    for path in _candidates(name):
        major = _major(path)
        if major is not None and major >= minimum:
            found.setdefault(major, ClientProgram(Path(path), major))
    if not found:
        raise DataInputError(
            f"{name} of PostgreSQL {minimum} or newer not found on PATH or in {PROGRAM_DIRS}; "
            f"install the PostgreSQL {minimum} client programs (postgresql-client-{minimum})"
        )
    return found[min(found)]


def conninfo(url: sa.URL) -> str:
    """A libpq connection string for ``url`` without its password (the URL's query options,
    such as ``sslmode``, are kept)."""
    options = {k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()}
    return make_conninfo(
        "",
        host=url.host,
        port=url.port,
        user=url.username,
        dbname=url.database,
        **options,
    )


def environment(url: sa.URL) -> dict[str, str]:
    """This process's environment, with the URL's password (if any) as ``PGPASSWORD``."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return env


def run_program(program: ClientProgram, url: sa.URL, arguments: Sequence[str]) -> str:
    """Run ``program`` on the database of ``url``; its last error line if it fails."""
    command = [str(program.path), *arguments]
    result = subprocess.run(
        command, env=environment(url), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if "error" in line.lower()] or lines or ["no message"]
        raise DataInputError(f"{program.path.name} failed: {errors[0].strip()}")
    return result.stdout


def _in_snapshot(dbapi_connection: Any, snapshot: str) -> None:
    """Start the connection's next transaction in ``snapshot`` unless one is open."""
    if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")


@contextmanager
def exported_snapshot(engine: sa.Engine) -> Iterator[tuple[str, sa.Engine]]:
    """A snapshot of the database held open, and an engine whose every transaction reads
    that snapshot: ``pg_dump --snapshot`` and the digests then see the same data, however
    many connections either uses, while other sessions go on writing.

    The snapshot is set at each SQLAlchemy ``begin`` (an automatic one included), after the
    caller has set the connection's isolation level, except in a transaction that imports a
    snapshot itself (``IMPORTS_SNAPSHOT``: the status digest's second connection, which
    imports the snapshot of a connection of this engine, so reads the same state)."""
    with engine.connect() as holder:
        holder = holder.execution_options(isolation_level="REPEATABLE READ")
        with holder.begin():
            snapshot = str(holder.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            reader = sa.create_engine(engine.url, isolation_level="REPEATABLE READ")

            def _begin(conn: sa.Connection) -> None:
                if not conn.get_execution_options().get(IMPORTS_SNAPSHOT):
                    _in_snapshot(conn.connection.dbapi_connection, snapshot)

            sa.event.listen(reader, "begin", _begin)
            try:
                yield snapshot, reader
            finally:
                reader.dispose()
