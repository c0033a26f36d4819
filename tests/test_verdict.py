"""The overall verdict and its alerts on the demo scenarios: what the protocol's rules imply.

Expected values are computed here from the scenario's own tables, not read from the
library: the toxicity boundary at each look from the Beta posterior with scipy (Thall,
Simon & Estey 1995, the protocol's prior, threshold and confidence), the day it was first
crossed by replaying the patients' first-dose and first-VOD dates day by day, the patients
enrolled after that day from ``patients.enrollment_date``, and the maximum accrual from the
protocol's ``max_patients`` (48, seed 003 section 11). The futility crossing is checked
against the full derivation (``derive`` at the day before and at the day found).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache

import pandas as pd
import pytest
from scipy import stats

from monitoring.data_dictionary import TrialData
from monitoring.demo import Scenario, generate
from monitoring.derive import derive
from monitoring.protocol import (
    DEFAULT_TRIAL_ID,
    SimonRule,
    ToxicityRule,
    bundled_protocols,
    load_protocol,
)
from monitoring.rules.efficacy import EfficacyState
from monitoring.rules.toxicity import ToxicityState
from monitoring.status import LookRecord, TrialStatus, trial_status
from monitoring.verdict import verdict
from monitoring.vocabulary import Severity

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
TOX = PROTOCOL.primary_toxicity
SIMON = PROTOCOL.simon
assert isinstance(TOX, ToxicityRule)
assert isinstance(SIMON, SimonRule)


@cache
def _data(scenario: Scenario, seed: int = 0) -> TrialData:
    return generate(PROTOCOL, scenario, seed=seed)


@cache
def _status(scenario: Scenario, seed: int = 0) -> TrialStatus:
    return trial_status(PROTOCOL, derive(_data(scenario, seed), PROTOCOL))


def _boundary(n: int) -> int | None:
    """Smallest x with Pr(p > threshold | Beta(a + x, b + n - x)) > confidence."""
    for x in range(n + 1):
        if stats.beta.sf(TOX.threshold, TOX.prior_a + x, TOX.prior_b + n - x) > TOX.confidence:
            return x
    return None


def _first_vod(data: TrialData) -> pd.Series:
    """Each patient's first monitored toxicity (term, attribution, grade of the rule)."""
    ae = data.adverse_events
    terms = {t.casefold() for t in TOX.terms}
    hit = ae[
        ae["term"].str.strip().str.casefold().isin(terms)
        & ae["attribution"].isin(TOX.attributions)
        & (ae["grade"] >= TOX.min_grade)
    ]
    return pd.to_datetime(hit.groupby("patient_id")["onset_date"].min())


def _crossed_on(data: TrialData, day: pd.Timestamp) -> tuple[int, int] | None:
    """(look n, events) of the first interim look crossed on the data cut at ``day``."""
    p = data.patients.copy()
    p["first_dose"] = pd.to_datetime(p["first_dose_date"])
    p["enrolled"] = pd.to_datetime(p["enrollment_date"])
    treated = p[(p["first_dose"] <= day) & (p["enrolled"] <= day)]
    ordered = treated.sort_values(["first_dose", "patient_id"])["patient_id"].tolist()
    vod = _first_vod(data)
    toxic = [pid in vod.index and vod[pid] <= day for pid in ordered]
    for n in TOX.looks[:-1]:  # nmax ends the trial: no stopping boundary there
        b = _boundary(n)
        if n <= len(toxic) and b is not None and sum(toxic[:n]) >= b:
            return n, sum(toxic[:n])
    return None


def _every_day(data: TrialData) -> list[pd.Timestamp]:
    p = data.patients
    start = pd.to_datetime(p["enrollment_date"]).min()
    end = pd.to_datetime(p["first_dose_date"]).max() + timedelta(days=60)
    return list(pd.date_range(start, end, freq="D"))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_toxicity_stop_names_the_deciding_look_and_the_patients_enrolled_after_it(
    seed: int,
) -> None:
    data = _data(Scenario.TOXICITY_STOP, seed)
    first = next(d for d in _every_day(data) if _crossed_on(data, d) is not None)
    look = _crossed_on(data, first)
    assert look is not None
    n, events = look
    enrolled = pd.to_datetime(data.patients["enrollment_date"])
    after = data.patients.loc[enrolled > first].sort_values(["enrollment_date", "patient_id"])
    expected_ids = tuple(after["patient_id"])
    assert n == 16  # the scenario crosses at its second look (monitoring/demo/scenarios.py)
    if seed == 0:
        assert len(expected_ids) == 4  # the figure quoted in issue 12
    prob = stats.beta.sf(TOX.threshold, TOX.prior_a + events, TOX.prior_b + n - events)

    v = verdict(_status(Scenario.TOXICITY_STOP, seed))
    assert v.severity is Severity.STOP
    assert v.code == TOX.id  # the rule drives it; the STOP alert comes after on a tie
    assert v.title == "STOP for toxicity"
    assert v.rule == "Toxicity: Any-grade VOD/SOS related to inotuzumab ozogamicin"
    assert f"at the look at {n} patients on {first.date().isoformat()}" in v.sentence
    deciding = v.evidence[0]
    assert f"{events} events among the first {n} patients" in deciding
    assert f"= {prob:.3f} at {n} patients" in deciding  # 0.928, the figure
    alert = next(a for a in v.alerts if a.code == "enrolled_after_stop")
    assert alert.severity is Severity.STOP
    assert alert.patients == expected_ids
    assert f"{len(expected_ids)} patient" in alert.sentence
    assert f"({', '.join(expected_ids)})" in alert.sentence
    assert first.date().isoformat() in alert.sentence


