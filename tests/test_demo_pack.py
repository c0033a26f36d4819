"""The demo's meeting-pack tables (monitoring/demo/pack.py): baseline, exposure,
disposition events and laboratory results for every demo trial except the ADaM sample,
consistent with each patient's own data, and drawn without changing any other table.

Expected values come from the data themselves (the patients' dates, adverse events and the
protocol's declarations), from seed 003 sections 3.3 and 8.1.6 (doses) and from the VOD/SOS
criteria (bilirubin >= 2 mg/dL, weight gain > 5 %, modified Seattle / Baltimore)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest

import monitoring.demo as demo
from monitoring.data_dictionary import TABLES, TrialData
from monitoring.demo import generate, scenarios_of
from monitoring.demo.pack_facts import VOD_TERMS
from monitoring.demo.scenarios import Scenario
from monitoring.derive.cutoff import latest_date
from monitoring.protocol import DEFAULT_TRIAL_ID, Protocol, bundled_protocol, load_protocol

PACK = ("baseline", "exposure", "disposition_events", "lab_results")
WITH_PACK = (
    DEFAULT_TRIAL_ID,
    "peds-ino-two-cohorts",
    "ino-liposomal-vcr-ph1b2",
    "mrd-ino-ph2",
    "aall1732-randomized",
)
CASES = [
    (name, scenario.value)
    for name in WITH_PACK
    for scenario in scenarios_of(load_protocol(bundled_protocol(name)))
    if scenario is not Scenario.LARGE
]
DAY = pd.Timedelta(days=1)


@cache
def _protocol(name: str) -> Protocol:
    return load_protocol(bundled_protocol(name))


@cache
def _data(name: str, scenario: str) -> TrialData:
    return generate(_protocol(name), scenario, seed=0)


@pytest.mark.parametrize("name", WITH_PACK)
def test_every_demo_trial_has_the_four_tables(name: str) -> None:
    data = _data(name, "on_track")
    for table in PACK:
        assert len(data.table(table)) > 0, table


def test_the_adam_sample_gets_none() -> None:
    """pharmaverseadam's data come from its ADaM files, not from the pack generator."""
    data = _data("pharmaverseadam", "on_track")
    assert all(data.table(table).empty for table in PACK)


