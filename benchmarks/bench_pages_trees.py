"""Dashboard speed in a real browser, this code against an older tree (issue 12: no figure
worse than the code before the analysis layer).

Usage (repository root):

    old=$(mktemp -d); git archive cc988d2 | tar -x -C "$old"
    PYTHONPATH=. .venv/bin/python benchmarks/bench_pages_trees.py --old "$old" [--repeats 9]

Each tree makes its own demo database with its own ``python -m monitoring demo`` (an older
tree cannot read a newer schema) and runs its own dashboard (``streamlit run app.py`` in the
tree, its ``.streamlit`` settings and its code on ``PYTHONPATH``), beside a bare one-line
page that only writes two cards (the floor of this machine for any Streamlit page). A tree
whose dashboard asks for a sign-in (an account form in place of the cards) is signed in once
with the demo DSMB account before anything is measured, and every measured tab starts with
that session's cookie; an older tree without accounts opens on its cards.

The first tab on each server (the sign-in, or the first open; it fills the server caches)
and one more round (the page switch too) are not measured. Then each round opens one new
tab on the bare page and on both trees, the order of the two trees alternating from one
round to the next (so a change of the machine's load falls on both alike): the time from
``page.goto`` to the two Overview decision cards visible, then the page switch of
``benchmarks/bench_pages.py`` (a click on "Efficacy" until its card shows, then on
"Overview" until its two cards show, each click once the page it leaves is drawn), and the
same two clicks each until its page is settled (no script run left, every chart drawn: the
whole page, not only its cards). Besides the elapsed times it reads the processor time
the dashboard's server process and the browser's processes used for the open and for the
two switches, each to the page settled (``/proc``: user + system; far less sensitive to
other work on a shared machine than elapsed time) and the load average after each round,
and prints every round's figures, the medians and the ratios now / old.
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
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pages import BARE_APP, TIMEOUT_MS, _switch  # noqa: E402
from dashboard.signin import COOKIE  # noqa: E402
from tests.browser_support import (  # noqa: E402
    CARD,
    _wait_healthy,
    free_port,
    launch,
    settled,
    sign_in,
    stop_server,
)
from tests.signin_support import DEMO  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """One dashboard server and what was measured on it (seconds)."""

    label: str
    url: str
    pid: int
    switches_too: bool
    state: Any = None
    """The signed-in browser state (its session cookie) a new tab starts with, if any."""
    opens: list[float] = field(default_factory=list)
    switches: list[float] = field(default_factory=list)
    """Overview → Efficacy → Overview: the two clicks added, one figure per round."""
    drawn: list[float] = field(default_factory=list)
    """The same two clicks, each until its page is settled (no script run left, every chart
    drawn): the switch as a whole, beyond its decision cards."""
    cpu: dict[str, list[float]] = field(default_factory=dict)
    """Processor seconds per round: ``server open``, ``server switch``, ``browser open``,
    ``browser switch`` (each from one settled page to the next: no script run left and the
    page drawn, so work that goes on after the cards show is counted)."""


def _processes() -> dict[int, tuple[int, float]]:
    """Every process's parent and the processor time (user + system) it has used so far."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        found[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


Reading = tuple[float, dict[int, float]]


def _cpu(server: int, servers: set[int]) -> Reading:
    """Processor seconds used so far by the ``server`` process, and by each process of the
    browser: every process this benchmark started but the servers (Playwright's driver and
    Chromium's processes)."""
    found = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in found.items():
        children.setdefault(parent, []).append(pid)
    browser, stack = {}, [p for p in children.get(os.getpid(), []) if p not in servers]
    while stack:
        pid = stack.pop()
        browser[pid] = found[pid][1]
        stack.extend(children.get(pid, []))
    return found[server][1], browser


def _spent(before: Reading, after: Reading) -> tuple[float, float]:
    """The server's and the browser's processor seconds from ``before`` to ``after``; a
    process started in between counts whole, one that ended in between (a closed tab's,
    read before closing the next) is left out."""
    browser = sum(t - before[1].get(pid, 0.0) for pid, t in after[1].items())
    return after[0] - before[0], browser


def _demo_database(tree: Path, path: Path, scenario: str) -> None:
    """The tree's own demo database, made by its own ``demo`` command."""
    start = time.perf_counter()
    command = [sys.executable, "-m", "monitoring", "demo", "--db", str(path)]
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [*command, "--scenario", scenario], cwd=tree, env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"demo failed in {tree}: {done.stderr.decode()[-500:]}")
    print(f"  {tree}: demo database built in {time.perf_counter() - start:.1f} s")


