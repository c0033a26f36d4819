"""Seeded demo trials (SPEC 6 ``demo``): realistic tables whose decisions are known.

``generate(protocol, scenario, seed)`` returns a ``TrialData`` cut at the scenario's data
date; ``write_tables`` writes it for the importer.
"""

from __future__ import annotations

import numpy as np

from monitoring.data_dictionary import TrialData
from monitoring.demo.engine import simulate
from monitoring.demo.scenarios import BUILDERS, SETTINGS, DemoSettings, Scenario, toxicity_boundary
from monitoring.demo.writer import write_tables
from monitoring.protocol import Protocol

__all__ = [
    "SETTINGS",
    "DemoSettings",
    "Scenario",
    "generate",
    "toxicity_boundary",
    "write_tables",
]


def generate(protocol: Protocol, scenario: Scenario | str, seed: int = 0) -> TrialData:
    """The demo trial of ``scenario`` under ``protocol``; the same seed gives the same
    tables. Scenarios: on_track, accrual_suspended, futility, toxicity_stop,
    early_success, large (see docs/methods.md, "Demo data")."""
    rng = np.random.default_rng(seed)
    plan = BUILDERS[Scenario(scenario)](protocol, rng)
    return simulate(plan, protocol, rng)
