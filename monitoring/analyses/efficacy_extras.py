"""The efficacy tables a protocol asks for beyond the response rates, in one call for the
Efficacy page and the report: remission within cycle windows (Simon rules with
``within_cycles``), the rate of each MRD-response rule, the ``[response] secondary_rates``
(HSCT, MRD among responders) and the MRD results per patient. Each is empty (or None)
where the protocol or the data do not apply, so a trial without them shows nothing new."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.analyses.mrd import MrdListing, mrd_listing, mrd_rule_rates
from monitoring.analyses.response import RuleRates, window_rates
from monitoring.analyses.treatment import SecondaryRates, secondary_rates, treatment_summary
from monitoring.derive import Derivation
from monitoring.protocol import Protocol


@dataclass(frozen=True)
class EfficacyExtras:
    rule_rates: tuple[RuleRates, ...]
    secondary: SecondaryRates | None
    mrd_listing: MrdListing | None


def efficacy_extras(derived: Derivation, protocol: Protocol) -> EfficacyExtras:
    """Window and MRD rule rates, secondary rates and the MRD listing at the cut-off."""
    return EfficacyExtras(
        rule_rates=(*window_rates(derived, protocol), *mrd_rule_rates(derived, protocol)),
        secondary=secondary_rates(treatment_summary(derived, protocol), derived, protocol),
        mrd_listing=mrd_listing(derived, protocol),
    )
