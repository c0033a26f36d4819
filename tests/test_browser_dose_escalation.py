"""End to end in headless Chromium: the dose-escalation view of the Safety page and the
assumed numbers on the Design page, for the seed trials with dose rules.

Seeds 000 (peds-ino-two-cohorts: de-escalation in cohort 2), 001 (ino-liposomal-vcr-ph1b2:
BOIN) and 002 (mrd-ino-ph2: no dose rule) are registered with their demo data (``on_track``,
seed 0) imported through the ordinary importer; a DSMB account signs in. On the Safety page
each dose rule's table must show, row by row, every level's decision as the library computes
it from the same database (``open_analysis(...).status``: the rule's ``DoseDecision``); the
Design page must say, above its tabs, that the protocol's numbers are assumed (all three).
Screenshots of every page go to a pytest temporary folder (``shots``). The helpers are those
of tests/test_browser_protocols.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from monitoring.analysis import Cut, DatabaseSource, open_analysis
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial
from monitoring.demo import generate, write_tables
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.rules.dose_finding import DoseDecision
from tests.browser_support import dashboard_server, launch, sign_in
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account
from tests.test_browser_protocols import PAGES, WIDTH, _idle, _pick, _shot, _visit
from tests.waits import BROWSER_TIMEOUT_MS

pytestmark = pytest.mark.browser
DOSE_TRIALS = ("peds-ino-two-cohorts", "ino-liposomal-vcr-ph1b2")
TRIALS = (*DOSE_TRIALS, "mrd-ino-ph2")  # seeds 000, 001, 002
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-dose")


@pytest.fixture(scope="module")
def decisions(folder: Path) -> tuple[str, dict[str, dict[str, tuple[str, DoseDecision]]]]:
    """The database (both trials with their demo data) and, per trial, each dose rule's
    name and decision as the library computes them from it."""
    url = str(folder / "trials.sqlite")
    engine = open_database(url)
    out: dict[str, dict[str, tuple[str, DoseDecision]]] = {}
    try:
        for trial in TRIALS:
            path = bundled_protocol(trial)
            add_trial(engine, path.read_text(encoding="utf-8"), source=trial, now=NOW, user="r")
            analysis = open_analysis(DatabaseSource(engine), Cut(trial))
            data = generate(analysis.protocol, "on_track", seed=0)
            paths = write_tables(data, folder / "extracts" / trial)
            result = import_files(engine, trial, paths, now=NOW, user="importer")
            assert result.accepted, result.problems[:3]
            status = open_analysis(DatabaseSource(engine), Cut(trial)).status
            out[trial] = {
                d.rule_id: (d.name, d.detail)
                for d in status.decisions
                if isinstance(d.detail, DoseDecision)
            }
    finally:
        engine.dispose()
    add_test_account(url)  # a DSMB member of both trials
    return url, out


@pytest.fixture(scope="module")
def server(
    decisions: tuple[str, dict[str, dict[str, tuple[str, DoseDecision]]]], folder: Path
) -> Iterator[str]:
    with dashboard_server(decisions[0], folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dose-shots")


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = launch(playwright)
        context = browser.new_context(viewport={"width": WIDTH, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(BROWSER_TIMEOUT_MS)
        tab.goto(server)
        sign_in(tab, TEST_USER, TEST_PASSWORD)
        _idle(tab)
        yield tab
        context.close()
        browser.close()


@pytest.mark.parametrize("trial", DOSE_TRIALS)
def test_safety_page_shows_the_decision_at_each_dose_level(
    page: Page,
    trial: str,
    decisions: tuple[str, dict[str, dict[str, tuple[str, DoseDecision]]]],
) -> None:
    _pick(page, trial)
    _visit(page, "Safety")
    main = page.locator('[data-testid="stMain"]')
    rules = decisions[1][trial]
    assert rules  # each of these trials has one dose rule
    for name, d in rules.values():
        title = name.removeprefix("Dose: ")
        expect(main.get_by_text(f"Dose levels: {title}")).to_be_visible()
        grid = main.locator('[data-testid="stDataFrame"]').filter(has_text="In DLT window")
        expect(grid.first).to_be_visible()
        expect(grid.first).to_contain_text("Decision")
        for i, h in enumerate(d.levels, start=2):  # the grid's accessible table: row 1 heads
            row = grid.first.locator(f'tr[aria-rowindex="{i}"]')
            expect(row).to_contain_text(h.label)
            expect(row).to_contain_text(h.decision or "not used")
        assert any(h.decision for h in d.levels)  # the demo treated patients at some level


@pytest.mark.parametrize("trial", TRIALS)
def test_design_page_says_the_numbers_are_assumed_and_every_page_draws(
    page: Page, trial: str, shots: Path
) -> None:
    protocol = load_protocol(bundled_protocol(trial))
    assert protocol.assumptions()  # every seed protocol marks its numbers as assumed
    _pick(page, trial)
    for title in PAGES:
        # the Overview of a trial with data is headed by the trial's name
        name = protocol.short_title or protocol.title
        _visit(page, title, name if title == "Overview" else None)
        if title == "Design":
            warning = page.locator('[data-testid="stAlert"]').filter(has_text="ASSUMED")
            expect(warning.first).to_be_visible()  # without opening a tab
        _shot(page, shots, f"{trial}_{title.lower()}")
