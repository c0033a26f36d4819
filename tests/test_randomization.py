"""Randomization tables (monitoring/analyses/randomization.py) on the AALL1732 demo, in the
report and on the Efficacy page, closed by arm and open pooled.

Expected numbers are counted here independently with pandas from the derived patient frame
(``derive``) and the randomization and baseline tables of the demo, never from the module
under test: patients per arm, treated, arm received, off treatment by reason, deaths, per
stratum level and per month of randomization.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from monitoring.analyses.randomization import (
    COMPLETED,
    counts_of,
    for_view,
    listing_for_view,
    pooled,
    randomization_listing,
    randomization_tables,
)
from monitoring.cli import main
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.reports.content import ReportStamp, build_report
from monitoring.reports.document import VersionLabel
from monitoring.status import trial_status
from tests.conftest import DEFAULT_PROTOCOL, ROOT
from tests.signin_support import sign_in
from tests.waits import APP_TIMEOUT

AALL = load_protocol(bundled_protocol("aall1732-randomized"))


@pytest.fixture(scope="module")
def derived() -> Any:
    return derive(generate(AALL, "on_track", seed=0), AALL)


def _by_arm(mask: pd.Series, patients: pd.DataFrame) -> tuple[int, ...]:
    a = int((mask & (patients["arm"] == "A")).sum())
    b = int((mask & (patients["arm"] == "B")).sum())
    return (a, b, a + b)


def test_flow_counts_equal_an_independent_count(derived: Any) -> None:
    p = derived.patients
    t = randomization_tables(derived, AALL)
    assert t is not None
    assert t.flow.columns == ("Arm A", "Arm B", "Total")
    everyone = p["arm"].notna()
    treated = p["treated"].astype(bool)
    off = p["off_treatment_date"].notna() & treated
    completed = off & (p["off_treatment_reason"] == COMPLETED)
    assert counts_of(t.flow, "Randomized") == _by_arm(everyone, p)
    assert counts_of(t.flow, "Treated (received any dose)") == _by_arm(treated, p)
    assert counts_of(t.flow, "Not treated") == _by_arm(~treated, p)
    assert counts_of(t.flow, COMPLETED) == _by_arm(completed, p)
    assert counts_of(t.flow, "Discontinued treatment") == _by_arm(off & ~completed, p)
    for reason in p.loc[off & ~completed, "off_treatment_reason"].unique():
        stopped = off & ~completed & (p["off_treatment_reason"] == reason)
        assert counts_of(t.flow, reason) == _by_arm(stopped, p)
    assert counts_of(t.flow, "Died") == _by_arm(p["death_date"].notna(), p)
    analysed = "Analysed (treated, by assigned arm; time from first dose)"
    assert counts_of(t.flow, analysed) == _by_arm(treated, p)
    assert t.unassigned == 0
    # the flow adds up: treated = on + completed + discontinued; alive + died = randomized
    on = counts_of(t.flow, "On treatment at the cut-off")
    done = counts_of(t.flow, COMPLETED)
    stop = counts_of(t.flow, "Discontinued treatment")
    assert tuple(map(sum, zip(on, done, stop, strict=True))) == _by_arm(treated, p)


def _with_tables(derived: Any) -> pd.DataFrame:
    """The derived patients with their randomization row and stratification factors."""
    data = derived.data
    strata = data.baseline.pivot(index="patient_id", columns="characteristic", values="value")
    rand = data.randomization.set_index("patient_id")
    return derived.patients.join(rand, on="patient_id").join(strata, on="patient_id")


def test_balance_and_time_equal_an_independent_count(derived: Any) -> None:
    p = _with_tables(derived)
    t = randomization_tables(derived, AALL)
    assert t is not None
    # the [[baseline]] stratification factors of the example, then site and sex
    assert t.factors == ("risk_group", "cns_status", "site", "sex")
    for factor in t.factors:
        for level in p[factor].unique():
            assert counts_of(t.balance, str(level)) == _by_arm(p[factor] == level, p)
    assert [r.label for r in t.balance.rows[:3]] == [
        "By risk_group (Risk group)",
        "standard",
        "high",
    ]
    month = p["randomization_date"].dt.strftime("%Y-%m")
    assert (month != p["enrollment_date"].dt.strftime("%Y-%m")).any()  # a day later, a month on
    for row in t.over_time.rows:
        assert row.counts == _by_arm(month <= row.label, p)
    assert t.over_time.rows[-1].counts == counts_of(t.flow, "Randomized")
    assert t.date_source == "Randomization dates from the randomization table."


def test_received_against_assigned_shows_the_crossovers(derived: Any) -> None:
    p = _with_tables(derived)
    t = randomization_tables(derived, AALL)
    assert t is not None
    treated = p["treated"].astype(bool)
    own = treated & (p["arm_received"] == p["arm"])
    assert counts_of(t.received, "Received the assigned arm") == _by_arm(own, p)
    to_b = treated & (p["arm"] == "A") & (p["arm_received"] == "B")
    to_a = treated & (p["arm"] == "B") & (p["arm_received"] == "A")
    assert counts_of(t.received, "Received Arm B (crossover)") == (
        int(to_b.sum()),
        0,
        int(to_b.sum()),
    )
    assert counts_of(t.received, "Received Arm A (crossover)") == (
        0,
        int(to_a.sum()),
        int(to_a.sum()),
    )
    assert int(to_a.sum() + to_b.sum()) == 2  # 1 % of 197 treated, rounded (demo)
    assert counts_of(t.received, "Received no study treatment") == _by_arm(~treated, p)


def test_without_randomization_rows_the_enrolment_date_stands_in(derived: Any) -> None:
    from dataclasses import replace

    from monitoring.data_dictionary import RANDOMIZATION, empty_frame

    data = replace(derived.data, randomization=empty_frame(RANDOMIZATION))
    bare = derive(data, AALL)
    t = randomization_tables(bare, AALL)
    assert t is not None
    assert "empty" in t.date_source
    assert "enrolment date" in t.date_source
    p = bare.patients
    month = p["enrollment_date"].dt.strftime("%Y-%m")
    for row in t.over_time.rows:
        assert row.counts == _by_arm(month <= row.label, p)
    assert counts_of(t.received, "Received the assigned arm") == _by_arm(p["treated"], p)
    assert "records no arm received" in t.received.note


def test_the_listing_gives_each_patient_arm_date_received_and_strata(derived: Any) -> None:
    p = _with_tables(derived).set_index("patient_id")
    listing = randomization_listing(derived, AALL)
    assert listing is not None
    assert listing.factors == ("risk_group", "cns_status", "site", "sex")
    assert len(listing.rows) == int(p["arm"].notna().sum())
    keys = [(r.randomization_date, r.patient_id) for r in listing.rows]
    assert keys == sorted(keys)
    for r in listing.rows:
        row = p.loc[r.patient_id]
        assert r.arm == row["arm"]
        assert r.randomization_date == row["randomization_date"].date().isoformat()
        assert r.arm_received == (
            row["arm_received"] if isinstance(row["arm_received"], str) else ""
        )
        assert r.strata[:2] == (row["risk_group"], row["cns_status"])
    open_ = listing_for_view(listing, AALL, closed=False)
    assert not open_.by_arm
    assert {r.arm for r in open_.rows} == {""}
    assert {r.arm_received for r in open_.rows} == {""}
    assert listing_for_view(listing, AALL, closed=True) is listing


def test_strata_named_by_the_rule_come_first() -> None:
    text = bundled_protocol("aall1732-randomized").read_text("utf-8")
    old = 'strata = ["risk_group", "cns_status"]'  # the example's own strata
    assert old in text
    text = text.replace(old, 'strata = ["sex"]')
    from monitoring.protocol import parse_protocol

    protocol = parse_protocol(text, "aall.toml")
    t = randomization_tables(derive(generate(AALL, "on_track", seed=0), protocol), protocol)
    assert t is not None
    assert t.factors == ("sex", "risk_group", "cns_status", "site")


def test_pooled_tables_hold_the_totals_only(derived: Any) -> None:
    t = randomization_tables(derived, AALL)
    assert t is not None
    open_ = pooled(t)
    assert open_.pooled
    for full, one in zip(t.tables, open_.tables, strict=True):
        assert one.columns == ("All patients",)
        kept = [r for r in full.rows if not r.closed]  # the arm received is closed
        assert [r.counts for r in one.rows] == [r.counts[-1:] for r in kept]
    labels = [r.label for r in open_.received.rows]
    assert labels == ["Assigned", "Treated (received any dose)", "Received no study treatment"]
    assert "crossover" not in open_.received.note
    # a pooled table's footnote speaks of the pooled count, not of "each arm"
    assert all("each arm" not in one.note for one in open_.tables)
    assert "arms pooled" in open_.balance.note
    assert "arms pooled" in open_.over_time.note
    assert for_view(t, AALL, closed=False).pooled  # arm is a closed column of AALL1732
    assert for_view(t, AALL, closed=True) is t


def test_the_arm_received_is_closed_wherever_the_arm_is() -> None:
    from monitoring.open_view import closed_columns

    assert closed_columns(AALL, "randomization") == ("arm", "arm_received")
    assert closed_columns(AALL, "patients") == ("arm",)
    default = load_protocol(DEFAULT_PROTOCOL)  # no closed_by: nothing closed
    assert closed_columns(default, "randomization") == ()


def test_a_protocol_without_arms_has_no_randomization_tables() -> None:
    default = load_protocol(DEFAULT_PROTOCOL)
    assert (
        randomization_tables(derive(generate(default, "on_track", seed=0), default), default)
        is None
    )


def test_the_report_shows_by_arm_closed_and_pooled_open(derived: Any) -> None:
    status = trial_status(AALL, derived)
    stamp = ReportStamp(datetime(2026, 1, 1, tzinfo=UTC))
    closed = build_report(status, derived, stamp=stamp, version=VersionLabel.CLOSED)
    titles = {t.title for t in closed.tables()}
    assert {"CONSORT flow (closed)", "Randomization balance by stratum (closed)"} <= titles
    flow = next(t for t in closed.tables() if t.title == "CONSORT flow (closed)")
    assert [c.name for c in flow.columns] == ["", "Arm A", "Arm B", "Total"]
    tables = randomization_tables(derived, AALL)
    assert tables is not None
    assert flow.rows[0][1:] == counts_of(tables.flow, "Randomized")
    opened = build_report(status, derived, stamp=stamp, version=VersionLabel.OPEN)
    open_titles = {t.title for t in opened.tables()}
    assert "CONSORT flow, arms pooled" in open_titles
    assert not any("Arm A" in [c.name for c in t.columns] for t in opened.tables())
    received = next(t for t in closed.tables() if t.title.startswith("Treatment received"))
    labels = [str(r[0]).strip() for r in received.rows]
    assert "Received Arm B (crossover)" in labels
    balance = next(t for t in closed.tables() if t.title.startswith("Randomization balance"))
    assert "By risk_group (Risk group)" in [str(r[0]).strip() for r in balance.rows]
    open_received = next(t for t in opened.tables() if t.title.startswith("Treatment received"))
    assert not any("crossover" in str(r[0]) for r in open_received.rows)
    assert "crossover" not in open_received.note


# --- the Efficacy page ------------------------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _navigation_only: None) -> str:
    url = str(tmp_path / "randomized.sqlite")
    assert main(["demo", "--db", url, "--protocol", "aall1732-randomized"]) == 0
    monkeypatch.setenv("TRIAL_MONITORING_DB", url)
    return url


def _efficacy(name: str) -> AppTest:
    at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run(), name)
    at.switch_page("pages/efficacy.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(("name", "by_arm"), [("dsmb", True), ("pi", False)])
def test_the_efficacy_page_shows_randomization_by_arm_to_the_dsmb_only(
    demo_db: str, name: str, by_arm: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    at = _efficacy(name)
    subheaders = [s.value for s in at.subheader]
    assert ("Randomization" if by_arm else "Randomization: arms pooled (open view)") in subheaders
    flows = [f.value for f in at.dataframe if "" in f.value.columns and "Total" in f.value.columns]
    pooled_flows = [f.value for f in at.dataframe if "All patients" in f.value.columns]
    (listing,) = [f.value for f in at.dataframe if "Randomized on" in f.value.columns]
    assert len(listing) == 200
    assert {"risk_group", "cns_status"} <= set(listing.columns)
    if by_arm:
        assert flows
        assert list(flows[0].columns) == ["", "Arm A", "Arm B", "Total"]
        assert flows[0].iloc[0, 0] == "Randomized"
        assert not pooled_flows
        received = next(
            f for f in flows if "Received the assigned arm" in f.iloc[:, 0].str.strip().tolist()
        )
        assert "Received Arm B (crossover)" in received.iloc[:, 0].str.strip().tolist()
        assert {"Arm assigned", "Arm received"} <= set(listing.columns)
    else:
        assert not any("Arm A" in f.value.columns for f in at.dataframe)
        assert pooled_flows
        assert pooled_flows[0].iloc[0].tolist() == ["Randomized", "200"]
        # the arm received is closed: no crossover row, no arm column in the listing
        labels = [x.strip() for f in pooled_flows for x in f.iloc[:, 0].tolist()]
        assert "Received the assigned arm" not in labels
        assert not any("crossover" in x for x in labels)
        assert not {"Arm assigned", "Arm received"} & set(listing.columns)
