"""Audit of every design a protocol declares: exact characteristics beside the printed ones."""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.designs.simon_audit import SimonAudit, audit_rule
from monitoring.designs.toxicity_audit import ToxicityAudit, audit_toxicity_rule
from monitoring.protocol import Protocol, SimonRule


@dataclass(frozen=True)
class ProtocolAudit:
    """The Simon and toxicity audits of one protocol, in protocol order."""

    protocol_id: str
    protocol_version: str
    protocol_digest: str
    simon: tuple[SimonAudit, ...]
    toxicity: tuple[ToxicityAudit, ...]

    @property
    def flagged(self) -> bool:
        """True when any printed figure differs from the exact one at its precision."""
        return any(a.flagged for a in self.simon) or not all(t.matches for t in self.toxicity)


def audit_protocol(protocol: Protocol) -> ProtocolAudit:
    """Audit every Simon rule and every toxicity rule of ``protocol``."""
    return ProtocolAudit(
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        protocol_digest=protocol.digest,
        simon=tuple(audit_rule(r) for r in protocol.efficacy if isinstance(r, SimonRule)),
        toxicity=tuple(audit_toxicity_rule(r) for r in protocol.toxicity),
    )
