"""The full set of analysis tables of one data cut: what the ``tables`` command, the report
and the pages show, computed once from one ``Derivation``."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.analyses.endpoints import SurvivalAnalyses, survival_analyses
from monitoring.analyses.response import ResponseTables, response_tables
from monitoring.analyses.safety import AeTables, ae_tables
from monitoring.analyses.safety_listings import SafetyListings, safety_listings
from monitoring.analyses.treatment import TreatmentSummary, treatment_summary
from monitoring.derive import Derivation
from monitoring.protocol import Protocol


@dataclass(frozen=True, eq=False)
class TableSet:
    """Response, adverse-event, listing, treatment and survival tables at one cut-off."""

    cutoff: str
    enrolled: int
    treated: int
    response: ResponseTables
    adverse_events: AeTables
    listings: SafetyListings
    treatment: TreatmentSummary
    survival: SurvivalAnalyses


def table_set(derived: Derivation, protocol: Protocol, by: str | None = None) -> TableSet:
    """Every table of the analysis plan; ``by`` adds response and survival subgroups."""
    return TableSet(
        cutoff=derived.cutoff.isoformat(),
        enrolled=derived.evaluable.enrolled,
        treated=derived.evaluable.treated,
        response=response_tables(derived, protocol, by),
        adverse_events=ae_tables(derived, protocol),
        listings=safety_listings(derived, protocol),
        treatment=treatment_summary(derived, protocol),
        survival=survival_analyses(derived, protocol.survival, by),
    )
