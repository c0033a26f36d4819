"""One data digest per data cut, whichever path computes it, on SQLite and PostgreSQL.

``status`` reads only the adverse events that can be the monitored toxicity and takes the
adverse events' digest from the database (``monitoring.db.digest``); the reports and the
dashboard hash every row in memory (``trial_status`` on ``load_trial_data``). Expected
values are the in-memory digests of the same rows: equality is the property tested.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitoring.analysis import DatabaseSource, status_of
from monitoring.cli import main
from monitoring.data_dictionary import ADVERSE_EVENTS
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.digest import adverse_event_digest
from monitoring.db.engine import open_database
from monitoring.db.looks import list_reports
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import get_protocol
from monitoring.db.schema import DATA_TABLES
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


def test_database_and_memory_agree_at_every_cutoff(demo: sa.Engine) -> None:
    """Every 15 days from before the first enrolment to after the last onset, current data
    and data as known on KNOWN_ON; resolutions after the cut-off occur (made missing)."""
    unresolved_seen = False
    for known in (None, KNOWN_ON):
        data = load_trial_data(demo, TRIAL, known)
        first = data.patients["enrollment_date"].min().date() - timedelta(days=10)
        last = data.adverse_events["onset_date"].max().date() + timedelta(days=10)
        day = first
        while day <= last:
            events, cut = data.adverse_events, pd.Timestamp(day)
            unresolved_seen |= bool(
                ((events["onset_date"] <= cut) & (events["resolution_date"] > cut)).any()
            )
            memory = table_digest(apply_cutoff(data, day).adverse_events, ADVERSE_EVENTS)
            assert adverse_event_digest(demo, TRIAL, day, known) == memory, (known, day)
            day += timedelta(days=15)
        assert adverse_event_digest(demo, TRIAL, None, known) == table_digest(
            data.adverse_events, ADVERSE_EVENTS
        )
    assert unresolved_seen


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=6,
)
ROWS = st.lists(
    st.tuples(TEXT, TEXT, st.one_of(st.none(), TEXT), st.integers(1, 5), st.booleans()),
    min_size=0,
    max_size=6,
)


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
    table, patients = DATA_TABLES["adverse_events"], DATA_TABLES["patients"]
    valid_from = datetime(2025, 1, 2, 9, 0)
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
            "valid_from": valid_from,
        }
        for i, (term, category, attribution, grade, resolved) in enumerate(rows)
    ]
    with engine.begin() as conn:
        conn.execute(table.delete())
        conn.execute(patients.delete())
        conn.execute(
            patients.insert().values(
                trial_id=trial,
                patient_id="P1",
                enrollment_date=date(2025, 1, 1),
                valid_from=valid_from,
            )
        )
        if values:
            conn.execute(table.insert(), values)
    data = load_trial_data(engine, trial)
    assert len(data.adverse_events) == len(rows)
    expected = table_digest(data.adverse_events, ADVERSE_EVENTS)
    assert adverse_event_digest(engine, trial, None) == expected
    cut = date(2025, 1, 3)
    expected_cut = table_digest(apply_cutoff(data, cut).adverse_events, ADVERSE_EVENTS)
    assert adverse_event_digest(engine, trial, cut) == expected_cut


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
