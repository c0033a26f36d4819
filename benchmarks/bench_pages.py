"""Dashboard speed in a real browser (issue 6 targets).

- navigation to the Overview decision cards painted: < 1 s on the demo trial, < 1.5 s on the
  5,000-patient trial;
- switching pages once cached: < 1 s.

Each trial is imported into a fresh SQLite file, the real server is started on it
(``streamlit run app.py``) and headless Chromium opens the Overview: the time is from
``page.goto`` to the two decision cards visible. The first open (server caches empty) is
reported apart; then each repeat is a new browser tab (a new Streamlit session, server caches
warm). Page switch: a click on "Efficacy" in the navigation until its decision card is
visible, then on "Overview" until its cards are. Medians over the repeats.

Run from the repository root:  python benchmarks/bench_pages.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.source import create_demo_trial  # noqa: E402
from monitoring.db.engine import open_database  # noqa: E402
from tests.browser_support import CARD, dashboard_server, launch  # noqa: E402

TIMEOUT_MS = 120_000
TRIALS = (("on_track", "demo trial (30 patients)"), ("large", "5,000 patients"))
# The same measure on a page that only writes two cards: what this machine needs for any
# Streamlit page (browser, websocket, first script run), before any work of ours.
BARE_APP = """import streamlit as st
st.markdown('<div data-testid="decision-card">a</div>', unsafe_allow_html=True)
st.markdown('<div data-testid="decision-card">b</div>', unsafe_allow_html=True)
"""


def _database(folder: Path, scenario: str) -> str:
    path = folder / f"{scenario}.sqlite"
    start = time.perf_counter()
    engine = open_database(str(path))
    create_demo_trial(engine, scenario)
    engine.dispose()
    print(f"  {scenario}: demo database built in {time.perf_counter() - start:.1f} s")
    return str(path)


def _open_overview(browser: Browser, url: str) -> tuple[float, Page]:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    start = time.perf_counter()
    page.goto(url)
    page.locator(CARD).nth(1).wait_for(state="visible")
    return time.perf_counter() - start, page


def _switch(page: Page, title: str, heading: str | None, cards: int) -> float:
    """Click a page in the navigation; done when its heading and its last card show (the
    Overview has two cards, the Efficacy page one, so the second card marks the Overview)."""
    start = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    if heading is not None:
        page.locator("h1", has_text=heading).first.wait_for(state="visible")
    page.locator(CARD).nth(cards - 1).wait_for(state="visible")
    return time.perf_counter() - start


def measure(browser: Browser, url: str, repeats: int, switch: bool = True) -> dict[str, float]:
    cold, page = _open_overview(browser, url)
    page.context.close()
    warm, switches = [], []
    for _ in range(repeats):
        seconds, page = _open_overview(browser, url)
        warm.append(seconds)
        if switch:
            switches.append(_switch(page, "Efficacy", "Efficacy", 1))
            switches.append(_switch(page, "Overview", None, 2))
        page.context.close()
    return {
        "cold": cold,
        "warm": statistics.median(warm),
        "warm_max": max(warm),
        "switch": statistics.median(switches) if switches else float("nan"),
        "switch_max": max(switches) if switches else float("nan"),
    }


def bare_page(browser: Browser, folder: Path, repeats: int) -> dict[str, float]:
    """The floor: the same measure on a two-card page with nothing else."""
    app = folder / "bare" / "app.py"
    app.parent.mkdir()
    app.write_text(BARE_APP, encoding="utf-8")
    with dashboard_server(str(folder / "bare.sqlite"), folder / "bare.log", app) as url:
        return measure(browser, url, repeats, switch=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", choices=[t for t, _ in TRIALS], help="one trial only")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        browser = launch(playwright)
        rows.append(("bare two-card page", bare_page(browser, folder, args.repeats)))
        for scenario, label in TRIALS:
            if args.only and scenario != args.only:
                continue
            database = _database(folder, scenario)
            with dashboard_server(database, folder / f"{scenario}.log") as url:
                rows.append((label, measure(browser, url, args.repeats)))
        browser.close()
    print(f"\nmedians over {args.repeats} repeats (seconds)")
    header = ("trial", "first open", "overview", "(max)", "switch", "(max)")
    print("{:26} {:>10} {:>9} {:>6} {:>7} {:>6}".format(*header))
    for label, r in rows:
        print(
            f"{label:26} {r['cold']:10.2f} {r['warm']:9.2f} {r['warm_max']:6.2f} "
            f"{r['switch']:7.2f} {r['switch_max']:6.2f}"
        )


if __name__ == "__main__":
    main()
