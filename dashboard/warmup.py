"""Warm-up: the first visitor's server work done before anyone asks for it.

A fresh server process has imported nothing of the app: the first script run imports
pandas, SQLAlchemy, SciPy, Plotly and the library (several seconds on a 2-core machine),
opens and migrates the database and computes the default trial's status. :func:`start`
does that work once per process in a background thread, through the same cached functions
the pages call (``dashboard.cache``, ``dashboard.source``), so the first tab finds the
modules loaded and the Overview's results in the caches:

- ``python -m dashboard.serve`` (scripts/run.sh) starts it with the server, before the first
  visitor;
- app.py starts it on the first script run of a process (a server started with
  ``streamlit run app.py``): the default trial is then computed while the first visitor
  signs in.

The warm-up shows nothing and decides nothing: it fills the caches with the results the
pages would compute (the same functions, the same keys). A failure is logged and left to
the page that needs the result, which raises it where the person sees it.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time

from streamlit.logger import get_logger

_LOG = get_logger(__name__)  # Streamlit's handler and level: the server's log
_STARTED = threading.Event()
_LOCK = threading.Lock()

MODULES = (
    # what app.py and the pages import (pages/*.py), and what their first run loads lazily
    "pandas",
    "pyarrow",
    "pyarrow.pandas_compat",  # st.dataframe's conversion
    "plotly.graph_objects",
    "plotly.io",
    "plotly.io._json",  # st.plotly_chart's serialisation
    "plotly.offline",
    "plotly.tools",
    "dashboard.signin",
    "dashboard.navigation",
    "dashboard.sidebar",
    "dashboard.awaiting",
    "dashboard.cache",
    "dashboard.components",
    "dashboard.decisions",
    "dashboard.verdict",
    "dashboard.tables",
    "dashboard.history",
    "dashboard.reads",
    "dashboard.writes",
    "monitoring.charts",
    "monitoring.series",
    "monitoring.verdict",
    "monitoring.reports.document",
    "monitoring.reports.export",
)
"""Imported first: the modules every page needs (a few seconds on a cold process)."""

_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def start(*, before_server: bool = False) -> None:
    """Start the warm-up in a daemon thread, once per process (later calls do nothing).
    ``before_server``: called before the server exists (``dashboard.serve``); otherwise
    only inside a running server (not under ``AppTest``, which has no server runtime)."""
    with _LOCK:
        if _STARTED.is_set() or not (before_server or _in_server()):
            return
        _STARTED.set()
    threading.Thread(target=_run, name="dashboard-warm-up", daemon=True).start()


def _in_server() -> bool:
    """Whether a Streamlit server runs this process (``AppTest`` puts a mock runtime in
    place during its runs: its caches are the test's own, nothing to warm)."""
    from streamlit import runtime

    return runtime.exists() and type(runtime.get_instance()) is runtime.Runtime


def _run() -> None:
    began = time.perf_counter()
    try:
        _wait_for_runtime()
        for name in MODULES:
            importlib.import_module(name)
        imported = time.perf_counter() - began
        trial = _default_trial()
        _LOG.info(  # benchmarks wait for this line in the server's log
            "warm-up done: modules in %.1f s, %s in %.1f s",
            imported,
            f"trial {trial}" if trial else "no trial",
            time.perf_counter() - began - imported,
        )
    except Exception:  # the page that needs the result raises it where it is seen
        _LOG.exception("warm-up failed (the first page computes what it needs)")


def _wait_for_runtime(seconds: float = 120.0) -> None:
    """The Streamlit runtime holds the caches: wait for the server to create it."""
    from streamlit import runtime

    deadline = time.monotonic() + seconds
    while not runtime.exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the Streamlit runtime did not start")
        time.sleep(0.05)


def _default_trial() -> str | None:
    """The default trial's Overview results through the pages' cached functions: the
    database (opened and migrated), the trial's data, status and enrolment chart."""
    from dashboard import cache, source

    context_logger = logging.getLogger(_CONTEXT_LOGGER)
    level = context_logger.level
    context_logger.setLevel(logging.ERROR)  # cached calls outside a script run warn
    try:
        url = source.database_url()
        source.accounts_engine(url)
        trials = source.trial_source(url).trials()
        if not trials:
            return None
        trial_id = trials[0].id  # the picker's first trial: a session's default
        version = source.data_version(url, trial_id)
        latest = cache.latest(url, trial_id, None, version)
        if latest is None:
            return trial_id
        cache.status(url, trial_id, latest, None, version, source.records(url, trial_id))
        cache.enrolment_chart(url, trial_id, latest, None, version)
        return trial_id
    finally:
        context_logger.setLevel(level)
