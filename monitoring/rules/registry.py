"""Every rule kind this version evaluates, by the name a protocol file gives it.

A protocol's ``rule = "..."`` must name a kind here; the protocol loader refuses any other
(``monitoring.protocol.EVALUATED_RULE_KINDS`` equals this table's names: a test checks it).
Each kind's module is imported the first time a rule of that kind is decided, so a trial
whose protocol has no group-sequential rule never loads the group-sequential libraries.
To add a kind: its rule dataclass and reader in ``monitoring/protocol.py``, a module in
``monitoring/rules/`` implementing ``monitoring.rules.interface.RuleKind``, its states'
words in ``monitoring/vocabulary.py``, and one entry below (docs/methods.md).
"""

from __future__ import annotations

import importlib
from typing import Any

from monitoring.protocol import (
    DeescalationRule,
    DoseFindingRule,
    DoseRule,
    EfficacyRule,
    GroupSequentialRule,
    MrdRule,
    SimonRule,
    ToxicityRule,
)
from monitoring.rules.interface import RuleKind

Rule = EfficacyRule | DoseRule | ToxicityRule

# name -> (the protocol's rule type, "module:attribute" of the kind that decides it)
KINDS: dict[str, tuple[type, str]] = {
    "simon_two_stage": (SimonRule, "monitoring.rules.simon_two_stage:SIMON_TWO_STAGE"),
    "thall_simon_estey": (ToxicityRule, "monitoring.rules.thall_simon_estey:THALL_SIMON_ESTEY"),
    "group_sequential": (GroupSequentialRule, "monitoring.rules.group_sequential:GROUP_SEQUENTIAL"),
    "mrd_response": (MrdRule, "monitoring.rules.mrd_response:MRD_RESPONSE"),
    "dose_finding": (DoseFindingRule, "monitoring.rules.dose_finding:DOSE_FINDING"),
    "dose_deescalation": (DeescalationRule, "monitoring.rules.dose_finding:DOSE_DEESCALATION"),
}
_BY_TYPE: dict[type, RuleKind[Any, Any]] = {}  # kinds loaded so far


def _load(target: str) -> RuleKind[Any, Any]:
    module, attribute = target.split(":")
    kind: RuleKind[Any, Any] = getattr(importlib.import_module(module), attribute)
    return kind


def kind_named(name: str) -> RuleKind[Any, Any]:
    """The kind a protocol calls ``name`` (KeyError for a name this version lacks)."""
    rule_type, target = KINDS[name]
    if rule_type not in _BY_TYPE:
        _BY_TYPE[rule_type] = _load(target)
    return _BY_TYPE[rule_type]


def kind_of(rule: Rule) -> RuleKind[Any, Any]:
    """The kind that evaluates ``rule`` (KeyError for a kind this version lacks: the
    protocol loader refuses such a rule before it gets here)."""
    rule_type = type(rule)
    if rule_type not in _BY_TYPE:
        name = next(n for n, (t, _) in KINDS.items() if t is rule_type)
        return kind_named(name)
    return _BY_TYPE[rule_type]
