"""The ``group_sequential`` rule kind (monitoring/rules/group_sequential.py), end to end.

- The log-rank z and the Cox hazard ratio by arm (monitoring/survival/arms.py) equal R's
  ``survival`` package on a fixed dataset; R's output is recorded below with the exact
  script (R 4.2.2, survival 3.4-0), so R is not needed at run time.
- Time-to-event records at any past day read off one later derivation
  (``monitoring.derive.looks.survival_at``) equal ``time_to_event`` of a full ``derive`` at
  that day, and so do the rule's decisions.
- The AALL1732 demo registers and ``status --json`` carries the rule's decision and looks.
- A dataset whose control arm fails early crosses the efficacy boundary: STOP, with the day
  of the crossing look as the crossing day.
- Every number of a look equals ``evaluate_look`` on the same events and z.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from monitoring.cli import main
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.derive.looks import look_dates, survival_at
from monitoring.derive.time_to_event import time_to_event
from monitoring.designs.group_sequential import evaluate_look
from monitoring.protocol import GroupSequentialRule, Protocol, ProtocolError, load_protocol
from monitoring.rules.evaluation import rule_decisions
from monitoring.rules.group_sequential import (
    GROUP_SEQUENTIAL,
    SequentialDecision,
    design_spec,
    rule_planned_events,
    thresholds,
)
from monitoring.rules.interface import RuleContext
from monitoring.rules.sequential_state import SequentialState
from monitoring.survival.arms import cox_hazard_ratio, logrank_z
from monitoring.vocabulary import Severity
from tests.conftest import PROTOCOL_DIR

AALL = load_protocol(PROTOCOL_DIR / "examples" / "aall1732-randomized.toml")
RULE = AALL.efficacy[0]

# --- log-rank z and Cox HR against R ---------------------------------------------------------
#
# library(survival)
# time  <- c(5, 8, 8, 12, 15, 17, 20, 22, 22, 25, 30, 31, 34, 40, 41, 45, 50, 52, 60, 66,
#            3, 6, 9, 9, 14, 18, 19, 24, 27, 33)
# event <- c(1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0,
#            1, 1, 1, 1, 0, 1, 1, 1, 0, 1)
# arm   <- c(rep(1, 20), rep(0, 10))
# sd <- survdiff(Surv(time, event) ~ arm)
# print(sd$obs, digits = 15); print(sd$exp, digits = 15); print(sd$var, digits = 15)
# print(sd$chisq, digits = 15)
# fit <- coxph(Surv(time, event) ~ arm, ties = "efron",
#              control = coxph.control(eps = 1e-12, iter.max = 100))
# print(coef(fit), digits = 15); print(sqrt(vcov(fit)), digits = 15)
# print(exp(confint(fit)), digits = 15)
#
# Output: obs 8 12; exp 3.85352445345731 16.14647554654269; var[2,2] 2.80038583152048;
# chisq 6.13960378764714; coef -1.19906537050718; se 0.512045780922589;
# exp(confint) 0.110509182762819 0.822444659850106.
TIME = [5, 8, 8, 12, 15, 17, 20, 22, 22, 25, 30, 31, 34, 40, 41, 45, 50, 52, 60, 66]
TIME += [3, 6, 9, 9, 14, 18, 19, 24, 27, 33]
EVENT = [1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0]
EVENT += [1, 1, 1, 1, 0, 1, 1, 1, 0, 1]
ARM = [True] * 20 + [False] * 10


def test_logrank_z_is_survdiff_signed_towards_the_experimental_arm() -> None:
    r = logrank_z(TIME, EVENT, ARM)
    assert r.observed == 12
    assert r.expected == pytest.approx(16.14647554654269, abs=1e-9)
    assert r.variance == pytest.approx(2.80038583152048, abs=1e-9)
    assert r.z is not None
    assert r.z**2 == pytest.approx(6.13960378764714, abs=1e-9)
    assert r.z > 0  # fewer events than expected on the experimental arm
    flipped = logrank_z(TIME, EVENT, [not a for a in ARM])
    assert flipped.z == pytest.approx(-r.z, abs=1e-12)


def test_cox_hazard_ratio_is_coxph_with_efron_ties() -> None:
    hr = cox_hazard_ratio(TIME, EVENT, ARM)
    assert hr is not None
    assert math.log(hr.hr) == pytest.approx(-1.19906537050718, abs=1e-6)
    assert hr.lower == pytest.approx(0.110509182762819, abs=1e-6)
    assert hr.upper == pytest.approx(0.822444659850106, abs=1e-6)


# --- the rule on the AALL1732 demo -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> TrialData:
    return generate(AALL, "on_track", seed=0)


def _days(data: TrialData, n: int = 7) -> list[date]:
    full = derive(data, AALL)
    start = full.patients["enrollment_date"].min().date()
    span = (full.cutoff - start).days
    return [start + timedelta(days=span * k // n) for k in range(1, n + 1)]


@pytest.mark.parametrize("endpoint", ["EFS", "OS", "PFS"])
def test_records_at_past_days_equal_a_full_derivation(demo: TrialData, endpoint: str) -> None:
    dates = look_dates(derive(demo, AALL), AALL)
    for day in _days(demo):
        reference = time_to_event(derive(demo, AALL, day).patients, endpoint, by="arm")
        mine = survival_at(dates, endpoint, day)
        expected = sorted(
            zip(
                reference.patient_ids,
                reference.time,
                reference.event,
                reference.groups,
                strict=True,
            )
        )
        got = sorted(zip(dates.ids[mine.rows], mine.time, mine.event, mine.arms, strict=True))
        assert got == expected


def _decision(
    data: TrialData, protocol: Protocol, day: date, at: date | None = None
) -> SequentialDecision:
    """The rule decided at ``day`` from the dates of a derivation at ``at`` (default ``day``)."""
    derived = derive(data, protocol, at or day)
    context = RuleContext(protocol, look_dates(derived, protocol), derived.cutoff)
    return GROUP_SEQUENTIAL.evaluate(protocol.efficacy[0], context, day)


def test_decisions_at_past_days_equal_a_full_derivation_at_that_day(demo: TrialData) -> None:
    full = derive(demo, AALL)
    for day in _days(demo, 5):
        late = _decision(demo, AALL, day, full.cutoff)
        own = _decision(demo, AALL, day)
        assert late.state is own.state
        assert late.events == own.events
        assert late.arms == own.arms
        assert [(lk.day, lk.result.events, lk.result.z) for lk in late.looks] == [
            (lk.day, lk.result.events, lk.result.z) for lk in own.looks
        ]


def _risk_and_cns(data: TrialData, ids: object) -> list[str]:
    """Each patient's stratum "risk group / CNS status", read here from the baseline rows."""
    value = {
        (r.patient_id, r.characteristic): r.value for r in data.baseline.itertuples(index=False)
    }
    return [f"{value[(i, 'risk_group')]} / {value[(i, 'cns_status')]}" for i in ids]  # type: ignore[attr-defined]


