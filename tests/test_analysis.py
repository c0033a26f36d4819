"""The use-case layer (``monitoring.analysis``): one read, one derivation per cut.

The derivations are counted (``derive`` wherever it is looked up, and the patient frames
every derivation builds first): one view of each page, one ``status``, one report of each
format and one report of a look each derive the data exactly once. The messages of the
three refusals every front end shares are checked word for word (``monitoring.errors``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import monitoring.derive.summary
from monitoring.analysis import Cut, DatabaseSource, DemoSource, Reading, open_analysis
from monitoring.analysis.looks import look_reached_on
from monitoring.cli import main
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from monitoring.errors import LookNotReachedError, NoDataYetError, UnknownTrialError
from monitoring.reports.formats import ReportFormat
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT, ROOT
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRIAL = "ino-lowdose-ph2"


@dataclass
class Derivations:
    """What was derived: the cut-off asked of each ``derive`` call (None: the latest date
    in the data), and how many patient frames were built (``derive_patients``, the first
    step of every derivation, however it is reached)."""

    cutoffs: list[date | None] = field(default_factory=list)
    frames: int = 0


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> Derivations:
    """Counts the derivations: ``derive`` is wrapped wherever it is looked up (every loaded
    module holding it, ``monitoring.derive`` too, so modules imported later get the
    wrapper), and ``derive_patients`` where ``derive`` calls it."""
    seen = Derivations()
    original = monitoring.derive.summary.derive
    original_frames = monitoring.derive.summary.derive_patients

    def counted(data: Any, protocol: Any, cutoff: date | None = None) -> Any:
        seen.cutoffs.append(cutoff)
        return original(data, protocol, cutoff)

    def frames(*args: Any, **kwargs: Any) -> Any:
        seen.frames += 1
        return original_frames(*args, **kwargs)

    for module in list(sys.modules.values()):
        for name, value in list(vars(module).items()) if module else ():
            if value is original:
                monkeypatch.setattr(module, name, counted)
    monkeypatch.setattr(monitoring.derive.summary, "derive_patients", frames)
    return seen


def _once(derivations: Derivations) -> bool:
    return len(derivations.cutoffs) == derivations.frames == 1


@pytest.fixture
def demo_db(db_url: str) -> str:
    """The demo trial (on_track, seed 0) in a fresh database of each backend."""
    engine = open_database(db_url)
    create_demo_trial(engine, "on_track", seed=0, now=NOW)
    engine.dispose()
    return db_url


def test_a_cut_is_frozen_and_hashable() -> None:
    """Front ends key caches on it: equal cuts hash equal, a changed field is a new key."""
    cut = Cut(TRIAL, None, NOW, "v1")
    assert hash(cut) == hash(Cut(TRIAL, None, NOW, "v1"))
    assert {cut: 1}[Cut(TRIAL, None, NOW, "v1")] == 1
    assert cut.at(NOW.date()) != cut
    with pytest.raises(AttributeError):
        cut.trial_id = "other"  # type: ignore[misc]


def test_one_analysis_answers_everything_from_one_derivation(derivations: Derivations) -> None:
    """Status, tables, quality and the derivation itself share one derivation."""
    analysis = open_analysis(DemoSource("on_track"), Cut(TRIAL))
    status, tables, quality = analysis.status, analysis.table_set(), analysis.quality
    assert analysis.derivation.cutoff == status.cutoff == quality.cutoff
    assert tables.treated == status.treated
    assert _once(derivations), derivations


def test_a_decisions_read_is_not_cut_again(demo_db: str) -> None:
    """A ``DECISIONS`` read holds the adverse events' digest of its own cut-off and the
    monitored events only: cutting it at another day would give a wrong data digest."""
    engine = open_database(demo_db)
    opened = open_analysis(DatabaseSource(engine), Cut(TRIAL), reading=Reading.DECISIONS)
    assert opened.at(None) is opened
    with pytest.raises(ValueError, match="cannot be cut again"):
        opened.at(opened.cutoff.replace(day=1))
    engine.dispose()


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_status_command_derives_once(
    demo_db: str, derivations: Derivations, as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", demo_db, *(["--json"] if as_json else [])]) in (0, 3)
    capsys.readouterr()
    assert _once(derivations), derivations


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the same path on PostgreSQL
@pytest.mark.parametrize("fmt", [f.value for f in ReportFormat])
def test_a_report_derives_once(
    demo_db: str,
    derivations: Derivations,
    fmt: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A report at the latest cut-off, in each format: one derivation for the status, the
    tables, the listings and the charts."""
    out = tmp_path / f"r.{fmt}"
    assert main(["report", "--db", demo_db, "--format", fmt, "--out", str(out)]) == 0
    capsys.readouterr()
    assert out.stat().st_size > 0
    assert _once(derivations), derivations


