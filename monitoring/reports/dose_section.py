"""Report blocks of the dose rules (``dose_finding``: BOIN or 3+3; ``dose_deescalation``):
per dose level the patients, evaluable patients, DLTs and the design's last decision there
with its reason; the current level and the recommendation in the note; for BOIN the
boundaries used, at the cohort ends. Only a protocol with dose rules gets them.

Everything comes from the rule's decision (``monitoring.rules.dose_finding.DoseDecision``)
and, for the boundaries, from the design (``boin_boundaries``); nothing is recomputed here.
"""

from __future__ import annotations

from monitoring.designs.dose_finding import boin_boundaries
from monitoring.protocol import DeescalationRule, DoseFindingRule
from monitoring.reports.document import Block, CellValue, Column, ColumnKind, Table
from monitoring.rules.dose_finding import DoseDecision, boin_design
from monitoring.rules.dose_state import DoseState
from monitoring.status import TrialStatus
from monitoring.wording import counted

LEVEL_COLUMNS = (
    Column("Dose level"),
    Column("Treated", ColumnKind.INTEGER),
    Column("Evaluable", ColumnKind.INTEGER),
    Column("DLTs", ColumnKind.INTEGER),
    Column("Decision"),
    Column("Reason"),
)


def _recommendation(d: DoseDecision) -> str:
    if d.state is DoseState.COHORT_OPEN:
        return f"none until the cohort at dose level {d.current} is complete"
    if d.next_level is not None:
        return f"next cohort at dose level {d.next_level}"
    return "no further cohort"


def level_table(
    rule: DoseFindingRule | DeescalationRule, name: str, d: DoseDecision, number: int
) -> Table:
    """One row per dose level of the rule, in the protocol's order."""
    rows: tuple[tuple[CellValue, ...], ...] = tuple(
        (
            h.level,
            len(h.patients),
            h.evaluable,
            h.dlts,
            h.decision or "not used",
            h.reason or None,
        )
        for h in d.levels
    )
    mtd = f" Maximum tolerated dose: level {d.mtd}." if d.mtd is not None else ""
    window = sum(h.in_window for h in d.levels)
    waiting = f" {counted(window, 'patient')} still in the DLT window." if window else ""
    return Table(
        f"Dose levels: {name.removeprefix('Dose: ')}",
        LEVEL_COLUMNS,
        rows,
        note=(
            f"{d.method[:1].upper()}{d.method[1:]}; DLT window {rule.dlt_window_days} days. "
            f"Current dose level "
            f"{d.current}; recommendation: {_recommendation(d)}.{mtd}{waiting} Decision: the "
            "design's last decision after a cohort at the level."
        ),
        sheet_name=f"Dose levels {number}",
    )


def boin_table(rule: DoseFindingRule, number: int) -> Table:
    """BOIN's boundaries at the cohort ends (n = C, 2C, ..., as BOIN's boundary table),
    one column per number of patients at the current dose."""
    b = boin_boundaries(boin_design(rule))
    counts = tuple(Column(f"n = {row.n}", ColumnKind.INTEGER) for row in b.table)
    columns = (Column("DLTs at the dose"), *counts)
    rows: tuple[tuple[CellValue, ...], ...] = (
        ("Escalate if at most", *(row.escalate_if_at_most for row in b.table)),
        ("De-escalate if at least", *(row.deescalate_if_at_least for row in b.table)),
        ("Eliminate if at least", *(row.eliminate_if_at_least for row in b.table)),
    )
    return Table(
        f"BOIN boundaries used (target DLT rate {rule.target:g})",
        columns,
        rows,
        note=(
            f"λe = {b.lambda_e:.3f}, λd = {b.lambda_d:.3f} (Liu & Yuan 2015); a dose is "
            f"eliminated, with every higher dose, when Pr(DLT rate > {rule.target:g}) > 0.95 "
            "with 3 or more patients. Empty: no elimination at that n."
        ),
        sheet_name=f"BOIN boundaries {number}",
    )


def dose_blocks(status: TrialStatus) -> list[Block]:
    """The tables of every dose rule whose decision the status holds (none for a protocol
    without dose rules)."""
    by_id = {d.rule_id: d for d in status.decisions}
    blocks: list[Block] = []
    for number, rule in enumerate(status.protocol.dose_finding, start=1):
        decision = by_id.get(rule.id)
        if decision is None or not isinstance(decision.detail, DoseDecision):
            continue  # withheld
        blocks.append(level_table(rule, decision.name, decision.detail, number))
        if isinstance(rule, DoseFindingRule) and rule.method == "boin":
            blocks.append(boin_table(rule, number))
    return blocks
