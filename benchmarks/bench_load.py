"""Many trials on one server, many people at once (issue 14, "scale beyond one trial").

1. Build (once; kept between runs): ``--trials`` trials (default 50) in the database
   ``--db`` (PostgreSQL, for example a database on the throw-away server of
   scripts/postgres.sh), each the same demo extract (``--scenario``, default ``large``:
   5,000 patients) imported through the ordinary importer under its own trial id
   (``load-01``, ``load-02``, ...), and one account (``loadtest``) holding the DSMB role on
   every trial. Only the missing trials are built: rerunning with a larger ``--trials``
   adds to the database.
2. Status of one trial (in-process, ``monitoring.analysis.status_of``: read, derive,
   decide), median of ``--repeats``: the first trial while it is the only one in the
   database (measured when the database is built), then the first and the last trial of
   the full database. "Within its single-trial time" compares these.
3. Trial picker: listing the trials a person holds (``dashboard.source.trials``: one
   query, no trial's data read), median of ``--repeats`` in-process; then in the browser,
   from a click on the Trial picker to its options shown.
4. Load: one dashboard server (``python -m dashboard.serve``, with its warm-up) and one
   Chromium with ``--sessions`` browser contexts (default 20) driven at the same time, each
   signed in with its own session cookie, arriving ``--stagger`` seconds (default 1) after
   the previous one (20 new tabs in the same instant ask one server for 2,600 files of
   frontend code). Each session opens the dashboard, picks its own
   trial (session i: trial i modulo the trial count), then switches pages ``--switches``
   times (Overview -> Efficacy -> Safety -> Overview ...), each click once the page it
   leaves is drawn, until the new page's heading and its first decision card show.
   Reported: the open, the trial pick and every page switch, p50/p95/max over all sessions.

Run from the repository root (the full figure; a quick run: ``--trials 5 --sessions 5
--scenario on_track``):

    eval "$(scripts/postgres.sh start)"
    .venv/bin/python benchmarks/bench_load.py --db "${TEST_POSTGRES_URL%/*}/trial_load"
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.signin import COOKIE  # noqa: E402
from monitoring.accounts.model import Principal, Role  # noqa: E402
from monitoring.accounts.store import check_session, create_user, has_users  # noqa: E402
from monitoring.accounts.store import sign_in as start_session  # noqa: E402
from monitoring.analysis import DatabaseSource, status_of  # noqa: E402
from monitoring.analysis.access import permitted  # noqa: E402
from monitoring.db.engine import open_database  # noqa: E402
from monitoring.db.importer import import_files  # noqa: E402
from monitoring.db.repository import add_trial, list_trials  # noqa: E402
from monitoring.demo import Scenario, generate, write_tables  # noqa: E402
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocol, parse_protocol  # noqa: E402
from tests.browser_support import (  # noqa: E402
    CARD,
    CHROMIUM,
    CHROMIUM_ARGS,
    _wait_healthy,
    free_port,
    stop_server,
)

ACCOUNT, PASSWORD = "loadtest", "load-test-password-1"
TIMEOUT_MS = int(os.environ.get("BENCH_TIMEOUT_MS", "300000"))
NAV = '[data-testid="stSidebarNav"]'
DRAWN = """() => !document.querySelector('[data-testid="stSkeleton"]') &&
  [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(c => c.querySelector('.main-svg'))"""
TOUR = ("Efficacy", "Safety", "Overview")
Timings = dict[str, list[float]]


def _median(step: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if the server does not have it yet."""
    target = sa.engine.make_url(url)
    if target.get_backend_name() != "postgresql" or target.database is None:
        return
    server = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}
        ).first()
        if exists is None:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
    server.dispose()


def build(url: str, trials: int, scenario: str, repeats: int) -> float | None:
    """Add the missing trials; returns the status time of the first trial when it was the
    only one (None when the database had it already)."""
    _ensure_database(url)
    engine = open_database(url)
    have = {t.id for t in list_trials(engine)}
    path = bundled_protocol(DEFAULT_TRIAL_ID)
    text = path.read_text(encoding="utf-8")
    data = generate(parse_protocol(text, str(path)), Scenario(scenario), seed=0)
    alone = None
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as folder:
        paths = write_tables(data, Path(folder), format="csv")
        for i in range(1, trials + 1):
            trial_id = f"load-{i:02d}"
            if trial_id in have:
                continue
            start = time.perf_counter()
            own = re.sub(r'(?m)^id = "[^"]+"', f'id = "{trial_id}"', text, count=1)
            add_trial(engine, own, source=f"{path} as {trial_id}", now=now, user="bench")
            result = import_files(engine, trial_id, paths, now=now, user="bench")
            assert result.accepted, result.problems[:3]
            print(f"  {trial_id} imported in {time.perf_counter() - start:.1f} s", flush=True)
            if not have and i == 1:
                alone = _status_time(engine, "load-01", repeats)
    ids = [t.id for t in list_trials(engine) if t.id.startswith("load-")]
    if has_users(engine):
        engine.dispose()
        return alone
    grants: list[tuple[Role, str | None]] = [(Role.DSMB, t) for t in ids]
    create_user(engine, ACCOUNT, password=PASSWORD, now=now, actor="bench", grants=grants)
    engine.dispose()
    return alone


def _status_time(engine: sa.Engine, trial_id: str, repeats: int) -> float:
    source = DatabaseSource(engine)
    return _median(lambda: status_of(source, trial_id), repeats)


def _principal(engine: sa.Engine) -> tuple[str, Principal]:
    result = start_session(
        engine, ACCOUNT, PASSWORD, now=datetime.now(UTC), lifetime=timedelta(hours=8)
    )
    assert result.token is not None, result.outcome
    principal = check_session(engine, result.token, now=datetime.now(UTC))
    assert principal is not None
    return result.token, principal


