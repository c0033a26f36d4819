"""One data digest per data cut, whichever path computes it, on SQLite and PostgreSQL.

``status`` reads only the adverse events that can be the monitored toxicity and no
exposure, disposition or laboratory rows, and takes those tables' digests from the database
(``monitoring.db.digest``); the reports and the dashboard hash every row in memory
(``trial_status`` on ``load_trial_data``). Expected values are the in-memory digests of the
same rows: equality is the property tested.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.analysis import DatabaseSource, status_of
from monitoring.cli import main
from monitoring.data_dictionary import ADVERSE_EVENTS, LAB_RESULTS, TABLES
from monitoring.db import digest
from monitoring.db.corrections import correct_value
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.digest import (
    HASHED_FOR_DECISIONS,
    UNREAD_FOR_DECISIONS,
    EarlyDigests,
    database_table_digest,
    start_early_digests,
)
from monitoring.db.engine import open_database
from monitoring.db.looks import list_reports
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import get_protocol
from monitoring.db.schema import DATA_TABLES, kept_digests
from monitoring.derive import apply_cutoff, derive
from monitoring.provenance import table_digest
from monitoring.status import trial_status

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
TRIAL = "ino-lowdose-ph2"
# The demo imports one extract a week after each reached look (the first on 2025-01-31
# for seed 0), then the complete data at NOW: 2025-06-30 sees an early extract only.
KNOWN_ON = datetime(2025, 6, 30, 23, 59, tzinfo=UTC)


@pytest.fixture
def demo(db_url: str) -> Iterator[sa.Engine]:
    engine = open_database(db_url)
    create_demo_trial(engine, "on_track", seed=0, now=NOW)
    yield engine
    engine.dispose()


def _status_json(db_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    main(["status", "--db", db_url, "--json", *extra])
    out: dict = json.loads(capsys.readouterr().out)
    return out


def _full_digest(engine: sa.Engine, cutoff: date | None, known: datetime | None) -> str:
    """The dashboard's and the reports' path: every row read, status computed in memory."""
    protocol = get_protocol(engine, TRIAL)
    data = load_trial_data(engine, TRIAL, known)
    return trial_status(
        protocol, derive(data, protocol, cutoff), as_known_on=known
    ).provenance.data_digest


def _past_cutoff(engine: sa.Engine) -> date:
    """The day the second look was reached: later AEs exist, some unresolved at it."""
    reached = status_of(DatabaseSource(engine), TRIAL).looks[1].reached_on
    assert reached is not None
    return reached


CASES = [
    pytest.param(False, None, id="now"),
    pytest.param(True, None, id="past-cutoff"),
    pytest.param(False, KNOWN_ON, id="as-known-on"),
    pytest.param(True, KNOWN_ON, id="past-cutoff-as-known-on"),
]


@pytest.mark.parametrize(("past", "known"), CASES)
def test_status_cli_and_full_status_print_the_same_data_digest(
    demo: sa.Engine,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    past: bool,
    known: datetime | None,
) -> None:
    cutoff = _past_cutoff(demo) - timedelta(days=20 if known else 0) if past else None
    args = ["--cutoff", cutoff.isoformat()] if cutoff else []
    args += ["--as-known-on", known.isoformat()] if known else []
    shown = _status_json(db_url, capsys, *args)["provenance"]["data_digest"]
    assert shown == _full_digest(demo, cutoff, known)
    library = status_of(DatabaseSource(demo), TRIAL, cutoff=cutoff, as_known_on=known)
    assert library.provenance.data_digest == shown


def test_report_records_the_digest_status_prints(
    demo: sa.Engine, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``report`` at a past cut-off as known on a past date, then ``status`` at the same."""
    cutoff = _past_cutoff(demo) - timedelta(days=20)
    cut = ["--cutoff", cutoff.isoformat(), "--as-known-on", KNOWN_ON.isoformat()]
    out = tmp_path / "summary.xlsx"
    assert (
        main(
            [
                "report",
                "--db",
                db_url,
                *cut,
                "--format",
                "xlsx",
                "--out",
                str(out),
                "--user",
                "test",
            ]
        )
        == 0
    )
    capsys.readouterr()
    (record,) = list_reports(demo, TRIAL)
    status = _status_json(db_url, capsys, *cut)
    assert record.cutoff == cutoff
    assert record.data_digest == status["provenance"]["data_digest"]


