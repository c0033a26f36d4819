"""The monitoring log as one table: a row per scheduled look, a column per rule.

Every screen that prints the log (the Overview, every report format, ``status``) takes its
rows from here, so a protocol with any number of rules, of any kind, logs them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from monitoring import vocabulary
from monitoring.status import ScheduledLook, TrialStatus


@dataclass(frozen=True)
class LogRow:
    """One scheduled look: each rule's state and counts on the day it was reached
    (``cells``, in the order of :func:`log_rules`; empty before it is reached) and where its
    summary stands."""

    number: int
    evaluable: int
    reached_on: date | None
    cells: tuple[str, ...]
    summary: str
    generated_on: date | None
    signed_off_by: str | None
    recommendation: str | None = None


def log_rules(status: TrialStatus) -> tuple[str, ...]:
    """The rules' names, one per column, in the order of ``TrialStatus.decisions``."""
    return tuple(d.name for d in status.decisions)


def _row(status: TrialStatus, look: ScheduledLook) -> LogRow:
    by_id = {e.rule_id: e for e in look.entries}
    cells = []
    for decision in status.decisions:
        entry = by_id.get(decision.rule_id)
        cells.append("" if entry is None else f"{entry.title} ({entry.counts})")
    record = look.record
    return LogRow(
        number=look.number,
        evaluable=look.evaluable,
        reached_on=look.reached_on,
        cells=tuple(cells),
        summary=vocabulary.title(look.summary),
        generated_on=record.generated_at.date() if record and record.generated_at else None,
        signed_off_by=record.signed_off_by if record else None,
        recommendation=record.recommendation if record else None,
    )


def log_rows(status: TrialStatus) -> tuple[LogRow, ...]:
    """Every scheduled look up to the planned maximum, reached or not."""
    return tuple(_row(status, look) for look in status.looks)
