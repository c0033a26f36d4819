"""Report sections "Disposition" (enrolment and disposition, the randomization tables of a
trial with arms: ``monitoring.analyses.randomization``, by arm in the closed version, arms
pooled in the open one when ``arm`` is a closed column) and "Efficacy" (stage-1 tally, best
overall response
(``monitoring.analyses.response``), rates, predictive probability; in the closed version
also remission by each closed breakdown column."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pandas as pd

from monitoring.analyses.efficacy_extras import efficacy_extras
from monitoring.analyses.mrd import MrdListing
from monitoring.analyses.randomization import CountTable, for_view, randomization_tables
from monitoring.analyses.response import (
    BestResponseTable,
    ResponseSummary,
    RuleRates,
    response_tables,
)
from monitoring.analyses.treatment import SecondaryRates
from monitoring.derive import Derivation
from monitoring.estimates import PredictiveProbability, RateEstimate
from monitoring.protocol import Protocol
from monitoring.reports.blocks import quantity_table, text
from monitoring.reports.document import Block, CellValue, Column, ColumnKind, Section, Table
from monitoring.status import TrialStatus
from monitoring.wording import counted


def disposition_table(derivation: Derivation) -> Table:
    """Enrolled, treated, evaluable and response status of all treated patients."""
    counts, tally = derivation.evaluable, derivation.overall
    rows: tuple[tuple[str, CellValue], ...] = (
        ("Enrolled", counts.enrolled),
        ("Treated (received any dose)", counts.treated),
        ("Evaluable for toxicity", counts.toxicity_evaluable),
        ("Response status known (evaluable for efficacy)", counts.efficacy_evaluable),
        ("Responders", tally.responders),
        ("Non-responders", tally.non_responders),
        ("Pending", tally.pending),
    )
    return quantity_table(
        "Enrolment and disposition",
        rows,
        ColumnKind.INTEGER,
        value_name="Patients",
        note="Responder: any assessment in the remission set; status as of the data cut-off.",
        sheet_name="Disposition",
    )


STAGE1_COLUMNS = (
    Column("Order", ColumnKind.INTEGER),
    Column("Patient"),
    Column("First dose", ColumnKind.DATE),
    Column("Best response"),
    Column("Status"),
)


def _day(value: object) -> CellValue:
    return value.date() if isinstance(value, pd.Timestamp) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def stage1_listing(derivation: Derivation, n1: int) -> Table:
    """The stage-1 cohort, patient by patient, in the rule's order (first n1 treated)."""
    frame = derivation.patients.set_index("patient_id").loc[list(derivation.stage1_ids)]
    rows = tuple(
        (
            order,
            str(pid),
            _day(first_dose),
            _text(best),
            str(status).replace("_", "-"),
        )
        for order, (pid, first_dose, best, status) in enumerate(
            zip(
                frame.index,
                frame["first_dose_date"],
                frame["best_response"],
                frame["simon_status"],
                strict=True,
            ),
            start=1,
        )
    )
    tally = derivation.stage1
    return Table(
        f"Stage-1 tally: the first {counted(n1, 'treated patient')}",
        STAGE1_COLUMNS,
        rows,
        note=(
            f"{counted(tally.responders, 'responder')}, "
            f"{counted(tally.non_responders, 'non-responder')}, "
            f"{tally.pending} pending among {tally.total} treated so far of {n1}."
        ),
        sheet_name="Stage 1",
    )


RATE_COLUMNS = (
    Column("Estimate"),
    Column("x", ColumnKind.INTEGER),
    Column("n", ColumnKind.INTEGER),
    Column("Observed", ColumnKind.PERCENT),
    Column("Posterior mean", ColumnKind.PERCENT),
    Column("Credible low", ColumnKind.PERCENT),
    Column("Credible high", ColumnKind.PERCENT),
    Column("Exact low", ColumnKind.PERCENT),
    Column("Exact high", ColumnKind.PERCENT),
)