def test_look_numbers_equal_evaluate_look_and_an_independent_logrank(demo: TrialData) -> None:
    """The example rule names ``strata = ["risk_group", "cns_status"]``: each look's z is the
    log-rank z stratified by both (survdiff with ``strata(risk_group, cns_status)``)."""
    assert RULE.strata == ("risk_group", "cns_status")
    d = _decision(demo, AALL, derive(demo, AALL).cutoff)
    assert d.looks, "the demo reaches at least one look"
    planned = rule_planned_events(RULE)
    for k, look in enumerate(d.looks):
        # the z from time_to_event of a full derivation at the look's day
        tte = time_to_event(derive(demo, AALL, look.day).patients, RULE.endpoint, by="arm")
        strata = _risk_and_cns(demo, tte.patient_ids)
        z = logrank_z(tte.time, tte.event, tte.groups == RULE.experimental_arm, strata).z
        assert look.result.z == pytest.approx(z, abs=1e-12)
        assert look.result.events == tte.events
        counts = [lk.result.events for lk in d.looks[: k + 1]]
        expected = evaluate_look(
            design_spec(RULE), planned, counts, look.result.z, RULE.hazard_ratio
        )
        assert look.result == expected
        assert look.result.events >= d.thresholds[k]


def test_demo_registers_and_status_json_shows_the_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "aall.sqlite")
    assert main(["demo", "--db", url, "--protocol", "aall1732-randomized"]) == 0
    capsys.readouterr()
    main(["status", "--db", url, "--trial", AALL.id, "--json"])
    out = json.loads(capsys.readouterr().out)
    (rule,) = [r for r in out["decisions"] if r["kind"] == "group_sequential"]
    assert rule["rule_id"] == "efs-by-arm"
    assert rule["state"] in {s.value for s in SequentialState}
    assert rule["looks"], "the demo reaches a look"
    first = rule["looks"][0]
    assert set(first) >= {"fraction", "z_efficacy", "z_futility", "z", "decision", "alpha_spent"}
    labels = [e["label"] for e in rule["evidence"]]
    assert "Observed z (log-rank)" in labels
    assert "Boundary at this fraction" in labels