def test_the_status_digest_covers_adverse_events_it_does_not_read(demo: sa.Engine) -> None:
    """A changed grade of an AE that cannot be the monitored toxicity changes the digest."""
    before = status_of(DatabaseSource(demo), TRIAL)
    protocol = get_protocol(demo, TRIAL)
    monitored = {t.strip().lower() for rule in protocol.toxicity for t in rule.terms}
    table = DATA_TABLES["adverse_events"]
    with demo.begin() as conn:
        version = conn.execute(
            sa.select(sa.func.min(table.c.version_id)).where(
                table.c.valid_to.is_(None), sa.func.lower(table.c.term).not_in(monitored)
            )
        ).scalar_one()
        conn.execute(
            table.update().where(table.c.version_id == version).values(grade=table.c.grade % 5 + 1)
        )
    after = status_of(DatabaseSource(demo), TRIAL)
    assert after.efficacy == before.efficacy
    assert after.toxicity == before.toxicity
    assert after.provenance.data_digest != before.provenance.data_digest
    assert after.provenance.data_digest == _full_digest(demo, None, None)


def test_database_and_memory_agree_at_every_cutoff(
    demo: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table the status hashes in the database, every 15 days from before the first
    enrolment to after the last onset, current data and data as known on KNOWN_ON;
    resolutions after the cut-off occur (made missing). The demo's doses and laboratory
    values are all written by the database (none hashed in memory instead)."""
    monkeypatch.setattr(digest, "_in_memory", _refuse_memory)
    unresolved_seen = False
    for known in (None, KNOWN_ON):
        data = load_trial_data(demo, TRIAL, known)
        for name in HASHED_FOR_DECISIONS:
            assert len(data.table(name)) > 0, name  # the demo has rows in each
        first = data.patients["enrollment_date"].min().date() - timedelta(days=10)
        last = data.adverse_events["onset_date"].max().date() + timedelta(days=10)
        day = first
        while day <= last:
            events, cut = data.adverse_events, pd.Timestamp(day)
            unresolved_seen |= bool(
                ((events["onset_date"] <= cut) & (events["resolution_date"] > cut)).any()
            )
            at_cut = apply_cutoff(data, day)
            for name in HASHED_FOR_DECISIONS:
                memory = table_digest(at_cut.table(name), TABLES[name])
                found = database_table_digest(demo, name, TRIAL, day, known)
                assert found == memory, (name, known, day)
            day += timedelta(days=15)
        for name in HASHED_FOR_DECISIONS:
            assert database_table_digest(demo, name, TRIAL, None, known) == table_digest(
                data.table(name), TABLES[name]
            ), name
    assert unresolved_seen


def _refuse_memory(*args: object) -> str:
    raise AssertionError(f"hashed in memory: {args[1]}")


def _correct_first_lab_value(engine: sa.Engine, shift: float) -> None:
    first = load_trial_data(engine, TRIAL).lab_results.iloc[0]
    key = {
        "patient_id": first["patient_id"],
        "test": first["test"],
        "sample_date": first["sample_date"].date().isoformat(),
    }
    correct_value(
        engine,
        TRIAL,
        "lab_results",
        key,
        "value",
        str(float(first["value"]) + shift),
        reason="transcription error",
        now=NOW + timedelta(hours=1),
        user="test",
    )


def _counting_database_digests(patched: pytest.MonkeyPatch) -> list[str]:
    """The tables whose digest the database computes from now on (not read as kept)."""
    calls: list[str] = []
    original = digest.database_table_digest

    def counted(*args: object, **kwargs: object) -> str:
        calls.append(str(args[1]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    patched.setattr(digest, "database_table_digest", counted)
    return calls


def test_the_status_digest_covers_laboratory_rows_it_does_not_read(
    demo: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corrected laboratory value, never read by the status, changes its digest, which
    stays the digest of a full read: the correction kept the table's new digest, which the
    status reads (it computes only the adverse events' digest)."""
    before = status_of(DatabaseSource(demo), TRIAL)
    _correct_first_lab_value(demo, 0.5)
    computed = _counting_database_digests(monkeypatch)
    after = status_of(DatabaseSource(demo), TRIAL)
    assert computed == ["adverse_events"]
    assert after.efficacy == before.efficacy
    assert after.toxicity == before.toxicity
    assert after.provenance.data_digest != before.provenance.data_digest
    assert after.provenance.data_digest == _full_digest(demo, None, None)


def test_kept_digests_are_the_digests_of_the_rows(demo: sa.Engine) -> None:
    """After the demo's imports and a correction, each kept digest of a table's current
    state equals the in-memory digest of its rows; a past cut-off or as-known-on date is
    computed, not read (the kept digest is of the current rows uncut)."""
    _correct_first_lab_value(demo, 1.0)
    data = load_trial_data(demo, TRIAL)
    with demo.connect() as conn:
        for name in UNREAD_FOR_DECISIONS:
            kept = digest._kept(conn, name, TRIAL, digest._table_state(conn, name, TRIAL))
            assert kept == table_digest(data.table(name), TABLES[name]), name
    with pytest.MonkeyPatch.context() as patched:
        computed = _counting_database_digests(patched)
        status_of(DatabaseSource(demo), TRIAL, as_known_on=KNOWN_ON)
    assert sorted(computed) == sorted(HASHED_FOR_DECISIONS)


def test_without_kept_digests_the_status_computes_them(demo: sa.Engine) -> None:
    """A database upgraded to revision 0008 has no kept digests until its next import or
    correction: the status then computes every digest, with the same result."""
    with demo.begin() as conn:
        conn.execute(kept_digests.delete())
    with pytest.MonkeyPatch.context() as patched:
        computed = _counting_database_digests(patched)
        shown = status_of(DatabaseSource(demo), TRIAL).provenance.data_digest
    assert sorted(computed) == sorted(HASHED_FOR_DECISIONS)
    assert shown == _full_digest(demo, None, None)


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=6,
)
ROWS = st.lists(
    st.tuples(TEXT, TEXT, st.one_of(st.none(), TEXT), st.integers(1, 5), st.booleans()),
    min_size=0,
    max_size=6,
)


