"""``demo`` and ``status`` on SQLite and PostgreSQL: SPEC 6.1 keys, the report-due exit code,
report records in the monitoring log, and a past look reproduced after a correction."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.cli.monitor import EXIT_SUMMARY_DUE
from monitoring.db.corrections import correct_value
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.looks import look_records, record_report, sign_off_look
from monitoring.db.reading import load_trial_data

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def demo_engine(db_url: str) -> Iterator[sa.Engine]:
    engine = open_database(db_url)
    create_demo_trial(engine, "on_track", seed=0, now=NOW)
    yield engine
    engine.dispose()


def _status(db_url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:
    code = main(["status", "--db", db_url, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def test_status_json_has_the_spec_keys_and_exit_code_3_when_a_summary_is_due(
    demo_engine: sa.Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _status(db_url, capsys)
    assert code == EXIT_SUMMARY_DUE
    for key in ("cutoff", "enrolled", "treated", "efficacy", "toxicity"):
        assert key in out
    eff = out["efficacy"]
    for key in ("decision", "responders", "non_responders", "pending", "stage1"):
        assert key in eff
    assert set(eff["stage1"]) >= {"n", "responders", "pending", "decision"}
    tox = out["toxicity"]
    assert set(tox) >= {
        "evaluable",
        "events",
        "posterior_prob",
        "last_look",
        "events_at_last_look",
        "boundary_at_last_look",
        "next_look",
        "boundary_next_look",
        "decision",
    }
    assert eff["decision"] == "stage2"
    assert tox["decision"] == "continue"
    assert out["summary_due"] == 24
    assert 0.0 <= out["predictive_probability"] <= 1.0
    # Table 3 of seed 003: the boundary at 24 patients is 8, at 32 it is 11.
    assert (tox["last_look"], tox["boundary_at_last_look"]) == (24, 8)
    assert (tox["next_look"], tox["boundary_next_look"]) == (32, 11)


def test_generated_and_signed_reports_clear_the_due_flag(
    demo_engine: sa.Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, before = _status(db_url, capsys)
    trial = before["trial"]
    for look in (8, 16, 24):
        record_report(
            demo_engine,
            trial,
            look=look,
            cutoff=NOW.date(),
            as_known_on=NOW,
            fmt="pdf",
            file_name=f"look{look}.pdf",
            content_digest="c" * 64,
            protocol_digest="p" * 64,
            data_digest="d" * 64,
            now=NOW,
            user="statistician",
        )
    sign_off_look(demo_engine, trial, 8, reached_date=NOW.date(), user="PI", now=NOW)
    code, after = _status(db_url, capsys)
    assert code == 0
    states = {look["evaluable"]: look["summary"] for look in after["looks"]}
    assert states[8] == "signed_off"
    assert states[16] == "generated"
    assert after["summary_due"] is None
    records = {r.evaluable: r for r in look_records(demo_engine, trial)}
    assert records[8].signed_off_by == "PI"


def test_a_past_look_is_reproduced_exactly_after_a_correction(
    demo_engine: sa.Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Take a look, correct a value, show the old look unchanged and the new one different."""
    _, look_then = _status(db_url, capsys)
    data = load_trial_data(demo_engine, look_then["trial"])
    remission = data.responses.loc[data.responses["response"].isin(["CR", "CRp", "CRi"])]
    row = remission.iloc[0]
    correct_value(
        demo_engine,
        None,
        "responses",
        {
            "patient_id": row["patient_id"],
            "assessment_date": row["assessment_date"].date().isoformat(),
        },
        "response",
        "PD",
        reason="source document review: marrow showed relapse",
        now=datetime(2026, 2, 1, tzinfo=UTC),
        user="data manager",
    )
    _, now = _status(db_url, capsys)
    _, replay = _status(db_url, capsys, "--as-known-on", "2026-01-20")
    assert replay["efficacy"] == look_then["efficacy"]
    assert replay["provenance"]["data_digest"] == look_then["provenance"]["data_digest"]
    assert now["provenance"]["data_digest"] != look_then["provenance"]["data_digest"]


def test_as_known_on_an_early_date_sees_only_the_first_extracts(
    demo_engine: sa.Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo imports one extract a week after each look was reached."""
    _, current = _status(db_url, capsys)
    first_look = current["looks"][0]["reached_on"]
    _, early = _status(db_url, capsys, "--as-known-on", "2024-12-31")
    assert early["treated"] < current["treated"]
    assert early["cutoff"] < current["cutoff"]
    assert early["cutoff"] >= first_look


def test_demo_refuses_a_second_trial_of_the_same_id(db_url: str) -> None:
    engine = open_database(db_url)
    assert main(["demo", "--db", db_url, "--scenario", "futility"]) == 0
    assert main(["demo", "--db", db_url]) == 2
    engine.dispose()


def test_status_from_the_database_equals_status_from_every_row(
    demo_engine: sa.Engine,
) -> None:
    """``status_of`` reads only the monitored-toxicity AEs: same cut-off and decisions."""
    from monitoring.analysis import DatabaseSource, status_of
    from monitoring.db.repository import get_protocol
    from monitoring.derive import derive
    from monitoring.status import trial_status

    fast = status_of(DatabaseSource(demo_engine), "ino-lowdose-ph2")
    protocol = get_protocol(demo_engine, "ino-lowdose-ph2")
    full = trial_status(protocol, derive(load_trial_data(demo_engine, "ino-lowdose-ph2"), protocol))
    assert fast.cutoff == full.cutoff
    assert fast.efficacy == full.efficacy
    assert fast.toxicity == full.toxicity
    assert fast.remission == full.remission
    assert [look.reached_on for look in fast.looks] == [look.reached_on for look in full.looks]


def test_provenance_names_the_last_import_batch_known_on_the_date(
    demo_engine: sa.Engine,
) -> None:
    """The demo imports one extract per reached look, then a final one (4 batches)."""
    from monitoring.analysis import DatabaseSource, status_of
    from monitoring.db.repository import list_batches

    batches = list_batches(demo_engine, "ino-lowdose-ph2")
    now = status_of(DatabaseSource(demo_engine), "ino-lowdose-ph2")
    assert now.provenance.data_batch == batches[-1].id
    assert f"(import batch {batches[-1].id})" in now.provenance.line
    early = status_of(
        DatabaseSource(demo_engine),
        "ino-lowdose-ph2",
        as_known_on=datetime(2024, 12, 31, tzinfo=UTC),
    )
    known = [b.id for b in batches if b.imported_at <= datetime(2024, 12, 31, tzinfo=UTC)]
    assert early.provenance.data_batch == known[-1]
    assert early.provenance.data_batch < now.provenance.data_batch
