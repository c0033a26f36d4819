"""End to end in headless Chromium: a statistician imports the pharmaverseadam ADaM sample
(tests/data/pharmaverseadam/) on the Data page, choosing "CDISC ADaM" and uploading the
mapping data/mappings/pharmaverseadam.toml with the datasets; the import goes through the
same library call as ``import --format adam``. The Data page then lists the trial's
data-quality findings, those the import kept (ADTTE records that disagree with ADSL's
dates) among them, as many as ``quality --json`` on the same database gives. Then Overview
and Survival draw the imported trial (screenshots in a pytest temporary folder, ``shots``);
the Survival page's OS curve has the ADTTE's 254 patients and 3 deaths (CNSR = 0).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from monitoring.accounts.model import Role
from monitoring.accounts.store import create_user
from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.db.repository import add_trial
from tests.browser_support import dashboard_server, launch, new_tab, settled, sign_in
from tests.conftest import ROOT

pytestmark = pytest.mark.browser
SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
PROTOCOL = ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml"
USER, PASSWORD = "stat", "statistician-password-1"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(tmp_path_factory.mktemp("browser-adam") / "trial.sqlite")


@pytest.fixture(scope="module")
def server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-adam-server")
    url = database
    engine = open_database(url)
    trial = add_trial(engine, PROTOCOL.read_text(encoding="utf-8"), source="t", now=NOW, user="r")
    grants = [(Role.STATISTICIAN, trial.id)]
    create_user(engine, USER, password=PASSWORD, now=NOW, actor="test", grants=grants)
    engine.dispose()
    with dashboard_server(url, folder / "streamlit.log") as address:
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


def _visit(page: Page, title: str, heading: str | None = None) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text(title, exact=True).click()
    expect(page.locator("h1").first).to_contain_text(heading or title)
    settled(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_a_statistician_imports_adam_on_the_data_page(
    browser: Browser,
    server: str,
    database: str,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shots = tmp_path_factory.mktemp("shots")
    page = new_tab(browser, height=1200)
    try:
        page.goto(server)
        sign_in(page, USER, PASSWORD)
        _visit(page, "Data")
        page.get_by_text("CDISC ADaM", exact=True).click()
        uploaders = page.locator('[data-testid="stFileUploader"]')
        expect(uploaders).to_have_count(2)
        uploaders.nth(0).locator('input[type="file"]').set_input_files(MAPPING)
        expect(page.get_by_text("pharmaverseadam.toml")).to_be_visible()
        settled(page)  # the mapping's upload reruns the page: give the datasets after it
        datasets = sorted(SAMPLE.glob("*.csv"))
        uploaders.nth(1).locator('input[type="file"]').set_input_files(datasets)
        expect(page.get_by_text("adtte_onco.csv")).to_be_visible()
        page.get_by_role("button", name="Import", exact=True).click()
        expect(page.get_by_text("Imported pharmaverseadam.toml")).to_be_visible()
        expect(page.get_by_text("patients: 254 added")).to_be_visible()
        settled(page)
        capsys.readouterr()
        assert main(["quality", "--db", database, "--user", USER, "--json"]) == 0
        findings = json.loads(capsys.readouterr().out)["findings"]
        kept = [f for f in findings if f["kind"] == "dataset_disagreement"]
        assert len(kept) == 11  # tests/test_ingest_cli.py: computed from the CSV files
        _visit(page, "Data")
        heading = f"Data-quality findings ({len(findings)})"
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        page.screenshot(path=shots / "data.png", full_page=True)
        _visit(page, "Overview", "CDISC pilot (ADaM)")  # the protocol's short title
        page.screenshot(path=shots / "overview.png", full_page=True)
        _visit(page, "Survival")
        expect(page.get_by_text("Patients / events")).to_be_visible()
        expect(page.get_by_text("254 / 3", exact=True)).to_be_visible()
        page.screenshot(path=shots / "survival.png", full_page=True)
    finally:
        page.context.close()