VALID_FROM = datetime(2025, 1, 2, 9, 0)
"""When the rows written directly below became current."""


def _replace_rows(
    engine: sa.Engine, trial: str, name: str, rows: Sequence[Mapping[str, object]]
) -> None:
    """The trial's only patient, P1 (enrolled 2025-01-01), and ``rows`` as the whole of table
    ``name``: written directly, as the importer would not (it strips and validates)."""
    table, patients = DATA_TABLES[name], DATA_TABLES["patients"]
    with engine.begin() as conn:
        conn.execute(table.delete())
        conn.execute(patients.delete())
        conn.execute(
            patients.insert().values(
                trial_id=trial,
                patient_id="P1",
                enrollment_date=date(2025, 1, 1),
                valid_from=VALID_FROM,
            )
        )
        if rows:
            conn.execute(table.insert(), rows)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ROWS)
def test_sql_and_python_write_the_same_lines_for_any_text(
    engine: sa.Engine, trial: str, rows: list[tuple[str, str, str | None, int, bool]]
) -> None:
    """Any text (separators, digits, ':', '-', newlines, non-ASCII, empty) in any column:
    the database's digest equals the in-memory one. Rows are written directly (the
    importer would strip and validate them), keyed apart by their onset date."""
    values = [
        {
            "trial_id": trial,
            "patient_id": "P1",
            "term": term,
            "category": category,
            "grade": grade,
            "onset_date": date(2025, 1, 1) + timedelta(days=i),
            "resolution_date": date(2025, 2, 1) if resolved else None,
            "attribution": attribution,
            "serious": None,
            "valid_from": VALID_FROM,
        }
        for i, (term, category, attribution, grade, resolved) in enumerate(rows)
    ]
    _replace_rows(engine, trial, "adverse_events", values)
    data = load_trial_data(engine, trial)
    assert len(data.adverse_events) == len(rows)
    expected = table_digest(data.adverse_events, ADVERSE_EVENTS)
    assert database_table_digest(engine, "adverse_events", trial, None) == expected
    cut = date(2025, 1, 3)
    expected_cut = table_digest(apply_cutoff(data, cut).adverse_events, ADVERSE_EVENTS)
    assert database_table_digest(engine, "adverse_events", trial, cut) == expected_cut


