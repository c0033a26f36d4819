"""Database administration: ``db grant-app-role`` (PostgreSQL roles; docs/security.md)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from monitoring.cli.common import print_json
from monitoring.cli.database import add_database_arguments, run_with_engine

if TYPE_CHECKING:
    import sqlalchemy as sa


def _grant(args: argparse.Namespace) -> int:
    from monitoring.db.roles import grant_app_role

    def action(engine: sa.Engine) -> int:
        grants = grant_app_role(engine, args.role)
        if args.json:
            print_json(grants)
        else:
            print(
                f"role {grants.role} may now read and append to database {grants.database} "
                f"({len(grants.statements)} statements run)"
            )
        return 0

    return run_with_engine(args, action)


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "db", help="database administration (roles)", description="Database administration."
    )
    db_sub = parser.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    grant = db_sub.add_parser(
        "grant-app-role",
        help="restrict the application's PostgreSQL role to reading and appending",
        description="As the schema's owner (--db OWNER_URL, which also migrates), grant ROLE "
        "SELECT and INSERT on every table, UPDATE of the few columns the application sets "
        "later, and nothing else. ROLE must exist and must not own the schema.",
    )
    add_database_arguments(grant, trial=False)
    grant.add_argument("--role", required=True, metavar="NAME", help="the application's role")
    grant.add_argument("--json", action="store_true", help="machine-readable output")
    grant.set_defaults(handler=_grant)