def test_a_look_s_report_derives_its_look_only(
    demo_db: str, derivations: Derivations, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``report --look 8`` derives once, at the day look 8 was reached (the monitoring log
    of ``status --json``; before, the latest cut-off was derived too, to find that day),
    and its regeneration derives that day once again."""
    assert main(["status", "--db", demo_db, "--json"]) in (0, 3)
    log = json.loads(capsys.readouterr().out)["looks"]
    reached = date.fromisoformat(next(lk["reached_on"] for lk in log if lk["evaluable"] == 8))
    derivations.cutoffs.clear()
    derivations.frames = 0
    out = tmp_path / "look8.xlsx"
    args = ["report", "--db", demo_db, "--look", "8", "--format", "xlsx", "--out", str(out)]
    assert main([*args, "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["look"], record["cutoff"]) == (8, reached.isoformat())
    assert derivations.cutoffs == [reached]
    assert derivations.frames == 1
    again = ["report", "regenerate", "--db", demo_db, "--id", str(record["id"])]
    assert main([*again, "--out", str(tmp_path / "again.xlsx")]) == 0
    capsys.readouterr()
    assert derivations.cutoffs == [reached, reached]
    assert derivations.frames == 2


def test_a_look_not_scheduled_or_not_reached_is_still_refused(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The look's day is found without deriving; the refusals stay those of
    ``resolve_look``: a look off the schedule (reached or not) and a look not reached."""
    out = tmp_path / "r.xlsx"
    base = ["report", "--db", demo_db, "--format", "xlsx", "--out", str(out)]
    for look, message in (
        (5, "no scheduled look at 5 evaluable patients (looks every 8)"),
        (47, "no scheduled look at 47 evaluable patients (looks every 8)"),
        (48, "the look at 48 evaluable patients is not reached yet"),
    ):
        assert main([*base, "--look", str(look)]) == 2
        assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("scenario", ["on_track", "toxicity_stop", "futility", "large"])
def test_the_look_day_read_off_the_rows_is_the_monitoring_log_s(scenario: str) -> None:
    """``look_reached_on`` (no derivation) gives the day the monitoring log gives for every
    scheduled look, at the latest cut-off and at earlier ones, reached or not."""
    analysis = open_analysis(DemoSource(scenario), Cut(TRIAL))
    latest = analysis.cutoff
    for cutoff in (latest, latest - timedelta(days=90), latest - timedelta(days=400)):
        status = analysis.at(cutoff).status
        for look in status.looks:
            assert look_reached_on(analysis.data, cutoff, look.evaluable) == look.reached_on, (
                cutoff,
                look.evaluable,
            )


@pytest.fixture
def cold_cache() -> Iterator[None]:
    """The dashboard's caches empty before and after the test."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.usefixtures("_navigation_only", "cold_cache")
def test_one_overview_page_view_on_a_database_derives_once(
    db_url: str, derivations: Derivations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Overview (the app's first page) drawn from a cold cache: one derivation for the
    status, the cards, the monitoring log and the provenance. The database is the empty
    one the dashboard fills with the demo trial on first start (not a derivation of the
    page: counted from the first page view on)."""
    from dashboard.source import open_with_demo

    monkeypatch.setenv("TRIAL_MONITORING_DB", db_url)
    open_with_demo(db_url).dispose()
    derivations.cutoffs.clear()
    derivations.frames = 0
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    assert not at.exception, [e.value for e in at.exception]
    assert any("decision-card" in str(m.value) for m in at.markdown)
    assert _once(derivations), derivations


PAGES = ("overview", "efficacy", "safety", "survival", "data", "design", "reports")


@pytest.mark.usefixtures("_navigation_only", "cold_cache")
@pytest.mark.parametrize("page", PAGES)
def test_one_view_of_each_page_derives_once(
    page: str, derivations: Derivations, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page of the demo trial opened on a cold cache (the app is run once first, then
    its caches are emptied): the page and the sidebar's status share one derivation."""
    monkeypatch.setenv("TRIAL_MONITORING_DB", "demo:on_track")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run())
    st.cache_data.clear()
    st.cache_resource.clear()
    derivations.cutoffs.clear()
    derivations.frames = 0
    # Emptying the resource cache ends the session too: the page asks for a sign-in first.
    sign_in(at.switch_page(f"pages/{page}.py").run())
    assert not at.exception, [e.value for e in at.exception]
    expected = "Low-dose InO, R/R CD22+ ALL" if page == "overview" else page.title()
    assert expected in at.title[0].value  # the Overview's heading is the trial's title
    assert _once(derivations), derivations


def test_refusals_have_one_wording(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unknown trial, no data yet and a look not reached read the same from every front
    end (``monitoring.errors``), and exit 2 at the command line."""
    engine = open_database(db_url)
    add_trial(engine, DEFAULT_PROTOCOL.read_text("utf-8"), source="t", now=REGISTERED_AT, user="r")
    source = DatabaseSource(engine)
    with pytest.raises(UnknownTrialError, match=r"^no trial 'nope' in the database"):
        source.resolve("nope")
    with pytest.raises(UnknownTrialError, match=r"^no trial 'nope' in the database"):
        DemoSource("on_track").resolve("nope")
    empty = (
        f"trial '{TRIAL}' has no patient data yet: import an extract "
        "(patients.csv, responses.csv, adverse_events.csv)"
    )
    with pytest.raises(NoDataYetError) as no_data:
        open_analysis(source, Cut(TRIAL), reading=Reading.DECISIONS)
    assert str(no_data.value) == empty
    with pytest.raises(NoDataYetError) as no_data:
        _ = open_analysis(source, Cut(TRIAL)).derivation
    assert str(no_data.value) == empty
    for command in (["status"], ["tables"], ["quality"], ["report", "--format", "xlsx"]):
        out = ["--out", str(tmp_path / "r.xlsx")] if command[0] == "report" else []
        assert main([*command, "--db", db_url, *out]) == 2
        # a report is made as known on a time: "has no patient data known on T: ..."
        assert f"trial '{TRIAL}' has no patient data " in capsys.readouterr().err
    engine.dispose()
    demo = open_analysis(DemoSource("on_track"), Cut(TRIAL))
    with pytest.raises(LookNotReachedError) as late:
        demo.reached_on(48)  # on_track: fewer than 48 treated at the latest date
    assert str(late.value) == "the look at 48 evaluable patients is not reached yet"
