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
"Overview" until its two cards show, each click once the page it leaves is drawn). Besides
the elapsed times it reads the processor time the dashboard's server process used for the
open and for the two switches (``/proc``: user + system; far less sensitive to other work
on a shared machine than elapsed time) and the load average after each round, and prints
every round's figures, the medians and the ratios now / old.
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
from tests.browser_support import CARD, _wait_healthy, free_port, launch, sign_in  # noqa: E402
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
    open_cpu: list[float] = field(default_factory=list)
    switch_cpu: list[float] = field(default_factory=list)


def _cpu(pid: int) -> float:
    """Processor time (user + system) the process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


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
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


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


def _round(browser: Browser, server: Server) -> None:
    cpu = _cpu(server.pid)
    seconds, page = _open(browser, server)
    server.opens.append(seconds)
    server.open_cpu.append(_cpu(server.pid) - cpu)
    if server.switches_too:
        cpu = _cpu(server.pid)
        there = _switch(page, "Efficacy", "Efficacy", 1)
        back = _switch(page, "Overview", None, 2)
        server.switches.append(there + back)
        server.switch_cpu.append(_cpu(server.pid) - cpu)
    page.context.close()


def _print(servers: list[Server], loads: list[float]) -> None:
    repeats = len(loads)
    bare, old, now = servers
    print("\neach round (seconds): open = new tab to the two Overview cards; switch =")
    print("Overview → Efficacy → Overview (two clicks); cpu = the server process's time")
    print(
        "{:>5} {:>5} {:>6} | {:>6} {:>6} {:>7} {:>7} | {:>6} {:>6} {:>7} {:>7}".format(
            "round",
            "load",
            "bare",
            "old",
            "switch",
            "cpu op",
            "cpu sw",
            "now",
            "switch",
            "cpu op",
            "cpu sw",
        )
    )
    for i in range(repeats):
        print(
            f"{i + 1:5d} {loads[i]:5.2f} {bare.opens[i]:6.2f} | {old.opens[i]:6.2f} "
            f"{old.switches[i]:6.2f} "
            f"{old.open_cpu[i]:7.2f} {old.switch_cpu[i]:7.2f} | {now.opens[i]:6.2f} "
            f"{now.switches[i]:6.2f} {now.open_cpu[i]:7.2f} {now.switch_cpu[i]:7.2f}"
        )
    med = statistics.median
    print(f"\nmedians over {repeats} rounds (seconds); over bare = median of per-round differences")
    header = ("server", "open", "over bare", "switch", "open cpu", "switch cpu")
    print("{:24} {:>6} {:>9} {:>7} {:>9} {:>10}".format(*header))
    for s in servers:
        over = med(o - b for o, b in zip(s.opens, bare.opens, strict=True))
        switch = med(s.switches) if s.switches else float("nan")
        switch_cpu = med(s.switch_cpu) if s.switch_cpu else float("nan")
        print(
            f"{s.label:24} {med(s.opens):6.2f} {over:9.2f} {switch:7.2f} "
            f"{med(s.open_cpu):9.2f} {switch_cpu:10.2f}"
        )
    print("\nnow / old (medians):")
    for name, a, b in (
        ("open", now.opens, old.opens),
        ("switch", now.switches, old.switches),
        ("open cpu", now.open_cpu, old.open_cpu),
        ("switch cpu", now.switch_cpu, old.switch_cpu),
    ):
        print(f"  {name:10} {med(a) / med(b):.2f}")


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
        for server in servers[1:]:
            server.state = _entry_state(browser, server.url)
            print(f"  {server.label}: {'signed in' if server.state else 'no sign-in'}")
        for server in servers:  # one more round, not measured (it fills the Efficacy caches)
            _round(browser, server)
            server.opens, server.switches, server.open_cpu, server.switch_cpu = [], [], [], []
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        loads = []
        for i in range(args.repeats):
            bare, old, now = servers
            for server in (bare, old, now) if i % 2 == 0 else (bare, now, old):
                _round(browser, server)
            loads.append(os.getloadavg()[0])
            print(f"  round {i + 1} done, load average {loads[-1]:.2f}", flush=True)
        browser.close()
    _print(servers, loads)


if __name__ == "__main__":
    main()
