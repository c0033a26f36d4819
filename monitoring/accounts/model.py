"""Accounts as values: roles, users, grants, the signed-in principal, the back-off policy.

Pure: no database here (``monitoring.accounts.store`` reads and writes them). A
:class:`Principal` (one account with its roles per trial) is what the dashboard and the
command line hand to whatever serves trial data, so that a permission can be checked where
the data are served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from monitoring.errors import DataInputError


class Role(Enum):
    """What an account may do on a trial (``ADMIN``: on accounts, everywhere)."""

    DSMB = "dsmb"
    PI = "pi"
    STATISTICIAN = "statistician"
    ADMIN = "admin"

    @property
    def is_global(self) -> bool:
        """The administrator's role is held everywhere, never on one trial."""
        return self is Role.ADMIN


class AccountError(DataInputError):
    """A refused account request: unknown or duplicate name, bad role, weak password, ..."""


NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
"""An account name: letters, digits and ``._@+-`` (an e-mail address is one), 1-128."""
MIN_PASSWORD = 10
"""Characters a password needs at least (the demo passwords are longer)."""


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise AccountError(f"no role '{text}' (roles: {known})") from None


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise AccountError(
            f"account name '{name}' is not allowed: letters, digits and . _ @ + - only, "
            "starting with a letter or digit, at most 128 characters"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    if password != password.strip() or "\n" in password:
        raise AccountError("a password may not begin or end with spaces or hold a line break")
    return password


@dataclass(frozen=True)
class Grant:
    """One role held, on one trial (``trial_id``) or everywhere (``None``, administrator)."""

    role: Role
    trial_id: str | None


@dataclass(frozen=True)
class User:
    """An account as stored, without its password hash."""

    name: str
    display_name: str
    email: str | None
    disabled: bool
    created_at: datetime
    created_by: str
    failed_attempts: int
    locked_until: datetime | None
    has_password: bool
    grants: tuple[Grant, ...]


@dataclass(frozen=True)
class Principal:
    """A signed-in person: the account name and its roles per trial."""

    name: str
    display_name: str
    grants: tuple[Grant, ...]

    @property
    def is_admin(self) -> bool:
        return any(g.role is Role.ADMIN for g in self.grants)

    def roles_on(self, trial_id: str) -> frozenset[Role]:
        """The trial roles held on ``trial_id`` (the administrator's role is not one)."""
        return frozenset(g.role for g in self.grants if g.trial_id == trial_id)

    @property
    def trial_ids(self) -> frozenset[str]:
        """The trials this person holds a role on."""
        return frozenset(g.trial_id for g in self.grants if g.trial_id is not None)


@dataclass(frozen=True)
class BackOff:
    """After ``free_attempts`` failed sign-ins in a row, the account is locked for ``first``,
    doubling with each further failure up to ``longest``; a successful sign-in resets it."""

    free_attempts: int = 5
    first: timedelta = timedelta(minutes=1)
    longest: timedelta = timedelta(hours=1)

    def locked_until(self, failed_attempts: int, now: datetime) -> datetime | None:
        """When an account with ``failed_attempts`` failures in a row may try again."""
        over = failed_attempts - self.free_attempts
        if over < 0:
            return None
        return now + min(self.first * (1 << min(over, 20)), self.longest)


DEFAULT_BACK_OFF = BackOff()
SESSION_HOURS = 8.0
"""How long a session lasts by default (``TRIAL_MONITORING_SESSION_HOURS`` changes it)."""


class SignInOutcome(Enum):
    """Why a sign-in was accepted or refused (the person sees one wording for all refusals
    but the lock, so that a guess does not learn which names exist)."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    LOCKED = "locked"


@dataclass(frozen=True)
class SignIn:
    """The result of one sign-in attempt: a session token when accepted."""

    outcome: SignInOutcome
    principal: Principal | None = None
    token: str | None = None
    expires_at: datetime | None = None
    locked_until: datetime | None = None

    @property
    def message(self) -> str:
        if self.outcome is SignInOutcome.ACCEPTED:
            return "signed in"
        if self.outcome is SignInOutcome.LOCKED and self.locked_until is not None:
            until = self.locked_until.strftime("%H:%M:%S UTC")
            return f"too many failed sign-ins: try again after {until}"
        return "name or password not accepted"
