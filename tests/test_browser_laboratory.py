"""The Laboratory page in headless Chromium: a single click on a point of the eDISH plot
selects that patient and draws their liver tests (the real server on a fresh SQLite
database, whose demo trial has laboratory results)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser_support import ARTIFACTS, chromium_tab, dashboard_server, settled, sign_in
from tests.signin_support import DEMO

pytestmark = pytest.mark.browser

# The point of the eDISH plot farthest from every other point (so a click on its centre
# can only mean it): its patient id (the trace's customdata) and its centre on the page.
LONE_POINT = """plot => {
    const found = [];
    plot.querySelectorAll('.scatterlayer .trace').forEach((trace, curve) => {
        trace.querySelectorAll('.point').forEach(point => {
            const box = point.getBoundingClientRect();
            const index = point.__data__.i;
            found.push({
                id: String(plot.data[curve].customdata[index]),
                x: box.x + box.width / 2,
                y: box.y + box.height / 2,
            });
        });
    });
    const gap = p => Math.min(
        ...found.filter(q => q !== p).map(q => Math.hypot(p.x - q.x, p.y - q.y)));
    return found.reduce((best, p) => (gap(p) > gap(best) ? p : best));
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-lab")
    with dashboard_server(str(folder / "demo.sqlite"), folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def page(server: str) -> Iterator[Page]:
    with chromium_tab() as tab:
        yield tab


def test_a_click_on_an_edish_point_shows_that_patients_liver_tests(page: Page, server: str) -> None:
    page.goto(f"{server}/laboratory")
    sign_in(page, "dsmb", DEMO["dsmb"])
    expect(page.locator("h1").first).to_contain_text("Laboratory")
    edish = page.locator(".js-plotly-plot").filter(has_text="eDISH").first
    expect(edish.locator(".scatterlayer .point").first).to_be_attached()
    settled(page)
    edish.scroll_into_view_if_needed()
    point = edish.evaluate(LONE_POINT)
    page.mouse.click(point["x"], point["y"])  # one click, no drag
    trajectory = page.locator(".js-plotly-plot").filter(
        has_text=f"Patient {point['id']}: liver tests by study day"
    )
    expect(trajectory).to_be_visible()  # the clicked patient's, by the id in its title
    settled(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    page.set_viewport_size({"width": 1280, "height": 2600})  # the whole page, for review
    settled(page)
    page.screenshot(path=ARTIFACTS / "laboratory_edish_click.png")
