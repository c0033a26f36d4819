"""Rules as plug-ins: any number of rules of any kind, each optionally scoped to a stratum,
decided through one interface and shown generically.

Reference values are never typed in: a rule scoped to a cohort must decide exactly as the
same rule, unscoped, decides on that cohort's patients alone (``derive`` + the kind's pure
decision function); a new kind registered at run time shows up in the status, the verdict
and the monitoring log without any other change.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date
from typing import Any, cast

import pandas as pd
import pytest

from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import (
    EVALUATED_RULE_KINDS,
    EfficacyRule,
    Protocol,
    SimonRule,
    ToxicityRule,
    Unit,
    load_protocol,
)
from monitoring.rules import registry
from monitoring.rules.efficacy import EfficacyDecision, efficacy_decision
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.rules.toxicity import ToxicityDecision, toxicity_decision
from monitoring.status import trial_status
from monitoring.verdict import verdict
from monitoring.vocabulary import Severity
from tests.conftest import PROTOCOL_DIR

DEFAULT = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")


def test_every_kind_the_protocol_accepts_is_registered() -> None:
    assert set(registry.KINDS) == EVALUATED_RULE_KINDS
    for name in registry.KINDS:
        assert registry.kind_named(name).name == name


def _prefixed(data: TrialData, prefix: str, cohort: str) -> TrialData:
    """The trial's rows with patient ids prefixed and every patient in ``cohort``."""

    def rename(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out["patient_id"] = prefix + out["patient_id"].astype(str)
        return out

    patients = rename(data.patients)
    patients["cohort"] = cohort
    return TrialData(patients, rename(data.responses), rename(data.adverse_events))


def _joined(*parts: TrialData) -> TrialData:
    return TrialData(
        *(
            pd.concat([getattr(p, name) for p in parts], ignore_index=True)
            for name in ("patients", "responses", "adverse_events")
        )
    )


def _two_cohorts() -> Protocol:
    """The default protocol with two cohorts, a Simon rule and a toxicity rule in each."""
    simon, tox = DEFAULT.efficacy[0], DEFAULT.toxicity[0]
    assert isinstance(simon, SimonRule)
    return dataclasses.replace(
        DEFAULT,
        max_patients=2 * (DEFAULT.max_patients or 0),
        cohorts=(Unit("A", "Relapsed"), Unit("B", "Refractory")),
        efficacy=tuple(
            dataclasses.replace(simon, id=f"remission-{c}", scope={"cohort": c}) for c in "AB"
        ),
        toxicity=tuple(dataclasses.replace(tox, id=f"vod-{c}", scope={"cohort": c}) for c in "AB"),
    )


TWO = _two_cohorts()
# Cohort A follows the futility scenario, cohort B the toxicity-stop scenario (seed 003's
# demo scenarios), so each cohort's rules decide differently.
COHORT_A = _prefixed(generate(DEFAULT, "futility", seed=5), "A-", "A")
COHORT_B = _prefixed(generate(DEFAULT, "toxicity_stop", seed=6), "B-", "B")
BOTH = _joined(COHORT_A, COHORT_B)
CUTOFF = min(derive(COHORT_A, DEFAULT).cutoff, derive(COHORT_B, DEFAULT).cutoff)


def _alone(data: TrialData) -> tuple[EfficacyDecision, ToxicityDecision]:
    """The default (unscoped) rules decided on one cohort's patients alone."""
    derived = derive(data, DEFAULT, CUTOFF)
    simon = DEFAULT.simon
    assert simon is not None
    treated = min(derived.evaluable.treated, simon.n)
    eff = efficacy_decision(simon, derived.stage1, derived.simon_cohort, treated)
    tox = toxicity_decision(DEFAULT.toxicity[0], derived.toxicity[0].outcomes)
    return eff, tox


def test_each_scoped_rule_decides_as_the_same_rule_on_its_cohort_alone() -> None:
    status = trial_status(TWO, derive(BOTH, TWO, CUTOFF))
    by_id = {d.rule_id: d for d in status.decisions}
    assert list(by_id) == ["remission-A", "remission-B", "vod-A", "vod-B"]
    for cohort, data in (("A", COHORT_A), ("B", COHORT_B)):
        eff, tox = _alone(data)
        assert by_id[f"remission-{cohort}"].detail == eff
        assert by_id[f"vod-{cohort}"].detail == tox
        assert by_id[f"remission-{cohort}"].scope == {"cohort": cohort}
    # The two cohorts' decisions differ, so the test can tell them apart.
    assert by_id["remission-A"].state != by_id["remission-B"].state or (
        by_id["vod-A"].state != by_id["vod-B"].state
    )


def test_the_verdict_names_the_scoped_rule_that_drives_it() -> None:
    status = trial_status(TWO, derive(BOTH, TWO, CUTOFF))
    v = verdict(status)
    top = max(status.decisions, key=lambda d: d.severity)
    assert v.severity is top.severity
    assert v.code in {d.rule_id for d in status.decisions if d.severity is v.severity} | {
        "enrolled_after_stop",
        "beyond_maximum",
        "summary_due",
    }
    names = [f.source for f in v.decisions]
    stratum_a, stratum_b = "cohort A: Relapsed", "cohort B: Refractory"
    assert any(stratum_a in n for n in names)
    assert any(stratum_b in n for n in names)


def test_every_look_logs_every_rule() -> None:
    status = trial_status(TWO, derive(BOTH, TWO, CUTOFF))
    reached = [look for look in status.looks if look.reached]
    assert reached
    for look in reached:
        assert [e.rule_id for e in look.entries] == ["remission-A", "remission-B", "vod-A", "vod-B"]


# A kind this product does not ship, registered by a test: the interface is all it needs.


class FloorState(enum.Enum):
    ABOVE = "above"
    BELOW = "below"


@dataclasses.dataclass(frozen=True)
class ResponderFloor:
    """Toy rule: stop once fewer than ``floor`` responders are possible among all treated."""

    id: str
    label: str
    floor: int
    scope: dict[str, str]


class ResponderFloorKind:
    name = "responder_floor"

    def evaluate(self, rule: ResponderFloor, context: RuleContext, day: date) -> int:
        from monitoring.derive.looks import look_counts

        return look_counts(context.dates, context.protocol, day).overall.responders

    def stops(self, decision: int) -> bool:
        return False

    def describe(
        self, rule: ResponderFloor, decision: int, context: RuleContext, crossing: Crossing | None
    ) -> RuleDecision:
        state = FloorState.ABOVE if decision >= rule.floor else FloorState.BELOW
        severity = Severity.OK if state is FloorState.ABOVE else Severity.ATTENTION
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=rule.label,
            scope=rule.scope,
            state=cast(Any, state),
            severity=severity,
            headline=f"Responders {state.value} the floor",
            sentence=f"{decision} responders against a floor of {rule.floor}.",
            evidence=(Fact("Responders", str(decision)),),
            key_facts=(f"{decision} responders",),
            next_look=None,
            crossing=crossing,
            detail=decision,
        )

    def log_entry(self, rule: ResponderFloor, decision: int, look: int) -> LogEntry:
        return LogEntry(rule.id, cast(Any, FloorState.ABOVE), "Above", f"{decision} R")


