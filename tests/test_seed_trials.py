"""Seeds 000, 001 and 002 as monitored trials: each demo scenario, through the rules' own
numbers, gives the decisions per stratum it is named for; the rule kinds decide hand-made
data as their designs say.

Expected numbers come from the protocol files (monitoring/protocols/examples/) and the
scenario scripts (monitoring/demo/examples.py): for example, seed 000 on_track scripts DLTs
for the 2nd and 4th cohort-2 patients at level 1, so 2 of 4 de-escalate to -1 (the rule's
``deescalate_at = 2``); seed 001 on_track scripts 3 DLTs in 3 at level 3, which BOIN
eliminates (Pr(p > 0.3 | Beta(4, 1)) = 1 - 0.3^4 = 0.9919 > 0.95).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from monitoring.data_dictionary import (
    DLT_ASSESSMENTS,
    MRD_RESULTS,
    PATIENTS,
    TrialData,
    empty_frame,
)
from monitoring.demo import generate, scenarios_of
from monitoring.derive import derive
from monitoring.derive.looks import look_dates
from monitoring.protocol import DoseFindingRule, Protocol, bundled_protocol, load_protocol
from monitoring.rules.dose_finding import DoseDecision
from monitoring.rules.dose_state import DoseState
from monitoring.rules.evaluation import log_entries
from monitoring.rules.interface import RuleDecision
from monitoring.rules.toxicity import ToxicityDecision
from monitoring.status import trial_status
from monitoring.verdict import verdict
from monitoring.vocabulary import Severity
from monitoring.wording import counted
from tests.conftest import ROOT

PEDS, PH1B2, MRD = "peds-ino-two-cohorts", "ino-liposomal-vcr-ph1b2", "mrd-ino-ph2"


def _protocol(name: str) -> Protocol:
    return load_protocol(bundled_protocol(name))


def _decisions(name: str, scenario: str) -> dict[str, RuleDecision]:
    protocol = _protocol(name)
    status = trial_status(protocol, derive(generate(protocol, scenario, seed=0), protocol))
    return {d.rule_id: d for d in status.decisions}


def test_each_seed_has_the_scenarios_that_trigger_its_rules() -> None:
    assert [s.value for s in scenarios_of(_protocol(PEDS))] == [
        "on_track",
        "futility",
        "toxicity_stop",
    ]
    assert [s.value for s in scenarios_of(_protocol(PH1B2))] == ["on_track", "toxicity_stop"]
    assert [s.value for s in scenarios_of(_protocol(MRD))] == ["on_track", "futility"]


def test_seed_000_on_track_deescalates_cohort_2_and_keeps_cohort_1_going() -> None:
    d = _decisions(PEDS, "on_track")
    assert [(r, dict(x.scope)) for r, x in d.items()] == [
        ("c1-crcri", {"cohort": "1"}),
        ("c2-deescalation", {"cohort": "2"}),
        ("c1-vod", {"cohort": "1"}),
        ("c2-vod", {"cohort": "2"}),
    ]
    assert d["c1-crcri"].state.value == "stage2"  # more than r1 = 5 of n1 = 11 responded
    deescalation = d["c2-deescalation"].detail
    assert isinstance(deescalation, DoseDecision)
    by_level = {h.level: (h.evaluable, h.dlts) for h in deescalation.levels}
    # Level 1: the script's 4 patients, DLTs at the 2nd and 4th: 2 >= deescalate_at.
    assert by_level["1"] == (4, 2)
    assert deescalation.current == "-1"
    assert by_level["-1"][1] == 1  # one DLT (the script's 3rd patient at -1): tolerated
    assert by_level["-2"] == (0, 0)
    assert d["c2-deescalation"].state is DoseState.STAY
    # The path of dose levels: level 1 first, then -1 only.
    levels = [p.level for p in deescalation.path]
    assert levels[:4] == ["1"] * 4
    assert set(levels[4:]) == {"-1"}


def test_seed_000_futility_stops_cohort_1_only() -> None:
    d = _decisions(PEDS, "futility")
    assert d["c1-crcri"].state.value == "stop_futility"
    assert d["c1-crcri"].stopped
    assert d["c1-crcri"].scope == {"cohort": "1"}
    assert not d["c2-deescalation"].stopped


def test_seed_000_futility_stop_counts_and_names_cohort_1_only() -> None:
    """The cohort-1 futility stop stops cohort 1: the patients enrolled after it are cohort
    1's own (read straight from the demo's patients table), and the verdict names the
    cohort that stops and the one that continues."""
    protocol = _protocol(PEDS)
    data = generate(protocol, "futility", seed=0)
    status = trial_status(protocol, derive(data, protocol))
    crossing = {d.rule_id: d for d in status.decisions}["c1-crcri"].crossing
    assert crossing is not None
    p = data.patients
    late = p[pd.to_datetime(p["enrollment_date"]) > pd.Timestamp(crossing.crossed_on)]
    late = late.sort_values(["enrollment_date", "patient_id"])
    assert set(late["cohort"]) == {"1", "2"}  # both cohorts enrolled after the stop
    assert crossing.enrolled_after == tuple(late.loc[late["cohort"] == "1", "patient_id"])

    v = verdict(status)
    assert v.severity is Severity.STOP
    assert v.title == "Cohort 1 stops for futility; cohort 2 continues"
    assert v.headline == "STOP — Cohort 1 stops for futility; cohort 2 continues"
    assert "so cohort 1 stops for futility" in v.sentence
    assert "the trial" not in v.sentence
    alert = next(a for a in v.alerts if a.code == "enrolled_after_stop")
    assert alert.patients == crossing.enrolled_after
    assert "cohort 1's efficacy stopping boundary" in alert.sentence


def test_seed_000_toxicity_stop_deescalates_twice_then_stops() -> None:
    d = _decisions(PEDS, "toxicity_stop")
    rule = d["c2-deescalation"]
    assert rule.state is DoseState.STOP
    assert rule.stopped
    detail = rule.detail
    assert isinstance(detail, DoseDecision)
    # Script: 1 -> (1, 1): 2 DLTs; -1 -> (0, 1, 1): 2 DLTs in 3; -2 -> (1, 0, 1): 2 in 3.
    assert [(h.level, h.evaluable, h.dlts) for h in detail.levels] == [
        ("1", 2, 2),
        ("-1", 3, 2),
        ("-2", 3, 2),
    ]
    # Each level says what the rule did there: left for the next one twice, then stopped.
    assert [h.decision for h in detail.levels] == ["de-escalated", "de-escalated", "stop"]
    assert rule.crossing is not None


def test_seed_000_log_entries_give_the_current_level_own_counts() -> None:
    """Each monitoring-log entry of the de-escalation rule counts the level it names: the
    evaluable DLT assessments at that level dated by the look (read from the demo's DLT
    table), never the totals over every level (8 evaluable, 6 DLTs at the cut-off)."""
    protocol = _protocol(PEDS)
    data = generate(protocol, "toxicity_stop", seed=0)
    status = trial_status(protocol, derive(data, protocol))
    dlt = data.dlt_assessments
    assert dlt is not None
    cohort2 = set(data.patients.loc[data.patients["cohort"] == "2", "patient_id"])
    dlt = dlt[dlt["patient_id"].isin(cohort2) & ((dlt["evaluable"] == "Y") | (dlt["dlt"] == "Y"))]
    levels_named = set()
    for look in status.looks:
        if look.reached_on is None:
            continue
        entry = next(e for e in look.entries if e.rule_id == "c2-deescalation")
        level = entry.counts.removeprefix("level ").split(":")[0]
        levels_named.add(level)
        by_then = dlt[pd.to_datetime(dlt["assessment_date"]) <= pd.Timestamp(look.reached_on)]
        here = by_then[by_then["dose_level"] == level]
        dlts = int((here["dlt"] == "Y").sum())
        assert entry.counts == f"level {level}: {len(here)} evaluable, {counted(dlts, 'DLT')}"
    assert len(levels_named) > 1  # the looks see more than one level
    final = log_entries(protocol, look_dates(derive(data, protocol), protocol), status.cutoff, 0)
    entry = next(e for e in final if e.rule_id == "c2-deescalation")
    assert entry.counts == "level -2: 3 evaluable, 2 DLTs"  # the script: (1, 0, 1) at -2


def test_seed_001_on_track_boin_eliminates_level_3_and_selects_level_2() -> None:
    d = _decisions(PH1B2, "on_track")
    rule = d["ph1b-dose"]
    assert rule.scope == {"cohort": "Ib"}
    assert rule.kind == "dose_finding"
    detail = rule.detail
    assert isinstance(detail, DoseDecision)
    rows = {h.level: (h.evaluable, h.dlts, h.eliminated) for h in detail.levels}
    # Cohorts: 1 (0/3) escalate; 2 (0/3 then 1/3: 1/6 <= 0.236 x 6 = 1.4) escalate;
    # 3 (3/3): eliminated, de-escalate; 2 for the remaining three cohorts (1 DLT).
    assert rows == {
        "-1": (0, 0, False),
        "1": (3, 0, False),
        "2": (12, 2, False),
        "3": (3, 3, True),
    }
    assert detail.state is DoseState.COMPLETE
    assert detail.mtd == "2"
    assert d["ph2-orr"].scope == {"cohort": "II"}
    assert [d["neuropathy"].kind, d["vod"].kind] == ["thall_simon_estey"] * 2


def test_seed_001_demo_gives_each_toxicity_rule_events_under_its_own_terms() -> None:
    """Neuropathy and VOD are two rules with disjoint terms: the demo writes each rule's
    events under that rule's terms, so both rules count events (the count of each is
    recomputed here from the demo's AE table: treated patients with a term of the rule, a
    counted attribution and grade >= the rule's minimum)."""
    protocol = _protocol(PH1B2)
    data = generate(protocol, "on_track", seed=0)
    status = trial_status(protocol, derive(data, protocol))
    decisions = {d.rule_id: d for d in status.decisions}
    ae = data.adverse_events
    treated = set(data.patients.loc[data.patients["first_dose_date"].notna(), "patient_id"])
    for rule in protocol.toxicity:
        assert rule.scope == {}  # both rules count every treated patient
        mine = ae[
            ae["term"].isin(rule.terms)
            & ae["attribution"].isin(rule.attributions)
            & (ae["grade"] >= rule.min_grade)
            & ae["patient_id"].isin(treated)
        ]
        expected = mine["patient_id"].nunique()
        assert expected > 0, f"the demo gives rule {rule.id} no event"
        detail = decisions[rule.id].detail
        assert isinstance(detail, ToxicityDecision)
        assert detail.events == expected
        assert detail.evaluable == len(treated)
    neuropathy, vod = (set(r.terms) for r in protocol.toxicity)
    assert not neuropathy & vod
    written = set(ae["term"])
    assert written & neuropathy
    assert written & vod


