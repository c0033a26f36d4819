"""Every rule kind this version evaluates, by the name a protocol file gives it.

A protocol's ``rule = "..."`` must name a kind here; the protocol loader refuses any other
(``monitoring.protocol.EVALUATED_RULE_KINDS`` equals this table's keys: a test checks it).
To add a kind: its rule dataclass and reader in ``monitoring/protocol.py``, a module in
``monitoring/rules/`` implementing ``monitoring.rules.interface.RuleKind``, its states'
words in ``monitoring/vocabulary.py``, and one entry below (docs/methods.md).
"""

from __future__ import annotations

from typing import Any

from monitoring.protocol import EfficacyRule, GroupSequentialRule, SimonRule, ToxicityRule
from monitoring.rules.group_sequential import GROUP_SEQUENTIAL
from monitoring.rules.interface import RuleKind
from monitoring.rules.simon_two_stage import SIMON_TWO_STAGE
from monitoring.rules.thall_simon_estey import THALL_SIMON_ESTEY

Rule = EfficacyRule | ToxicityRule

RULE_KINDS: dict[str, RuleKind[Any, Any]] = {
    SIMON_TWO_STAGE.name: SIMON_TWO_STAGE,
    THALL_SIMON_ESTEY.name: THALL_SIMON_ESTEY,
    GROUP_SEQUENTIAL.name: GROUP_SEQUENTIAL,
}
_BY_TYPE: dict[type, RuleKind[Any, Any]] = {
    SimonRule: SIMON_TWO_STAGE,
    ToxicityRule: THALL_SIMON_ESTEY,
    GroupSequentialRule: GROUP_SEQUENTIAL,
}


def kind_of(rule: Rule) -> RuleKind[Any, Any]:
    """The kind that evaluates ``rule`` (KeyError for a kind this version lacks: the
    protocol loader refuses such a rule before it gets here)."""
    return _BY_TYPE[type(rule)]