def _write_labs(engine: sa.Engine, trial: str, values: Sequence[float | None]) -> None:
    """One laboratory row per value (value, then the same as LLN and ULN, shifted), rows
    written directly, keyed apart by their sample date."""
    rows = [
        {
            "trial_id": trial,
            "patient_id": "P1",
            "test": "ALT",
            "sample_date": date(2025, 1, 1) + timedelta(days=i),
            "value": 0.0 if value is None else value,
            "unit": "U/L",
            "lln": value,
            "uln": None if value is None else -value,
            "valid_from": VALID_FROM,
        }
        for i, value in enumerate(values)
    ]
    _replace_rows(engine, trial, "lab_results", rows)


def _lab_digests(engine: sa.Engine, trial: str) -> tuple[str, str]:
    data = load_trial_data(engine, trial)
    return database_table_digest(engine, "lab_results", trial, None), table_digest(
        data.lab_results, LAB_RESULTS
    )


FIXED = st.decimals(
    min_value="-1000000", max_value="1000000", places=4, allow_nan=False, allow_infinity=False
).map(float)
"""Doses and laboratory values: up to 4 decimals (so 0 or at least 1e-4), up to a million."""
EDGES = [0.0, -0.0, 1.0, 100.0, 0.1, 0.0001, 0.3333333333333333, 0.1 + 0.2, 1.5e-05]
EDGES += [123456789012345.0, 1e15, 1e16, 2.0**53, 5e-324, 1e300, -7.25, 2.675]


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.one_of(
            FIXED,
            st.sampled_from([None, *EDGES]),
            st.floats(width=64, allow_nan=False, allow_infinity=False),
        ),
        max_size=8,
    )
)
def test_sql_and_python_write_the_same_lines_for_any_number(
    engine: sa.Engine, trial: str, values: list[float | None]
) -> None:
    """Any finite number (whole, tiny, huge, -0.0, subnormal, needing 17 digits), missing
    or not: the database's digest equals the in-memory one (what the database cannot write
    as ``repr`` does, the table is hashed in memory)."""
    _write_labs(engine, trial, values)
    found, expected = _lab_digests(engine, trial)
    assert found == expected


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(FIXED, min_size=1, max_size=8))
def test_doses_and_laboratory_values_are_written_by_the_database(
    engine: sa.Engine, trial: str, monkeypatch: pytest.MonkeyPatch, values: list[float]
) -> None:
    """Numbers of up to 4 decimals and up to a million (doses, laboratory values) are
    hashed by the database itself, never read into memory."""
    _write_labs(engine, trial, values)
    with monkeypatch.context() as patched:
        patched.setattr(digest, "_in_memory", _refuse_memory)
        found = database_table_digest(engine, "lab_results", trial, None)
    assert found == _lab_digests(engine, trial)[1]


