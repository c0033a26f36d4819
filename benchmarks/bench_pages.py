"""Dashboard speed in a real browser (issue 6 targets).

- navigation to the Overview decision cards painted: < 1 s on the demo trial, < 1.5 s on the
  5,000-patient trial, against a bare one-line Streamlit page that paints in about 0.4 s
  on the reference machine (so the app may add 0.6 s and 1.1 s to that floor);
- switching pages once cached: < 1 s.

The app's servers are signed in once with the demo DSMB account before anything is
measured; every measured tab starts with that session's cookie (sign-in is not timed).
Three servers run side by side: a bare page that only writes two cards (the floor of this
machine for any Streamlit page: browser, websocket, first script run), and the real app
(``streamlit run app.py``) on each trial, imported into a fresh SQLite file. Each server's
first open (server caches empty) is reported apart. Then each round opens one new browser
tab on every server in turn (a new Streamlit session with warm server caches, an empty
browser cache): the time is from ``page.goto`` to the two decision cards visible. Measuring
the three in the same round puts the same machine load on each, so the app's overhead is
the median over rounds of (app - bare) of that round. Page switch: a click on "Efficacy" in
the navigation until its decision card is visible, then on "Overview" until its cards are,
each click once the page it leaves is drawn (charts included).

With ``--tour`` each round also visits every page in navigation order (each click once
the page it leaves is drawn); the first tour fills the server caches and is left out.

With ``--cold N`` it measures the first visitor instead (N rounds): each round starts, one
after the other, a new bare server, the app with ``streamlit run app.py`` and the app with
``python -m dashboard.serve`` (the warm-up at server start, scripts/run.sh) on each trial,
and opens one tab on each as soon as it is ready: the server answering its health check,
and for ``dashboard.serve`` its warm-up logged as done (the time from the start of the
process to that line is reported apart). The tab carries the cookie of a session made in
the database before the server started (a visitor coming back after a restart), so the
time is from ``page.goto`` to the two decision cards, as for a new tab.

Run from the repository root:  python benchmarks/bench_pages.py [--repeats 9] [--tour]
                               python benchmarks/bench_pages.py --cold 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.signin import COOKIE  # noqa: E402
from dashboard.source import create_demo_trial  # noqa: E402
from monitoring.accounts.store import sign_in as start_session  # noqa: E402
from monitoring.db.engine import open_database  # noqa: E402
from tests.browser_support import (  # noqa: E402
    CARD,
    _wait_healthy,
    dashboard_server,
    free_port,
    launch,
    sign_in,
    stop_server,
)
from tests.signin_support import DEMO  # noqa: E402

TIMEOUT_MS = 120_000
TRIALS = (("on_track", "demo trial (30 patients)"), ("large", "5,000 patients"))
BARE_APP = """import streamlit as st
st.markdown('<div data-testid="decision-card">a</div>', unsafe_allow_html=True)
st.markdown('<div data-testid="decision-card">b</div>', unsafe_allow_html=True)
"""


@dataclass
class Runs:
    """Seconds measured on one server."""

    label: str
    url: str
    switches_too: bool
    state: Any = None
    """The signed-in browser state (its session cookie) a new tab starts with."""
    first: float = float("nan")
    opens: list[float] = field(default_factory=list)
    switches: list[float] = field(default_factory=list)
    tours: dict[str, list[float]] = field(default_factory=dict)


def _database(folder: Path, scenario: str) -> str:
    path = folder / f"{scenario}.sqlite"
    start = time.perf_counter()
    engine = open_database(str(path))
    create_demo_trial(engine, scenario)
    engine.dispose()
    print(f"  {scenario}: demo database built in {time.perf_counter() - start:.1f} s")
    return str(path)


def _signed_in_state(browser: Browser, url: str) -> Any:
    """Sign in once with the demo DSMB account (the gate is not what is measured); each
    measured tab starts with the session cookie and an empty browser cache."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    sign_in(page, "dsmb", DEMO["dsmb"])
    page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
    state = context.storage_state()
    context.close()
    return state


def _open_overview(browser: Browser, url: str, state: Any = None) -> tuple[float, Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, storage_state=state)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    start = time.perf_counter()
    page.goto(url)
    page.locator(CARD).nth(1).wait_for(state="visible")
    return time.perf_counter() - start, page


