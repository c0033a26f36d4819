"""The demo of every bundled protocol: data that fit the protocol, import through the normal
importer, and give the Efficacy and Survival pages something to show.

Protocols: the default ``ino-lowdose-ph2`` (scenario ``on_track``) and the example
protocols under ``monitoring/protocols/examples/`` (their example trials, described in
``monitoring/demo/examples.py``: sizes, strata and chances come from there). The database
checks go through the command line (``python -m monitoring demo --protocol NAME``, then
``status`` and ``report``) in a subprocess, and then through the library functions the
pages use (``open_analysis``, ``response_tables``, ``survival_view``).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from monitoring.analyses.response import response_tables
from monitoring.analysis import Cut, DatabaseSource, open_analysis
from monitoring.data_dictionary import TABLES, TrialData
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial
from monitoring.demo import EXAMPLES, ExampleScenarioError, generate, write_tables
from monitoring.demo.examples import (
    GENERIC_END,
    ExampleScenario,
    Stratum,
    check_fits,
    generic_scenario,
)
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    Protocol,
    bundled_protocol,
    bundled_protocol_files,
    bundled_protocol_name,
    load_protocol,
    parse_protocol,
)
from monitoring.series import survival_view
from tests.conftest import ROOT

NAMES = sorted(bundled_protocol_name(f) for f in bundled_protocol_files())
EXAMPLE_NAMES = [n for n in NAMES if n != DEFAULT_TRIAL_ID]
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def _protocol(name: str) -> Protocol:
    return load_protocol(bundled_protocol(name))


@pytest.fixture(scope="module")
def generated() -> dict[str, TrialData]:
    return {name: generate(_protocol(name), "on_track", seed=0) for name in NAMES}


def test_every_example_protocol_has_its_own_description() -> None:
    """monitoring/demo/examples.py describes each bundled example protocol (by id)."""
    assert sorted(EXAMPLES) == sorted(_protocol(n).id for n in EXAMPLE_NAMES)
    assert EXAMPLE_NAMES  # peds-ino-two-cohorts, mrd-ino-ph2, aall1732-randomized


@pytest.mark.parametrize("name", NAMES)
def test_the_data_fit_the_protocol(generated: dict[str, TrialData], name: str) -> None:
    protocol, data = _protocol(name), generated[name]
    codes = set(data.responses["response"].dropna())
    assert codes <= set(protocol.response.categories)  # the importer refuses any other
    assert codes & set(protocol.response.remission)  # remissions, in the protocol's codes
    patients = data.patients
    for column, units in (
        ("cohort", protocol.cohorts),
        ("arm", protocol.arms),
        ("dose_level", protocol.dose_levels),
    ):
        used = set(patients[column].dropna())
        declared = {u.id for u in units}
        if column == "dose_level" and protocol.dose_finding:
            # the dose-finding design decides which levels are reached (seed 000: 1 and -1;
            # seed 001: 1, 2 and 3), always the starting one
            assert used <= declared, column
            assert protocol.dose_finding[0].levels[0] in used or "1" in used, column
            continue
        # every declared unit has patients; a column the protocol does not declare is empty
        assert used == declared, column
    for column in ("progression_date", "death_date", "last_contact_date"):
        assert patients[column].notna().any(), column
    if name in EXAMPLES:
        assert len(patients) == EXAMPLES[protocol.id].patients
    terms = {t.lower() for rule in protocol.toxicity for t in rule.terms}
    if terms:  # the monitored toxicity is recorded under one of the protocol's terms
        assert terms & set(data.adverse_events["term"].str.lower())


def test_the_examples_have_their_shapes(generated: dict[str, TrialData]) -> None:
    """Sizes and strata of monitoring/demo/examples.py: two cohorts (cohort 2 at dose levels
    1, -1, -2; cohort 1 without one), about 200 patients randomized 1:1, MRD values."""
    peds = generated["peds-ino-two-cohorts"].patients
    assert peds.loc[peds["cohort"] == "1", "dose_level"].isna().all()
    treated = peds["first_dose_date"].notna()
    assert peds.loc[(peds["cohort"] == "2") & treated, "dose_level"].notna().all()
    assert peds["age"].max() <= 21  # children (seed 000)
    aall = generated["aall1732-randomized"].patients
    assert len(aall) == 200
    assert abs((aall["arm"] == "A").mean() - 0.5) < 0.1  # 1:1
    assert aall["salvage_line"].isna().all()  # newly diagnosed: no salvage line
    mrd = generated["mrd-ino-ph2"].responses
    remission = mrd["response"].isin(["CR", "CRi"])
    assert set(mrd.loc[remission, "mrd_negative"]) == {"Y", "N"}
    assert mrd.loc[remission, "mrd_level"].notna().all()
    assert (mrd.loc[mrd["mrd_negative"] == "Y", "mrd_level"] <= 1e-4).all()


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_same_seed_same_tables_other_seed_other_tables(name: str) -> None:
    protocol = _protocol(name)
    one, again, other = (generate(protocol, "on_track", seed=s) for s in (3, 3, 4))
    for a, b in zip(
        (one.patients, one.responses, one.adverse_events),
        (again.patients, again.responses, again.adverse_events),
        strict=True,
    ):
        pd.testing.assert_frame_equal(a, b)
    assert not one.patients.equals(other.patients)


def test_a_scenario_an_example_does_not_describe_is_refused() -> None:
    with pytest.raises(ExampleScenarioError, match="no demo scenario 'accrual_suspended'"):
        generate(_protocol("mrd-ino-ph2"), "accrual_suspended")


def test_a_description_that_does_not_fit_the_protocol_is_refused() -> None:
    protocol = _protocol("peds-ino-two-cohorts")
    crp = ExampleScenario(
        patients=10,
        accrual_per_month=1.0,
        start=EXAMPLES[protocol.id].start,
        follow_up_days=90,
        strata=(Stratum({"cohort": "1"}, 1.0, 0.5),),
        remission_codes={"CRp": 1.0},  # not a category of this protocol
    )
    with pytest.raises(ExampleScenarioError, match="CRp"):
        check_fits(crp, protocol)
    arm = ExampleScenario(
        patients=10,
        accrual_per_month=1.0,
        start=EXAMPLES[protocol.id].start,
        follow_up_days=90,
        strata=(Stratum({"arm": "A"}, 1.0, 0.5),),  # the protocol has cohorts, no arms
        remission_codes={"CR": 1.0},
    )
    with pytest.raises(ExampleScenarioError, match="arm='A'"):
        check_fits(arm, protocol)


def test_a_new_protocol_without_a_description_gets_the_generic_one() -> None:
    """Any protocol file without a Simon rule: its own units and remission codes, evenly
    shared (here seed 000's units and definitions, without its rules)."""
    full = bundled_protocol("peds-ino-two-cohorts").read_text(encoding="utf-8")
    text = full.split("# Cohort 1, primary endpoint")[0] + "[reporting]\nsummary_every = 6\n"
    protocol = parse_protocol(text.replace('"peds-ino-two-cohorts"', '"new-trial"', 1))
    assert protocol.id not in EXAMPLES
    scenario = generic_scenario(protocol)
    assert len(scenario.strata) == 2 * 3  # cohorts x dose levels
    data = generate(protocol, "on_track", seed=0)
    assert set(data.patients["cohort"]) == {"1", "2"}
    assert set(data.responses["response"]) <= set(protocol.response.categories)
    slow = parse_protocol(
        text.replace('"peds-ino-two-cohorts"', '"slow-trial"', 1)
        + "\n[accrual]\nplanned_per_month = 0.5\n"
    )
    late = generate(slow, "on_track", seed=0).patients["last_contact_date"].max()
    # 40 patients at 0.5 a month take about 80 months: the start moves back so that the
    # data end near monitoring.demo.examples.GENERIC_END, never in the future
    assert late < pd.Timestamp(GENERIC_END) + pd.Timedelta(days=365)


@pytest.mark.parametrize("name", NAMES)
def test_the_importer_takes_every_row(
    generated: dict[str, TrialData], name: str, tmp_path: Path
) -> None:
    """The all-or-nothing importer accepts the whole extract into a fresh database."""
    engine = open_database(str(tmp_path / "fresh.sqlite"))
    text = bundled_protocol(name).read_text(encoding="utf-8")
    trial = add_trial(engine, text, source=name, now=NOW, user="test").id
    data = generated[name]
    paths = write_tables(data, tmp_path / "extract")
    result = import_files(engine, trial, paths, now=NOW, user="test")
    assert result.accepted, result.problems[:3]
    analysis = open_analysis(DatabaseSource(engine), Cut(trial))
    for table in TABLES:  # the meeting-pack tables included (monitoring/demo/pack.py)
        assert len(analysis.data.table(table)) == len(data.table(table)), table
    engine.dispose()


def _cli(*args: str, ok: tuple[int, ...] = (0,)) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "monitoring", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode in ok, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database with the demo of every bundled protocol, made by the command line: the
    first makes the demo database with its accounts, the others act as its administrator."""
    url = str(tmp_path_factory.mktemp("demo-examples") / "trials.sqlite")
    for index, name in enumerate(NAMES):
        acting = ("--user", "admin") if index else ()
        out = _cli("demo", "--db", url, "--protocol", name, *acting)
        assert f"created demo trial {_protocol(name).id}" in out
    return url


def test_a_demo_that_needs_a_simon_rule_exits_2_and_leaves_no_database(tmp_path: Path) -> None:
    url = tmp_path / "refused.sqlite"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "monitoring", "demo", "--db", str(url)),
            *("--protocol", "aall1732-randomized", "--scenario", "toxicity_stop"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "has no demo scenario 'toxicity_stop'" in done.stderr
    assert not url.exists()


@pytest.mark.parametrize("name", NAMES)
def test_status_and_report_of_every_demo(demo_db: str, name: str, tmp_path: Path) -> None:
    trial = _protocol(name).id
    # exit 3: an efficacy/toxicity summary is due (docs/cli.md), which is a success too
    status = _cli("status", "--db", demo_db, "--trial", trial, ok=(0, 3))
    # the remission set under the protocol's own name ("Complete response" on a RECIST trial)
    assert (_protocol(name).response.remission_label or "Remission") in status
    out = tmp_path / f"{trial}.xlsx"
    _cli("report", "--db", demo_db, "--trial", trial, "--format", "xlsx", "--out", str(out))
    assert out.stat().st_size > 0


@pytest.mark.parametrize("name", NAMES)
def test_efficacy_and_survival_inputs_have_numbers(demo_db: str, name: str) -> None:
    """What the Efficacy page (response_tables) and the Survival page (survival_view) are
    given for the trial in the database: a remission rate among evaluable patients and
    events on every survival endpoint of the protocol, split by every subgroup."""
    engine = open_database(demo_db)
    try:
        analysis = open_analysis(DatabaseSource(engine), Cut(_protocol(name).id))
        protocol, derivation = analysis.protocol, analysis.derivation
        assert analysis.status is not None
        overall = response_tables(derivation, protocol).overall
        rate = overall.remission.among_evaluable
        assert rate.n > 0
        assert 0 < rate.x < rate.n
        for endpoint in protocol.survival.endpoints:
            view = survival_view(derivation, protocol, endpoint)
            assert view.summary.fit.n > 0, endpoint
            assert view.summary.fit.events > 0, endpoint
        for by in protocol.survival.subgroups:
            split = survival_view(derivation, protocol, protocol.survival.endpoints[0], by)
            assert len(split.curves) >= 2, by
    finally:
        engine.dispose()
