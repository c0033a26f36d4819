"""Start the real dashboard server and a headless Chromium (tests and benchmarks share it).

Chromium is Debian's (``/usr/bin/chromium``); Playwright never downloads a browser. Every
wait is for a state (the server healthy, the script run finished, the charts drawn) and is
bounded by the generous limits of ``tests/waits.py``, set here once for every expectation
and every tab: a busy machine makes the tests slower, never red.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.waits import BROWSER_TIMEOUT_MS, HANG_GUARD

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CARD = '[data-testid="decision-card"]'

expect.set_options(timeout=BROWSER_TIMEOUT_MS)  # process-wide: every expectation of a test


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer on {url} within {timeout} s")


@contextmanager
def dashboard_server(
    database: str,
    log: Path,
    app: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[str]:
    """``streamlit run app.py`` (or ``app``) on a free port (or ``port``) with
    ``TRIAL_MONITORING_DB``, more environment ``env`` and more Streamlit options ``args``."""
    port = port or free_port()
    env = {**os.environ, **(env or {}), "TRIAL_MONITORING_DB": database, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable, "-m", "streamlit", "run", str(app or ROOT / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", *args,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process, timeout=HANG_GUARD)
            yield url
        finally:
            stop_server(process)


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a dashboard server: terminate, then kill if it has not ended within 60 s."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def sign_in(page: Page, name: str, password: str) -> None:
    """Fill and submit the dashboard's sign-in form (the page must show it)."""
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator('[data-testid="stSidebar"]')).to_contain_text(f"({name})")


def new_tab(browser: Browser, width: int = 1280, height: int = 900, **options: Any) -> Page:
    """A tab in a new context (``options``: Playwright's context options), its actions and
    navigations bounded by ``BROWSER_TIMEOUT_MS``; close it with ``tab.context.close()``."""
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    return context.new_page()


@contextmanager
def chromium_tab(width: int = 1280, height: int = 1000) -> Iterator[Page]:
    """A tab of its own headless Chromium (:func:`launch`, :func:`new_tab`), closed after."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        tab = new_tab(browser, width, height)
        try:
            yield tab
        finally:
            tab.context.close()
            browser.close()


APP_IDLE = (
    '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
    '[data-test-script-state="notRunning"]'
)
"""The app connected to its server and no script run in progress (Streamlit's own marks)."""

DRAWN = """() =>
    !document.querySelector('[data-testid="stSkeleton"]')
    && document.fonts.status === 'loaded'
    && [...document.querySelectorAll('.js-plotly-plot')]
        .every(plot => plot._fullLayout && plot.querySelector('.main-svg'))"""
"""No loading skeleton left, the fonts loaded, every Plotly chart drawn."""


def settled(page: Page) -> None:
    """Wait until the script run is over and everything it sent is drawn: call it after
    the state a test waits for has appeared (so the run that brings it has started), before
    a screenshot or before asserting that something is absent."""
    page.locator(APP_IDLE).wait_for(state="attached")
    page.wait_for_function(DRAWN)
