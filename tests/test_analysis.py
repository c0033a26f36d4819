"""The use-case layer (``monitoring.analysis``): one read, one derivation per cut.

The derivation is counted at its one entry point, ``derive_patients`` (every
``monitoring.derive.derive`` call goes through it once): a page view of the Overview, one
``status`` and one cut-off report each derive the data exactly once. The messages of the
three refusals every front end shares are checked word for word (``monitoring.errors``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

import monitoring.derive.summary
from monitoring.analysis import Cut, DatabaseSource, DemoSource, Reading, open_analysis
from monitoring.cli import main
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from monitoring.errors import LookNotReachedError, NoDataYetError, UnknownTrialError
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT, ROOT
from tests.signin_support import sign_in

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TRIAL = "ino-lowdose-ph2"


@pytest.fixture
def derivations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the derivations: one entry per call of ``derive_patients`` (the patient
    frame every derivation builds first)."""
    calls: list[int] = []
    original = monitoring.derive.summary.derive_patients

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(monitoring.derive.summary, "derive_patients", counted)
    return calls


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


def test_one_analysis_answers_everything_from_one_derivation(derivations: list[int]) -> None:
    """Status, tables, quality and the derivation itself share one derivation."""
    analysis = open_analysis(DemoSource("on_track"), Cut(TRIAL))
    status, tables, quality = analysis.status, analysis.table_set(), analysis.quality
    assert analysis.derivation.cutoff == status.cutoff == quality.cutoff
    assert tables.treated == status.treated
    assert len(derivations) == 1


def test_a_decisions_read_is_not_cut_again(demo_db: str) -> None:
    """A ``DECISIONS`` read holds the adverse events' digest of its own cut-off and the
    monitored events only: cutting it at another day would give a wrong data digest."""
    engine = open_database(demo_db)
    opened = open_analysis(DatabaseSource(engine), Cut(TRIAL), reading=Reading.DECISIONS)
    assert opened.at(None) is opened
    with pytest.raises(ValueError, match="cannot be cut again"):
        opened.at(opened.cutoff.replace(day=1))
    engine.dispose()


def test_status_command_derives_once(
    demo_db: str, derivations: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status", "--db", demo_db, "--json"]) in (0, 3)
    capsys.readouterr()
    assert len(derivations) == 1


def test_a_cutoff_report_derives_once(
    demo_db: str, derivations: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report of a cut-off derives once; a look's report twice (once to find the day
    the look was reached, once cut at that day), never three times as before."""
    out = tmp_path / "r.xlsx"
    assert main(["report", "--db", demo_db, "--format", "xlsx", "--out", str(out)]) == 0
    assert len(derivations) == 1
    args = ["report", "--db", demo_db, "--look", "8", "--format", "xlsx", "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    assert len(derivations) == 3


@pytest.fixture
def _navigation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in tests/test_pages.py: AppTest runs app.py's navigation, not the legacy mode."""
    original = PagesManager.__init__

    def init(self: PagesManager, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.mark.usefixtures("_navigation_only")
@pytest.mark.parametrize("where", ["demo", "database"])
def test_one_overview_page_view_derives_once(
    where: str, db_url: str, derivations: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Overview (the app's first page) drawn from a cold cache: one derivation for the
    status, the cards, the monitoring log and the provenance. The database is the empty
    one the dashboard fills with the demo trial on first start (not a derivation of the
    page: counted from the first page view on)."""
    url = "demo:on_track" if where == "demo" else db_url
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    if where == "database":
        from dashboard.source import open_with_demo

        open_with_demo(url).dispose()
        derivations.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in(at.run())
    assert not at.exception, [e.value for e in at.exception]
    assert any("decision-card" in str(m.value) for m in at.markdown)
    assert len(derivations) == 1
    st.cache_data.clear()
    st.cache_resource.clear()


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