@pytest.mark.parametrize(("name", "scenario"), CASES[:6] + [(n, "on_track") for n in WITH_PACK])
def test_the_other_tables_stay_as_they_were(
    name: str, scenario: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pack draws from its own random stream: without it every other table is the same."""
    with_pack = _data(name, scenario)
    monkeypatch.setattr(demo, "add_pack", lambda data, protocol, seed: data)
    without = generate(_protocol(name), scenario, seed=0)
    for table in TABLES:
        if table not in PACK:
            pd.testing.assert_frame_equal(with_pack.table(table), without.table(table))
    assert all(without.table(table).empty for table in PACK)


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    protocol = _protocol(DEFAULT_TRIAL_ID)
    again = generate(protocol, "on_track", seed=0)
    for table in PACK:
        pd.testing.assert_frame_equal(
            again.table(table), _data(DEFAULT_TRIAL_ID, "on_track").table(table)
        )
    other = generate(protocol, "on_track", seed=1)
    assert not other.lab_results.equals(again.lab_results)


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_baseline_has_one_row_per_patient_and_declared_characteristic(
    name: str, scenario: str
) -> None:
    data = _data(name, scenario)
    declared = _protocol(name).baseline
    b = data.baseline
    assert not b.duplicated(["patient_id", "characteristic"]).any()
    assert len(b) == len(data.patients) * len(declared)
    for spec in declared:
        values = b.loc[b["characteristic"] == spec.id, "value"]
        if spec.kind == "number":
            assert np.isfinite(values.astype(float)).all(), spec.id
        if spec.categories:
            assert set(values) <= set(spec.categories), spec.id
    if name == DEFAULT_TRIAL_ID:  # seed 003 exclusion criterion 3: no Ph+ ALL
        assert set(b.loc[b["characteristic"] == "ph_status", "value"]) == {"negative"}


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_exposure_stays_within_each_patients_treatment(name: str, scenario: str) -> None:
    """Cycles start on or after the first dose, before the off-treatment date and death,
    by the data date, numbered 1, 2, ... in date order for each agent."""
    data = _data(name, scenario)
    e = data.exposure.merge(data.patients, on="patient_id")
    assert e["first_dose_date"].notna().all()
    assert (e["start_date"] >= e["first_dose_date"]).all()
    assert (e["off_treatment_date"].isna() | (e["start_date"] < e["off_treatment_date"])).all()
    assert (e["death_date"].isna() | (e["start_date"] <= e["death_date"])).all()
    assert (e["start_date"] <= pd.Timestamp(latest_date(data))).all()
    for _, cycles in e.groupby(["patient_id", "agent"]):
        ordered = cycles.sort_values("cycle")
        assert list(ordered["cycle"]) == list(range(1, len(ordered) + 1))
        assert ordered["start_date"].is_monotonic_increasing
        first = ordered.iloc[0]
        assert first["start_date"] == first["first_dose_date"]
    treated = data.patients.loc[data.patients["first_dose_date"].notna(), "patient_id"]
    assert set(treated) == set(data.exposure["patient_id"])


def test_the_default_trial_gives_the_protocol_doses() -> None:
    """Seed 003: cycle 1 0.8 + 0.5 + 0.5 = 1.8 mg/m2, later cycles 0.6 + 0.3 = 0.9 mg/m2,
    reduced to 0.6 (level -1) and 0.4 mg/m2 (level -2); a reduced cycle says so and why,
    and once reduced a patient stays reduced (section 8.1.6: no re-escalation)."""
    e = _data(DEFAULT_TRIAL_ID, "on_track").exposure
    assert set(e["agent"]) == {"Inotuzumab ozogamicin"}
    assert (e["unit"] == "mg/m2").all()
    assert set(e.loc[e["cycle"] == 1, "planned_dose"]) == {1.8}
    assert set(e.loc[e["cycle"] > 1, "planned_dose"]) == {0.9}
    reduced = e[e["reduced"] == "Y"]
    assert 0 < len(reduced) < len(e)
    # Level -1 (0.6), level -2 (0.4), or either with its day-8 dose omitted (0.4 - 0.13).
    assert set(reduced["given_dose"]) <= {0.6, 0.4, 0.27}
    assert reduced["reason"].notna().all()
    assert (e.loc[e["delay_days"] > 0, "reason"].str.contains("Delayed")).all()
    for _, cycles in e.sort_values("cycle").groupby("patient_id"):
        flags = list(cycles["reduced"])
        assert flags == sorted(flags), "no re-escalation after a reduction"


@pytest.mark.parametrize("scenario", [c[1] for c in CASES if c[0] == DEFAULT_TRIAL_ID])
def test_vod_patients_meet_the_bilirubin_and_weight_criteria(scenario: str) -> None:
    """Every VOD/SOS of the default demo shows bilirubin >= 2 mg/dL and weight more than
    5 % above the screening weight within 7 days of its onset."""
    data = _data(DEFAULT_TRIAL_ID, scenario)
    ae = data.adverse_events
    vod = ae[ae["term"].str.lower().isin(VOD_TERMS)]
    assert len(vod) > 0
    lab = data.lab_results
    screening = (
        lab[lab["test"] == "WEIGHT"]
        .sort_values("sample_date")
        .groupby("patient_id")["value"]
        .first()
    )
    for _, event in vod.iterrows():
        near = lab[
            (lab["patient_id"] == event["patient_id"])
            & ((lab["sample_date"] - event["onset_date"]).abs() <= 7 * DAY)
        ]
        bilirubin = near.loc[near["test"] == "BILI", "value"]
        weight = near.loc[near["test"] == "WEIGHT", "value"]
        assert (bilirubin >= 2.0).any(), event["patient_id"]
        assert (weight > 1.05 * screening[event["patient_id"]]).any(), event["patient_id"]


@pytest.mark.parametrize("name", [DEFAULT_TRIAL_ID, "aall1732-randomized"])
def test_some_but_not_all_high_alt_patients_have_a_hys_law_pattern(name: str) -> None:
    """ALT > 3 x ULN with bilirubin > 2 x ULN on the same day (the eDISH upper-right
    quadrant) in some patients, not in every patient with a high ALT."""
    lab = _data(name, "on_track").lab_results
    wide = lab.pivot_table(index=["patient_id", "sample_date"], columns="test", values="value")
    high_alt = wide["ALT"] > 3 * 40
    hy = high_alt & (wide["BILI"] > 2 * 1.2)
    patients_high = set(wide[high_alt].index.get_level_values(0))
    patients_hy = set(wide[hy].index.get_level_values(0))
    assert 0 < len(patients_hy) < len(patients_high)


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_laboratory_samples_fit_the_patients_dates(name: str, scenario: str) -> None:
    """No sample after death or the data date; every treated patient has each test at
    screening, before the first dose; the unit and limits are those of the test."""
    data = _data(name, scenario)
    lab = data.lab_results.merge(data.patients, on="patient_id")
    assert (lab["death_date"].isna() | (lab["sample_date"] <= lab["death_date"])).all()
    assert (lab["sample_date"] <= pd.Timestamp(latest_date(data))).all()
    assert not data.lab_results.duplicated(["patient_id", "test", "sample_date"]).any()
    treated = lab[lab["first_dose_date"].notna()]
    before = treated[treated["sample_date"] < treated["first_dose_date"]]
    counts = before.groupby("patient_id")["test"].nunique()
    assert (counts == 6).all()
    assert len(counts) == treated["patient_id"].nunique()
    units = lab.groupby("test")["unit"].unique()
    assert {t: list(u) for t, u in units.items()} == {
        "ALP": ["U/L"],
        "ALT": ["U/L"],
        "AST": ["U/L"],
        "BILI": ["mg/dL"],
        "PLT": ["10^9/L"],
        "WEIGHT": ["kg"],
    }
    assert set(lab.loc[lab["test"] == "BILI", "uln"]) == {1.2}
    assert set(lab.loc[lab["test"] == "PLT", "lln"]) == {150.0}


@pytest.mark.parametrize(("name", "scenario"), CASES)
def test_disposition_follows_the_off_treatment_date_and_reason(name: str, scenario: str) -> None:
    data = _data(name, scenario)
    p = data.patients.set_index("patient_id")
    d = data.disposition_events
    treatment = d[d["event"].isin(["completed_treatment", "discontinued_treatment"])]
    off = p[p["off_treatment_date"].notna()]
    assert sorted(treatment["patient_id"]) == sorted(off.index)
    for _, row in treatment.iterrows():
        patient = p.loc[row["patient_id"]]
        assert row["event_date"] == patient["off_treatment_date"]
        if patient["off_treatment_reason"] == "Completed treatment":
            assert row["event"] == "completed_treatment"
        else:
            assert row["event"] == "discontinued_treatment"
            assert row["reason"] == patient["off_treatment_reason"]
    left = d[d["event"].isin(["withdrew_consent", "lost_to_follow_up"])]
    assert len(left) >= 1
    assert p.loc[left["patient_id"], "death_date"].isna().all()
    assert (
        left["event_date"].to_numpy() == p.loc[left["patient_id"], "last_contact_date"].to_numpy()
    ).all()
