"""Where trials come from: a database, or a seeded demo trial generated in memory.

A source lists its trials and reads one trial's state in one snapshot; the
:class:`~monitoring.analysis.analysis.Analysis` does the rest, whatever the source.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol as Interface

from monitoring.analysis.cut import Cut
from monitoring.analysis.state import Reading, TrialState
from monitoring.status import LookRecord


@dataclass(frozen=True)
class TrialEntry:
    """A trial a source holds."""

    id: str
    title: str


class TrialSource(Interface):
    """A database of trials, or the demo."""

    def trials(self) -> tuple[TrialEntry, ...]:
        """The trials held, by id."""
        ...

    def resolve(self, trial_id: str | None) -> str:
        """``trial_id`` checked to exist, or the only trial when None (``UnknownTrialError``)."""
        ...

    def read(self, cut: Cut, reading: Reading) -> AbstractContextManager[TrialState]:
        """The trial's state as known on ``cut.as_known_on``, in one snapshot that stays
        open until the context exits (digests computed beside are read within it)."""
        ...

    def records(self, trial_id: str) -> tuple[LookRecord, ...]:
        """What the source knows now of each look's summary (generated, signed off)."""
        ...
