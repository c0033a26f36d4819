"""Decision cards of the rules: verdict in words, colour, the numbers behind it.

One card draws any rule's decision (``monitoring.rules.interface.RuleDecision``): words,
severity and evidence come from the rule's kind and ``monitoring.vocabulary``, as in the
reports and the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.components import Tone, decision_card
from monitoring import vocabulary
from monitoring.rules.interface import RuleDecision
from monitoring.vocabulary import Severity

TONES: dict[Severity, Tone] = {
    Severity.OK: Tone.GO,
    Severity.INFO: Tone.INFO,
    Severity.ATTENTION: Tone.WAIT,
    Severity.STOP: Tone.STOP,
}


def tone(state: vocabulary.State) -> Tone:
    """The card colour of a state's severity."""
    return TONES[vocabulary.severity(state)]


def rule_card(decision: RuleDecision) -> None:
    """One rule's card: its name, the decision's headline on its colour, the evidence,
    what the next look needs, and the sentence to read aloud."""
    facts = [(f.label, f.value) for f in decision.facts()]
    decision_card(
        decision.name,
        decision.headline,
        TONES[decision.severity],
        decision.sentence,
        facts,
    )


def rule_cards(decisions: Sequence[RuleDecision], empty: str) -> None:
    """Every decision as a card, two per row; ``empty`` is said when there is none."""
    if not decisions:
        st.info(empty)
        return
    for start in range(0, len(decisions), 2):
        columns = st.columns(2)
        for column, decision in zip(columns, decisions[start : start + 2], strict=False):
            with column:
                rule_card(decision)
