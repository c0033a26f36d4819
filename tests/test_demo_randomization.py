"""Demo randomization and stratification rows of the AALL1732 example
(monitoring/demo/randomization.py): counted here with pandas from the generated tables.

The rows come from a random stream of their own: every other table of the demo is the one
the demo made before they existed (compared with the generator switched off), so the
decisions tests/test_randomized_scenarios.py asserts are unchanged.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

import monitoring.demo as demo
from monitoring.demo import generate
from monitoring.protocol import bundled_protocol, load_protocol

AALL = load_protocol(bundled_protocol("aall1732-randomized"))
SCENARIOS = ("on_track", "early_success", "futility")


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_one_randomization_row_per_patient_on_or_the_day_after_enrolment(scenario: str) -> None:
    data = generate(AALL, scenario, seed=0)
    p = data.patients.set_index("patient_id")
    r = data.randomization.set_index("patient_id")
    assert sorted(r.index) == sorted(p.index[p["arm"].notna()])
    lag = r["randomization_date"] - p.loc[r.index, "enrollment_date"]
    assert set(lag) <= {timedelta(0), timedelta(days=1)}
    assert (lag == timedelta(days=1)).any()
    first = p.loc[r.index, "first_dose_date"]
    assert (r["randomization_date"][first.notna()] <= first[first.notna()]).all()
    treated = first.notna()
    assert r["arm_received"][~treated].isna().all()  # never treated: no arm received
    crossed = treated & (r["arm_received"] != p.loc[r.index, "arm"])
    assert int(crossed.sum()) == max(1, round(0.01 * int(treated.sum())))


def test_strata_are_balanced_within_blocks() -> None:
    """on_track: 96 patients on A, 104 on B; within each of the 6 strata (risk group x CNS
    status) the arms differ by at most 2, the places per arm of a block."""
    data = generate(AALL, "on_track", seed=0)
    wide = data.baseline.pivot(index="patient_id", columns="characteristic", values="value")
    strata = wide[["risk_group", "cns_status"]]
    assert len(strata) == len(data.patients)
    assert strata.notna().all().all()
    assert not data.baseline.duplicated(["patient_id", "characteristic"]).any()
    assert set(strata["risk_group"]) == {"standard", "high"}
    assert set(strata["cns_status"]) == {"CNS1", "CNS2", "CNS3"}
    joined = data.patients.set_index("patient_id")[["arm"]].join(strata)
    counts = pd.crosstab([joined["risk_group"], joined["cns_status"]], joined["arm"])
    assert len(counts) == 6
    assert (counts["A"] - counts["B"]).abs().max() <= 2


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_other_tables_are_unchanged(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = generate(AALL, scenario, seed=0)
    monkeypatch.setattr(demo, "add_randomization", lambda d, protocol, seed: d)
    before = generate(AALL, scenario, seed=0)
    assert before.randomization.empty
    for name in ("patients", "responses", "adverse_events", "mrd_results"):
        pd.testing.assert_frame_equal(data.table(name), before.table(name))
