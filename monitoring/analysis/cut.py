"""Which cut of a trial an analysis is about: trial, cut-off, as-known-on, data version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime


@dataclass(frozen=True)
class Cut:
    """One cut of one trial; frozen and hashable, so front ends can key caches on it.

    ``cutoff`` None: the latest date in the data (SPEC 4). ``as_known_on`` None: the data as
    currently known. ``version`` names the state of the data the cut was taken from (the
    dashboard's cache key: the trial's latest import or correction); it is not read.
    """

    trial_id: str
    cutoff: date | None = None
    as_known_on: datetime | None = None
    version: str = ""

    def at(self, cutoff: date | None) -> Cut:
        """The same trial and data, cut at another day."""
        return replace(self, cutoff=cutoff)
