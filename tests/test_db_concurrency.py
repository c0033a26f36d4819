"""Writers and readers at the same time, in real processes, on both backends (issue 11).

Writers run in two worker processes of a 'spawn' pool (``tests/concurrency_support.py``)
that start each round together at a barrier. Expected outcomes come from the import rules
(``monitoring.db.consistency``): run in turn, the second of two conflicting imports is
refused, so at once exactly one may be accepted; the stored data are checked against the
same rules after every round (``monitoring.db.planning.stored_problems``). A reader's data
digest is right when it equals the digest of the data as known at the batch it reports:
the state right after that batch committed. The kill test SIGKILLs real ``python -m
monitoring import`` and ``correct`` commands.

On the code before writers were serialized and reads made one snapshot, these tests
failed on both backends: both racing imports accepted in round 0, a driver traceback for
the same rows at once, and 3 of 39 (SQLite) and 8 of 37 (PostgreSQL) reads during 20
imports printed a digest of no state. Counts are bounded to keep the module's time.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, datetime
from multiprocessing.pool import Pool
from pathlib import Path

import pytest
import sqlalchemy as sa

from monitoring.analysis import DatabaseSource, status_of
from monitoring.data_dictionary import PATIENTS
from monitoring.db.corrections import correct_value
from monitoring.db.engine import open_database
from monitoring.db.errors import CONCURRENT_CHANGE, STILL_WRITING, DataInputError
from monitoring.db.importer import import_files
from monitoring.db.planning import stored_problems
from monitoring.db.reading import load_trial_data, read_table
from monitoring.db.repository import add_trial, list_batches
from monitoring.db.transactions import data_marker, snapshot, writing
from monitoring.provenance import data_digest
from tests import concurrency_support as workers
from tests.conftest import DEFAULT_PROTOCOL, ROOT
from tests.db_support import Row, copy_base, write_csv, write_extract
from tests.waits import HANG_GUARD

ROUNDS = int(os.environ.get("CONCURRENCY_ROUNDS", "50"))
"""Rounds of the race; a longer soak: ``CONCURRENCY_ROUNDS=1000 pytest -k race ...``."""
SAME_ROW_ROUNDS = 5
KILLS = int(os.environ.get("CONCURRENCY_KILLS", "5"))
READER_IMPORTS = 16


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def pool() -> Iterator[Pool]:
    """Two worker processes for the test's rounds (started once, reused)."""
    context = multiprocessing.get_context("spawn")
    workers_pool = context.Pool(
        2, initializer=workers.start, initargs=(context.Barrier(2), context.Event())
    )
    yield workers_pool
    workers_pool.terminate()
    workers_pool.join()


def _patient(pid: str, **dates: str) -> Row:
    row = {"patient_id": pid, "site": "MDA", "enrollment_date": "2025-01-06"}
    row |= {"first_dose_date": "2025-01-08", "sex": "F", "last_contact_date": "2025-04-20"}
    return row | dates


def _valid(engine: sa.Engine, trial: str) -> None:
    with snapshot(engine) as conn:
        assert stored_problems(conn, trial) == ()


def _base(engine: sa.Engine, trial: str, folder: Path, extra: list[Row] | None = None) -> None:
    tables = copy_base()
    tables["patients"] += extra or []
    assert import_files(engine, trial, write_extract(folder, tables), now=_now(), user="u").accepted


def _file(folder: Path, table: str, rows: list[Row]) -> list[Path]:
    """One CSV of ``rows`` with exactly the columns they give (others keep stored values)."""
    folder.mkdir(parents=True)
    return [write_csv(folder, table, rows, list(rows[0]))]


def test_stored_problems_names_a_broken_rule(engine: sa.Engine, trial: str, tmp_path: Path) -> None:
    """The check run after every round finds a response after death written behind the
    importer's back (P02 died 2025-04-01 in tests/db_support.py), so a clean result means
    something."""
    from monitoring.db.schema import DATA_TABLES

    _base(engine, trial, tmp_path)
    responses = DATA_TABLES["responses"]
    with engine.begin() as conn:
        conn.execute(
            responses.update()
            .where(responses.c.patient_id == "P02")
            .values(assessment_date=datetime(2025, 4, 5).date())
        )
    problems = stored_problems(engine, trial)
    assert [p.file for p in problems] == ["responses"]
    assert "response assessment after death" in problems[0].message