@pytest.fixture
def floor_kind(monkeypatch: pytest.MonkeyPatch) -> ResponderFloorKind:
    kind = ResponderFloorKind()
    monkeypatch.setitem(registry._BY_TYPE, ResponderFloor, kind)
    return kind


def test_a_new_kind_needs_only_its_module_and_a_registry_entry(
    floor_kind: ResponderFloorKind,
) -> None:
    rule = ResponderFloor("floor", "Responder floor", floor=10_000, scope={})
    protocol = dataclasses.replace(DEFAULT, efficacy=(*DEFAULT.efficacy, cast(EfficacyRule, rule)))
    data = generate(DEFAULT, "on_track", seed=1)
    status = trial_status(protocol, derive(data, protocol))
    floor = next(d for d in status.decisions if d.rule_id == "floor")
    responders = derive(data, DEFAULT).overall.responders
    assert floor.sentence == f"{responders} responders against a floor of 10000."
    assert floor.severity is Severity.ATTENTION
    v = verdict(status)
    assert any(f.code == "floor" for f in v.decisions)
    reached = [look for look in status.looks if look.reached]
    assert all("floor" in [e.rule_id for e in look.entries] for look in reached)


def test_efficacy_rules_are_listed_before_toxicity_rules() -> None:
    status = trial_status(DEFAULT, derive(generate(DEFAULT, "on_track", seed=1), DEFAULT))
    kinds = [d.kind for d in status.decisions]
    assert kinds == ["simon_two_stage"] + ["thall_simon_estey"] * len(DEFAULT.toxicity)
    assert isinstance(status.protocol.toxicity[0], ToxicityRule)


def test_a_protocol_without_rules_or_maximum_still_schedules_its_summaries() -> None:
    """Summaries are due every ``summary_every`` treated patients whatever the rules (SPEC
    6.2): without a planned maximum the log runs to the treated so far and the next look."""
    bare = dataclasses.replace(DEFAULT, efficacy=(), toxicity=(), max_patients=None)
    data = generate(DEFAULT, "on_track", seed=1)
    status = trial_status(bare, derive(data, bare))
    every = bare.reporting.summary_every
    assert status.decisions == ()
    assert [look.evaluable for look in status.looks] == list(
        range(every, (status.treated // every + 1) * every + 1, every)
    )
    assert [look.reached for look in status.looks] == [
        look.evaluable <= status.treated for look in status.looks
    ]
    assert status.looks[-1].reached is False
