"""End to end in headless Chromium: a new user registers a trial and opens the dashboard
before importing anything.

The database holds the demo trial (with data) and the randomized example protocol
registered without data; trials are listed by id, so the empty trial is the one opened
first. Every page must say there are no data yet, draw no exception, keep the sidebar's
trial picker, and one click on it must bring the demo trial's decision cards back.
Screenshots of every page go to tests/artifacts/no_data_*.png for review.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from monitoring.protocol import bundled_protocol
from tests.browser_support import (
    ARTIFACTS,
    CARD,
    dashboard_server,
    launch,
    new_tab,
    settled,
    sign_in,
)
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account

pytestmark = pytest.mark.browser
WIDTH = 1280
EMPTY = "aall1732-randomized"  # first by id: the trial the dashboard opens on
PAGES = ("Overview", "Efficacy", "Safety", "Survival", "Data", "Design", "Reports")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-no-data")
    database = str(folder / "trials.sqlite")
    engine = open_database(database)
    now = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)
    create_demo_trial(engine, "on_track", now=now, user="demo")
    text = bundled_protocol(EMPTY).read_text(encoding="utf-8")
    add_trial(engine, text, source=EMPTY, now=now, user="registrar")
    engine.dispose()
    add_test_account(database)
    with dashboard_server(database, folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser: Browser = launch(playwright)
        tab = new_tab(browser, WIDTH)
        yield tab
        tab.context.close()
        browser.close()


def _shot(page: Page, name: str) -> None:
    page.set_viewport_size({"width": WIDTH, "height": 1800})
    settled(page)
    page.screenshot(path=ARTIFACTS / f"no_data_{name}.png")
    page.set_viewport_size({"width": WIDTH, "height": 900})


def test_every_page_of_a_trial_without_data_and_the_way_back(page: Page, server: str) -> None:
    page.goto(server)
    sign_in(page, TEST_USER, TEST_PASSWORD)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_contain_text(f"No data yet · {EMPTY}")
    for title in PAGES:
        sidebar.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
        expect(page.locator("h1").first).to_contain_text(title)
        expect(page.get_by_text("No data yet").first).to_be_visible()
        expect(page.get_by_text(f"trial '{EMPTY}' has no patient data yet").first).to_be_visible()
        settled(page)  # the page's whole run: an exception may come after the text
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        expect(sidebar.get_by_role("combobox", name="Trial")).to_have_value(re.compile(EMPTY))
        if title not in ("Data", "Design"):  # the rules, from the protocol, before any
            # patient: this example monitors EFS by a group-sequential comparison of arms
            # (monitoring.awaiting_data)
            expect(page.get_by_text("Group-sequential comparison of EFS").first).to_be_visible()
        _shot(page, title.lower())
    sidebar.get_by_role("combobox", name="Trial").click()
    page.get_by_role("option").filter(has_text="ino-lowdose-ph2").click()
    sidebar.locator('[data-testid="stSidebarNav"]').get_by_text("Overview", exact=True).click()
    expect(page.locator(CARD)).to_have_count(2)
    settled(page)
    expect(page.get_by_text("No data yet")).to_have_count(0)
    _shot(page, "back_to_the_demo_trial")