def test_seed_001_toxicity_stop_eliminates_every_dose() -> None:
    rule = _decisions(PH1B2, "toxicity_stop")["ph1b-dose"]
    assert rule.state is DoseState.STOP
    assert rule.stopped
    detail = rule.detail
    assert isinstance(detail, DoseDecision)
    assert all(h.eliminated for h in detail.levels)  # level -1 with 3/3 takes every dose
    assert detail.mtd is None


def test_seed_002_mrd_rule_reads_the_imported_values() -> None:
    on_track = _decisions(MRD, "on_track")["mrd-negativity"]
    futility = _decisions(MRD, "futility")["mrd-negativity"]
    assert on_track.kind == "mrd_response"
    assert not on_track.stopped
    assert futility.state.value == "stop_futility"  # at most r1 = 4 of n1 = 18 negative
    facts = {f.label: f.value for f in on_track.facts()}
    assert facts["MRD response"].startswith("flow MRD below 0.01 % within 56 days")
    assert "Assumed (the registry record is silent)" in facts


# --- the kinds on hand-made data --------------------------------------------------------


def _trial(
    protocol: Protocol,
    patients: Sequence[tuple[str, str, str | None, str | None]],
    dlt: Sequence[tuple[str, str, str, str]] = (),
    mrd: Sequence[tuple[str, str, float] | tuple[str, str, float, float | None]] = (),
) -> TrialData:
    p = empty_frame(PATIENTS).reindex(range(len(patients)))
    p["patient_id"] = [x[0] for x in patients]
    p["enrollment_date"] = pd.to_datetime([x[1] for x in patients])
    p["first_dose_date"] = pd.to_datetime([x[1] for x in patients])
    p["cohort"] = [x[2] for x in patients]
    p["dose_level"] = [x[3] for x in patients]
    d = pd.DataFrame(
        {
            "patient_id": [x[0] for x in dlt],
            "dose_level": [x[1] for x in dlt],
            "assessment_date": pd.to_datetime([x[2] for x in dlt]),
            "dlt": [x[3] for x in dlt],
            "evaluable": ["Y"] * len(dlt),
            "dlt_term": [None] * len(dlt),
        }
    ).astype(empty_frame(DLT_ASSESSMENTS).dtypes.to_dict())
    m = pd.DataFrame(
        {
            "patient_id": [x[0] for x in mrd],
            "sample_date": pd.to_datetime([x[1] for x in mrd]),
            "method": ["flow"] * len(mrd),
            "value_pct": [x[2] for x in mrd],
            "threshold_pct": [x[3] if len(x) > 3 else 0.01 for x in mrd],
            "timepoint": [None] * len(mrd),
        }
    ).astype(empty_frame(MRD_RESULTS).dtypes.to_dict())
    from monitoring.data_dictionary import ADVERSE_EVENTS, RESPONSES

    return TrialData(
        p,
        empty_frame(RESPONSES),
        empty_frame(ADVERSE_EVENTS),
        dlt_assessments=d,
        mrd_results=m,
    )


