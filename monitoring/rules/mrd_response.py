"""Rule kind ``mrd_response``: MRD negativity with a Simon two-stage futility rule.

A treated patient of the rule's scope responds on the day of the first sample by the rule's
method with MRD below its threshold (default flow, 0.01 %) within ``within_days`` of the
first dose; without one, the patient is a non-responder once the window has passed or
treatment ended earlier (``monitoring.derive.detail_dates``). Patients are counted in
first-dose order; the decision is the curtailed Simon rule of
``monitoring.rules.efficacy.efficacy_decision``, said as the Simon kind says it.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import numpy.typing as npt

from monitoring.derive.cutoff import as_timestamp
from monitoring.protocol import MrdRule
from monitoring.rules.efficacy import EfficacyDecision, ResponseCounts, efficacy_decision
from monitoring.rules.interface import Crossing, Fact, LogEntry, RuleContext, RuleDecision
from monitoring.rules.simon_two_stage import SIMON_TWO_STAGE


def mrd_counts(
    rule: MrdRule, context: RuleContext, day: date
) -> tuple[ResponseCounts, ResponseCounts, int]:
    """Stage-1 counts (first n1 treated), counts of the first n treated, and treated (≤ n)."""
    dates = context.dates
    if dates.detail is None:
        raise ValueError("these look dates hold no MRD data (no mrd_response rule)")
    t = as_timestamp(day).value
    treated = (dates.enrolled <= t) & (dates.first_dose <= t) & dates.scopes[rule.id]
    rows = np.flatnonzero(treated)
    rows = rows[np.lexsort((dates.ids[rows], dates.first_dose[rows]))]
    responder = dates.detail.mrd_negative[rule.id] <= t
    failed = (dates.detail.mrd_failed[rule.id] <= t) & ~responder

    def tally(chosen: npt.NDArray[np.intp]) -> ResponseCounts:
        r = int(responder[chosen].sum())
        f = int(failed[chosen].sum())
        return ResponseCounts(r, f, len(chosen) - r - f)

    return tally(rows[: rule.n1]), tally(rows[: rule.n]), min(len(rows), rule.n)


_RESPONDER = re.compile(r"responder(s?)\b")
"""The Simon kind's word for a responder, singular or plural, said of MRD negativity."""


class MrdResponse:
    """``rule = "mrd_response"`` in ``[[efficacy]]``."""

    name = "mrd_response"

    def evaluate(self, rule: MrdRule, context: RuleContext, day: date) -> EfficacyDecision:
        stage1, cohort, treated = mrd_counts(rule, context, day)
        return efficacy_decision(rule.simon(), stage1, cohort, treated)

    def stops(self, decision: EfficacyDecision) -> bool:
        return SIMON_TWO_STAGE.stops(decision)

    def describe(
        self, rule: MrdRule, decision: EfficacyDecision, context: RuleContext,
        crossing: Crossing | None,
    ) -> RuleDecision:  # fmt: skip
        simon = SIMON_TWO_STAGE.describe(rule.simon(), decision, context, crossing)
        definition = Fact(
            "MRD response",
            f"{rule.method} MRD below {rule.threshold_pct:g} % within {rule.within_days} days "
            "of the first dose; without it, non-responder when the window ends or treatment "
            "stops",
        )
        evidence = (definition, *simon.evidence)
        return RuleDecision(
            rule_id=rule.id,
            kind=self.name,
            name=simon.name,
            scope=rule.scope,
            state=simon.state,
            severity=simon.severity,
            headline=simon.headline,
            sentence=_RESPONDER.sub(r"MRD-negative patient\1", simon.sentence),
            evidence=evidence,
            key_facts=tuple(_RESPONDER.sub("MRD-negative", k) for k in simon.key_facts),
            next_look=simon.next_look,
            crossing=crossing,
            detail=decision,
        )

    def log_entry(self, rule: MrdRule, decision: EfficacyDecision, look: int) -> LogEntry:
        entry = SIMON_TWO_STAGE.log_entry(rule.simon(), decision, look)
        return LogEntry(rule.id, entry.state, entry.title, entry.counts.replace(" R ", " MRD− "))


MRD_RESPONSE = MrdResponse()
