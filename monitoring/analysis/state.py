"""What one read of a trial holds: protocol, rows, monitoring log and provenance, all from
one state of the source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum

from monitoring.data_dictionary import TrialData
from monitoring.dataset_findings import DatasetFinding
from monitoring.protocol import Protocol
from monitoring.status import LookRecord


class Reading(Enum):
    """How much of the rows a read brings into memory.

    ``ALL``: every row (tables, listings, quality, reports, pages). ``DECISIONS``: only the
    adverse events that can be a monitored toxicity, and no exposure, disposition or
    laboratory rows (no rule reads them); the default cut-off and those tables' digests are
    computed by the database over every row, so the status has the same cut-off and data
    digest as a full read, faster on large trials.
    """

    ALL = "all"
    DECISIONS = "decisions"


@dataclass(frozen=True, eq=False)
class TrialState:
    """One trial as one snapshot of its source holds it.

    ``latest``: the latest date over every row when the source computed it (reading
    ``DECISIONS``), else None (derived from ``data``). ``table_digests``: digests of tables
    of which ``data`` holds only some rows (``monitoring.status.trial_status``).
    """

    trial_id: str
    protocol: Protocol
    data: TrialData
    records: tuple[LookRecord, ...] = ()
    batch: int | None = None
    chain_head: str | None = None
    latest: date | None = None
    table_digests: Mapping[str, str] | None = None
    dataset_findings: tuple[DatasetFinding, ...] = ()
