"""End to end in headless Chromium: every bundled protocol on every page, without data and
then with its demo data, on one dashboard server.

The database starts with every bundled protocol registered (``monitoring/protocols/`` and
its examples) and nothing imported: each page of each trial must draw without an exception
and say that no data are imported yet. Then each trial's demo data (``monitoring.demo``:
the default trial's ``on_track`` scenario, the example protocols' example trials) are
imported through the ordinary importer while the server runs, and each page must draw
again without an exception; the Efficacy page shows the rates and the Survival page a
Kaplan–Meier chart whose patients and events are the library's (``survival_view``).
Screenshots of every page go to a pytest temporary folder (``shots``).

The test without data runs first (the file's order); the data are imported by the
fixture of the second test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from monitoring.analyses.response import response_tables
from monitoring.analysis import Cut, DatabaseSource, open_analysis
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial
from monitoring.demo import generate, write_tables
from monitoring.protocol import (
    Protocol,
    bundled_protocol_files,
    load_protocol,
)
from monitoring.series import survival_view
from tests.browser_support import dashboard_server, launch, settled, sign_in
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account
from tests.waits import BROWSER_TIMEOUT_MS

pytestmark = pytest.mark.browser
WIDTH = 1280
PAGES = ("Overview", "Efficacy", "Survival", "Safety", "Design", "Data", "Reports")
FILES = {load_protocol(f).id: f for f in bundled_protocol_files()}
PROTOCOLS: tuple[Protocol, ...] = tuple(load_protocol(FILES[i]) for i in sorted(FILES))
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NO_SKELETON = "!document.querySelector('[data-testid=\"stSkeleton\"]')"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-protocols")


@pytest.fixture(scope="module")
def database(folder: Path) -> str:
    """Every bundled protocol registered, no data."""
    url = str(folder / "trials.sqlite")
    engine = open_database(url)
    for protocol in PROTOCOLS:
        text = FILES[protocol.id].read_text(encoding="utf-8")
        add_trial(engine, text, source=protocol.id, now=NOW, user="registrar")
    engine.dispose()
    add_test_account(url)  # a DSMB member of every trial: the pages need a signed-in session
    return url


@pytest.fixture(scope="module")
def server(database: str, folder: Path) -> Iterator[str]:
    with dashboard_server(database, folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("shots")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    yield tab
    context.close()


class Expected(NamedTuple):
    """What the library computes from a trial's data in the database: the remission rate
    among evaluable patients (its label, x, n) and the patients and events of the first
    survival endpoint."""

    rate: str
    responders: int
    evaluable: int
    patients: int
    events: int


@pytest.fixture(scope="module")
def with_data(database: str, folder: Path) -> dict[str, Expected]:
    """Import each trial's demo data (while the server runs); returns what the library
    computes from each trial's data in the database."""
    engine = open_database(database)
    expected = {}
    try:
        for protocol in PROTOCOLS:
            data = generate(protocol, "on_track", seed=0)
            paths = write_tables(data, folder / "extracts" / protocol.id)
            result = import_files(engine, protocol.id, paths, now=NOW, user="importer")
            assert result.accepted, result.problems[:3]
            analysis = open_analysis(DatabaseSource(engine), Cut(protocol.id))
            endpoint = protocol.survival.endpoints[0]
            fit = survival_view(analysis.derivation, protocol, endpoint).summary.fit
            rate = response_tables(analysis.derivation, protocol).overall.remission
            e = rate.among_evaluable
            expected[protocol.id] = Expected(e.label, e.x, e.n, fit.n, fit.events)
    finally:
        engine.dispose()
    return expected


def _idle(page: Page) -> None:
    """The script has finished its run and no element is still a loading skeleton."""
    expect(page.locator(IDLE)).to_have_count(1)
    page.wait_for_function(NO_SKELETON)


def _sidebar(page: Page) -> Locator:
    return page.locator('[data-testid="stSidebar"]')


def _pick(page: Page, trial_id: str) -> None:
    picker = _sidebar(page).get_by_role("combobox", name="Trial")
    picker.click()
    page.get_by_role("option").filter(has_text=re.compile(rf"\b{re.escape(trial_id)}\b")).click()
    expect(picker).to_have_value(re.compile(re.escape(trial_id)))
    _idle(page)


def _visit(page: Page, title: str, heading: str | None = None) -> None:
    """Open the page called ``title`` (its heading: ``heading``, by default the title)."""
    _sidebar(page).locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    expect(page.locator("h1").first).to_contain_text(heading or title)
    _idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def _shot(page: Page, shots: Path, name: str) -> None:
    """The whole page: the viewport is made tall enough to hold it, charts drawn."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(900, min(int(height) + 100, 6000))})
    _idle(page)
    settled(page)  # every chart drawn after the layout change
    page.screenshot(path=shots / f"{name}.png")
    page.set_viewport_size({"width": WIDTH, "height": 900})


def test_every_protocol_on_every_page_without_data(page: Page, server: str, shots: Path) -> None:
    page.goto(server)
    sign_in(page, TEST_USER, TEST_PASSWORD)
    _idle(page)
    for protocol in PROTOCOLS:
        _pick(page, protocol.id)
        expect(_sidebar(page)).to_contain_text(f"No data yet · {protocol.id}")
        for title in PAGES:
            _visit(page, title)
            expect(
                page.get_by_text(f"trial '{protocol.id}' has no patient data yet").first
            ).to_be_visible()
            _shot(page, shots, f"no_data_{protocol.id}_{title.lower()}")


def test_every_protocol_on_every_page_with_demo_data(
    page: Page, server: str, shots: Path, with_data: dict[str, Expected]
) -> None:
    page.goto(server)
    sign_in(page, TEST_USER, TEST_PASSWORD)
    _idle(page)
    for protocol in PROTOCOLS:
        _pick(page, protocol.id)
        expect(_sidebar(page)).to_contain_text(f"Protocol {protocol.version}")
        expect(page.get_by_text("No data yet")).to_have_count(0)
        expected = with_data[protocol.id]
        assert expected.responders > 0
        assert expected.events > 0
        for title in PAGES:
            # the Overview of a trial with data is headed by the trial's name
            name = protocol.short_title or protocol.title
            _visit(page, title, name if title == "Overview" else None)
            main = page.locator('[data-testid="stMain"]')
            if title == "Efficacy":
                expect(main.get_by_text("Remission and response rates")).to_be_visible()
                rates = main.locator('[data-testid="stDataFrame"]').first
                expect(rates).to_contain_text(expected.rate)
                expect(rates).to_contain_text(f"{expected.responders} / {expected.evaluable}")
                expect(rates).to_contain_text(f"{expected.responders / expected.evaluable:.1%}")
            if title == "Survival":
                chart = main.locator(".js-plotly-plot").first
                expect(chart).to_contain_text("Number at risk")
                expect(main.locator('[data-testid="stMetric"]').first).to_contain_text(
                    f"{expected.patients} / {expected.events}"
                )
            _shot(page, shots, f"data_{protocol.id}_{title.lower()}")
