"""Schema and migrations: a new database is migrated to head, an existing one re-opens."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitoring.db.engine import current_revision, head_revision, open_database
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.schema import metadata
from monitoring.db.url import default_database_path, resolve_url
from tests.db_support import T1, copy_base, database_fingerprint, write_extract

# SQLite cannot reflect expression indexes (the normalised-term index of migration 0002), so
# alembic's schema comparison skips that one index there and says so; PostgreSQL compares it.
pytestmark = [
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
    pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based"),
]


EXPECTED_TABLES = {
    "trials",
    "import_batches",
    "import_counts",
    "audit_log",
    "reports",
    "monitoring_log",
    "patients",
    "responses",
    "adverse_events",
}


def test_empty_database_is_migrated_to_head(empty_db_url: str) -> None:
    """Opening a new database runs the migrations; the result is exactly schema.py."""
    engine = open_database(empty_db_url)
    try:
        assert current_revision(engine) == head_revision()
        assert set(sa.inspect(engine).get_table_names()) >= EXPECTED_TABLES
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diffs == []
    finally:
        engine.dispose()


def test_reopening_keeps_data_and_changes_nothing(
    db_url: str, engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    assert import_files(
        engine, trial, write_extract(tmp_path, copy_base()), now=T1, user="u"
    ).accepted
    before = database_fingerprint(engine)
    engine.dispose()
    again = open_database(db_url)
    try:
        assert database_fingerprint(again) == before
        assert current_revision(again) == head_revision()
    finally:
        again.dispose()


def test_database_of_unknown_revision_is_refused(db_url: str, engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    engine.dispose()
    with pytest.raises(DataInputError, match="schema is not one this version knows"):
        open_database(db_url)


def test_audit_log_is_append_only(engine: sa.Engine, trial: str) -> None:
    """Database triggers refuse UPDATE and DELETE on audit_log (both backends)."""
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (trial_id, table_name, row_key, column_name, source, "
                "changed_at, changed_by, reason) VALUES (:t, 'patients', 'patient_id=P1', "
                "'age', 'correction', '2025-01-01 00:00:00', 'u', 'r')"
            ),
            {"t": trial},
        )
    for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = open_database(tmp_path / "x.sqlite")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_foreign_keys_scope_rows_to_registered_trials(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO patients (trial_id, patient_id, enrollment_date, valid_from) "
                "VALUES ('no-such-trial', 'P1', '2025-01-01', '2025-01-01 00:00:00')"
            )
        )


def test_url_forms(tmp_path: Path) -> None:
    path_url = resolve_url(tmp_path / "sub" / "db.sqlite")
    assert path_url.drivername == "sqlite+pysqlite"
    assert path_url.database == str(tmp_path / "sub" / "db.sqlite")
    assert not (tmp_path / "sub").exists()  # resolving creates nothing (issue 11, item 10)
    pg = resolve_url("postgresql+psycopg://u@localhost:5432/trials")
    assert (pg.drivername, pg.database) == ("postgresql+psycopg", "trials")
    assert resolve_url("postgresql://u@localhost/trials").drivername == "postgresql+psycopg"
    assert default_database_path().parts[-1] == "monitoring.sqlite"
    assert "trial-monitoring" in default_database_path().parts
    with pytest.raises(DataInputError, match="directory"):
        resolve_url(tmp_path)
    with pytest.raises(DataInputError, match="not a valid database URL"):
        resolve_url("://nothing")


def test_one_current_version_per_key(engine: sa.Engine, trial: str) -> None:
    """The partial unique index refuses a second current row for a key (what two concurrent
    imports of the same new row would write); the data layer reports it as a clear error."""
    from monitoring.db.errors import concurrent_change_refused

    insert = sa.text(
        "INSERT INTO patients (trial_id, patient_id, enrollment_date, valid_from, valid_to) "
        "VALUES (:t, 'P1', '2025-01-01', '2025-01-01 00:00:00', :to)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"t": trial, "to": "2025-01-02 00:00:00"})  # closed version
        conn.execute(insert, {"t": trial, "to": None})  # current version
    with (
        pytest.raises(DataInputError, match="at the same time"),
        concurrent_change_refused(),
        engine.begin() as conn,
    ):
        conn.execute(insert, {"t": trial, "to": None})


def test_downgrade_to_base_and_upgrade_again(db_url: str, engine: sa.Engine) -> None:
    """The initial revision is reversible: downgrade leaves no table, upgrade restores all."""
    from alembic import command

    from monitoring.db.engine import alembic_config, upgrade

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
