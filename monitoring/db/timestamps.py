"""Timestamps as stored: naive UTC, so that SQLite and PostgreSQL agree to the microsecond."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def to_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC; a naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def as_aware(moment: datetime) -> datetime:
    """A stored naive-UTC timestamp as an aware UTC datetime (for display and JSON)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


Clock = Callable[[], datetime]
"""Reads the time: a writer reads it once it holds the write lock (``transactions``), so a
change that waited for another is dated after it and history still moves forward."""


def read_time(now: datetime | Clock) -> datetime:
    """``now`` itself when it is a time (tests, replays), else the time the clock reads."""
    return now if isinstance(now, datetime) else now()
