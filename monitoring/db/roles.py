"""PostgreSQL: grant the application's role what it needs and nothing it could rewrite with.

The schema belongs to the role that runs the migrations (the owner). The application
connects as another role that owns nothing: it may read and insert history rows, set the
end of a superseded row version (``valid_to``) and a report's sent and signed-off fields,
and nothing else. It can then not UPDATE, DELETE or TRUNCATE history, disable or drop a
trigger, or switch ``session_replication_role`` (superuser only). What it may still
change is covered by the history chain (``monitoring.db.chain``), which ``audit verify``
recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.compiler import IdentifierPreparer

from monitoring.db.errors import DataInputError
from monitoring.db.schema import DATA_TABLES, metadata

INSERT_ONLY = tuple(t.name for t in metadata.sorted_tables)
"""Every table of the schema: SELECT and INSERT."""
COLUMN_UPDATES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(DATA_TABLES, ("valid_to",)),
    "reports": ("sent_at", "sent_by", "signed_off_at", "signed_off_by"),
    "users": (
        "display_name", "email", "password_hash", "disabled", "failed_attempts",
        "locked_until", "password_changed_at",
    ),
    "user_roles": ("revoked_at", "revoked_by"),
    "user_sessions": ("ended_at",),
}  # fmt: skip
"""The only columns the application ever updates (history columns are checked by the
chain; account changes are each logged in the account audit log)."""


@dataclass(frozen=True)
class RoleGrants:
    """The statements run for one role, in order."""

    role: str
    database: str
    statements: tuple[str, ...]


def grant_statements(role: str, database: str, quote: IdentifierPreparer) -> list[str]:
    """The SQL that leaves ``role`` with exactly the application's privileges."""
    r = quote.quote(role)
    tables = ", ".join(quote.quote(t) for t in INSERT_ONLY)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {r}",
        f"REVOKE CREATE ON SCHEMA public FROM {r}",
        f"GRANT CONNECT ON DATABASE {quote.quote(database)} TO {r}",
        f"GRANT USAGE ON SCHEMA public TO {r}",
        f"GRANT SELECT ON alembic_version TO {r}",
        f"GRANT SELECT, INSERT ON {tables} TO {r}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {r}",
    ]
    for table, columns in COLUMN_UPDATES.items():
        names = ", ".join(quote.quote(c) for c in columns)
        statements.append(f"GRANT UPDATE ({names}) ON {quote.quote(table)} TO {r}")
    return statements


def grant_app_role(engine: sa.Engine, role: str) -> RoleGrants:
    """Run :func:`grant_statements` for ``role`` as the schema's owner (one transaction)."""
    if engine.dialect.name != "postgresql":
        raise DataInputError("database roles apply to PostgreSQL only; give the owner's URL")
    with engine.begin() as conn:
        found = conn.execute(
            sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if found is None:
            raise DataInputError(
                f"role '{role}' does not exist; create it first "
                f"(CREATE ROLE {role} LOGIN PASSWORD '...')"
            )
        if found[0]:
            raise DataInputError(f"role '{role}' is a superuser: it cannot be restricted")
        user, database = conn.execute(sa.text("SELECT current_user, current_database()")).one()
        if user == role:
            raise DataInputError(f"role '{role}' is the owner; the application needs another role")
        statements = grant_statements(role, database, conn.dialect.identifier_preparer)
        for statement in statements:
            conn.exec_driver_sql(statement)
    return RoleGrants(role, database, tuple(statements))
