"""Seeded demo trials (SPEC 6 ``demo``): realistic tables whose decisions are known.

``generate(protocol, scenario, seed)`` returns a ``TrialData`` cut at the scenario's data
date; ``write_tables`` writes it for the importer. A protocol with a Simon rule (the default
trial) has every scenario; a protocol without one (the example protocols) has ``on_track``,
its example trial described in ``monitoring/demo/examples.py``, and the scenarios its
``VARIANTS`` describe (the randomized example: ``early_success``, ``futility``).
"""

from __future__ import annotations

import numpy as np

from monitoring.data_dictionary import TrialData
from monitoring.demo.engine import simulate
from monitoring.demo.examples import (
    EXAMPLES,
    ExampleScenario,
    ExampleScenarioError,
    build_example,
    variants_of,
)
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
    rule has on_track, its example trial (``monitoring/demo/examples.py``), and the
    scenarios of its ``VARIANTS``."""
    scenario = Scenario(scenario)
    available = scenarios_of(protocol)
    if scenario not in available:
        raise ExampleScenarioError(
            f"scenario '{scenario.value}' needs a Simon efficacy rule and protocol "
            f"'{protocol.id}' has none; its demo scenarios: "
            + ", ".join(s.value for s in available)
        )
    rng = np.random.default_rng(seed)
    if protocol.simon is not None:
        plan = BUILDERS[scenario](protocol, rng)
    else:
        plan = build_example(protocol, rng, scenario.value)
    return simulate(plan, protocol, rng)


def scenarios_of(protocol: Protocol) -> tuple[Scenario, ...]:
    """The scenarios the demo can make for ``protocol``: all with a Simon rule, else
    ``on_track`` (the protocol's example trial) and its example variants."""
    if protocol.simon is not None:
        return tuple(Scenario)
    return (Scenario.ON_TRACK, *(Scenario(v) for v in variants_of(protocol)))