# --- a control arm that fails early crosses the efficacy boundary ----------------------------


def _control_fails(data: TrialData) -> TrialData:
    """Every treated control (arm A) patient dies 20 days after the first dose."""
    p = data.patients.copy()
    control = (p["arm"] == "A") & p["first_dose_date"].notna()
    death = p["first_dose_date"] + pd.Timedelta(days=20)
    p.loc[control, "death_date"] = p.loc[control, ["death_date"]].assign(d=death).min(axis=1)
    p.loc[control & p["death_cause"].isna(), "death_cause"] = "disease"
    return dataclasses.replace(data, patients=p)


def test_an_early_failing_control_arm_stops_for_efficacy_on_the_crossing_look(
    demo: TrialData,
) -> None:
    data = _control_fails(demo)
    full = derive(data, AALL)
    dates = look_dates(full, AALL)
    (decision,) = rule_decisions(AALL, dates, full.cutoff)
    assert decision.state is SequentialState.EFFICACY
    assert decision.severity is Severity.STOP
    detail = decision.detail
    assert isinstance(detail, SequentialDecision)
    assert detail.crossed_look is not None
    crossed = detail.looks[detail.crossed_look - 1]
    assert crossed.result.z >= crossed.result.z_efficacy
    assert decision.crossing is not None
    assert decision.crossing.crossed_on == crossed.day
    before = GROUP_SEQUENTIAL.evaluate(
        RULE, RuleContext(AALL, dates, full.cutoff), crossed.day - timedelta(days=1)
    )
    assert before.state is not SequentialState.EFFICACY


# --- protocol keys ---------------------------------------------------------------------------


# The example's rule is stratified by its two stratification factors; tests swap this line.
STRATA = 'strata = ["risk_group", "cns_status"]'


def _with(old: str, new: str) -> str:
    text = (PROTOCOL_DIR / "examples" / "aall1732-randomized.toml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('experimental_arm = "B"', 'experimental_arm = "C"', "experimental_arm"),
        ('control_arm = "A"', 'control_arm = "B"', "control_arm"),
        ("futility_gamma = -2.0", "", "futility_gamma"),
        ("hazard_ratio = 0.5", "hazard_ratio = 1.2", "hazard_ratio"),
        ('endpoint = "EFS"', 'endpoint = "DoR"', "endpoint"),
        (
            'efficacy_spending = "obrien_fleming"',
            'efficacy_spending = "obrien_fleming"\nefficacy_gamma = 1',
            "efficacy_gamma",
        ),
    ],
)
def test_the_rule_keys_are_strict(old: str, new: str, key: str) -> None:
    from monitoring.protocol import parse_protocol

    with pytest.raises(ProtocolError) as info:
        parse_protocol(_with(old, new), "aall.toml")
    assert info.value.key == f"efficacy[0].{key}"


def test_the_example_rule_is_registered_with_its_design() -> None:
    """Planned events of the AALL1732 design equal rpact 3.3.4's:

    d <- getDesignGroupSequential(kMax = 4, alpha = 0.025, beta = 0.2, sided = 1,
      typeOfDesign = "asOF", typeBetaSpending = "bsHSD", gammaB = -2,
      bindingFutility = FALSE, informationRates = c(0.25, 0.5, 0.75, 1))
    getSampleSizeSurvival(d, hazardRatio = 0.5, allocationRatioPlanned = 1,
      lambda2 = log(2) / 12, accrualTime = c(0, 24), followUpTime = 12)$maxNumberOfEvents
    # 70.8899041958728
    """
    assert isinstance(RULE, GroupSequentialRule)
    assert (RULE.experimental_arm, RULE.control_arm) == ("B", "A")
    assert rule_planned_events(RULE) == pytest.approx(70.8899041958728, abs=1e-6)
    assert thresholds(RULE) == (18, 36, 54, 71)