def _decide(protocol: Protocol, data: TrialData, day: str) -> dict[str, RuleDecision]:
    status = trial_status(protocol, derive(data, protocol, date.fromisoformat(day)))
    return {d.rule_id: d for d in status.decisions}


def test_deescalation_decides_at_each_day_from_the_dlts_dated_by_then() -> None:
    protocol = _protocol(PEDS)
    patients = [(f"C{i}", f"2024-01-{i + 1:02d}", "2", "1") for i in range(4)]
    patients.append(("C9", "2024-03-01", "2", "-1"))
    dlt = [
        ("C0", "1", "2024-02-06", "N"),
        ("C1", "1", "2024-02-07", "Y"),
        ("C2", "1", "2024-02-08", "N"),
        ("C3", "1", "2024-02-09", "Y"),
    ]
    data = _trial(protocol, patients, dlt)
    before = _decide(protocol, data, "2024-02-08")["c2-deescalation"]
    assert before.state is DoseState.STAY  # 1 DLT of 3 at level 1
    after = _decide(protocol, data, "2024-02-09")["c2-deescalation"]
    assert after.state is DoseState.DEESCALATE  # 2 DLTs: de-escalate to -1
    assert isinstance(after.detail, DoseDecision)
    assert after.detail.next_level == "-1"
    moved = _decide(protocol, data, "2024-03-02")["c2-deescalation"]
    assert moved.state is DoseState.STAY
    assert isinstance(moved.detail, DoseDecision)
    assert moved.detail.current == "-1"


