"""The monitored toxicity (SPEC 3.2) per patient and the ordered outcomes a look consumes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitoring.derive.scope import in_scope, treated_positions
from monitoring.protocol import ToxicityRule


@dataclass(frozen=True)
class ToxicityOutcomes:
    """Toxicity outcome of each evaluable (treated, in-scope) patient, in first-dose order.

    ``outcomes[i]`` is True when the i-th treated patient (by first-dose date, then patient
    id) has had the monitored toxicity by the cut-off; a look at k patients counts
    ``sum(outcomes[:k])``.
    """

    rule_id: str
    patient_ids: tuple[str, ...]
    outcomes: tuple[bool, ...]

    @property
    def evaluable(self) -> int:
        return len(self.outcomes)

    @property
    def events(self) -> int:
        return sum(self.outcomes)

    def events_among_first(self, k: int) -> int:
        """Toxicities among the first ``k`` evaluable patients (all of them if fewer)."""
        return sum(self.outcomes[:k])


def _normal(term: object) -> str:
    return term.strip().casefold() if isinstance(term, str) else ""


def monitored_events(adverse_events: pd.DataFrame, rule: ToxicityRule) -> pd.DataFrame:
    """AE rows that are the monitored toxicity: term in ``rule.terms`` (case-insensitive,
    surrounding spaces ignored), attribution in ``rule.attributions`` (missing attribution
    does not count), grade >= ``rule.min_grade``."""
    wanted = {t.strip().casefold() for t in rule.terms}
    spellings = [t for t in adverse_events["term"].unique() if _normal(t) in wanted]
    mask = (
        adverse_events["term"].isin(spellings).to_numpy(bool)
        & adverse_events["attribution"].isin(rule.attributions).to_numpy(bool)
        & (adverse_events["grade"] >= rule.min_grade).fillna(False).to_numpy(bool)
    )
    return adverse_events.loc[mask]


def monitored_patients(adverse_events: pd.DataFrame, rule: ToxicityRule) -> set[str]:
    """Ids of patients with at least one monitored-toxicity AE."""
    return set(monitored_events(adverse_events, rule)["patient_id"])


def toxicity_outcomes(
    patients: pd.DataFrame, adverse_events: pd.DataFrame, rule: ToxicityRule
) -> ToxicityOutcomes:
    """Outcomes of the rule's evaluable patients (treated, in scope) in first-dose order."""
    rows = treated_positions(patients, among=in_scope(patients, rule.scope))
    ids = patients["patient_id"].to_numpy(object)[rows]
    toxic = monitored_patients(adverse_events, rule)
    return ToxicityOutcomes(
        rule_id=rule.id,
        patient_ids=tuple(str(i) for i in ids),
        outcomes=tuple(i in toxic for i in ids),
    )