def test_the_boundary_chart_draws_the_recomputed_bounds_and_the_observed_z(
    demo: TrialData,
) -> None:
    from monitoring.charts import sequential_boundary_figure

    d = _decision(demo, AALL, derive(demo, AALL).cutoff)
    fig = sequential_boundary_figure(d)
    traces = {t.name: t for t in fig.data}
    design = d.looks[-1].result.design
    efficacy = traces["Efficacy bound (stop if z at or above)"]
    assert list(efficacy.y) == [lk.z_efficacy for lk in design.looks]
    observed = traces["Observed z at each look reached"]
    assert list(observed.y) == [lk.result.z for lk in d.looks]
    assert list(observed.x) == [lk.result.fraction for lk in d.looks]


def test_a_futility_crossing_is_attention_not_a_stop_and_may_be_left(demo: TrialData) -> None:
    """In the demo, look 1 lies below the non-binding futility bound and look 2 between the
    bounds: at look 1 the rule asks the DSMB (Attention), never a stop, and the next look
    decides again."""
    full = derive(demo, AALL)
    dates = look_dates(full, AALL)
    d = _decision(demo, AALL, full.cutoff)
    first = d.looks[0]
    assert first.result.z_futility is not None
    assert first.result.z <= first.result.z_futility
    (at_first,) = rule_decisions(AALL, dates, first.day)
    assert at_first.state is SequentialState.FUTILITY
    assert at_first.severity is Severity.ATTENTION
    assert at_first.crossing is None
    assert not GROUP_SEQUENTIAL.stops(at_first.detail)
    assert d.state is SequentialState.CONTINUE  # look 2 is between the bounds


# --- a stratified comparison -----------------------------------------------------------------


def test_a_rule_with_strata_uses_the_stratified_logrank_and_cox_model(demo: TrialData) -> None:
    """``strata = ["sex"]``: each look's z is the stratified log-rank z (survdiff with
    ``strata(sex)``, tests/test_survival_compare.py) of a full derivation at that day, and
    the hazard ratio the stratified Cox model; the example rule's z (stratified by risk group
    and CNS status) differs."""
    from monitoring.protocol import parse_protocol

    stratified = parse_protocol(_with(STRATA, 'strata = ["sex"]'), "aall.toml")
    rule = stratified.efficacy[0]
    assert isinstance(rule, GroupSequentialRule)
    assert rule.strata == ("sex",)
    full = derive(demo, stratified)
    d = _decision(demo, stratified, full.cutoff)
    plain = _decision(demo, AALL, full.cutoff)
    assert d.looks
    for look in d.looks:
        patients = derive(demo, stratified, look.day).patients
        tte = time_to_event(patients, rule.endpoint, by="arm")
        sex = patients.set_index("patient_id").loc[list(tte.patient_ids), "sex"].astype(str)
        z = logrank_z(tte.time, tte.event, tte.groups == "B", sex.to_numpy()).z
        assert look.result.z == pytest.approx(z, abs=1e-12)
    assert [lk.result.z for lk in d.looks] != [lk.result.z for lk in plain.looks]
    context = RuleContext(stratified, look_dates(full, stratified), full.cutoff)
    hr = GROUP_SEQUENTIAL.hazard_ratio(rule, context, full.cutoff)
    tte = time_to_event(full.patients, rule.endpoint, by="arm")
    sex = full.patients.set_index("patient_id").loc[list(tte.patient_ids), "sex"].astype(str)
    assert hr == cox_hazard_ratio(tte.time, tte.event, tte.groups == "B", sex.to_numpy())
    facts = GROUP_SEQUENTIAL.evidence(rule, d, context)
    assert "stratified by sex" in facts[0].value


