"""The Efficacy page of a protocol without a Simon rule (Streamlit AppTest): it shows the
response rates of each definition with both intervals, the best overall response and the
swimmer plot, and a one-line note instead of a decision card (a card for aall1732-randomized's
group-sequential rule), with no exception.

Each example protocol (data/protocols/examples/: mrd-ino-ph2, peds-ino-two-cohorts,
aall1732-randomized, whose only efficacy rule is group-sequential) is registered with
``python -m monitoring trial add`` in one SQLite database and given the default demo's
``on_track`` extract (``monitoring.demo.write_tables``) through ``python -m monitoring
import``. The demo's categories are the default protocol's, which has CRp; the examples name
CR, CRi, PR, NR, PD, NE only, so the extract's CRp assessments are written as CRi (a
remission and a response in every one of these protocols). The expected numbers are the
library's response tables (:func:`monitoring.analyses.response.response_tables`) computed
here from the same extract.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.keys import Key
from monitoring.analyses.response import response_tables
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate, write_tables
from monitoring.derive import derive
from monitoring.protocol import DEFAULT_TRIAL_ID, GroupSequentialRule, load_protocol
from tests.conftest import ROOT
from tests.signin_support import TEST_PASSWORD, TEST_USER, add_test_account, sign_in
from tests.waits import APP_TIMEOUT

EXAMPLES = ROOT / "data" / "protocols" / "examples"
# The CDISC pilot sample (pharmaverseadam) names no CRi: it is checked on its own data
# (tests/test_ingest_adam.py), not on this extract.
NAMES = sorted(f.stem for f in EXAMPLES.glob("*.toml") if f.stem != "pharmaverseadam")
# The examples without a Simon rule (seeds 002 and 004; seeds 000 and 001 have Simon rules
# and are checked in tests/test_seed_trials.py).
NO_SIMON = [n for n in NAMES if load_protocol(EXAMPLES / f"{n}.toml").simon is None]


@pytest.fixture(autouse=True)
def _every_test_uses_the_navigation(_navigation_only: None) -> None:
    """Every test here runs app.py's navigation (the fixture is in tests/conftest.py)."""


def _extract() -> TrialData:
    """The default demo's on_track extract with CRp written as CRi (see the module note)."""
    default = load_protocol(ROOT / "monitoring" / "protocols" / f"{DEFAULT_TRIAL_ID}.toml")
    data = generate(default, "on_track", 0)
    responses = data.responses.copy()
    responses["response"] = responses["response"].replace({"CRp": "CRi"})
    return TrialData(
        patients=data.patients, responses=responses, adverse_events=data.adverse_events
    )


def _cli(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "monitoring", *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite database: a trial of each example protocol holding the extract."""
    folder = tmp_path_factory.mktemp("efficacy-example")
    files = [str(f) for f in write_tables(_extract(), folder / "extract")]
    url = str(folder / "trial.sqlite")
    for name in NAMES:
        _cli("trial", "add", "--db", url, "--protocol", name)
        _cli("import", "--db", url, "--trial", name, *files)
    add_test_account(url)
    return url


def _open(monkeypatch: pytest.MonkeyPatch, url: str, trial_id: str) -> AppTest:
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    sign_in(at.run(), TEST_USER, TEST_PASSWORD)
    picker = at.selectbox(key=Key.TRIAL)
    if picker.value != trial_id:
        picker.set_value(trial_id).run()
    at.switch_page("pages/efficacy.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    return next(f.value for f in at.dataframe if column in f.value)


@pytest.mark.parametrize("name", NO_SIMON)
def test_a_protocol_without_a_simon_rule_shows_rates_best_response_and_swimmer(
    monkeypatch: pytest.MonkeyPatch, example_db: str, name: str
) -> None:
    protocol = load_protocol(EXAMPLES / f"{name}.toml")
    assert protocol.simon is None
    at = _open(monkeypatch, example_db, protocol.id)
    overall = response_tables(derive(_extract(), protocol), protocol).overall
    assert overall.treated > 0  # data, not zeros
    assert overall.remission.among_treated.x > 0
    rates = _frame(at, "Rate")
    estimates = [
        overall.remission.among_evaluable,
        overall.response.among_evaluable,
        overall.remission.among_treated,
        overall.response.among_treated,
    ]
    assert list(rates["Rate"]) == [e.label for e in estimates]
    assert f"({' + '.join(protocol.response.remission)})" in rates["Rate"][0]  # its own
    for (_, row), e in zip(rates.iterrows(), estimates, strict=True):
        assert row["Patients"] == f"{e.x} / {e.n}"
        assert row["Credible interval"] == f"{e.credible.low:.1%} – {e.credible.high:.1%}"
        assert row["Exact interval (Clopper–Pearson)"] == f"{e.exact.low:.1%} – {e.exact.high:.1%}"
    best = _frame(at, "Best response")
    rows = overall.best_response.rows
    assert list(best["Best response"]) == [r.category for r in rows]
    assert list(best["Patients"]) == [f"{r.estimate.x} / {r.estimate.n}" for r in rows]
    assert sum(r.estimate.x for r in rows) == overall.treated  # every treated patient once
    cards = [m for m in at.markdown if "decision-card" in str(m.value)]
    if protocol.efficacy:  # aall1732-randomized: its group-sequential rule has a card
        assert len(cards) == len(protocol.efficacy)
    else:
        assert "no efficacy stopping rule" in " ".join(str(i.value) for i in at.info)
        assert not cards
    assert "Each patient's course" in [s.value for s in at.subheader]
    # the swimmer plot, and the boundary chart of a group-sequential rule
    sequential = [r for r in protocol.efficacy if isinstance(r, GroupSequentialRule)]
    assert len(at.get("plotly_chart")) == 1 + len(sequential)
    at.number_input(key=Key.SWIMMER_LIMIT).set_value(10).run()
    assert not at.exception
