"""Report sections "Safety" (the dose rules' levels and decisions, monitored-toxicity events
against the stopping boundaries, as a table and the dashboard's chart, then the adverse-event
tables) and "Listings" (deaths,
serious adverse events, monitored events).

Boundaries come from the rule (``stopping_boundaries``), the events at each reached look
from the live decision (``ToxicityDecision.looks``); nothing is recomputed here.
"""

from __future__ import annotations

from monitoring.analyses.safety import ae_tables
from monitoring.analyses.safety_listings import safety_listings
from monitoring.charts.static import BoundaryChart
from monitoring.derive import Derivation
from monitoring.designs.toxicity import ToxicityPlan, stopping_boundaries
from monitoring.protocol import ToxicityRule
from monitoring.reports.blocks import chart, optional_float
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Figure,
    Section,
    Table,
)
from monitoring.reports.dose_section import dose_blocks
from monitoring.reports.lab_section import LabBlocks
from monitoring.reports.safety_section import ae_blocks, listing_blocks
from monitoring.rules.toxicity import ToxicityDecision
from monitoring.series import toxicity_path
from monitoring.status import TrialStatus
from monitoring.wording import counted

BOUNDARY_COLUMNS = (
    Column("Evaluable patients", ColumnKind.INTEGER),
    Column("Stop if events >=", ColumnKind.INTEGER),
    Column("Posterior at boundary", ColumnKind.NUMBER, 4),
    Column("Events among first n", ColumnKind.INTEGER),
    Column("Boundary crossed"),
)


def _crossed(reached: bool, crossed: bool) -> str | None:
    if not reached:
        return None
    return "yes" if crossed else "no"


def boundary_table(rule: ToxicityRule, decision: ToxicityDecision, number: int = 1) -> Table:
    """One row per look of the rule: its boundary and, once reached, the events there."""
    bounds = stopping_boundaries(ToxicityPlan.from_rule(rule))
    reached = {look.n: look for look in decision.looks}
    rows: list[tuple[CellValue, ...]] = []
    for boundary in (*bounds.interim, bounds.final):
        look = reached.get(boundary.n)
        is_final = boundary is bounds.final
        rows.append(
            (
                boundary.n,
                None if is_final else boundary.stop_at,
                None if is_final else optional_float(boundary.posterior_at_stop),
                look.events if look else None,
                _crossed(look is not None, bool(look and look.crossed)),
            )
        )
    return Table(
        f"{rule.label}: events against the stopping boundaries",
        BOUNDARY_COLUMNS,
        tuple(rows),
        note=(
            f"Stop at a look if Pr(p > {rule.threshold:g} | data) > {rule.confidence:g} under "
            f"the Beta({rule.prior_a:g}, {rule.prior_b:g}) prior; boundaries computed from the "
            f"rule. The last row ({counted(rule.nmax, 'patient')}) is the end of the trial, "
            "where no stopping boundary applies. Currently "
            f"{counted(decision.events, 'event')} among "
            f"{counted(decision.evaluable, 'evaluable patient')}."
        ),
        sheet_name=f"Toxicity boundaries {number}",
    )


BOUNDARY_HEIGHT = 320  # CSS px: shorter than the dashboard's 440, for the pack's page budget


def boundary_chart(
    rule: ToxicityRule, derivation: Derivation, index: int, decision: ToxicityDecision
) -> Figure:
    """The dashboard's boundary chart: cumulative events against the stopping boundaries."""
    path = toxicity_path(rule, derivation.toxicity[index], decision)
    return chart(
        f"{rule.label}: cumulative events and stopping boundaries",
        BoundaryChart(path, titled=False, height=BOUNDARY_HEIGHT),
        "Cumulative events among the first k evaluable patients; markers: the boundary at "
        "each look (stop if events reach it).",
    )


def safety_section(
    status: TrialStatus, derivation: Derivation, title: str, labs: LabBlocks | None = None
) -> Section:
    """The dose rules' tables (where the protocol has any); per toxicity rule: boundary table
    and chart; the eDISH chart and the SOS/VOD cases; the AE tables (all, serious, related);
    the laboratory shift tables."""
    labs = labs or LabBlocks()
    blocks: list[Block] = dose_blocks(status)
    indices = {r.id: i for i, r in enumerate(status.protocol.toxicity)}
    for rule, decision in status.toxicity_rules():
        index = indices[rule.id]
        blocks.append(boundary_table(rule, decision, index + 1))
        blocks.append(boundary_chart(rule, derivation, index, decision))
    blocks += labs.hepatic
    blocks += ae_blocks(ae_tables(derivation, status.protocol))
    blocks += labs.shifts
    return Section(title, tuple(blocks))


def listings_section(
    status: TrialStatus,
    derivation: Derivation,
    title: str,
    listing_limit: int | None = None,
    deaths: bool = True,
) -> Section:
    """Deaths (unless ``deaths`` is False), serious adverse events and the monitored events
    of each toxicity rule."""
    listings = safety_listings(derivation, status.protocol)
    return Section(title, tuple(listing_blocks(listings, listing_limit, deaths)))