def test_a_rule_may_be_stratified_by_a_baseline_stratification_factor(demo: TrialData) -> None:
    """``strata = ["risk_group", "sex"]``: risk group is a ``[[baseline]]`` stratification
    factor of the example (its value the patient's baseline row, written by the demo), sex a
    patient column; each look's z is the stratified log-rank z with strata "risk / sex"
    built here from the baseline table."""
    from monitoring.protocol import parse_protocol

    stratified = parse_protocol(
        _with(STRATA, 'strata = ["risk_group", "sex"]'),
        "aall.toml",
    )
    rule = stratified.efficacy[0]
    assert isinstance(rule, GroupSequentialRule)
    risk = demo.baseline[demo.baseline["characteristic"] == "risk_group"]
    risk_of = dict(zip(risk["patient_id"], risk["value"], strict=True))
    full = derive(demo, stratified)
    labels = look_dates(full, stratified).strata[rule.id]
    expected = [
        f"{risk_of[i]} / {s}"
        for i, s in zip(full.patients["patient_id"], full.patients["sex"], strict=True)
    ]
    assert labels.tolist() == expected
    d = _decision(demo, stratified, full.cutoff)
    assert d.looks
    for look in d.looks:
        patients = derive(demo, stratified, look.day).patients
        tte = time_to_event(patients, rule.endpoint, by="arm")
        sex = patients.set_index("patient_id").loc[list(tte.patient_ids), "sex"].astype(str)
        strata = [f"{risk_of[i]} / {s}" for i, s in zip(tte.patient_ids, sex, strict=True)]
        z = logrank_z(tte.time, tte.event, tte.groups == "B", strata).z
        assert look.result.z == pytest.approx(z, abs=1e-12)


def test_strata_name_patient_columns_or_baseline_stratification_factors() -> None:
    from monitoring.protocol import parse_protocol

    text = _with(STRATA, 'strata = ["risk_group"]')
    # a declared characteristic that is not a stratification factor is refused
    text = text.replace(
        'categories = ["standard", "high"]\nstratification = true',
        'categories = ["standard", "high"]',
    )
    with pytest.raises(ProtocolError) as info:
        parse_protocol(text, "aall.toml")
    assert info.value.key == "efficacy[0].strata"
    assert "stratification factors of [[baseline]]: cns_status" in str(info.value)


def test_strata_must_be_known_patient_columns() -> None:
    from monitoring.protocol import parse_protocol

    with pytest.raises(ProtocolError) as info:
        parse_protocol(
            _with(STRATA, 'strata = ["weight"]'),
            "aall.toml",
        )
    assert info.value.key == "efficacy[0].strata"


@pytest.mark.parametrize("endpoint", ["EFS", "OS"])
def test_event_counts_by_day_equal_the_records_of_each_day(demo: TrialData, endpoint: str) -> None:
    """``events_by_day`` (the look search) counts what ``comparison`` holds on every fact
    day; EFS counts fall on some days (an induction failure ends when a remission in time is
    dated), so each look is the first day the count reaches its threshold (a scan)."""
    import numpy as np

    from monitoring.derive.looks import events_by_day
    from monitoring.rules.crossing import fact_days
    from monitoring.rules.group_sequential import comparison

    full = derive(demo, AALL)
    dates = look_dates(full, AALL)
    context = RuleContext(AALL, dates, full.cutoff)
    rule = dataclasses.replace(RULE, endpoint=endpoint)
    days = fact_days(dates, full.cutoff)
    assert dates.survival is not None
    among = dates.scopes[RULE.id] & np.isin(dates.survival.arms.astype(str), ["A", "B"])
    fast = events_by_day(dates, endpoint, among, days)
    slow = [comparison(rule, context, day).events for day in days]
    assert fast.tolist() == slow
    for day in days[:: max(1, len(days) // 12)]:  # the arm counts of a decision, likewise
        c = comparison(rule, context, day)
        decided = GROUP_SEQUENTIAL.evaluate(rule, context, day)
        for arm, is_experimental in ((decided.arms[0], True), (decided.arms[1], False)):
            mine = c.experimental == is_experimental
            assert (arm.patients, arm.events) == (int(mine.sum()), int(c.records.event[mine].sum()))
    if endpoint == "EFS":
        assert any(b < a for a, b in itertools.pairwise(slow))
        d = _decision(demo, AALL, full.cutoff)
        for look, mark in zip(d.looks, d.thresholds, strict=False):
            first = next(day for day, n in zip(days, slow, strict=True) if n >= mark)
            assert look.day == first
