"""``users add|role|disable|password|list|log``: the accounts of the dashboard (docs/cli.md).

A password is read from standard input (``--password-stdin``), never from an argument
(which other users of the machine could see in the process list). Every change is written
to the account audit log under ``--user`` (default: the login name).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import CliError, print_json
from monitoring.cli.database import (
    acting,
    add_database_arguments,
    now_utc,
    run_with_engine,
    user_name,
)

if TYPE_CHECKING:
    import sqlalchemy as sa

    from monitoring.accounts.model import User

# The values of ``monitoring.accounts.model.Role`` (a test checks they agree): the accounts
# library is imported only when a ``users`` command runs, not at every command's start.
ROLES = ["dsmb", "pi", "statistician", "admin"]


def _read_password() -> str:
    """The first line of standard input, without its line end."""
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise CliError("no password on standard input (--password-stdin reads one line)")
    return password


def _grants_text(user: User) -> str:
    return ", ".join(
        g.role.value if g.trial_id is None else f"{g.role.value}@{g.trial_id}" for g in user.grants
    )


def _state(user: User) -> str:
    if user.disabled:
        return "disabled"
    return "active" if user.has_password else "active (single sign-on only)"


def _print_user(user: User) -> None:
    print(f"{user.name} ({user.display_name}): {_state(user)}; roles: {_grants_text(user) or '-'}")


def _admin(engine: sa.Engine, args: argparse.Namespace, permission: str, *, own: str = "") -> str:
    """The acting account's name, refused (exit 2) unless it is an administrator or, for
    ``own``, the account itself; on a database without accounts (the first ``users add``)
    or the demo without ``--user``, the login name."""
    from monitoring.analysis.access import require_admin

    principal = acting(engine, args)
    if principal is None:
        return user_name(args)
    if not (own and principal.name == own):
        require_admin(principal, permission)
    return principal.name


def _add(args: argparse.Namespace) -> int:
    from monitoring.accounts.model import parse_role
    from monitoring.accounts.store import create_user

    if args.password_stdin == args.sso_only:
        raise CliError("give exactly one of --password-stdin and --sso-only")
    password = _read_password() if args.password_stdin else None

    def action(engine: sa.Engine) -> int:
        from monitoring.accounts.store import has_users

        if not has_users(engine) and args.role != "admin":
            raise CliError(
                "the first account must be an administrator (--role admin): it adds the others"
            )
        actor = _admin(engine, args, "users add")
        user = create_user(
            engine, args.name, password=password, now=now_utc(), actor=actor,
            grants=[(parse_role(args.role), args.trial)],
            display_name=args.display_name, email=args.email,
        )  # fmt: skip
        print("added ", end="")
        _print_user(user)
        return 0

    return run_with_engine(args, action)


def _role(args: argparse.Namespace) -> int:
    from monitoring.accounts.model import parse_role
    from monitoring.accounts.store import grant_role, revoke_role

    def action(engine: sa.Engine) -> int:
        actor = _admin(engine, args, "users role")
        change = revoke_role if args.revoke else grant_role
        user = change(
            engine, args.name, parse_role(args.role), args.trial, now=now_utc(), actor=actor
        )
        _print_user(user)
        return 0

    return run_with_engine(args, action)


def _disable(args: argparse.Namespace) -> int:
    from monitoring.accounts.store import set_disabled

    def action(engine: sa.Engine) -> int:
        actor = _admin(engine, args, "users disable")
        user = set_disabled(engine, args.name, not args.enable, now=now_utc(), actor=actor)
        _print_user(user)
        return 0

    return run_with_engine(args, action)


def _password(args: argparse.Namespace) -> int:
    from monitoring.accounts.store import change_password

    if not args.password_stdin:
        raise CliError("give --password-stdin: the new password is read from standard input")
    password = _read_password()

    def action(engine: sa.Engine) -> int:
        actor = _admin(engine, args, "users password", own=args.name)
        user = change_password(engine, args.name, password, now=now_utc(), actor=actor)
        print(f"password of {user.name} changed; its open sessions ended")
        return 0

    return run_with_engine(args, action)


def _list(args: argparse.Namespace) -> int:
    from monitoring.accounts.store import list_users

    def action(engine: sa.Engine) -> int:
        _admin(engine, args, "users list")
        users = list_users(engine)
        if args.json:
            print_json(users)
        elif not users:
            print("no accounts; add one with 'users add'")
        else:
            for user in users:
                _print_user(user)
        return 0

    return run_with_engine(args, action)


def _log(args: argparse.Namespace) -> int:
    from monitoring.accounts.events import list_events

    def action(engine: sa.Engine) -> int:
        _admin(engine, args, "users log", own=args.name or "")
        events = list_events(engine, args.name)
        if args.json:
            print_json(events)
            return 0
        for e in events:
            trial = f" [{e.trial_id}]" if e.trial_id else ""
            detail = f": {e.detail}" if e.detail else ""
            when = e.at.isoformat(sep=" ", timespec="seconds")
            print(f"{when}  {e.event}  {e.user_name} (by {e.actor}){trial}{detail}")
        return 0

    return run_with_engine(args, action)


def _common(parser: argparse.ArgumentParser) -> None:
    add_database_arguments(parser, trial=False, user=True)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "users",
        help="dashboard accounts: add, roles, disable, password, list, log",
        description="Accounts of the dashboard, kept in the trial database (docs/cli.md).",
    )
    users_sub = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    add = users_sub.add_parser(
        "add",
        help="add an account with its first role",
        description="Add account NAME with ROLE (on trial ID; admin is held everywhere). The "
        "password is the first line of standard input (--password-stdin), or none for an "
        "account that signs in by single sign-on only (--sso-only).",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--trial", metavar="ID", help="the trial the role is held on")
    add.add_argument("--password-stdin", action="store_true", help="read the password")
    add.add_argument("--sso-only", action="store_true", help="no password: single sign-on")
    add.add_argument("--display-name", metavar="TEXT", help="the name shown (default NAME)")
    add.add_argument("--email", metavar="ADDRESS", help="the identity provider's e-mail")
    _common(add)
    add.set_defaults(handler=_add)

    role = users_sub.add_parser(
        "role",
        help="grant (or --revoke) a role",
        description="Grant NAME the role ROLE on trial ID (admin: no --trial), or take it "
        "back with --revoke.",
    )
    role.add_argument("name", metavar="NAME")
    role.add_argument("--role", required=True, choices=ROLES)
    role.add_argument("--trial", metavar="ID", help="the trial the role is held on")
    role.add_argument("--revoke", action="store_true", help="take the role back")
    _common(role)
    role.set_defaults(handler=_role)

    disable = users_sub.add_parser(
        "disable",
        help="disable an account (its sessions end)",
        description="Disable account NAME: it can no longer sign in and its open sessions "
        "end at once. --enable undoes it, and clears a lock after failed sign-ins.",
    )
    disable.add_argument("name", metavar="NAME")
    disable.add_argument(
        "--enable", action="store_true", help="enable the account again (clears a lock)"
    )
    _common(disable)
    disable.set_defaults(handler=_disable)

    password = users_sub.add_parser(
        "password",
        help="set a new password (read from standard input)",
        description="Set a new password for NAME (an administrator's reset): the first "
        "line of standard input. The account's open sessions end.",
    )
    password.add_argument("name", metavar="NAME")
    password.add_argument("--password-stdin", action="store_true", help="read the password")
    _common(password)
    password.set_defaults(handler=_password)

    listing = users_sub.add_parser(
        "list", help="list the accounts", description="Every account with its state and roles."
    )
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    _common(listing)
    listing.set_defaults(handler=_list)

    log = users_sub.add_parser(
        "log",
        help="the account audit log",
        description="The account audit log, oldest first (of account NAME when given): "
        "sign-ins, failed sign-ins, sign-outs, expiries, account and role changes.",
    )
    log.add_argument("name", metavar="NAME", nargs="?", help="one account only")
    log.add_argument("--json", action="store_true", help="machine-readable output")
    _common(log)
    log.set_defaults(handler=_log)