def test_futility_crossing_day_is_the_first_the_full_derivation_stops() -> None:
    data = _data(Scenario.FUTILITY)
    status = _status(Scenario.FUTILITY)
    v = verdict(status)
    assert v.severity is Severity.STOP
    assert v.code == SIMON.id
    assert v.title == "STOP for futility"
    (crossing,) = [d.crossing for d in status.decisions if d.crossing is not None]
    day = crossing.crossed_on
    stops = {EfficacyState.STOP_FUTILITY, EfficacyState.CANNOT_SUCCEED}
    before = trial_status(PROTOCOL, derive(data, PROTOCOL, day - timedelta(days=1))).efficacy
    on = trial_status(PROTOCOL, derive(data, PROTOCOL, day)).efficacy
    assert before is not None
    assert before.state not in stops
    assert on is not None
    assert on.state in stops
    enrolled = pd.to_datetime(data.patients["enrollment_date"])
    expected = tuple(data.patients.loc[enrolled > pd.Timestamp(day), "patient_id"].sort_values())
    alert = next(a for a in v.alerts if a.code == "enrolled_after_stop")
    assert alert.patients == expected


def test_large_trial_is_not_complete_but_beyond_the_protocol_maximum() -> None:
    data = _data(Scenario.LARGE)
    enrolled = len(data.patients)
    treated = int(data.patients["first_dose_date"].notna().sum())
    assert PROTOCOL.max_patients == 48
    v = verdict(_status(Scenario.LARGE))
    tox = _status(Scenario.LARGE).primary_toxicity
    assert tox is not None
    assert tox.decision is ToxicityState.CONTINUE
    assert v.severity is Severity.STOP
    assert v.code == "beyond_maximum"
    assert v.title == "Accrual beyond the protocol's maximum"
    assert f"{enrolled:,} patients are enrolled and {treated:,} treated" in v.sentence
    assert f"maximum is 48: {enrolled - 48:,} beyond it" in v.sentence


def _reached_looks(data: TrialData) -> list[tuple[int, date]]:
    """(evaluable, day) of each scheduled look reached: every 8th first dose (protocol)."""
    doses = sorted(pd.to_datetime(data.patients["first_dose_date"].dropna()))
    every = PROTOCOL.reporting.summary_every
    return [(k, doses[k - 1].date()) for k in range(every, 49, every) if len(doses) >= k]


def test_on_track_summaries_due_drive_the_verdict_until_generated() -> None:
    data = _data(Scenario.ON_TRACK)
    looks = _reached_looks(data)
    v = verdict(_status(Scenario.ON_TRACK))
    assert v.severity is Severity.ATTENTION
    assert v.code == "summary_due"
    assert v.headline == "Attention — Summary due"
    for number, (n, day) in enumerate(looks, start=1):
        assert f"look {number} ({n} evaluable patients, reached {day})" in v.sentence
    generated = datetime(2026, 1, 1, tzinfo=UTC)
    records = [LookRecord(n, generated_at=generated) for n, _ in looks]
    done = verdict(trial_status(PROTOCOL, derive(data, PROTOCOL), records=records))
    assert not done.alerts
    # Stage 2 (OK) and no toxicity boundary (OK): nothing asks for action.
    assert done.severity is Severity.OK
    assert done.title == "Continue"
    assert done.rule == "every rule"


def test_accrual_suspended_is_driven_by_the_efficacy_rule() -> None:
    v = verdict(_status(Scenario.ACCRUAL_SUSPENDED))
    assert v.severity is Severity.ATTENTION
    assert v.code == SIMON.id  # the decision comes before the alert
    assert {a.code for a in v.alerts} == {"summary_due"}
