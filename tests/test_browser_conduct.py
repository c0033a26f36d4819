"""The Trial conduct page in headless Chromium: every download button shows its whole label,
also in the two-column exposure layout (the real server on a fresh SQLite database)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import ARTIFACTS, chromium_tab, dashboard_server, settled, sign_in
from tests.signin_support import DEMO

pytestmark = pytest.mark.browser

# Each download button's label: its text, and whether the text is cut (wider than its box)
# or its box narrower than the text needs.
LABELS = r"""() => [...document.querySelectorAll('[data-testid="stDownloadButton"] button')]
    .map(button => {
        const range = document.createRange();
        range.selectNodeContents(button);
        const text = range.getBoundingClientRect();
        const box = button.getBoundingClientRect();
        const label = button.querySelector('[data-testid="stMarkdownContainer"]') || button;
        return {
            text: button.innerText.split(/\s+/).pop(),
            cut: label.scrollWidth > label.clientWidth + 1 || text.width > box.width + 1,
        };
    })"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-conduct")
    with dashboard_server(str(folder / "demo.sqlite"), folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    with chromium_tab() as tab:
        yield tab


def test_download_buttons_keep_their_labels_in_two_columns(page: Page, server: str) -> None:
    page.goto(f"{server}/conduct")
    sign_in(page, "dsmb", DEMO["dsmb"])
    expect(page.get_by_text("Exposure and dose intensity")).to_be_visible()
    expect(page.get_by_text("Dose change reasons").or_(page.locator("h3"))).not_to_have_count(0)
    settled(page)
    labels = page.evaluate(LABELS)
    assert len(labels) >= 2 * 6  # CSV and XLSX of each table (exposure's two columns too)
    assert {b["text"] for b in labels} == {"CSV", "XLSX", "PNG", "SVG"}
    assert not [b for b in labels if b["cut"]]
    page.set_viewport_size({"width": 1280, "height": 4200})  # the whole page, for review
    settled(page)
    page.screenshot(path=ARTIFACTS / "conduct_downloads.png")