def rates_table(
    rates: Sequence[RateEstimate],
    title: str = "Remission and response rates",
    denominator: str = "n: treated patients whose status is known.",
    sheet_name: str = "Rates",
) -> Table:
    """Rates with the Beta-posterior credible interval and the Clopper-Pearson interval."""
    rows = tuple(
        (
            r.label,
            r.x,
            r.n,
            r.proportion,
            r.posterior_mean,
            r.credible.low,
            r.credible.high,
            r.exact.low,
            r.exact.high,
        )
        for r in rates
    )
    first = rates[0]
    return Table(
        title,
        RATE_COLUMNS,
        rows,
        note=(
            f"{first.level:.0%} equal-tailed credible interval of the Beta posterior under the "
            f"{first.prior.label} prior (protocol setting), beside the exact Clopper-Pearson "
            f"{first.level:.0%} interval. {denominator}"
        ),
        sheet_name=sheet_name,
    )


def rule_rates_table(rates: RuleRates) -> Table:
    """A rule's endpoint rates on its own patients: among evaluable, then among treated."""
    estimates = [
        *(
            dataclasses.replace(r.among_evaluable, label=f"{r.title}, evaluable")
            for r in rates.rates
        ),
        *(dataclasses.replace(r.among_treated, label=f"{r.title}, treated") for r in rates.rates),
    ]
    table = rates_table(estimates, rates.title, sheet_name=f"Rates {rates.rule_id}"[:31])
    note = f"{rates.note} 'Evaluable': outcome known; 'treated': pending count as not (yet)."
    return dataclasses.replace(table, note=note)


def secondary_table(rates: SecondaryRates) -> Table:
    """The protocol's secondary rates (HSCT, MRD among responders)."""
    return rates_table(rates.rates, rates.title, rates.note, "Transplant and MRD")


MRD_COLUMNS = (
    Column("Patient"),
    Column("Sample date", ColumnKind.DATE),
    Column("Method"),
    Column("Time point"),
    Column("MRD %"),
    Column("Assay threshold %"),
    Column("Negative below %"),
    Column("Negative"),
)


def mrd_listing_table(listing: MrdListing) -> Table:
    """Every MRD result by the cut-off: date, method, value, thresholds, negative yes/no."""
    rows = tuple(
        (
            r.patient_id,
            r.sample_date,
            r.method,
            r.timepoint,
            f"{r.value_pct:g}",
            None if r.assay_pct is None else f"{r.assay_pct:g}",
            f"{r.threshold_pct:g}",
            "yes" if r.negative else "no",
        )
        for r in listing.rows
    )
    title = f"{listing.title} ({counted(len(rows), 'result')})"
    return Table(title, MRD_COLUMNS, rows, note=listing.note, sheet_name="MRD results")


def predictive_table(p: PredictiveProbability) -> Table:
    """Predictive probabilities; the counts they rest on are in the note."""
    rows: tuple[tuple[str, CellValue], ...] = (
        ("Probability of passing stage 1", p.stage1_probability),
        ("Probability of meeting the final criterion", p.probability),
    )
    return Table(
        "Predictive probability of success",
        (Column("Quantity"), Column("Probability", ColumnKind.NUMBER, 4)),
        rows,
        note=(
            f"Exact beta-binomial predictive probability (Lee & Liu 2008) under the posterior "
            f"Beta({p.posterior.a:g}, {p.posterior.b:g}) from the prior {p.prior.label}: "
            f"passing stage 1 (more than {p.r1} of {p.n1} respond) and then more than {p.r} "
            f"of {p.n}. Still unknown: {p.stage1_unknown} stage-1 and {p.later_unknown} later "
            f"patients; {p.stage1_needed} more stage-1 and {p.final_needed} more responders "
            "overall are needed."
        ),
        sheet_name="Predictive",
    )


BEST_COLUMNS = (
    Column("Best response"),
    Column("Patients", ColumnKind.INTEGER),
    Column("%", ColumnKind.PERCENT),
    Column("CrI low", ColumnKind.PERCENT),
    Column("CrI high", ColumnKind.PERCENT),
    Column("Exact low", ColumnKind.PERCENT),
    Column("Exact high", ColumnKind.PERCENT),
)


