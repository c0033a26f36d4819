"""Demo trials: each scenario shows the decision its name promises, the same seed gives
the same tables, and every table obeys the import rules of SPEC 5.

Decisions are checked with the derivations and thresholds taken from the protocol (Simon
r1/n1/r/n of seed 003 section 11); toxicity boundaries are computed here from the Beta
posterior with scipy (Thall, Simon & Estey 1995), not typed in.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from monitoring.data_dictionary import (
    ADVERSE_EVENTS,
    ATTRIBUTION_CODES,
    PATIENTS,
    RESPONSE_CODES,
    RESPONSES,
    TrialData,
    empty_frame,
)
from monitoring.demo import Scenario, generate, write_tables
from monitoring.derive import Derivation, derive
from monitoring.derive.cutoff import latest_date
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    SimonRule,
    ToxicityRule,
    bundled_protocols,
    load_protocol,
)

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
SIMON = PROTOCOL.simon
TOX = PROTOCOL.primary_toxicity
assert isinstance(SIMON, SimonRule)
assert isinstance(TOX, ToxicityRule)
SEEDS = (0, 1, 2, 3)
SMALL = [s for s in Scenario if s is not Scenario.LARGE]
CORE = ("patients", "responses", "adverse_events")
PACK = ("baseline", "exposure", "disposition_events", "lab_results")


def _boundary(k: int) -> int | None:
    """Smallest x with P(p > 0.20 | Beta(0.4 + x, 1.6 + k - x)) > 0.92 (protocol rule)."""
    for x in range(k + 1):
        if stats.beta.sf(TOX.threshold, TOX.prior_a + x, TOX.prior_b + k - x) > TOX.confidence:
            return x
    return None


def _crossed_looks(d: Derivation) -> list[int]:
    outcomes = d.toxicity[0]
    crossed = []
    for look in TOX.looks:
        stop = _boundary(look)
        reached = look <= outcomes.evaluable and stop is not None
        if reached and outcomes.events_among_first(look) >= (stop or 0):
            crossed.append(look)
    return crossed


def test_boundary_helper_reproduces_table_3() -> None:
    """Protocol Table 3: stop if >= 4/8, 6/16, 8/24, 11/32, 12/40."""
    assert [_boundary(k) for k in (8, 16, 24, 32, 40)] == [4, 6, 8, 11, 12]


@pytest.fixture(scope="module", params=SEEDS)
def trials(request: pytest.FixtureRequest) -> dict[Scenario, Derivation]:
    return {s: derive(generate(PROTOCOL, s, seed=request.param), PROTOCOL) for s in SMALL}


def test_on_track_is_mid_stage_2_and_safe(trials: dict[Scenario, Derivation]) -> None:
    d = trials[Scenario.ON_TRACK]
    assert SIMON.n1 < d.evaluable.enrolled < SIMON.n
    assert d.evaluable.treated == d.evaluable.enrolled - 1  # one patient never treated
    assert d.stage1.total == SIMON.n1
    assert d.stage1.responders >= SIMON.r1 + 1  # passed stage 1
    final = d.simon_cohort
    remaining = SIMON.n - d.evaluable.treated
    assert final.responders <= SIMON.r  # not yet a success
    assert final.responders + final.pending + remaining >= SIMON.r + 1  # still possible
    assert _crossed_looks(d) == []


def test_accrual_suspended(trials: dict[Scenario, Derivation]) -> None:
    """n1 enrolled, at most r1 responders among them, futility not yet certain."""
    d = trials[Scenario.ACCRUAL_SUSPENDED]
    assert d.evaluable.enrolled == SIMON.n1
    assert d.stage1.total == SIMON.n1
    assert d.stage1.responders <= SIMON.r1
    assert d.stage1.pending > 0
    assert d.stage1.responders + d.stage1.pending >= SIMON.r1 + 1
    assert _crossed_looks(d) == []


def test_futility_is_certain(trials: dict[Scenario, Derivation]) -> None:
    d = trials[Scenario.FUTILITY]
    assert d.stage1.total == SIMON.n1
    assert d.stage1.responders + d.stage1.pending < SIMON.r1 + 1


def test_toxicity_stop_crosses_a_look(trials: dict[Scenario, Derivation]) -> None:
    """A look is crossed; the first look is not (the crossing comes at the second)."""
    d = trials[Scenario.TOXICITY_STOP]
    crossed = _crossed_looks(d)
    assert crossed
    assert crossed[0] == TOX.looks[1]
    related = d.data.adverse_events["attribution"].isin(TOX.attributions)
    assert related.any()


def test_early_success_before_n(trials: dict[Scenario, Derivation]) -> None:
    d = trials[Scenario.EARLY_SUCCESS]
    assert d.evaluable.treated < SIMON.n
    assert d.stage1.responders >= SIMON.r1 + 1
    assert d.simon_cohort.responders >= SIMON.r + 1
    assert _crossed_looks(d) == []


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    for scenario in SMALL:
        a, b = generate(PROTOCOL, scenario, seed=7), generate(PROTOCOL, scenario, seed=7)
        for x, y in zip(_frames(a), _frames(b), strict=True):
            pd.testing.assert_frame_equal(x, y)
        c = generate(PROTOCOL, scenario, seed=8)
        assert not a.adverse_events.equals(c.adverse_events)


def _frames(data: TrialData) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return data.patients, data.responses, data.adverse_events


def _check_valid(data: TrialData) -> None:
    """SPEC 5 import rules: columns and types, codes, unique keys, no orphans, no
    impossible dates."""
    p, r, a = _frames(data)
    for frame, spec in ((p, PATIENTS), (r, RESPONSES), (a, ADVERSE_EVENTS)):
        assert dict(frame.dtypes) == dict(empty_frame(spec).dtypes)
        assert not frame.duplicated(list(spec.key)).any()
        for column in spec.required:
            assert frame[column].notna().all(), column
    assert set(r["response"]) <= set(RESPONSE_CODES)
    assert set(a["attribution"].dropna()) <= set(ATTRIBUTION_CODES)
    assert set(a["serious"]) <= {"Y", "N"}
    assert set(r["mrd_negative"].dropna()) <= {"Y", "N"}
    assert set(p["sex"]) <= {"M", "F", "U"}
    assert a["grade"].between(1, 5).all()
    assert (r["cycle"] >= 1).all()
    assert r["marrow_blasts_pct"].dropna().between(0, 100).all()

    pid = p.set_index("patient_id")
    dose, death, enrol = pid["first_dose_date"], pid["death_date"], pid["enrollment_date"]
    assert not (dose < enrol).any()
    assert not (death < dose).any()
    assert not (death < enrol).any()
    for column in ("progression_date", "hsct_date", "off_treatment_date", "second_malignancy_date"):
        assert not (pid[column] < dose).any(), column
        assert not (pid[column] > death).any(), column
    assert not (pid["last_contact_date"] < enrol).any()
    assert (pid["last_contact_date"] == death)[death.notna()].all()
    assert (death.isna() | pid["death_cause"].notna()).all()

    for frame, column in ((r, "assessment_date"), (a, "onset_date")):
        owner = frame["patient_id"]
        assert owner.isin(pid.index).all()
        assert (frame[column] >= dose.reindex(owner).to_numpy()).all()
        assert not (frame[column] > death.reindex(owner).to_numpy()).any()
        assert not (frame[column] > pid["last_contact_date"].reindex(owner).to_numpy()).any()
    resolved = a["resolution_date"]
    assert not (resolved < a["onset_date"]).any()
    assert not (resolved > death.reindex(a["patient_id"]).to_numpy()).any()
    fatal = a.loc[a["grade"] == 5]
    assert (fatal["onset_date"].to_numpy() == death.reindex(fatal["patient_id"]).to_numpy()).all()


@pytest.mark.parametrize("scenario", list(Scenario))
def test_tables_obey_the_import_rules(scenario: Scenario) -> None:
    _check_valid(generate(PROTOCOL, scenario, seed=11))


@pytest.mark.parametrize("scenario", list(Scenario))
def test_every_date_lies_in_the_past(scenario: Scenario) -> None:
    """An import refuses dates after the day it runs (issue 11): a scenario whose dates
    reach past today could not be loaded (the large trial's 48 months of accrual once did).
    The generated dates are fixed by the seed, so a scenario that passes today passes on
    every later day."""
    assert latest_date(generate(PROTOCOL, scenario, seed=0)) < date.today()


def test_large_has_the_promised_size() -> None:
    """SPEC for speed work: 5,000 patients, about 100,000 AE and 50,000 response rows
    (accepted within +-20%)."""
    data = generate(PROTOCOL, Scenario.LARGE, seed=0)
    assert len(data.patients) == 5000
    assert 80_000 <= len(data.adverse_events) <= 120_000
    assert 40_000 <= len(data.responses) <= 60_000


def test_demo_contains_the_realistic_ingredients() -> None:
    """Terms and classes expected in an inotuzumab trial, MRD, deaths with causes, HSCT,
    relapses, serious events, off-treatment reasons."""
    data = generate(PROTOCOL, Scenario.LARGE, seed=0)
    terms = set(data.adverse_events["term"])
    assert {"Veno-occlusive disease", "Febrile neutropenia", "Platelet count decreased"} <= terms
    assert "Hepatobiliary disorders" in set(data.adverse_events["category"])
    assert (data.adverse_events["serious"] == "Y").any()
    assert set(data.responses["response"]) == set(RESPONSE_CODES)
    assert (data.responses["mrd_negative"] == "Y").any()
    p = data.patients
    for column in ("death_date", "hsct_date", "progression_date", "second_malignancy_date"):
        assert p[column].notna().any(), column
    assert p["first_dose_date"].isna().any()
    assert p["off_treatment_reason"].nunique() >= 4


def test_write_tables_csv_round_trip(tmp_path: Path) -> None:
    data = generate(PROTOCOL, Scenario.ON_TRACK, seed=3)
    paths = write_tables(data, tmp_path / "out")
    # The three core tables, then the meeting-pack tables the demo fills
    # (monitoring/demo/pack.py), in the data dictionary's order.
    assert [p.name for p in paths] == [f"{name}.csv" for name in (*CORE, *PACK)]
    patients = pd.read_csv(paths[0], dtype=str)
    assert list(patients.columns) == list(PATIENTS.names)
    assert patients["enrollment_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    back = pd.read_csv(paths[2], parse_dates=["onset_date", "resolution_date"])
    assert len(back) == len(data.adverse_events)
    assert (back["onset_date"].to_numpy() == data.adverse_events["onset_date"].to_numpy()).all()


def test_write_tables_xlsx_has_a_sheet_per_table(tmp_path: Path) -> None:
    data = generate(PROTOCOL, Scenario.FUTILITY, seed=3)
    (path,) = write_tables(data, tmp_path, format="xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [*CORE, *PACK]
    assert len(sheets["responses"]) == len(data.responses)
    assert np.array_equal(
        pd.to_datetime(sheets["patients"]["enrollment_date"]).to_numpy(),
        data.patients["enrollment_date"].to_numpy(),
    )


def test_unknown_scenario_and_format_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'nope' is not a valid Scenario"):
        generate(PROTOCOL, "nope")
    with pytest.raises(ValueError, match="format must be"):
        write_tables(generate(PROTOCOL, Scenario.FUTILITY), tmp_path, format="pdf")  # type: ignore[arg-type]