def test_boin_rule_on_hand_data_follows_the_boundaries() -> None:
    """Target 0.3, cohorts of 3: lambda_e = 0.236, lambda_d = 0.359 (Liu & Yuan 2015,
    Table 1): 0/3 escalate, 1/3 stay, 2/3 de-escalate."""
    protocol = _protocol(PH1B2)
    patients = [(f"B{i}", f"2024-01-{i + 1:02d}", "Ib", "1") for i in range(6)]
    flags = ["N", "N", "N", "Y", "Y", "N"]
    levels = ["1", "1", "1", "2", "2", "2"]
    dlt = [(f"B{i}", levels[i], f"2024-02-{i + 1:02d}", flags[i]) for i in range(6)]
    for i in range(3, 6):
        patients[i] = (patients[i][0], patients[i][1], "Ib", "2")
    data = _trial(protocol, patients, dlt)
    first = _decide(protocol, data, "2024-02-03")["ph1b-dose"]
    assert first.state is DoseState.ESCALATE
    assert isinstance(first.detail, DoseDecision)
    assert first.detail.next_level == "2"
    second = _decide(protocol, data, "2024-02-06")["ph1b-dose"]
    assert second.state is DoseState.DEESCALATE  # 2 of 3 at level 2 >= 0.359 x 3
    assert isinstance(second.detail, DoseDecision)
    assert second.detail.next_level == "1"