def in_process(url: str, trials: int, repeats: int) -> dict[str, float]:
    engine = open_database(url)
    source = DatabaseSource(engine)
    last = f"load-{trials:02d}"
    _, principal = _principal(engine)
    figures = {
        "status of load-01": _median(lambda: status_of(source, "load-01"), repeats),
        f"status of {last}": _median(lambda: status_of(source, last), repeats),
        "trial list (picker)": _median(lambda: permitted(source, principal).trials(), repeats),
    }
    engine.dispose()
    return figures


@contextmanager
def server(url: str, log: Path) -> Iterator[tuple[str, int]]:
    """``python -m dashboard.serve`` on ``url``; yields its address and process id once
    warmed up."""
    port = free_port()
    command = [
        sys.executable, "-m", "dashboard.serve", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {**os.environ, "TRIAL_MONITORING_DB": url, "PYTHONPATH": str(ROOT)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        address = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(address, process, timeout=TIMEOUT_MS / 1000)
            while "warm-up done" not in log.read_text(encoding="utf-8"):
                if process.poll() is not None:
                    raise RuntimeError(log.read_text(encoding="utf-8"))
                time.sleep(0.1)
            yield address, process.pid
        finally:
            stop_server(process)


async def _drawn(page: Page) -> None:
    await page.wait_for_function(DRAWN)


async def _switch(page: Page, title: str) -> float:
    """Click ``title`` in the navigation once the current page is drawn; done when the new
    page's heading (the Overview: its second card) and its first decision card show."""
    await _drawn(page)
    start = time.perf_counter()
    await page.locator(NAV).get_by_text(title, exact=True).click()
    if title == "Overview":
        await page.locator(CARD).nth(1).wait_for(state="visible")
    else:
        await page.locator("h1", has_text=title).first.wait_for(state="visible")
        await page.locator(CARD).first.wait_for(state="visible")
    return time.perf_counter() - start


async def _session(
    browser: Browser,
    address: str,
    token: str,
    trial_id: str,
    switches: int,
    out: Timings,
    delay: float,
) -> None:
    await asyncio.sleep(delay)  # people arrive one after the other, not in the same instant
    cookies: Any = [{"name": COOKIE, "value": token, "url": address}]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies(cookies)
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(address, wait_until="commit")
    try:
        await page.locator(CARD).nth(1).wait_for(state="visible")
    except Exception:
        shot = Path(tempfile.gettempdir()) / f"bench_load_{trial_id}_{token[:6]}.png"
        await page.screenshot(path=str(shot), full_page=True)
        print(f"no cards; the page: {shot}", file=sys.stderr)
        raise
    out["open"].append(time.perf_counter() - start)
    await _drawn(page)
    picker = page.locator('[data-testid="stSidebar"]').get_by_role("combobox", name="Trial")
    start = time.perf_counter()
    await picker.click()
    await page.get_by_role("option").first.wait_for(state="visible")
    out["picker list shown"].append(time.perf_counter() - start)
    await page.keyboard.type(trial_id)
    await page.get_by_role("option").filter(has_text=re.compile(rf"^{trial_id}\b")).click()
    # the reproduce block names the trial the page was computed for
    await page.locator("code", has_text=f"--trial {trial_id} ").first.wait_for(state="attached")
    await page.locator(CARD).nth(1).wait_for(state="visible")
    out["pick trial (first view)"].append(time.perf_counter() - start)
    for i in range(switches):
        out["page switch"].append(await _switch(page, TOUR[i % len(TOUR)]))
    await context.close()


async def load(
    address: str, tokens: list[str], trials: int, switches: int, stagger: float
) -> Timings:
    out: Timings = {
        "open": [],
        "picker list shown": [],
        "pick trial (first view)": [],
        "page switch": [],
    }
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(
            *(
                _session(
                    browser,
                    address,
                    token,
                    f"load-{i % trials + 1:02d}",
                    switches,
                    out,
                    i * stagger,
                )
                for i, token in enumerate(tokens)
            )
        )
        await browser.close()
    return out


def _rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL (kept between runs)")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--scenario", default="large", choices=[s.value for s in Scenario])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--switches", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--stagger", type=float, default=1.0, help="seconds between two sessions' arrivals"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    alone = build(args.db, args.trials, args.scenario, args.repeats)
    if alone is not None:
        print(f"status of load-01 while the only trial: {alone:.3f} s")
    for label, seconds in in_process(args.db, args.trials, args.repeats).items():
        print(f"{label}: {seconds:.3f} s (median of {args.repeats})")
    if args.sessions == 0:  # --sessions 0: build and in-process figures only
        return
    engine = open_database(args.db)
    tokens = [_principal(engine)[0] for _ in range(args.sessions)]
    engine.dispose()
    with tempfile.TemporaryDirectory() as tmp, server(args.db, Path(tmp) / "server.log") as up:
        address, pid = up
        began = time.perf_counter()
        out = asyncio.run(load(address, tokens, args.trials, args.switches, args.stagger))
        wall = time.perf_counter() - began
        memory = _rss_mb(pid)
    print(
        f"\n{args.sessions} sessions on {args.trials} trials ({args.scenario}), "
        f"{wall:.0f} s; server memory {memory:.0f} MB; load average at end: {os.getloadavg()}"
    )
    print("{:26} {:>5} {:>6} {:>6} {:>6}".format("seconds", "n", "p50", "p95", "max"))
    for label, values in out.items():
        print(
            f"{label:26} {len(values):5} {_pct(values, 0.5):6.2f} {_pct(values, 0.95):6.2f} "
            f"{max(values):6.2f}"
        )


if __name__ == "__main__":
    main()