@contextmanager
def _server(tree: Path, app: Path, database: Path, log: Path) -> Iterator[tuple[str, int]]:
    """``streamlit run`` of ``app`` in ``tree`` (its settings, its code); yields the URL and
    the process id once the server answers its health check."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {**os.environ, "TRIAL_MONITORING_DB": str(database), "PYTHONPATH": str(tree)}
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=tree, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, timeout=TIMEOUT_MS / 1000)
            yield url, process.pid
        finally:
            stop_server(process)


def _entry_state(browser: Browser, url: str) -> Any:
    """Open the dashboard once: if it asks for a sign-in, sign in with the demo DSMB account
    and return the browser state holding the session cookie; if it shows its cards (a tree
    without accounts), ``None``. Not measured (it also fills the server's caches, so the
    first open below is not a server's very first page)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url)
    form = page.get_by_label("Account name")
    page.locator(CARD).or_(form).first.wait_for(state="visible")
    state = None
    if form.count():
        sign_in(page, "dsmb", DEMO["dsmb"])
        page.wait_for_function(f"document.cookie.includes('{COOKIE}=')")
        state = context.storage_state()
    context.close()
    return state


def _open(browser: Browser, server: Server) -> tuple[float, Page]:
    """``bench_pages._open_overview``, with a screenshot and the server named on a failure."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=server.state
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    start = time.perf_counter()
    try:
        page.goto(server.url)
        page.locator(CARD).nth(1).wait_for(state="visible")
    except Exception as error:
        shot = Path(tempfile.gettempdir()) / "bench_pages_trees.png"
        page.screenshot(path=str(shot), full_page=True)
        raise RuntimeError(f"{server.label}: no two cards (screenshot {shot})") from error
    return time.perf_counter() - start, page


def _round(browser: Browser, server: Server, servers: set[int]) -> None:
    def spent(what: str, before: Reading) -> Reading:
        settled(page)
        after = _cpu(server.pid, servers)
        for name, seconds in zip(("server", "browser"), _spent(before, after), strict=True):
            server.cpu.setdefault(f"{name} {what}", []).append(seconds)
        return after

    before = _cpu(server.pid, servers)
    seconds, page = _open(browser, server)
    server.opens.append(seconds)
    before = spent("open", before)
    if server.switches_too:
        there = _switch(page, "Efficacy", "Efficacy", 1)
        start = time.perf_counter()
        settled(page)
        there_drawn = there + time.perf_counter() - start
        back = _switch(page, "Overview", None, 2)
        start = time.perf_counter()
        settled(page)
        server.drawn.append(there_drawn + back + time.perf_counter() - start)
        server.switches.append(there + back)
        spent("switch", before)
    page.context.close()


CPU = ("server open", "server switch", "browser open", "browser switch")


def _print(servers: list[Server], loads: list[float]) -> None:
    bare, old, now = servers
    med = statistics.median
    print("\neach round, seconds: open = new tab to the two Overview cards; switch = Overview →")
    print("Efficacy → Overview (two clicks), to the decision cards; drawn = the same, each page")
    print("settled; srv/brw = processor time of the server / browser for the open and for the")
    print("switch (to the page settled)")
    cells = ("open", "switch", "drawn", "srv op", "srv sw", "brw op", "brw sw")
    print(f"{'round':>5} {'load':>5} {'bare':>5} |" + "".join(f"{c:>7}" for c in cells) * 2)
    for i, load in enumerate(loads):
        line = f"{i + 1:5d} {load:5.2f} {bare.opens[i]:5.2f} |"
        for s in (old, now):
            figures = (s.opens[i], s.switches[i], s.drawn[i], *(s.cpu[k][i] for k in CPU))
            line += "".join(f"{f:7.2f}" for f in figures)
        print(line)
    print(f"\nmedians over {len(loads)} rounds, seconds (over bare: median of the differences)")
    header = ("server", "open", "over bare", "switch", "drawn", *CPU)
    print("{:20} {:>5} {:>9} {:>6} {:>6} {:>11} {:>13} {:>12} {:>14}".format(*header))
    for s in servers:
        over = med(o - b for o, b in zip(s.opens, bare.opens, strict=True))
        switch = med(s.switches) if s.switches else float("nan")
        drawn = med(s.drawn) if s.drawn else float("nan")
        cpu = [med(s.cpu[k]) if k in s.cpu else float("nan") for k in CPU]
        print(
            f"{s.label:20} {med(s.opens):5.2f} {over:9.2f} {switch:6.2f} {drawn:6.2f} "
            f"{cpu[0]:11.2f} {cpu[1]:13.2f} {cpu[2]:12.2f} {cpu[3]:14.2f}"
        )
    print("\nnow / old: ratio of the medians; now − old: median of the rounds' differences")
    rows = [("open", now.opens, old.opens), ("switch", now.switches, old.switches)]
    rows.append(("switch, drawn", now.drawn, old.drawn))
    rows += [(k, now.cpu[k], old.cpu[k]) for k in CPU]
    for name, a, b in rows:
        difference = med(x - y for x, y in zip(a, b, strict=True))
        print(f"  {name:15} {med(a) / med(b):5.2f}  {difference:+6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the older tree")
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument(
        "--scenario", default="on_track", help="the demo scenario of both trees (on_track)"
    )
    args = parser.parse_args()
    trees = (("old", args.old.resolve()), ("now", ROOT))
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright, ExitStack() as up:
        folder = Path(tmp)
        bare_app = folder / "bare" / "app.py"
        bare_app.parent.mkdir()
        bare_app.write_text(BARE_APP, encoding="utf-8")
        url, pid = up.enter_context(
            _server(ROOT, bare_app, folder / "bare.sqlite", folder / "bare.log")
        )
        servers = [Server("bare two-card page", url, pid, switches_too=False)]
        for name, tree in trees:
            database = folder / f"{name}.sqlite"
            _demo_database(tree, database, args.scenario)
            log = folder / f"{name}.log"
            url, pid = up.enter_context(_server(tree, tree / "app.py", database, log))
            servers.append(Server(f"{name} ({args.scenario})", url, pid, switches_too=True))
        browser = launch(playwright)
        pids = {s.pid for s in servers}
        for server in servers[1:]:
            server.state = _entry_state(browser, server.url)
            print(f"  {server.label}: {'signed in' if server.state else 'no sign-in'}")
        for server in servers:  # one more round, not measured (it fills the Efficacy caches)
            _round(browser, server, pids)
            server.opens, server.switches, server.drawn, server.cpu = [], [], [], {}
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        loads = []
        for i in range(args.repeats):
            bare, old, now = servers
            for server in (bare, old, now) if i % 2 == 0 else (bare, now, old):
                _round(browser, server, pids)
            loads.append(os.getloadavg()[0])
            print(f"  round {i + 1} done, load average {loads[-1]:.2f}", flush=True)
        browser.close()
    _print(servers, loads)


if __name__ == "__main__":
    main()
