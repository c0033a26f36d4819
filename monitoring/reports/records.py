"""What a report records about itself and what a regenerated report may know.

Report rows and look sign-offs are stored by :mod:`monitoring.db.looks`. This module adds
the two rules the report command needs: the file digest recorded with each report, and
the monitoring log as it stood at a moment, so that a regenerated report prints the log
its original printed (not the later generations and sign-offs, its own included).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from monitoring.status import LookRecord


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (the ``content_digest`` of a report row)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _as_of(record: LookRecord, before: datetime) -> LookRecord | None:
    generated = record.generated_at is not None and record.generated_at < before
    signed = record.signed_off_at is not None and record.signed_off_at < before
    if not generated and not signed:
        return None
    return replace(
        record,
        generated_at=record.generated_at if generated else None,
        generated_by=record.generated_by if generated else None,
        signed_off_at=record.signed_off_at if signed else None,
        signed_off_by=record.signed_off_by if signed else None,
        recommendation=record.recommendation if signed else None,
    )


def records_as_of(records: Sequence[LookRecord], before: datetime) -> tuple[LookRecord, ...]:
    """The look records as they stood just before ``before`` (aware datetimes).

    A look's first generation and latest sign-off are kept only if they happened before
    that moment; a look with neither is dropped.
    """
    kept = (_as_of(record, before) for record in records)
    return tuple(record for record in kept if record is not None)
