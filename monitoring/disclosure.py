"""The state of a decision the reader's view does not show (open view, closed results)."""

from __future__ import annotations

from enum import StrEnum


class Disclosure(StrEnum):
    """A decision withheld from the open view (``monitoring.analysis.access.as_seen``)."""

    CLOSED = "closed"
