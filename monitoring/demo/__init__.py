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
from monitoring.demo.detail import add_detail
from monitoring.demo.engine import simulate
from monitoring.demo.examples import (
    EXAMPLES,
    ExampleScenario,
    ExampleScenarioError,
    build_example,
    example_scenarios,
    scenario_for,
)
from monitoring.demo.pack import add_pack
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
        names = ", ".join(s.value for s in available)
        raise ExampleScenarioError(
            f"protocol '{protocol.id}' has no demo scenario '{scenario.value}'; its demo "
            f"scenarios: {names}"
        )
    rng = np.random.default_rng(seed)
    if _is_example(protocol):
        data = simulate(build_example(protocol, rng, scenario), protocol, rng)
        data = add_detail(data, protocol, scenario_for(protocol, scenario).detail, rng)
    else:
        data = simulate(BUILDERS[scenario](protocol, rng), protocol, rng)
    return add_pack(data, protocol, seed)


def _is_example(protocol: Protocol) -> bool:
    """An example trial: a protocol described in ``monitoring/demo/examples.py``, or any
    protocol without a Simon rule (the generic example)."""
    return protocol.id in EXAMPLES or protocol.simon is None


def scenarios_of(protocol: Protocol) -> tuple[Scenario, ...]:
    """The scenarios the demo can make for ``protocol``: an example protocol's own
    (``on_track`` and its variants, ``monitoring/demo/examples.py``), else all of them
    for a protocol with a Simon rule, else ``on_track`` (the generic example)."""
    if _is_example(protocol):
        return example_scenarios(protocol)
    return tuple(Scenario)