def test_boin_takes_no_decision_before_the_cohort_is_complete() -> None:
    """Cohorts of 3, target 0.3 (lambda_e = 0.236, lambda_d = 0.359, Liu & Yuan 2015
    Table 1): 0/3 at level 1 escalates; at level 2 one DLT in the first 2 patients (0.5)
    decides nothing — the cohort is not complete — and 1/3 (0.333) then stays."""
    protocol = _protocol(PH1B2)
    patients = [(f"B{i}", f"2024-01-{i + 1:02d}", "Ib", "1" if i < 3 else "2") for i in range(6)]
    flags = ["N", "N", "N", "Y", "N", "N"]
    levels = ["1", "1", "1", "2", "2", "2"]
    dlt = [(f"B{i}", levels[i], f"2024-02-{i + 1:02d}", flags[i]) for i in range(6)]
    data = _trial(protocol, patients, dlt)
    mid = _decide(protocol, data, "2024-02-05")["ph1b-dose"]
    assert mid.state is DoseState.COHORT_OPEN
    assert isinstance(mid.detail, DoseDecision)
    assert (mid.detail.current, mid.detail.next_level) == ("2", None)
    assert "2 of 3 patients evaluable, 1 DLT so far" in mid.detail.reason
    dates = look_dates(derive(data, protocol, date(2024, 2, 5)), protocol)
    (entry,) = (
        e for e in log_entries(protocol, dates, date(2024, 2, 5), 6) if e.rule_id == "ph1b-dose"
    )
    assert (entry.title, entry.counts) == ("Cohort in progress", "level 2: 2 evaluable, 1 DLT")
    done = _decide(protocol, data, "2024-02-06")["ph1b-dose"]
    assert done.state is DoseState.STAY


def test_three_plus_three_closes_levels_without_claiming_an_elimination() -> None:
    """3+3 has no elimination rule: 2 DLTs in 3 at level 2 de-escalate to level 1 (the
    textbook rule), and levels 2 and 3 are closed as exceeding the MTD, never "eliminated"
    (BOIN's word) nor in the "Dose eliminated" state."""
    base = _protocol(PH1B2)
    rule = base.dose_finding[0]
    assert isinstance(rule, DoseFindingRule)
    protocol = replace(base, dose_finding=(replace(rule, method="3+3"),))
    patients = [(f"B{i}", f"2024-01-{i + 1:02d}", "Ib", "1" if i < 3 else "2") for i in range(6)]
    flags = ["N", "N", "N", "Y", "Y", "N"]
    levels = ["1", "1", "1", "2", "2", "2"]
    dlt = [(f"B{i}", levels[i], f"2024-02-{i + 1:02d}", flags[i]) for i in range(6)]
    decision = _decide(protocol, _trial(protocol, patients, dlt), "2024-02-06")["ph1b-dose"]
    assert decision.state is DoseState.DEESCALATE
    detail = decision.detail
    assert isinstance(detail, DoseDecision)
    assert detail.next_level == "1"
    assert [(h.level, h.eliminated, h.decision) for h in detail.levels] == [
        ("-1", False, ""),
        ("1", False, "escalate"),
        ("2", True, "closed: exceeds the MTD"),
        ("3", True, "closed: exceeds the MTD"),
    ]
    facts = {f.label: f.value for f in decision.facts()}
    assert facts["Dose level 2"] == "3 evaluable, 2 DLTs; closed: exceeds the MTD"
    assert "ELIMINATED" not in str(decision.facts())


