"""Accounts: who may sign in, their roles per trial, sessions, and the account audit log.

:mod:`model` holds the values (pure), :mod:`passwords` the argon2id hashing, :mod:`store`
the database functions, :mod:`events` the hash-chained account audit log and :mod:`demo`
the demo database's mark and accounts.
"""

from monitoring.accounts.model import (
    DEFAULT_BACK_OFF,
    SESSION_HOURS,
    AccountError,
    BackOff,
    Grant,
    Principal,
    Role,
    SignIn,
    SignInOutcome,
    User,
    parse_role,
)

__all__ = [
    "DEFAULT_BACK_OFF",
    "SESSION_HOURS",
    "AccountError",
    "BackOff",
    "Grant",
    "Principal",
    "Role",
    "SignIn",
    "SignInOutcome",
    "User",
    "parse_role",
]
