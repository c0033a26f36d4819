"""Seeded demo trials (SPEC 6 ``demo``): realistic tables whose decisions are known.

``generate(protocol, scenario, seed)`` returns a ``TrialData`` cut at the scenario's data
date; ``write_tables`` writes it for the importer. A protocol with a Simon rule (the default
trial) has every scenario; a protocol without one (the example protocols) has one,
``on_track``: its example trial, described in ``monitoring/demo/examples.py``.
"""

from __future__ import annotations

import numpy as np

from monitoring.data_dictionary import TrialData
from monitoring.demo.engine import simulate
from monitoring.demo.examples import EXAMPLES, ExampleScenario, ExampleScenarioError, build_example
from monitoring.demo.scenarios import BUILDERS, SETTINGS, DemoSettings, Scenario, toxicity_boundary
from monitoring.demo.writer import write_tables
from monitoring.protocol import Protocol

__all__ = [
    "EXAMPLES",
    "SETTINGS",
    "DemoSettings",
    "ExampleScenario",
    "ExampleScenarioError",
    "Scenario",
    "generate",
    "scenarios_of",
    "toxicity_boundary",
    "write_tables",
]


def generate(protocol: Protocol, scenario: Scenario | str, seed: int = 0) -> TrialData:
    """The demo trial of ``scenario`` under ``protocol``; the same seed gives the same
    tables. Scenarios: on_track, accrual_suspended, futility, toxicity_stop,
    early_success, large (see docs/methods.md, "Demo data"); a protocol without a Simon
    rule has on_track only, its example trial (``monitoring/demo/examples.py``)."""
    scenario = Scenario(scenario)
    if scenario not in scenarios_of(protocol):
        raise ExampleScenarioError(
            f"scenario '{scenario.value}' needs a Simon efficacy rule and protocol "
            f"'{protocol.id}' has none; its demo has scenario '{Scenario.ON_TRACK.value}' only"
        )
    rng = np.random.default_rng(seed)
    build = BUILDERS[scenario] if protocol.simon is not None else build_example
    return simulate(build(protocol, rng), protocol, rng)


def scenarios_of(protocol: Protocol) -> tuple[Scenario, ...]:
    """The scenarios the demo can make for ``protocol``: all with a Simon rule, else
    ``on_track`` (the protocol's example trial)."""
    return tuple(Scenario) if protocol.simon is not None else (Scenario.ON_TRACK,)
