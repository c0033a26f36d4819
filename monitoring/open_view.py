"""What the open view (investigators, sponsor, the OPEN report) may see of a trial's status.

A decision that reveals results by a protocol's ``closed_by`` column — a comparison of arms,
or a rule scoped to one arm — is shown in the closed view only; the open view keeps its card
(the rule exists and is monitored) with the state ``closed`` and no number from it.
"""

from __future__ import annotations

from dataclasses import replace

from monitoring.disclosure import Disclosure
from monitoring.protocol import Protocol
from monitoring.status import TrialStatus
from monitoring.vocabulary import Severity

WITHHELD = "Closed: shown to the DSMB"

ARM_COLUMNS = {"randomization": ("arm_received",)}
"""Columns of the imported tables that tell a patient's arm besides the ``closed_by``
column ``arm`` itself: closed whenever ``arm`` is."""


def closed_columns(protocol: Protocol, table: str) -> tuple[str, ...]:
    """The columns of ``table`` the open view never shows: the protocol's ``closed_by``
    columns and, when ``arm`` is one, the arm a patient received (``randomization``)."""
    extra = ARM_COLUMNS.get(table, ()) if "arm" in protocol.closed_by else ()
    return (*protocol.closed_by, *extra)


def compares_arms(protocol: Protocol, rule_id: str, kind: str, scope: dict[str, str]) -> bool:
    """Whether a rule's decision reveals results by a ``closed_by`` column: a comparison of
    arms (``group_sequential``) when ``arm`` is closed, or a rule scoped to a closed value."""
    if kind == "group_sequential" and "arm" in protocol.closed_by:
        return True
    return any(column in protocol.closed_by for column in scope)


def withheld(status: TrialStatus) -> TrialStatus:
    """The status as the open view may see it: the decision, log entries and kind-specific
    detail of every rule that reveals results by a ``closed_by`` column are withheld (a card
    that says so, no numbers), and so are the typed decisions of those rules (``efficacy``
    and the predictive probability of the first Simon rule, ``toxicity``, each look's
    first-rule columns)."""
    protocol = status.protocol
    hidden = {
        d.rule_id
        for d in status.decisions
        if compares_arms(protocol, d.rule_id, d.kind, dict(d.scope))
    }
    if not hidden:
        return status
    decisions = tuple(
        replace(
            d,
            state=Disclosure.CLOSED,
            severity=Severity.INFO,
            headline=WITHHELD,
            sentence=(
                "This rule compares results by a closed column "
                f"({', '.join(protocol.closed_by)}); its decision is in the closed view only."
            ),
            evidence=(),
            key_facts=(),
            next_look=None,
            crossing=None,
            detail=None,
        )
        if d.rule_id in hidden
        else d
        for d in status.decisions
    )
    simon = protocol.simon
    efficacy_hidden = simon is not None and simon.id in hidden
    primary = protocol.primary_toxicity
    toxicity_hidden = primary is not None and primary.id in hidden
    looks = tuple(
        replace(
            look,
            efficacy_state=None if efficacy_hidden else look.efficacy_state,
            toxicity_events=None if toxicity_hidden else look.toxicity_events,
            toxicity_boundary=None if toxicity_hidden else look.toxicity_boundary,
            toxicity_state=None if toxicity_hidden else look.toxicity_state,
            entries=tuple(
                replace(e, state=Disclosure.CLOSED, title=WITHHELD, counts="closed")
                if e.rule_id in hidden
                else e
                for e in look.entries
            ),
        )
        for look in status.looks
    )
    toxicity = tuple(
        d
        for rule, d in zip(protocol.toxicity, status.toxicity, strict=True)
        if rule.id not in hidden
    )
    return replace(
        status,
        decisions=decisions,
        looks=looks,
        efficacy=None if efficacy_hidden else status.efficacy,
        predictive=None if efficacy_hidden else status.predictive,
        toxicity=toxicity,
        withheld_rules=frozenset(hidden),
    )