def best_response_table(best: BestResponseTable) -> Table:
    rows = tuple(
        (
            row.category,
            row.estimate.x,
            row.estimate.proportion,
            row.estimate.credible.low,
            row.estimate.credible.high,
            row.estimate.exact.low,
            row.estimate.exact.high,
        )
        for row in best.rows
    )
    return Table(best.title, BEST_COLUMNS, rows, note=best.note, sheet_name="Best response")


GROUP_COLUMNS = (
    Column("Group"),
    Column("Treated", ColumnKind.INTEGER),
    Column("Pending", ColumnKind.INTEGER),
    Column("Remission x", ColumnKind.INTEGER),
    Column("n evaluable", ColumnKind.INTEGER),
    Column("Remission %", ColumnKind.PERCENT),
    Column("CrI low", ColumnKind.PERCENT),
    Column("CrI high", ColumnKind.PERCENT),
)


def _group_row(summary: ResponseSummary) -> tuple[CellValue, ...]:
    rate = summary.remission.among_evaluable
    return (
        summary.group or "all",
        summary.treated,
        summary.pending,
        rate.x,
        rate.n,
        rate.proportion,
        rate.credible.low,
        rate.credible.high,
    )


def response_by(derivation: Derivation, protocol: Protocol, column: str) -> Table:
    """Closed-version breakdown: remission among evaluable patients by ``column``."""
    tables = response_tables(derivation, protocol, by=column)
    return Table(
        f"Remission by {column} (closed)",
        GROUP_COLUMNS,
        tuple(_group_row(g) for g in tables.groups),
        note=f"Breakdown by {column}: closed information, left out of the open version. "
        + tables.note,
        sheet_name=f"Remission by {column}",
    )


def count_table(table: CountTable, closed: bool) -> Table:
    """A randomization table (``CountTable``); header rows (a factor's name) have no counts.
    ``closed``: the title says the table is for the closed version."""
    columns = (Column(""), *(Column(c, ColumnKind.INTEGER) for c in table.columns))
    rows = tuple(
        (
            "    " * r.indent + r.label,
            *(r.counts if r.counts else (None,) * len(table.columns)),
        )
        for r in table.rows
    )
    title = table.title + (" (closed)" if closed else "")
    return Table(title, columns, rows, note=table.note, sheet_name=table.title[:31])


def randomization_blocks(
    derivation: Derivation, protocol: Protocol, closed_columns: Sequence[str]
) -> list[Block]:
    """The randomization tables of a protocol with arms (none otherwise)."""
    tables = randomization_tables(derivation, protocol)
    if tables is None:
        return []
    shown = for_view(tables, protocol, closed="arm" in closed_columns)
    closed = not shown.pooled and "arm" in protocol.closed_by
    return [count_table(t, closed) for t in shown.tables]


def efficacy_section(
    status: TrialStatus, derivation: Derivation, closed_columns: Sequence[str]
) -> Section:
    """Stage-1 tally, best response, rates, predictive probability and, in the closed
    version, remission by each closed column (disposition is a section of its own)."""
    protocol = status.protocol
    blocks: list[Block] = []
    simon = protocol.simon
    if simon is not None:
        blocks.append(stage1_listing(derivation, simon.n1))
    blocks.append(best_response_table(response_tables(derivation, protocol).overall.best_response))
    blocks.append(rates_table((status.remission, status.response)))
    extras = efficacy_extras(derivation, protocol)
    blocks.extend(rule_rates_table(r) for r in extras.rule_rates)
    if extras.secondary is not None:
        blocks.append(secondary_table(extras.secondary))
    if extras.mrd_listing is not None:
        blocks.append(mrd_listing_table(extras.mrd_listing))
    if status.predictive is not None:
        blocks.append(predictive_table(status.predictive))
    else:
        blocks.append(text("No predictive probability: the protocol has no Simon rule."))
    blocks.extend(response_by(derivation, protocol, c) for c in closed_columns)
    return Section("Efficacy", tuple(blocks))