@pytest.mark.parametrize("value", [0.1 + 0.2, 1e15, 1.5e-05, 5e-324])
def test_a_number_the_database_cannot_write_is_hashed_in_memory(
    engine: sa.Engine, trial: str, monkeypatch: pytest.MonkeyPatch, value: float
) -> None:
    """An exponent in ``repr`` (1e+15, 1.5e-05, 5e-324), or 17 digits on SQLite: the whole
    table is hashed from its rows, with the same digest."""
    _write_labs(engine, trial, [1.0, value])
    calls: list[str] = []
    original = digest._in_memory

    def counted(*args: object) -> str:
        calls.append(str(args[1]))
        return original(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(digest, "_in_memory", counted)
    found, expected = _lab_digests(engine, trial)
    assert found == expected
    postgres_writes_it = engine.dialect.name == "postgresql" and value == 0.1 + 0.2
    assert calls == ([] if postgres_writes_it else ["lab_results"])


def _sqlite_demo(tmp_path: Path) -> sa.Engine:
    engine = open_database(tmp_path / "early.sqlite")
    create_demo_trial(engine, "on_track", seed=0, now=NOW)
    return engine


def test_early_digests_are_used_when_of_the_same_state(tmp_path: Path) -> None:
    """``status`` begins the digests before its read (SQLite): of the same cut and state,
    they are the digests the read would compute, and they are used (the read computes
    none itself)."""
    engine = _sqlite_demo(tmp_path)
    early = start_early_digests(engine, None, None, None)
    assert early is not None
    found = early.result()
    assert found is not None
    assert found.trial_id == TRIAL
    source = DatabaseSource(engine, early)
    with pytest.MonkeyPatch.context() as patched:
        calls = _counting_database_digests(patched)
        shown = status_of(source, TRIAL).provenance.data_digest
    assert calls == []
    assert shown == _full_digest(engine, None, None)
    engine.dispose()


def test_early_digests_of_another_state_or_cut_are_not_used(tmp_path: Path) -> None:
    """A correction after the early digests (another data marker), another cut-off, or an
    early computation that failed: the read hashes again, and prints the digest of what
    it read."""
    engine = _sqlite_demo(tmp_path)
    stale = start_early_digests(engine, TRIAL, None, None)
    assert stale is not None
    assert stale.result() is not None
    _correct_first_lab_value(engine, 1.5)
    now = status_of(DatabaseSource(engine, stale), TRIAL).provenance.data_digest
    assert now == _full_digest(engine, None, None)

    other_cut = start_early_digests(engine, TRIAL, None, None)
    assert other_cut is not None
    past = _past_cutoff(engine)
    shown = status_of(DatabaseSource(engine, other_cut), TRIAL, cutoff=past)
    assert shown.provenance.data_digest == _full_digest(engine, past, None)

    failed: Future[EarlyDigests | None] = Future()
    failed.set_exception(RuntimeError("the early hashing failed"))
    after_failure = status_of(DatabaseSource(engine, failed), TRIAL).provenance.data_digest
    assert after_failure == now
    engine.dispose()


def test_no_early_digests_for_postgresql_or_an_in_memory_database() -> None:
    """PostgreSQL hashes in the reader's exported snapshot; ``sqlite://`` is one
    connection's database."""
    memory = open_database("sqlite://")
    assert start_early_digests(memory, TRIAL, None, None) is None
    memory.dispose()
    postgres = sa.create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert start_early_digests(postgres, TRIAL, None, None) is None


def test_an_in_memory_sqlite_database_gives_the_same_digest() -> None:
    """Each connection to ``sqlite://`` is a database of its own: the AE digest is then
    computed on the caller's thread, and still equals the full in-memory digest."""
    engine = open_database("sqlite://")
    create_demo_trial(engine, "on_track", seed=0, now=NOW)
    assert status_of(DatabaseSource(engine), TRIAL).provenance.data_digest == _full_digest(
        engine, None, None
    )
    engine.dispose()


@pytest.mark.postgres
def test_sqlite_and_postgresql_give_the_same_digest_for_the_same_data(
    tmp_path: Path, pg_admin: sa.Engine, pg_template: str
) -> None:
    """The canonical form does not depend on the backend: the same demo trial imported
    into both gives the same status digest, now and at a past cut-off."""
    name = f"t_{uuid.uuid4().hex}"
    with pg_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    engines = [
        open_database(tmp_path / "same.sqlite"),
        open_database(pg_admin.url.set(database=name).render_as_string(hide_password=False)),
    ]
    try:
        digests = []
        for engine in engines:
            create_demo_trial(engine, "on_track", seed=0, now=NOW)
            past = _past_cutoff(engine)
            digests.append(
                [
                    status_of(DatabaseSource(engine), TRIAL, cutoff=c).provenance.data_digest
                    for c in (None, past)
                ]
            )
        assert digests[0] == digests[1]
    finally:
        for engine in engines:
            engine.dispose()
        with pg_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
