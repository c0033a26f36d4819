"""What every database command shares: the --db/--trial/--user arguments, the analysis
arguments (--cutoff, --as-known-on, --json), opening the database, "now" and the user.

"Now" and the user are resolved here, at the command line; the library takes them as
arguments.
"""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import iso_date

if TYPE_CHECKING:  # loaded when a command opens its database, not at every command's start
    from concurrent.futures import Future

    import sqlalchemy as sa

    from monitoring.accounts.events import Event
    from monitoring.accounts.model import Principal
    from monitoring.analysis import Analysis, Cut, Reading
    from monitoring.db.digest import EarlyDigests

DB_HELP = "SQLAlchemy URL or path to an SQLite file (default: the per-user data file)"


def now_utc() -> datetime:
    """The current time, aware, UTC: resolved here and passed into the library."""
    return datetime.now(UTC)


def open_engine(args: argparse.Namespace, *, create: bool = False) -> sa.Engine:
    """The database of ``--db``, upgraded to the current schema; bad input (a
    :class:`DataInputError`) exits 2. Only the commands that bring data (``create``) may
    create a missing database."""
    from monitoring.db.engine import open_database

    return open_database(args.db, create=create)


def add_database_arguments(
    parser: argparse.ArgumentParser,
    *,
    trial: bool = True,
    user: bool = False,
    inherited: bool = False,
) -> None:
    """--db, and optionally --trial and --user. ``inherited``: the parser is an action of a
    command that takes the same options (``report --db X list``); an option not repeated
    after the action keeps the command's value instead of being reset to its default."""
    default: Any = argparse.SUPPRESS if inherited else None
    parser.add_argument("--db", metavar="URL", default=default, help=DB_HELP)
    if trial:
        parser.add_argument(
            "--trial", metavar="ID", default=default, help="trial id (optional with one trial)"
        )
    if user:
        parser.add_argument(
            "--user",
            default=default,
            help="the account acting (default: the login's account; docs/security.md)",
        )


def user_name(args: argparse.Namespace) -> str:
    """``--user``, or the login name: recorded with every change."""
    return str(getattr(args, "user", None) or getpass.getuser())


def acting(engine: sa.Engine, args: argparse.Namespace) -> Principal | None:
    """The account the command acts as: ``--user``, else the operating-system login as an
    account of the same name. None (nothing restricted, as before accounts existed) on a
    database without any account, and on the demo database when ``--user`` is not given
    and the login is no account there (its passwords are published: nothing to protect).
    An unknown or disabled account is refused (exit 2)."""
    return acting_as(engine, getattr(args, "user", None))


def acting_as(engine: sa.Engine, given: str | None) -> Principal | None:
    """The principal of :func:`acting` for the account name ``given`` (None: the login)."""
    from monitoring.accounts.demo import is_demo_database
    from monitoring.accounts.model import AccountError
    from monitoring.accounts.store import acting_principal, has_users

    if not has_users(engine):
        return None
    name = str(given or getpass.getuser())
    if given is None and is_demo_database(engine):
        try:
            return acting_principal(engine, name)
        except AccountError:
            return None
    return acting_principal(engine, name)


def record_event(
    engine: sa.Engine,
    principal: Principal | None,
    event: Event,
    trial_id: str,
    detail: str,
) -> None:
    """Append what the acting account did to the account audit log, the account as the
    actor (``users log NAME`` lists it); nothing on a database without accounts."""
    from monitoring.accounts.events import record_action

    if principal is not None:
        record_action(
            engine, event, at=now_utc(), user_name=principal.name, trial_id=trial_id,
            detail=detail,
        )  # fmt: skip


def resolve_permitted(engine: sa.Engine, principal: Principal | None, trial: str | None) -> str:
    """``trial`` checked to be a trial ``principal`` holds a role on (a trial it does not
    hold is refused as one not in the database), or the only such trial when None."""
    from monitoring.analysis import DatabaseSource
    from monitoring.analysis.access import permitted

    return permitted(DatabaseSource(engine), principal).resolve(trial)


def run_with_engine(
    args: argparse.Namespace, action: Callable[[sa.Engine], int], *, create: bool = False
) -> int:
    """Open the database (creating it only if ``create``), run ``action`` on it, close it.
    An SQLite file this call created is removed again when the action is refused or fails."""
    from monitoring.db.engine import discard_sqlite_file, new_sqlite_file

    new_file = new_sqlite_file(args.db) if create else None
    engine = open_engine(args, create=create)
    try:
        code: int = action(engine)
    except BaseException:
        engine.dispose()
        discard_sqlite_file(new_file)  # a refused first command leaves no database behind
        raise
    engine.dispose()
    if code == 2:
        discard_sqlite_file(new_file)
    return code


def known_on(text: str) -> datetime:
    """argparse type: an ISO date or date-time; a date means the end of that day (UTC)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO date or date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_analysis_arguments(parser: argparse.ArgumentParser) -> None:
    """--db, --trial, --cutoff, --as-known-on and --json, as every analysis command has."""
    add_database_arguments(parser, user=True)
    parser.add_argument(
        "--cutoff",
        type=iso_date,
        metavar="DATE",
        help="data cut-off (default: the latest date in the data)",
    )
    parser.add_argument(
        "--as-known-on",
        type=known_on,
        metavar="DATETIME",
        help="use the data as known at this date or time (default: now)",
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def cut_of(engine: sa.Engine, args: argparse.Namespace) -> Cut:
    """The cut of ``--trial`` (checked; optional with one trial) at ``--cutoff`` as known on
    ``--as-known-on``."""
    from monitoring.analysis import Cut

    trial_id = resolve_permitted(engine, acting(engine, args), args.trial)
    return Cut(trial_id, args.cutoff, args.as_known_on)


def open_cut(
    engine: sa.Engine,
    args: argparse.Namespace,
    reading: Reading | None = None,
    *,
    early_digests: Future[EarlyDigests | None] | None = None,
) -> Analysis:
    """The analysis of the trial at the cut the arguments name (``status``, ``km``,
    ``tables``, ``quality``: the same arguments and rules); ``reading`` defaults to
    ``Reading.ALL``; ``early_digests``: see ``monitoring.db.digest.start_early_digests``."""
    from monitoring.analysis import Cut, DatabaseSource, Reading, open_analysis

    reading = Reading.ALL if reading is None else reading
    principal = acting(engine, args)
    cut = Cut(resolve_permitted(engine, principal, args.trial), args.cutoff, args.as_known_on)
    source = DatabaseSource(engine, early_digests)
    analysis = open_analysis(source, cut, reading=reading, principal=principal)
    if principal is not None:
        from monitoring.accounts.events import Event
        from monitoring.analysis.access import View, view_of

        if view_of(principal, cut.trial_id) is View.CLOSED:
            command = str(getattr(args, "command", ""))
            record_event(engine, principal, Event.CLOSED_VIEWED, cut.trial_id, command)
    return analysis
