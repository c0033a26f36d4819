"""Where the trial data come from: the database named by ``TRIAL_MONITORING_DB``.

One module hides the data source from the pages. A URL ``demo:<scenario>`` (for example
``demo:on_track`` or ``demo:large``) serves a seeded demo trial generated in memory, which
tests and benchmarks use to start without a database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from monitoring.demo import generate
from monitoring.protocol import Protocol, load_protocol
from monitoring.tables import TrialData

ENV_VAR = "TRIAL_MONITORING_DB"
DEMO_PREFIX = "demo:"
DEMO_SCENARIO = "on_track"
DEFAULT_PROTOCOL = Path(__file__).resolve().parent.parent / "data/protocols/ino-lowdose-ph2.toml"


@dataclass(frozen=True)
class TrialEntry:
    """A trial the source holds."""

    id: str
    title: str


@dataclass(frozen=True)
class LoadedTrial:
    """A trial's protocol and its data as known on a date."""

    protocol: Protocol
    data: TrialData


def database_url() -> str:
    """``TRIAL_MONITORING_DB`` if set, else the in-memory demo trial."""
    return os.environ.get(ENV_VAR) or f"{DEMO_PREFIX}{DEMO_SCENARIO}"


def is_demo(url: str) -> bool:
    return url.startswith(DEMO_PREFIX)


def _demo_protocol() -> Protocol:
    return load_protocol(DEFAULT_PROTOCOL)


def list_trials(url: str) -> tuple[TrialEntry, ...]:
    """Trials in the source, by id."""
    protocol = _demo_protocol()
    return (TrialEntry(protocol.id, protocol.short_title or protocol.title),)


def load_trial(url: str, trial_id: str, as_known_on: datetime | None) -> LoadedTrial:
    """The trial's protocol and data (as known on ``as_known_on``; None: now)."""
    protocol = _demo_protocol()
    scenario = url.removeprefix(DEMO_PREFIX) if is_demo(url) else DEMO_SCENARIO
    return LoadedTrial(protocol, generate(protocol, scenario, seed=0))


def data_version(url: str, trial_id: str) -> str:
    """Latest import or correction time of the trial: part of every cache key."""
    return "demo"