_DISAGREE = re.compile(
    r"\b1 (responders|non-responders|DLTs|events|patients)\b"
    r"|\b(0|[2-9]|\d\d+) (responder|non-responder|DLT|event)\b(?!s)"
    r"|no count|(?P<stratum>cohort \w+): (?P=stratum)",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("name", "scenario"),
    [(PEDS, "futility"), (PEDS, "toxicity_stop"), (PH1B2, "on_track"), (MRD, "futility")],
)
def test_decision_words_agree_in_number_and_name_a_stratum_once(name: str, scenario: str) -> None:
    """Every card fact, sentence, verdict line and monitoring-log entry: no "1 responders",
    "4 DLT", "stop at no count" or "cohort 2: Cohort 2" (the stratum's label already names
    it)."""
    protocol = _protocol(name)
    status = trial_status(protocol, derive(generate(protocol, scenario, seed=0), protocol))
    v = verdict(status)
    texts = [v.title, v.sentence]
    for d in status.decisions:
        texts += [d.name, d.headline, d.sentence, *d.key_facts]
        texts += [f"{f.label}: {f.value}" for f in d.facts()]
    texts += [f"{e.title} ({e.counts})" for look in status.looks for e in look.entries]
    bad = [t for t in texts if _DISAGREE.search(t)]
    assert bad == []
    names = {d.rule_id: d.name for d in status.decisions}
    if name == PEDS:
        assert names["c2-deescalation"] == (
            "Dose: De-escalation for excessive toxicity — Cohort 2: inotuzumab ozogamicin + "
            "augmented mBFM"
        )
    if name == PH1B2:  # the label does not start with the stratum: both are said
        assert names["ph1b-dose"].endswith(" — cohort Ib: Phase Ib: dose escalation")


def test_mrd_rule_counts_a_negative_sample_within_the_window_only() -> None:
    protocol = _protocol(MRD)
    patients = [("M1", "2024-01-01", None, None), ("M2", "2024-01-01", None, None)]
    mrd = [("M1", "2024-01-29", 0.005), ("M2", "2024-03-15", 0.0)]  # M2: day 74 > 56
    data = _trial(protocol, patients, mrd=mrd)
    decision = _decide(protocol, data, "2024-03-20")["mrd-negativity"]
    stage1 = decision.detail.stage1  # type: ignore[attr-defined]
    assert (stage1.responders, stage1.non_responders, stage1.pending) == (1, 1, 0)


def _mrd_days(protocol: Protocol, data: TrialData, day: str) -> dict[str, date | None]:
    """Each patient's day of MRD response by the protocol's rule (None: no response)."""
    dates = look_dates(derive(data, protocol, date.fromisoformat(day)), protocol)
    assert dates.detail is not None
    days = dates.detail.mrd_negative["mrd-negativity"]
    return {
        str(i): None if d == np.iinfo(np.int64).max else pd.Timestamp(int(d)).date()
        for i, d in zip(dates.ids, days, strict=True)
    }


def test_mrd_negative_sample_before_the_first_dose_does_not_hide_a_later_one() -> None:
    """M1 is enrolled on 1 January and first dosed on 10 January: its negative screening
    sample of 5 January is outside the window (from the first dose to day 56) and must not
    cancel the negative sample of 1 February, which makes M1 a responder."""
    protocol = _protocol(MRD)
    patients = [("M1", "2024-01-01", None, None)]
    mrd = [("M1", "2024-01-05", 0.0), ("M1", "2024-02-01", 0.0)]
    data = _trial(protocol, patients, mrd=mrd)
    data.patients["first_dose_date"] = pd.to_datetime(["2024-01-10"])
    assert _mrd_days(protocol, data, "2024-03-20") == {"M1": date(2024, 2, 1)}
    decision = _decide(protocol, data, "2024-03-20")["mrd-negativity"]
    stage1 = decision.detail.stage1  # type: ignore[attr-defined]
    assert (stage1.responders, stage1.non_responders) == (1, 0)