def test_stored_problems_checks_the_rules_against_the_protocol_too(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """A baseline characteristic the protocol does not name and a randomization row of a
    patient without an assigned arm, written behind the importer's back: the importer
    refuses both (``baseline_problems``, ``randomization_problems``), so the stored-data
    check finds both."""
    from monitoring.db.schema import DATA_TABLES

    _base(engine, trial, tmp_path)
    stamp = {"trial_id": trial, "patient_id": "P01", "valid_from": datetime(2025, 1, 2, 9, 0)}
    with engine.begin() as conn:
        conn.execute(
            DATA_TABLES["baseline"]
            .insert()
            .values(**stamp, characteristic="shoe_size", value="42", unit=None)
        )
        conn.execute(
            DATA_TABLES["randomization"]
            .insert()
            .values(**stamp, randomization_date=datetime(2025, 1, 3).date(), arm_received=None)
        )
    problems = stored_problems(engine, trial)
    assert sorted(p.file for p in problems) == ["baseline", "randomization"]
    messages = " | ".join(p.message for p in problems)
    assert "shoe_size" in messages
    assert "arm" in messages


def test_cross_table_race_never_stores_invalid_data(
    engine: sa.Engine, db_url: str, trial: str, tmp_path: Path, pool: Pool
) -> None:
    """Issue 11 item 2: one import sets a patient's death date to 2025-06-01 while another
    adds a response of that patient on 2025-06-20. In turn, the second is refused ("response
    assessment after death"); at once, exactly one is accepted and the other refused by
    that rule, in every round, and the stored data pass the import rules."""
    _base(engine, trial, tmp_path / "base", [_patient(f"R{k:02d}") for k in range(ROUNDS)])
    for k in range(ROUNDS):
        pid = f"R{k:02d}"
        death = {"patient_id": pid, "enrollment_date": "2025-01-06", "death_date": "2025-06-01"}
        response = {"patient_id": pid, "assessment_date": "2025-06-20", "cycle": "2"}
        extracts = [
            _file(tmp_path / f"d{k}", "patients", [death]),
            _file(tmp_path / f"r{k}", "responses", [response | {"response": "CR"}]),
        ]
        results = [
            pool.apply_async(workers.import_together, (db_url, trial, paths)) for paths in extracts
        ]
        outcomes = sorted(r.get(timeout=HANG_GUARD) for r in results)
        assert outcomes[0] == "accepted", (k, outcomes)
        assert outcomes[1].startswith("rejected:"), (k, outcomes)
        assert "after death" in outcomes[1], (k, outcomes)
        _valid(engine, trial)


def test_same_rows_at_once_end_cleanly(
    engine: sa.Engine, db_url: str, trial: str, tmp_path: Path, pool: Pool
) -> None:
    """Issue 11 item 3: two imports changing the same row (P01's last contact) and adding the
    same new patient at once. Each is accepted (the second sees the first's rows) or refused
    with the one-line message; never a driver traceback; one current row per key."""
    _base(engine, trial, tmp_path / "base")
    clear = {"accepted", f"refused: {CONCURRENT_CHANGE}", f"refused: {STILL_WRITING}"}
    for k in range(SAME_ROW_ROUNDS):
        extracts = [
            _file(
                tmp_path / f"{day}-{k}",
                "patients",
                [_patient("P01", last_contact_date=f"2025-04-{day}"), _patient(f"S{k:02d}")],
            )
            for day in (21, 22)
        ]
        results = [
            pool.apply_async(workers.import_together, (db_url, trial, paths)) for paths in extracts
        ]
        outcomes = [r.get(timeout=HANG_GUARD) for r in results]
        assert set(outcomes) <= clear, outcomes
        assert "accepted" in outcomes, outcomes
        _valid(engine, trial)
        with snapshot(engine) as conn:
            patients = read_table(conn, PATIENTS, trial)
        assert patients["patient_id"].is_unique
        last = patients.loc[patients["patient_id"] == "P01", "last_contact_date"].iloc[0]
        assert last.day in (21, 22)
        assert f"S{k:02d}" in set(patients["patient_id"])


def _reader_extract(k: int) -> dict[str, list[Row]]:
    """Import ``k`` of the readers' test: a new patient with a response and an adverse
    event, and P01's last contact moved, so a read that saw part of it matches no state."""
    pid = f"N{k:02d}"
    return {
        "patients": [_patient(pid), _patient("P01", last_contact_date=f"2025-04-{10 + k:02d}")],
        "responses": [
            {"patient_id": pid, "assessment_date": "2025-02-05", "cycle": "1", "response": "CR"}
        ],
        "adverse_events": [
            {
                "patient_id": pid,
                "term": "Veno-occlusive disease",
                "category": "Hepatobiliary disorders",
                "grade": "3",
                "onset_date": "2025-01-20",
                "attribution": "probable",
                "serious": "Y",
            }
        ],
    }


def test_readers_during_imports_see_only_committed_states(
    engine: sa.Engine, db_url: str, trial: str, tmp_path: Path, pool: Pool
) -> None:
    """Issue 11 item 4: status, the report's data load and a dashboard page load, run over
    and over in one process while another imports, each print a batch and a data digest
    that belong together: the digest of the data as known right after that batch."""
    _base(engine, trial, tmp_path / "base")
    extracts = [
        write_extract(tmp_path / f"i{k}", _reader_extract(k)) for k in range(READER_IMPORTS)
    ]
    writer = pool.apply_async(workers.import_in_turn, (db_url, trial, extracts))
    reader = pool.apply_async(workers.read_until_done, (db_url, trial))
    batches, seen = writer.get(timeout=HANG_GUARD), reader.get(timeout=HANG_GUARD)
    assert not isinstance(seen, str), seen
    assert all(b.isdigit() for b in batches), batches
    allowed = {
        b.id: status_of(
            DatabaseSource(engine), trial, as_known_on=b.imported_at
        ).provenance.data_digest
        for b in list_batches(engine, trial)
    }
    assert len(set(allowed.values())) == len(allowed) == READER_IMPORTS + 1
    wrong = [(kind, batch, digest) for kind, batch, digest in seen if allowed.get(batch) != digest]
    assert wrong == [], f"{len(wrong)} of {len(seen)} reads saw a state that never existed"
    assert {kind for kind, _, _ in seen} == {"status", "report", "page"}


def _state(engine: sa.Engine, trial: str) -> tuple[str, tuple[int, int]]:
    """The data digest of the trial's current rows and the data marker, of one snapshot."""
    with snapshot(engine) as conn:
        return data_digest(load_trial_data(conn, trial)), data_marker(conn)


Apply = Callable[[sa.Engine, str], None]


def _kill_change(k: int, folder: Path) -> tuple[list[str], Apply]:
    """Change ``k`` of the kill test, as command-line arguments and as the same change made
    in this process: an import of 60 new patients with responses and adverse events (even
    ``k``), or a correction of P01's last contact (odd ``k``)."""
    if k % 2:
        value = f"2025-04-{1 + k:02d}"
        where = ["--table", "patients", "--key", "patient_id=P01", "--column", "last_contact_date"]

        def correct(engine: sa.Engine, trial: str) -> None:
            correct_value(
                engine,
                trial,
                "patients",
                {"patient_id": "P01"},
                "last_contact_date",
                value,
                reason="kill test",
                now=_now,
                user="reference",
            )

        return ["correct", *where, "--value", value, "--reason", "kill test"], correct
    tables = _reader_extract(0)
    ids = [f"K{k:02d}{j:03d}" for j in range(60)]
    extract = {
        name: [
            row | {"patient_id": pid} for pid in ids for row in rows if row["patient_id"] != "P01"
        ]
        for name, rows in tables.items()
    }
    paths = write_extract(folder, extract)

    def load(engine: sa.Engine, trial: str) -> None:
        assert import_files(engine, trial, paths, now=_now, user="reference").accepted

    return ["import", *map(str, paths)], load


def _run_killed(command: list[str], delay: float | None) -> float:
    """Run ``command``; SIGKILL it after ``delay`` seconds unless it ended (``None``: let it
    end, and it must succeed). Returns how long it ran."""
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        process.wait(timeout=HANG_GUARD if delay is None else delay)
    except subprocess.TimeoutExpired:
        if delay is None:
            raise
        process.send_signal(signal.SIGKILL)
    _, err = process.communicate()
    if delay is None:
        assert process.returncode == 0, err
    else:
        assert process.returncode in (0, -signal.SIGKILL), err
        assert b"Traceback" not in err, err
    return time.monotonic() - start


def test_kill_during_import_or_correction_leaves_before_or_after(
    engine: sa.Engine, db_url: str, trial: str, tmp_path: Path
) -> None:
    """kill -9 of real ``import`` and ``correct`` commands at random (seeded) moments leaves
    the database exactly as before or as after (data digest), and it still opens and passes
    the import rules. "After" is the same change made in a reference SQLite database (the
    data digest is the same on both backends: tests/test_data_digest.py)."""
    reference = open_database(tmp_path / "reference.sqlite")
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    add_trial(reference, text, source="test", now=_now(), user="u")
    _base(engine, trial, tmp_path / "base")
    _base(reference, trial, tmp_path / "base-reference")
    assert _state(engine, trial)[0] == _state(reference, trial)[0]
    rng = random.Random(20261206)
    duration: float | None = None
    landed = []
    for k in range(KILLS + 1):
        args, apply = _kill_change(k, tmp_path / f"k{k}")
        before, marker = _state(engine, trial)
        apply(reference, trial)
        after = _state(reference, trial)[0]
        assert after != before
        command = [sys.executable, "-m", "monitoring", args[0], "--db", db_url, "--trial", trial]
        # The first run is not killed: it measures how long a whole run takes.
        delay = None if duration is None else rng.uniform(0.6, 1.05) * duration
        took = _run_killed(command + args[1:], delay)
        duration = duration or took
        reopened = open_database(db_url)
        try:
            state, now_marker = _state(reopened, trial)
            assert state in (before, after), k
            _valid(reopened, trial)
            if reopened.dialect.name == "sqlite":
                with reopened.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            if state == before:
                assert now_marker == marker
                apply(reopened, trial)  # catch up, so that the next change starts equal
                assert _state(reopened, trial)[0] == after
            landed.append("before" if state == before else "after")
        finally:
            reopened.dispose()
    reference.dispose()
    print(f"kill test ({reopened.dialect.name}): state left by each run {landed}")


class _LatePool:
    """Runs a submitted call only when its result is asked for: the second connection
    then reads after whatever the test committed meanwhile."""

    def submit(self, fn: Callable[..., object], *args: object) -> Future[object]:
        future: Future[object] = Future()
        future.result = lambda timeout=None: fn(*args)  # type: ignore[method-assign]
        return future


def test_digest_beside_reads_the_snapshot_state(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """The digests computed on the second connection are those of the main snapshot even
    when an import commits before the second connection reads (PostgreSQL: the exported
    snapshot; SQLite: the data marker differs, so it is computed on the main connection).
    Expected: the digest read before that import, which changes the adverse events."""
    from monitoring.analysis.cut import Cut
    from monitoring.analysis.database import _digest_beside
    from monitoring.db.digest import HASHED_FOR_DECISIONS, database_table_digest

    def digests() -> dict[str, str]:
        return {n: database_table_digest(engine, n, trial, None) for n in HASHED_FOR_DECISIONS}

    _base(engine, trial, tmp_path / "base")
    before = digests()
    with snapshot(engine) as conn:
        pending = _digest_beside(_LatePool(), conn, Cut(trial))  # type: ignore[arg-type]
        extract = {name: rows for name, rows in _reader_extract(0).items() if name != "patients"}
        extract["patients"] = [_patient("N00")]
        assert import_files(
            engine, trial, write_extract(tmp_path / "i", extract), now=_now(), user="u"
        ).accepted
        assert pending() == before
    assert digests()["adverse_events"] != before["adverse_events"]


def test_clash_on_the_raw_bulk_path_is_the_clear_refusal(engine: sa.Engine, trial: str) -> None:
    """A uniqueness violation raised by the driver itself (SQLite's executemany, PostgreSQL's
    COPY: the bulk writes, which SQLAlchemy does not wrap; the tracebacks of issue 11 item
    3) ends in the one-line refusal, and nothing is written."""
    from monitoring.db.bulk import bulk_insert
    from monitoring.db.schema import trials

    with engine.connect() as conn:
        row = dict(conn.execute(sa.select(trials)).mappings().one())
    with pytest.raises(DataInputError) as refused, writing(engine, trial) as conn:
        bulk_insert(conn, trials, [row])
    assert str(refused.value) == CONCURRENT_CHANGE
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(trials)).scalar_one() == 1


def test_a_writer_that_waits_too_long_is_refused(
    db_url: str, trial: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another change of the trial is being written, a correction waits (here 1 s
    instead of 60) and is then refused with the one-line message, exit 2 at the CLI."""
    import monitoring.db.engine
    import monitoring.db.transactions

    monkeypatch.setattr(monitoring.db.engine, "WRITE_WAIT", 1)
    monkeypatch.setattr(monitoring.db.transactions, "WRITE_WAIT", 1)
    holder, waiter = open_database(db_url), open_database(db_url)
    try:
        _base(holder, trial, tmp_path)
        with writing(holder, trial), pytest.raises(DataInputError, match="still being written"):
            correct_value(
                waiter,
                trial,
                "patients",
                {"patient_id": "P01"},
                "age",
                "55",
                reason="test",
                now=_now,
                user="u",
            )
    finally:
        holder.dispose()
        waiter.dispose()
