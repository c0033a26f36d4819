"""A trial registered without data, on every page (Streamlit AppTest): no exception, the
sidebar's trial picker is drawn so that the other trials stay one click away, and the page
says there are no data yet, with the protocol's rules and the files to import next.

Each bundled protocol (``monitoring/protocols/``, read as the installed package reads them)
is registered and nothing is imported. The expected sentences come from the library
(:mod:`monitoring.awaiting_data`) and the file and column names from the data dictionary
(``monitoring/data_dictionary.py``), so a page must show exactly what the library decides.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.awaiting_data import awaiting_data
from monitoring.data_dictionary import TABLES
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    bundled_protocol_files,
    bundled_protocol_name,
    load_protocol,
)
from tests.conftest import ROOT
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account, sign_in
from tests.test_pages import PAGES
from tests.waits import APP_TIMEOUT

NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
BUNDLED = {bundled_protocol_name(f): f for f in bundled_protocol_files()}


@pytest.fixture(autouse=True)
def _every_test_uses_the_navigation(_navigation_only: None) -> None:
    """Every test here runs app.py's navigation (the fixture is in tests/conftest.py)."""


@pytest.fixture(scope="module")
def databases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two SQLite files: the demo trial (with data) beside the example protocols (none), and
    the default protocol alone without data (its id is the demo's, so it needs its own)."""
    folder = tmp_path_factory.mktemp("no-data")
    mixed, alone = str(folder / "mixed.sqlite"), str(folder / "alone.sqlite")
    engine = open_database(mixed)
    create_demo_trial(engine, "on_track", now=NOW, user="demo")
    for name, file in BUNDLED.items():
        if name != DEFAULT_TRIAL_ID:
            add_trial(engine, file.read_text(encoding="utf-8"), source=name, now=NOW, user="t")
    engine.dispose()
    engine = open_database(alone)
    default = BUNDLED[DEFAULT_TRIAL_ID].read_text(encoding="utf-8")
    add_trial(engine, default, source=DEFAULT_TRIAL_ID, now=NOW, user="t")
    engine.dispose()
    add_test_account(mixed)
    add_test_account(alone)
    return {name: alone if name == DEFAULT_TRIAL_ID else mixed for name in BUNDLED}


def _text(at: AppTest) -> str:
    parts = [str(e.value) for e in (*at.markdown, *at.info, *at.caption, *at.title)]
    parts += [str(e.value) for e in at.subheader]
    return "\n".join(parts)


def _open(monkeypatch: pytest.MonkeyPatch, url: str, trial_id: str) -> AppTest:
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run(), TEST_USER, TEST_PASSWORD)
    picker = at.selectbox(key=Key.TRIAL)
    if picker.value != trial_id:
        picker.set_value(trial_id).run()
    return at


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_page_of_a_trial_without_data_says_so_and_keeps_the_picker(
    monkeypatch: pytest.MonkeyPatch, databases: dict[str, str], name: str
) -> None:
    protocol = load_protocol(BUNDLED[name])
    expected = awaiting_data(protocol.id, protocol)
    at = _open(monkeypatch, databases[name], protocol.id)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        picker = at.selectbox(key=Key.TRIAL)
        assert picker.value == protocol.id, page
        assert any(protocol.id in option for option in picker.options), page
        text = _text(at)
        assert "No data yet" in text, page
        assert expected.message in text, page
        assert "Traceback" not in text, page
        if page in ("pages/design.py",):  # the designs need no data: the page is whole
            continue
        for spec in TABLES.values():  # the three files to import, with their columns
            assert any(f"{spec.name}.csv" == row for row in _files(at)), page
        if page != "pages/data.py":
            for rule in expected.rules:  # every rule in words, toxicity boundaries included
                assert rule.sentence in text, (page, rule.id)
    if name != DEFAULT_TRIAL_ID:  # the other trials stay one click away
        assert DEFAULT_TRIAL_ID in " ".join(at.selectbox(key=Key.TRIAL).options)


def _files(at: AppTest) -> list[str]:
    return [str(v) for frame in at.dataframe if "File" in frame.value for v in frame.value["File"]]


def test_switching_back_from_a_trial_without_data_shows_the_decisions(
    monkeypatch: pytest.MonkeyPatch, databases: dict[str, str]
) -> None:
    """From an example protocol without data back to the demo trial: its decision cards."""
    at = _open(monkeypatch, databases["mrd-ino-ph2"], "mrd-ino-ph2")
    assert "No data yet" in _text(at)
    at.selectbox(key=Key.TRIAL).set_value(DEFAULT_TRIAL_ID).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "No data yet" not in _text(at)
    assert "decision-card" in "\n".join(str(m.value) for m in at.markdown)


def test_the_expected_files_come_from_the_data_dictionary() -> None:
    """The panel's file list is the importer's: patients, responses, adverse events (SPEC 5),
    then the clinical-detail tables (dose changes, DLT assessments, MRD results,
    randomization, baseline, exposure, disposition events, laboratory results)."""
    protocol = load_protocol(BUNDLED[DEFAULT_TRIAL_ID])
    files = awaiting_data(protocol.id, protocol).files
    assert [f.file for f in files] == [
        "patients.csv",
        "responses.csv",
        "adverse_events.csv",
        "dose_changes.csv",
        "dlt_assessments.csv",
        "mrd_results.csv",
        "randomization.csv",
        "baseline.csv",
        "exposure.csv",
        "disposition_events.csv",
        "lab_results.csv",
    ]
    assert files[0].required == ("patient_id", "enrollment_date")


def test_an_as_known_on_date_before_the_first_import_shows_no_data_known_then(
    monkeypatch: pytest.MonkeyPatch, databases: dict[str, str]
) -> None:
    """The demo trial was registered ten years before ``NOW`` and its first extract arrived
    in 2024 (monitoring/db/demo_trial.py): on 2020-01-01 nothing was known yet."""
    at = _open(monkeypatch, databases["mrd-ino-ph2"], DEFAULT_TRIAL_ID)
    at.date_input(key=Key.AS_KNOWN_ON).set_value(date(2020, 1, 1)).run()
    assert not at.exception, [e.value for e in at.exception]
    text = _text(at)
    assert f"trial '{DEFAULT_TRIAL_ID}' has no patient data known on 2020-01-01" in text
    assert at.selectbox(key=Key.TRIAL).value == DEFAULT_TRIAL_ID
    at.date_input(key=Key.AS_KNOWN_ON).set_value(None).run()  # back to now: the decisions
    assert "No data yet" not in _text(at)
    assert "decision-card" in "\n".join(str(m.value) for m in at.markdown)
