"""The history chain: an untouched history verifies clean on both backends with the same
head; each tampering statement of issue 11 item 7 is named by ``audit verify`` as the first
broken link; a forged row is never absorbed by a later change; migration 0003 links the
history of a database made before it.

Expected breaks come from the statement itself: it targets one known row (the first audit
row, the superseded version of P01, batch 1, report 1, ...), and that row must be named.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from monitoring.analysis import DatabaseSource, status_of
from monitoring.db.bulk import bulk_insert
from monitoring.db.chain import (
    BY_NAME,
    chain_head,
    extend_chain,
    pending_links,
    read_head,
    row_hashes,
)
from monitoring.db.chain_links import GENESIS, ROW, ChainHead, Pending, links
from monitoring.db.chain_verify import BreakKind, ChainVerification, verify_chain
from monitoring.db.engine import alembic_config, open_database
from monitoring.db.errors import DataInputError
from monitoring.db.importer import import_files
from monitoring.db.looks import get_report
from monitoring.db.repository import add_trial
from monitoring.db.schema import DATA_TABLES, audit_log, history_chain
from monitoring.db.timestamps import to_utc
from tests.chain_support import T6, make_history
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT, ROOT
from tests.db_support import copy_base, write_extract

TRIAL = "ino-lowdose-ph2"
AUDIT_COLUMNS = (
    "trial_id, table_name, row_key, column_name, old_value, new_value, source, batch_id, "
    "changed_at, changed_by, reason"
)


def _superseded_p01(engine: sa.Engine) -> int:
    """The version of P01 closed by the second import (the first one written)."""
    patients = DATA_TABLES["patients"]
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.min(patients.c.version_id)).where(patients.c.patient_id == "P01")
            ).scalar_one()
        )


def test_untouched_history_verifies_clean(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    report = make_history(engine, trial, tmp_path)
    result = verify_chain(engine, trial)
    assert result.ok, result.first_break
    counts = {c.table: c.rows for c in result.rows}
    # 3 + 1 patient versions (P01 re-imported, P02 corrected), 3 responses, 2 AEs;
    # audit: P01's last_contact_date and P02's site; 1 report; 1 sign-off; 2 batches.
    assert counts == {
        "trials": 1,
        "import_batches": 2,
        "patients": 5,
        "responses": 3,
        "adverse_events": 2,
        "dose_changes": 0,  # the clinical-detail tables are chained too (none imported here)
        "dlt_assessments": 0,
        "mrd_results": 0,
        "randomization": 0,
        "baseline": 0,
        "exposure": 0,
        "disposition_events": 0,
        "lab_results": 0,
        "audit_log": 2,
        "reports": 1,
        "monitoring_log": 1,
    }
    # Every row linked once, plus the report's sent and signed-off parts.
    assert result.linked == sum(counts.values()) + 2
    assert result.head == chain_head(engine, trial).hash != GENESIS
    recorded = get_report(engine, trial, report).chain_head
    assert recorded is not None
    assert recorded != result.head  # the head before the report
    # status (and so status --json's provenance) carries the current head.
    assert status_of(DatabaseSource(engine), trial).provenance.chain_head == result.head


@pytest.fixture
def history(tmp_path: Path) -> Iterator[sa.Engine]:
    """An SQLite database holding ``make_history``'s history."""
    engine = open_database(tmp_path / "history.sqlite")
    add_trial(engine, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=REGISTERED_AT, user="r")
    make_history(engine, TRIAL, tmp_path)
    yield engine
    engine.dispose()


def _tamper(engine: sa.Engine, *statements: str) -> ChainVerification:
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    return verify_chain(engine, TRIAL)


