"""How long a test waits before it calls a wait hung: guards against a hang, never speed
limits.

The suite must pass on 2 cores at a load average of 8 or more (issue 12); speed is measured
in benchmarks/. A test waits for the state it needs (a row written, a server answering, a
text on the page, a worker at the barrier); these bound the wait. No test asserts on
elapsed time. This module imports nothing, so worker processes can read it cheaply.
"""

HANG_GUARD = 600
"""Seconds a subprocess, a worker process, a server start or a polled condition may take."""

APP_TIMEOUT = 300
"""Seconds one script run of Streamlit's ``AppTest`` may take (its own default is 3 s)."""

BROWSER_TIMEOUT_MS = 120_000
"""Milliseconds a Playwright expectation, action or navigation may take (Playwright's
default expectation is 5 s: the Overview's cards missed it on a busy machine)."""
