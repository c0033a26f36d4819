"""The one interface every rule kind implements, and the typed decision it returns.

A rule kind (``simon_two_stage``, ``thall_simon_estey``, ...) is a :class:`RuleKind`: it
decides a rule of its kind on the data cut at any day, from the per-patient fact dates of
one derivation (``monitoring.derive.looks.LookDates``), and it describes its own decision
as a :class:`RuleDecision` — state, severity, one plain sentence, the evidence table and
what the next look needs — plus a :class:`LogEntry` for each scheduled look. Everything
that shows decisions (the Overview cards, the monitoring log, ``status --json``, every
report format, the overall verdict) reads these two types only, so a new kind needs a
protocol entry (``monitoring/protocol.py``), a module here, and one line in
``monitoring/rules/registry.py``. docs/methods.md ("Rule interface") walks through it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol as Interface
from typing import TypeVar

from monitoring.derive.looks import LookDates
from monitoring.protocol import Protocol
from monitoring.vocabulary import Severity, State


@dataclass(frozen=True)
class Fact:
    """One row of a decision's evidence table: what is counted and its value, in words."""

    label: str
    value: str


@dataclass(frozen=True)
class Crossing:
    """The first day the data gave a stop, and who was enrolled after that day."""

    crossed_on: date
    enrolled_after: tuple[str, ...]


@dataclass(frozen=True)
class RuleDecision:
    """A rule's decision at a cut-off, in the terms every screen and report prints.

    ``state`` is the kind's own state (its words and severity are in
    ``monitoring.vocabulary``); ``headline`` the card title ("Continue to stage 2");
    ``sentence`` one sentence a DSMB member can read aloud; ``evidence`` the numbers it
    was taken from (the card's table); ``key_facts`` the one or two lines that decide it
    (the overall verdict prints them); ``next_look`` what the next look needs (None when
    nothing is ahead); ``crossing`` when a stop was first reached (stop states only);
    ``detail`` the kind's own typed decision (``EfficacyDecision``, ``ToxicityDecision``)
    for kind-specific views.
    """

    rule_id: str
    kind: str
    name: str
    scope: Mapping[str, str]
    state: State
    severity: Severity
    headline: str
    sentence: str
    evidence: tuple[Fact, ...]
    key_facts: tuple[str, ...]
    next_look: str | None
    crossing: Crossing | None
    detail: object

    @property
    def stopped(self) -> bool:
        return self.severity is Severity.STOP

    def facts(self) -> tuple[Fact, ...]:
        """The evidence, then what the next look needs (unless the evidence says it) and
        the day a stop was first crossed: the table every card and report prints."""
        out = list(self.evidence)
        if self.next_look and not any(f.label.startswith("Next") for f in out):
            out.append(Fact("Next", self.next_look))
        if self.crossing is not None:
            out.append(Fact("Boundary first crossed on", self.crossing.crossed_on.isoformat()))
        return tuple(out)


@dataclass(frozen=True)
class LogEntry:
    """A rule at one scheduled look: its state, the state's title ("Continue to stage 2")
    and the counts behind it, in few words ("3 R / 4 NR / 1 pending", "2 events, stop at
    5")."""

    rule_id: str
    state: State
    title: str
    counts: str


@dataclass(frozen=True)
class RuleContext:
    """What a rule is decided from: the protocol, the fact dates of one derivation and
    the cut-off (any earlier day can be decided from the same dates)."""

    protocol: Protocol
    dates: LookDates
    cutoff: date


R = TypeVar("R", contravariant=True)
D = TypeVar("D")


class RuleKind(Interface[R, D]):
    """A rule kind: evaluation at a day, the stop test, and its own words.

    ``evaluate`` must be a pure function of the rule and the data cut at ``day`` (the
    monitoring log and the crossing search call it for past days); ``stops`` says whether
    a decision is a stop that stays a stop as facts accumulate (the crossing search relies
    on that); ``describe`` and ``log_entry`` turn the kind's decision into the shared
    types (``look``: the number of evaluable patients a scheduled look is at).
    """

    name: str

    def evaluate(self, rule: R, context: RuleContext, day: date) -> D: ...

    def stops(self, decision: D) -> bool: ...

    def describe(
        self, rule: R, decision: D, context: RuleContext, crossing: Crossing | None
    ) -> RuleDecision: ...

    def log_entry(self, rule: R, decision: D, look: int) -> LogEntry: ...