SQLITE_TAMPERING = {
    "insert or replace over an audit id": (
        (
            f"INSERT OR REPLACE INTO audit_log (id, {AUDIT_COLUMNS}) SELECT id, trial_id, "
            "table_name, row_key, column_name, old_value, '2099-01-01', source, batch_id, "
            "changed_at, changed_by, reason FROM audit_log WHERE id = 1",
        ),
        ("audit_log", 1, BreakKind.CONTENT_CHANGED),
    ),
    "drop trigger then delete": (
        ("DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE id = 1"),
        ("audit_log", 1, BreakKind.ROW_MISSING),
    ),
    "forged audit row": (
        (
            f"INSERT INTO audit_log ({AUDIT_COLUMNS}) SELECT trial_id, table_name, row_key, "
            "column_name, new_value, 'forged', source, batch_id, changed_at, changed_by, "
            "reason FROM audit_log WHERE id = 2",
        ),
        ("audit_log", 3, BreakKind.ROW_INSERTED),
    ),
    "import batch edited": (
        ("UPDATE import_batches SET imported_by = 'someone else' WHERE id = 1",),
        ("import_batches", 1, BreakKind.CONTENT_CHANGED),
    ),
    "import counts edited": (
        ("UPDATE import_counts SET added = 99 WHERE batch_id = 2",),
        ("import_batches", 2, BreakKind.CONTENT_CHANGED),
    ),
    "report edited": (
        (f"UPDATE reports SET data_digest = '{'d' * 64}' WHERE id = 1",),
        ("reports", 1, BreakKind.CONTENT_CHANGED),
    ),
    "report sign-off edited": (
        ("UPDATE reports SET signed_off_by = 'someone else' WHERE id = 1",),
        ("reports", 1, BreakKind.CONTENT_CHANGED),
    ),
    "monitoring log edited": (
        ("UPDATE monitoring_log SET note = 'added later' WHERE id = 1",),
        ("monitoring_log", 1, BreakKind.CONTENT_CHANGED),
    ),
    "protocol text edited": (
        ("UPDATE trials SET protocol_toml = protocol_toml || ' '",),
        ("trials", None, BreakKind.CONTENT_CHANGED),
    ),
    "chain link deleted": (
        ("DROP TRIGGER history_chain_no_delete", "DELETE FROM history_chain WHERE seq = 3"),
        ("responses", None, BreakKind.LINK_MISSING),
    ),
    "chain link rewritten": (
        (
            "DROP TRIGGER history_chain_no_update",
            f"UPDATE history_chain SET link_hash = '{'e' * 64}' WHERE seq = 4",
        ),
        ("responses", None, BreakKind.LINK_CHANGED),
    ),
}


@pytest.mark.parametrize("case", SQLITE_TAMPERING, ids=list(SQLITE_TAMPERING))
def test_sqlite_tampering_names_the_first_broken_link(history: sa.Engine, case: str) -> None:
    statements, (table, row_id, kind) = SQLITE_TAMPERING[case]
    result = _tamper(history, *statements)
    first = result.first_break
    assert first is not None, case
    assert (first.table, first.kind) == (table, kind), first.line
    if row_id is not None:
        assert first.row_id == row_id, first.line


def test_past_row_version_edited(history: sa.Engine) -> None:
    version = _superseded_p01(history)
    result = _tamper(history, f"UPDATE patients SET site = 'UCH' WHERE version_id = {version}")
    assert result.first_break is not None
    assert (result.first_break.table, result.first_break.row_id) == ("patients", version)
    assert result.first_break.kind is BreakKind.CONTENT_CHANGED


def test_version_end_moved(history: sa.Engine) -> None:
    """``valid_to`` is not hashed: it must equal the next version's start."""
    version = _superseded_p01(history)
    statement = (
        f"UPDATE patients SET valid_to = '2025-05-02 09:00:00.000000' WHERE version_id = {version}"
    )
    result = _tamper(history, statement)
    assert result.first_break is not None
    assert (result.first_break.row_id, result.first_break.kind) == (version, BreakKind.VERSION_END)


def test_forged_row_blocks_the_next_change(history: sa.Engine, tmp_path: Path) -> None:
    """A later import must not link a row it did not write: refused, nothing changed."""
    forged = SQLITE_TAMPERING["forged audit row"][0]
    _tamper(history, *forged)
    before = chain_head(history, TRIAL)
    rows = copy_base()
    rows["patients"][2]["site"] = "MSK"
    with pytest.raises(DataInputError, match="audit_log row 3 is not in the trial's history"):
        import_files(history, TRIAL, write_extract(tmp_path / "3", rows), now=T6, user="dm")
    assert chain_head(history, TRIAL) == before


def test_same_head_on_sqlite_and_postgresql(
    tmp_path: Path, pg_admin: sa.Engine, pg_template: str
) -> None:
    """The canonical form is backend-independent: the same writes give the same head."""
    heads = []
    name = f"t_chain_{tmp_path.name[-8:]}_{id(tmp_path)}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        pg_url = pg_admin.url.set(database=name).render_as_string(hide_password=False)
        for index, url in enumerate([str(tmp_path / "same.sqlite"), pg_url]):
            engine = open_database(url)
            add_trial(
                engine,
                DEFAULT_PROTOCOL.read_text("utf-8"),
                source="t",
                now=REGISTERED_AT,
                user="r",
            )
            make_history(engine, TRIAL, tmp_path / str(index))
            result = verify_chain(engine, TRIAL)
            assert result.ok, result.first_break
            heads.append(result.head)
            engine.dispose()
    finally:
        with pg_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert heads[0] == heads[1]


