"""A seeded demo trial generated in memory, without a database (``demo:<scenario>``):
tests and benchmarks of the pages use it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from monitoring.analysis.cut import Cut
from monitoring.analysis.source import TrialEntry
from monitoring.analysis.state import Reading, TrialState
from monitoring.errors import UnknownTrialError
from monitoring.protocol import DEFAULT_TRIAL_ID, Protocol, bundled_protocol, load_protocol
from monitoring.status import LookRecord


@cache
def demo_protocol() -> Protocol:
    """The default protocol (``data/protocols``): the demo trial's."""
    return load_protocol(bundled_protocol(DEFAULT_TRIAL_ID))


@dataclass(frozen=True)
class DemoSource:
    """One demo trial of the default protocol, scenario ``scenario``, seed 0."""

    scenario: str

    def trials(self) -> tuple[TrialEntry, ...]:
        protocol = demo_protocol()
        return (TrialEntry(protocol.id, protocol.short_title or protocol.title),)

    def resolve(self, trial_id: str | None) -> str:
        known = demo_protocol().id
        if trial_id not in (None, known):
            raise UnknownTrialError(str(trial_id), (known,))
        return known

    def records(self, trial_id: str) -> tuple[LookRecord, ...]:
        return ()

    @contextmanager
    def read(self, cut: Cut, reading: Reading) -> Iterator[TrialState]:
        """The generated data (every row whatever ``reading``; nothing is known "before")."""
        protocol = demo_protocol()
        self.resolve(cut.trial_id)
        from monitoring.demo import generate  # the generator loads on the demo's first read

        yield TrialState(protocol.id, protocol, generate(protocol, self.scenario, seed=0))
