"""The demo database: marked as such in the database itself, with one demo account per role.

Only :func:`monitoring.db.demo_trial.create_demo_trial` on an empty database (no trial, no
account) marks it; nothing else does, and no other database ever gets an account it did not
ask for. The dashboard shows the demo accounts on its sign-in page only when the database
carries the mark (not because of its file name).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from monitoring.accounts.events import SCOPE, Event, append_event
from monitoring.accounts.model import Role
from monitoring.accounts.store import create_user, has_users
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial, list_trials
from monitoring.db.schema import database_info
from monitoring.db.timestamps import to_utc
from monitoring.db.transactions import Bind, connected, writing
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocol

if TYPE_CHECKING:  # the demo generator loads when a demo is made, not on every command
    from monitoring.demo import Scenario

DEMO_KEY = "demo"


@dataclass(frozen=True)
class DemoAccount:
    name: str
    password: str
    role: Role
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("dsmb", "dsmb-demo-password", Role.DSMB, "DSMB member (demo)"),
    DemoAccount("pi", "pi-demo-password", Role.PI, "Principal investigator (demo)"),
    DemoAccount(
        "statistician", "statistician-demo-password", Role.STATISTICIAN, "Statistician (demo)"
    ),
    DemoAccount("admin", "admin-demo-password", Role.ADMIN, "Administrator (demo)"),
)
"""The demo accounts and their published passwords (README, docs/deployment.md)."""


def is_demo_database(bind: Bind) -> bool:
    """Whether the database carries the demo mark."""
    with connected(bind) as conn:
        row = conn.execute(
            sa.select(database_info.c.value).where(database_info.c.key == DEMO_KEY)
        ).first()
    return row is not None and row[0] == "true"


def make_demo_accounts(engine: sa.Engine, trial_ids: tuple[str, ...], *, now: datetime) -> None:
    """Mark the database as the demo and create :data:`DEMO_ACCOUNTS`, the trial roles held
    on every trial of ``trial_ids`` (call only on a database made for the demo)."""
    now = to_utc(now)
    with writing(engine, SCOPE) as conn:
        conn.execute(database_info.insert().values(key=DEMO_KEY, value="true", set_at=now))
        append_event(conn, Event.DEMO_MARKED, at=now, user_name="-", actor="demo")
    for account in DEMO_ACCOUNTS:
        grants: list[tuple[Role, str | None]] = (
            [(account.role, None)]
            if account.role.is_global
            else [(account.role, t) for t in trial_ids]
        )
        create_user(
            engine, account.name, password=account.password, now=now, actor="demo",
            grants=grants, display_name=account.display_name,
        )  # fmt: skip


def create_demo_database(
    engine: sa.Engine,
    scenario: Scenario | str = "on_track",
    *,
    seed: int = 0,
    now: datetime,
    user: str = "demo",
    protocol_file: Path | Traversable | None = None,
) -> tuple[str, bool]:
    """The demo trial (``monitoring.db.demo_trial``) and, when the database was empty (no
    trial, no account), the demo mark and :data:`DEMO_ACCOUNTS`. Returns the trial id and
    whether the demo accounts were made: a database that already held a trial or an account
    gets the demo trial only, never accounts with published passwords."""
    from monitoring.db.demo_trial import create_demo_trial

    empty = not list_trials(engine) and not has_users(engine)
    trial_id = create_demo_trial(
        engine, scenario, seed=seed, now=now, user=user, protocol_file=protocol_file
    )
    if empty:
        make_demo_accounts(engine, (trial_id,), now=now)
    return trial_id, empty


def open_demo_accounts(location: str, *, now: datetime) -> sa.Engine:
    """The accounts of a database-less demo (the dashboard's ``demo:<scenario>`` sources): a
    new database at ``location`` holding the default protocol's registration, the demo mark
    and :data:`DEMO_ACCOUNTS` (it holds no patient data)."""
    engine = open_database(location)
    if not list_trials(engine):
        path = bundled_protocol(DEFAULT_TRIAL_ID)
        trial = add_trial(
            engine, path.read_text(encoding="utf-8"), source=str(path), now=now, user="demo"
        )
        make_demo_accounts(engine, (trial.id,), now=now)
    return engine