def test_database_before_0003_upgrades_and_verifies(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """History written at revision 0002 (the chain removed by a downgrade) is linked by the
    upgrade and verifies clean; a later change then extends that chain."""
    make_history(engine, trial, tmp_path)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    reopened = open_database(engine.url.render_as_string(hide_password=False))
    try:
        result = verify_chain(reopened, trial)
        assert result.ok, result.first_break
        assert result.linked == sum(c.rows for c in result.rows) + 2
        rows = copy_base()
        rows["patients"][2]["site"] = "MSK"
        assert import_files(
            reopened, trial, write_extract(tmp_path / "3", rows), now=T6, user="dm"
        ).accepted
        assert verify_chain(reopened, trial).ok
    finally:
        reopened.dispose()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitoring", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_demo_verifies_then_tampering_exits_4(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite"
    assert _cli("demo", "--db", str(db)).returncode == 0
    clean = _cli("audit", "verify", "--db", str(db))
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith(f"{TRIAL}: OK, ")
    assert " head " in clean.stdout
    copy = tmp_path / "tampered.sqlite"
    shutil.copyfile(db, copy)
    engine = open_database(copy)
    _tamper(engine, "UPDATE import_batches SET imported_by = 'x' WHERE id = 2")
    engine.dispose()
    broken = _cli("audit", "verify", "--db", str(copy), "--trial", TRIAL)
    assert broken.returncode == 4, broken.stderr
    assert "BROKEN at link " in broken.stdout
    assert "import_batches row 2: content changed" in broken.stdout


def test_rows_of_a_change_below_the_linked_ones_are_refused(history: sa.Engine) -> None:
    """Two writers of one trial interleaved (ids of the first below rows the second linked
    and committed): the first is refused, never left with rows outside the chain."""
    first, second = T6 + timedelta(hours=1), T6 + timedelta(hours=2)
    row = {
        "trial_id": TRIAL,
        "table_name": "patients",
        "row_key": "patient_id=P03",
        "column_name": "site",
        "old_value": None,
        "new_value": "UCH",
        "source": "correction",
        "batch_id": None,
        "changed_by": "dm",
        "reason": "r",
    }
    chained = BY_NAME["audit_log"]
    refused = pytest.raises(DataInputError, match="another change to the same trial")
    with refused, history.begin() as conn:
        conn.execute(audit_log.insert().values(**row, changed_at=to_utc(first)))
        key = conn.execute(audit_log.insert().values(**row, changed_at=to_utc(second)))
        later = int(key.inserted_primary_key[0])
        # The second writer links its row (as if it had committed first) ...
        content = conn.execute(
            sa.select(*(audit_log.c[n] for n in chained.content_columns)).where(
                audit_log.c.id == later
            )
        ).all()
        pending = [Pending("audit_log", later, ROW, row_hashes(chained, conn, content)[0])]
        bulk_insert(conn, history_chain, links(read_head(conn, TRIAL), pending, TRIAL))
        # ... then the first writer extends the chain: its row lies below.
        extend_chain(conn, TRIAL, to_utc(first))
    assert verify_chain(history, TRIAL).ok


def test_history_rewritten_and_rechained_is_named_by_the_report_head(history: sa.Engine) -> None:
    """Whoever can write every table can edit the past and recompute the whole chain; the
    head the report recorded then is no head of the new chain."""
    with history.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER history_chain_no_delete")
        conn.exec_driver_sql("UPDATE adverse_events SET grade = 4 WHERE version_id = 1")
        conn.exec_driver_sql("DELETE FROM history_chain")
        rechained = links(ChainHead(0, GENESIS), pending_links(conn, TRIAL, None), TRIAL)
        bulk_insert(conn, history_chain, rechained)
    result = verify_chain(history, TRIAL)
    assert [(b.table, b.row_id, b.kind) for b in result.breaks] == [
        ("reports", 1, BreakKind.HEAD_UNKNOWN)
    ]