# The page is drawn: no element is still a loading skeleton and every chart has its plot.
DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]') &&
  [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(c => c.querySelector('.main-svg'))"""


def _switch(page: Page, title: str, heading: str | None, cards: int) -> float:
    """From the current page once drawn (a user reads a page before leaving it), click a
    page in the navigation; done when its heading and its last card show (the Overview has
    two cards, the Efficacy page one, so the second card marks the Overview)."""
    page.wait_for_function(DRAWN)
    start = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    if heading is not None:
        page.locator("h1", has_text=heading).first.wait_for(state="visible")
    page.locator(CARD).nth(cards - 1).wait_for(state="visible")
    return time.perf_counter() - start


# Every page in navigation order, and what marks it drawn enough to read: its decision card
# or its first chart, table or (Reports) selector.
TOUR = (
    ("Safety", CARD),
    ("Survival", '[data-testid="stPlotlyChart"]'),
    ("Data", '[data-testid="stDataFrame"]'),
    ("Design", '[data-testid="stPlotlyChart"]'),
    ("Reports", '[data-testid="stSelectbox"]'),
    ("Efficacy", CARD),
    ("Overview", CARD),
)


def _visit(page: Page, title: str, marker: str) -> float:
    """Click a page in the navigation once the current one is drawn; done when the new
    page's title and its marker element show."""
    page.wait_for_function(DRAWN)
    start = time.perf_counter()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    if title != "Overview":
        page.locator("h1", has_text=title).first.wait_for(state="visible")
    page.locator(marker).first.wait_for(state="visible")
    return time.perf_counter() - start


def _round(browser: Browser, runs: Runs, tour: bool) -> None:
    seconds, page = _open_overview(browser, runs.url, runs.state)
    runs.opens.append(seconds)
    if runs.switches_too:
        runs.switches.append(_switch(page, "Efficacy", "Efficacy", 1))
        runs.switches.append(_switch(page, "Overview", None, 2))
        if tour:  # every page's server results are cached after the first tour
            for title, marker in TOUR:
                runs.tours.setdefault(title, []).append(_visit(page, title, marker))
    page.context.close()


def _first(browser: Browser, runs: Runs) -> None:
    runs.first, page = _open_overview(browser, runs.url, runs.state)
    page.context.close()


def _print(all_runs: list[Runs], repeats: int) -> None:
    bare = all_runs[0]
    print(f"\nmedians over {repeats} rounds (seconds); over bare = median of per-round differences")
    header = ("server", "first open", "overview", "(max)", "over bare", "switch", "(max)")
    print("{:26} {:>10} {:>9} {:>6} {:>9} {:>7} {:>6}".format(*header))
    for r in all_runs:
        over = statistics.median(o - b for o, b in zip(r.opens, bare.opens, strict=True))
        switch = statistics.median(r.switches) if r.switches else float("nan")
        worst = max(r.switches) if r.switches else float("nan")
        print(
            f"{r.label:26} {r.first:10.2f} {statistics.median(r.opens):9.2f} "
            f"{max(r.opens):6.2f} {over:9.2f} {switch:7.2f} {worst:6.2f}"
        )
    toured = [r for r in all_runs if r.tours]
    if toured:
        print("\nswitch to each page once its results are cached: median (max) seconds")
        print("{:26}".format("server") + "".join(f"{t:>14}" for t, _ in TOUR))
        for r in toured:
            cells = "".join(
                f"{statistics.median(r.tours[t][1:]):8.2f} ({max(r.tours[t][1:]):.2f})"
                for t, _ in TOUR
            )
            print(f"{r.label:26}{cells}")


@dataclass
class Cold:
    """First visits, each on a server just started."""

    label: str
    database: str | None
    serve: bool
    ready: list[float] = field(default_factory=list)
    """Seconds from the process start to the server ready (health, and the warm-up)."""
    opens: list[float] = field(default_factory=list)


@contextmanager
def _started(cold: Cold, folder: Path, bare_app: Path) -> Iterator[str]:
    """A new server process for ``cold``; yields its URL once ready (see ``Cold.ready``)."""
    port = free_port()
    options = [
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    if cold.serve:
        command = [sys.executable, "-m", "dashboard.serve", *options]
    else:
        app = bare_app if cold.database is None else ROOT / "app.py"
        command = [sys.executable, "-m", "streamlit", "run", str(app), *options]
    database = cold.database or str(folder / "bare.sqlite")
    env = {**os.environ, "TRIAL_MONITORING_DB": database, "PYTHONPATH": str(ROOT)}
    log = folder / "cold.log"
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, timeout=TIMEOUT_MS / 1000)
            while cold.serve and "warm-up done" not in log.read_text(encoding="utf-8"):
                if process.poll() is not None or time.perf_counter() - start > TIMEOUT_MS / 1000:
                    raise RuntimeError(f"no warm-up: {log.read_text(encoding='utf-8')}")
                time.sleep(0.05)
            cold.ready.append(time.perf_counter() - start)
            yield url
        finally:
            stop_server(process)


def _session_state(database: str, url: str) -> Any:
    """A browser state holding the cookie of a DSMB session made in ``database`` before the
    server starts (the sign-in form is not what is measured)."""
    engine = open_database(database)
    result = start_session(
        engine, "dsmb", DEMO["dsmb"], now=datetime.now(UTC), lifetime=timedelta(hours=8)
    )
    engine.dispose()
    assert result.token is not None, result.outcome
    return {"cookies": [{"name": COOKIE, "value": result.token, "url": url}]}


def _cold(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        folder = Path(tmp)
        bare_app = folder / "bare" / "app.py"
        bare_app.parent.mkdir()
        bare_app.write_text(BARE_APP, encoding="utf-8")
        all_cold = [Cold("bare two-card page", None, serve=False)]
        for scenario, label in TRIALS:
            if args.only in (None, scenario):
                database = _database(folder, scenario)
                all_cold.append(Cold(f"{label}, streamlit run", database, serve=False))
                all_cold.append(Cold(f"{label}, dashboard.serve", database, serve=True))
        browser = launch(playwright)
        for _ in range(args.cold):
            for cold in all_cold:
                with _started(cold, folder, bare_app) as url:
                    state = None if cold.database is None else _session_state(cold.database, url)
                    seconds, page = _open_overview(browser, url, state)
                    page.context.close()
                    cold.opens.append(seconds)
        browser.close()
    bare = all_cold[0]
    print(f"\nfirst visitor, medians over {args.cold} server starts (seconds)")
    header = ("server", "ready", "first open", "(max)", "over bare")
    print("{:40} {:>7} {:>10} {:>6} {:>9}".format(*header))
    for c in all_cold:
        over = statistics.median(o - b for o, b in zip(c.opens, bare.opens, strict=True))
        print(
            f"{c.label:40} {statistics.median(c.ready):7.2f} {statistics.median(c.opens):10.2f} "
            f"{max(c.opens):6.2f} {over:9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", choices=[t for t, _ in TRIALS], help="one trial only")
    parser.add_argument(
        "--tour", action="store_true", help="also switch to every page in each round"
    )
    parser.add_argument(
        "--cold", type=int, default=0, metavar="N", help="first visitors on N server starts"
    )
    args = parser.parse_args()
    if args.cold:
        _cold(args)
        return
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright, ExitStack() as up:
        folder = Path(tmp)
        app = folder / "bare" / "app.py"
        app.parent.mkdir()
        app.write_text(BARE_APP, encoding="utf-8")
        bare_url = up.enter_context(
            dashboard_server(str(folder / "bare.sqlite"), folder / "bare.log", app)
        )
        all_runs = [Runs("bare two-card page", bare_url, switches_too=False)]
        for scenario, label in TRIALS:
            if args.only in (None, scenario):
                database = _database(folder, scenario)
                url = up.enter_context(dashboard_server(database, folder / f"{scenario}.log"))
                all_runs.append(Runs(label, url, switches_too=True))
        browser = launch(playwright)
        for runs in all_runs[1:]:  # the bare page has no sign-in
            runs.state = _signed_in_state(browser, runs.url)
        for runs in all_runs:
            _first(browser, runs)
        for _ in range(args.repeats):
            for runs in all_runs:
                _round(browser, runs, args.tour)
        browser.close()
    _print(all_runs, args.repeats)


if __name__ == "__main__":
    main()
