"""Timestamps as stored: naive UTC, so that SQLite and PostgreSQL agree to the microsecond."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(moment: datetime) -> datetime:
    """``moment`` as naive UTC; a naive input is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def as_aware(moment: datetime) -> datetime:
    """A stored naive-UTC timestamp as an aware UTC datetime (for display and JSON)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
