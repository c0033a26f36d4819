"""End to end in headless Chromium: the real server on a fresh SQLite database.

The server creates the demo trial on first start (scenario ``on_track``); the decisions
checked here are the library's on that data (tests/test_pages.py checks them against
``trial_status``). Screenshots of every page go to tests/artifacts/ for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser_support import (
    ARTIFACTS,
    CARD,
    dashboard_server,
    launch,
    new_tab,
    settled,
    sign_in,
)
from tests.signin_support import DEMO

pytestmark = pytest.mark.browser
WIDTH = 1280  # the layout must work on a 1280 px projector


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    with dashboard_server(str(folder / "demo.sqlite"), folder / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    tab = new_tab(browser, WIDTH, accept_downloads=True)
    yield tab
    tab.context.close()


def _shot(page: Page, name: str, height: int = 2600) -> Path:
    """Screenshot of the whole page: the viewport is made tall enough to hold it; taken
    once the run is over and the charts are drawn."""
    page.set_viewport_size({"width": WIDTH, "height": height})
    settled(page)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    return path


def _open(page: Page, server: str, path: str = "", account: str = "dsmb") -> None:
    """Open ``path``; a new browser context signs in first (a demo account, the DSMB
    member's unless told)."""
    page.goto(f"{server}/{path}")
    form = page.get_by_label("Account name")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(form.or_(sidebar.get_by_text("Signed in as"))).to_be_visible()
    if form.is_visible():
        sign_in(page, account, DEMO[account])
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("Protocol seed-003")


def _nav(page: Page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    expect(page.locator("h1").first).to_contain_text(title)


def test_overview_paints_both_decision_cards(page: Page, server: str) -> None:
    _open(page, server)
    cards = page.locator(CARD)
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Continue to stage 2")
    expect(cards.nth(1)).to_contain_text("Continue — no toxicity boundary crossed")
    # The banner; the monitoring log says "Summary due" too (the same words, one vocabulary).
    banner = page.get_by_test_id("stAlertContentWarning")
    expect(banner.get_by_text("Summary due")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    settled(page)
    page.screenshot(path=ARTIFACTS / "overview_first_screen.png")
    _shot(page, "overview")


def test_each_page_opens_from_the_navigation(page: Page, server: str) -> None:
    _open(page, server)
    expected = {
        "Efficacy": "Stage 1: the first 18 treated patients",
        "Safety": "Listing: serious adverse events",
        "Survival": "Landmarks",
        "Data": "Audit log",
        "Design": "Simon two-stage",
        "Reports": "Reports",
    }
    for title, text in expected.items():
        _nav(page, title)
        expect(page.get_by_text(text).first).to_be_visible()
        settled(page)  # the page's whole run: an exception may come after the text
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        _shot(page, title.lower(), height=4200 if title in {"Efficacy", "Safety"} else 2600)


def test_an_earlier_cutoff_shows_that_day_s_decision(page: Page, server: str) -> None:
    """Look 1 of the demo was reached on 2024-03-22 (monitoring log): stage 1 was accruing."""
    _open(page, server)
    settled(page)  # the first run over: a rerun would redraw the field being typed in
    page.get_by_label("year, Data cut-off").click()
    page.keyboard.type("20240322")
    page.locator("h1").first.click()  # the date is sent when the field loses focus
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text("cut-off 2024-03-22")
    expect(page.locator(CARD).nth(0)).to_contain_text("Stage 1 accruing — continue")
    _shot(page, "overview_cutoff_2024-03-22")


def test_survival_endpoint_and_split(page: Page, server: str) -> None:
    _open(page, server, "survival")
    for label, option in (("Endpoint", "PFS"), ("Split by", "sex")):
        settled(page)  # the previous run over before the next choice
        page.locator('[data-testid="stSelectbox"]').filter(has_text=label).click()
        page.get_by_role("option", name=option, exact=True).click()
    expect(page.get_by_text("Log-rank test")).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_contain_text("Number at risk")
    _shot(page, "survival_pfs_by_sex")


def test_a_table_downloads_as_csv(page: Page, server: str) -> None:
    _open(page, server)
    with page.expect_download() as info:
        page.locator('[data-testid="stDownloadButton"]').filter(has_text="CSV").first.click()
    download = info.value
    assert download.suggested_filename == "monitoring_log.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("Look,Patients,Reached on")
    assert len(text.splitlines()) == 7  # header + 6 scheduled looks (8 to 48 by 8)


def test_a_bad_import_is_refused_with_every_problem_listed(
    page: Page, server: str, tmp_path: Path
) -> None:
    bad = tmp_path / "responses.csv"
    bad.write_text(
        "patient_id,assessment_date,cycle,response\nP001,2024-13-01,1,CR\nP999,2024-02-01,1,XX\n",
        encoding="utf-8",
    )
    _open(page, server, "data", "statistician")  # imports are the statistician's
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Import refused")).to_be_visible()
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_be_visible()
    _shot(page, "data_import_refused")


def test_no_request_leaves_the_server(page: Page, server: str) -> None:
    """Trial data stay on site and the dashboard must work without internet: every request
    of the Overview, the Survival and the Safety pages goes to the dashboard's own server
    (a Material-icon favicon, for one, would be fetched from Google's font servers)."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    _open(page, server)
    expect(page.locator(CARD)).to_have_count(2)
    for title in ("Survival", "Safety"):
        _nav(page, title)
        settled(page)
    outside = [u for u in requested if not u.startswith((server, "data:", "blob:"))]
    assert requested
    assert outside == []


def test_a_deep_link_is_the_fresh_server_s_first_request(browser: Browser, tmp_path: Path) -> None:
    """A bookmarked page opened on a server nobody has visited yet: Streamlit would run that
    page alone (its legacy ``pages/`` mode) until app.py has run once; the page must still
    come with the app's navigation and the sidebar (dashboard/selection.py)."""
    with dashboard_server("demo:on_track", tmp_path / "streamlit.log") as url:
        tab = new_tab(browser, WIDTH)
        tab.goto(f"{url}/efficacy")
        sign_in(tab, "dsmb", DEMO["dsmb"])
        expect(tab.locator("h1").first).to_contain_text("Efficacy")
        expect(tab.locator('[data-testid="stSidebar"]')).to_contain_text("Protocol seed-003")
        navigation = tab.locator('[data-testid="stSidebarNav"]')
        expect(navigation).to_contain_text("Overview")
        expect(navigation.get_by_text("app", exact=True)).to_have_count(0)
        expect(tab.locator(CARD)).to_have_count(1)
        tab.context.close()


def test_the_due_summary_is_generated_and_downloaded(page: Page, server: str) -> None:
    _open(page, server, "reports")  # a deep link, possibly the server's first request
    expect(page.get_by_text("for look 3 (24 evaluable")).to_be_visible()
    settled(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Format").click()
    page.get_by_role("option", name="XLSX", exact=True).click()
    settled(page)  # the format's run over: the button sends the format chosen
    page.get_by_role("button", name="Generate the summary").click()
    button = page.locator('[data-testid="stDownloadButton"]').filter(
        has_text="Download ino-lowdose-ph2"
    )
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename.endswith("-look24-closed.xlsx")
    assert Path(info.value.path()).read_bytes()[:2] == b"PK"
    # recorded: look 3 is no longer due (an earlier look may still be)
    expect(page.get_by_text("for look 3 (24 evaluable")).to_have_count(0)
    _shot(page, "reports_generated")