def test_mrd_negativity_needs_an_assay_that_reaches_the_protocol_threshold() -> None:
    """The protocol's threshold is 0.01 %. Undetectable (0) on an assay whose own threshold
    is 0.1 % says only "below 0.1 %": not negative at 0.01 %; on a 0.001 % assay it is.
    A quantified 0.005 % is below 0.01 % whatever the stated threshold; an undetectable
    value with no stated threshold cannot be placed (docs/methods.md, "MRD response")."""
    protocol = _protocol(MRD)
    ids = ["coarse", "fine", "quantified", "unstated_zero", "unstated_value"]
    patients = [(i, "2024-01-01", None, None) for i in ids]
    mrd = [
        ("coarse", "2024-01-29", 0.0, 0.1),
        ("fine", "2024-01-29", 0.0, 0.001),
        ("quantified", "2024-01-29", 0.005, 0.01),
        ("unstated_zero", "2024-01-29", 0.0, None),
        ("unstated_value", "2024-01-29", 0.005, None),
    ]
    data = _trial(protocol, patients, mrd=mrd)
    responded = {k for k, v in _mrd_days(protocol, data, "2024-03-20").items() if v}
    assert responded == {"fine", "quantified", "unstated_value"}


def test_status_json_lists_every_decision_with_its_stratum(tmp_path: Path) -> None:
    db = tmp_path / "peds.sqlite"
    run = [sys.executable, "-m", "monitoring"]
    subprocess.run(
        [*run, "demo", "--db", str(db), "--protocol", PEDS, "--scenario", "toxicity_stop"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [*run, "status", "--db", str(db), "--user", "dsmb", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    decisions = json.loads(out.stdout)["decisions"]
    assert [(d["rule_id"], d["scope"], d["state"]) for d in decisions] == [
        ("c1-crcri", {"cohort": "1"}, "stage2"),
        ("c2-deescalation", {"cohort": "2"}, "stop_toxicity"),
        ("c1-vod", {"cohort": "1"}, "continue"),
        ("c2-vod", {"cohort": "2"}, "continue"),
    ]


@pytest.mark.parametrize("name", [PEDS, PH1B2, MRD, "aall1732-randomized"])
def test_every_assumed_number_is_said_in_the_file(name: str) -> None:
    protocol = _protocol(name)
    assert {rule_id for rule_id, _, _ in protocol.assumptions()} == {r.id for r in protocol.rules}


def test_the_randomized_design_is_complete_and_its_assumptions_read() -> None:
    """Seed 004 (AALL1732): every design number is stated (alpha, power, HR, allocation,
    spending, fractions, strata), the planned events are computed from them, not typed in
    (no ``planned_events`` key), and the rule's assumption reaches ``assumptions()``, the
    Design page's warning and the report's methods page."""
    from monitoring.protocol import GroupSequentialRule

    (rule,) = _protocol("aall1732-randomized").efficacy
    assert isinstance(rule, GroupSequentialRule)
    assert rule.planned_events is None
    assert (rule.alpha, rule.power, rule.hazard_ratio, rule.allocation_ratio) == (
        0.025, 0.8, 0.5, 1.0
    )  # fmt: skip
    assert (rule.efficacy_spending, rule.futility_spending, rule.futility_gamma) == (
        "obrien_fleming", "hsd", -2.0
    )  # fmt: skip
    assert rule.information_fractions == (0.25, 0.5, 0.75, 1.0)
    assert rule.strata == ("risk_group", "cns_status")
    assert rule.assumption is not None
    assert "HR 0.5" in rule.assumption


def test_a_status_with_dose_rules_pickles_for_the_dashboard_cache() -> None:
    """The dashboard caches the status (pickled): a dose decision's lazily built path of
    dose levels must survive it, and read the same after."""
    import pickle

    protocol = _protocol(PEDS)
    status = trial_status(protocol, derive(generate(protocol, "on_track", seed=0), protocol))
    again = pickle.loads(pickle.dumps(status))
    before = next(d for d in status.decisions if d.rule_id == "c2-deescalation").detail
    after = next(d for d in again.decisions if d.rule_id == "c2-deescalation").detail
    assert isinstance(before, DoseDecision)
    assert isinstance(after, DoseDecision)
    assert after.path == before.path
    assert len(after.path) == 19  # the 19 treated cohort-2 patients, one level each
