"""Trial-conduct blocks of the meeting pack: the disposition diagram and counts, accrual by
site and month against plan (Disposition), the baseline table (Baseline characteristics),
exposure and dose intensity (Exposure) and the deaths with early mortality (Safety).

They arrange the tables of :mod:`monitoring.analyses.conduct`; nothing is computed here.
"""

from __future__ import annotations

import dataclasses

from monitoring.analyses.conduct import (
    Accrual,
    BaselineTable,
    Deaths,
    Exposure,
    accrual,
    baseline_table,
    deaths,
    disposition,
    exposure,
)
from monitoring.charts.conduct import AccrualChart, FlowChart
from monitoring.derive import Derivation
from monitoring.protocol import Protocol
from monitoring.reports.blocks import chart, optional_float
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Excerpt,
    Joint,
    Merge,
    RowStyle,
    Table,
)
from monitoring.reports.efficacy_section import count_table
from monitoring.reports.safety_section import excerpt
from monitoring.wording import counted

ACCRUAL_TABLE_PRINTED = False
"""Print the accrual by site and month (a row per month) in the PDF and DOCX; False: the
chart and the compact table by site (:func:`site_table`), the table by month in the XLSX,
to keep the meeting pack short."""


def disposition_blocks(derivation: Derivation, protocol: Protocol, closed: bool) -> list[Block]:
    """The flow diagram, its counts (per group in the closed view) and the accrual."""
    flow = disposition(derivation, protocol, closed)
    grouped = len(flow.table.columns) > 1
    counts = count_table(flow.table, closed and grouped)
    diagram = chart(
        "Patient disposition",
        FlowChart(flow, titled=False),
        "CONSORT-style flow of the enrolled patients at the data cut-off; status of the "
        "treated patients: died, withdrew consent, lost to follow-up, completed the study, "
        "else in follow-up." + ("" if grouped else " The counts are in the XLSX workbook."),
    )
    # Without groups the diagram holds every count: the table goes to the workbook only.
    blocks: list[Block] = (
        [diagram, counts] if grouped else [dataclasses.replace(diagram, data=counts)]
    )
    enrolment = accrual(derivation, protocol)
    if enrolment.months:
        table = accrual_table(enrolment)
        figure = chart(
            "Accrual against the plan",
            AccrualChart(enrolment, titled=False),
            "Patients enrolled per calendar month and cumulative"
            + (
                f", against {enrolment.planned_per_month:g} planned per month."
                if enrolment.planned_per_month
                else " (the protocol sets no planned accrual)."
            )
            + ("" if ACCRUAL_TABLE_PRINTED else " By site and month: the XLSX workbook."),
        )
        if ACCRUAL_TABLE_PRINTED:
            blocks += [table, figure]
        else:
            blocks += [dataclasses.replace(figure, data=table), site_table(enrolment)]
    return blocks


def site_table(enrolment: Accrual) -> Table:
    """One row per site: patients enrolled, first and last month of enrolment; then all
    sites (the compact accrual by site of the PDF and DOCX; by month: the XLSX)."""
    rows: list[tuple[CellValue, ...]] = []
    for index, (site, total) in enumerate(zip(enrolment.sites, enrolment.site_totals, strict=True)):
        span = enrolment.site_span(index)
        rows.append((site, total, *(span or (None, None))))
    months = [m.month for m in enrolment.months if m.total]
    rows.append(
        ("All sites", enrolment.enrolled, *((months[0], months[-1]) if months else (None, None)))
    )
    return Table(
        f"Accrual by site ({counted(len(enrolment.sites), 'site')})",
        (
            Column("Site"),
            Column("Patients", ColumnKind.INTEGER),
            Column("First enrolment"),
            Column("Last enrolment"),
        ),
        tuple(rows),
        note=f"Patients enrolled by the cut-off {enrolment.cutoff}; months as YYYY-MM.",
        sheet_name="Accrual by site",
    )


def accrual_table(enrolment: Accrual) -> Table:
    """Months as rows, sites as columns, then the total, cumulative and planned."""
    planned = enrolment.planned_per_month is not None
    columns = (
        Column("Month"),
        *(Column(s, ColumnKind.INTEGER) for s in enrolment.sites),
        Column("All sites", ColumnKind.INTEGER),
        Column("Cumulative", ColumnKind.INTEGER),
        *((Column("Planned (cumulative)", ColumnKind.NUMBER, 1),) if planned else ()),
    )
    rows: list[tuple[CellValue, ...]] = [
        (
            m.month,
            *m.by_site,
            m.total,
            m.cumulative,
            *((optional_float(m.planned_cumulative),) if planned else ()),
        )
        for m in enrolment.months
    ]
    rows.append(
        (
            "Total",
            *enrolment.site_totals,
            enrolment.enrolled,
            enrolment.enrolled,
            *((None,) if planned else ()),
        )
    )
    plan = (
        f"planned {enrolment.planned_per_month:g} a month from the first month"
        + (f", up to {enrolment.target}" if enrolment.target else "")
        if planned
        else "no planned rate in the protocol"
    )
    return Table(
        "Accrual by site and month",
        columns,
        tuple(rows),
        note=f"Patients enrolled by the cut-off {enrolment.cutoff}; {plan}.",
        sheet_name="Accrual",
    )


def baseline_blocks(derivation: Derivation, protocol: Protocol, closed: bool) -> list[Block]:
    return [baseline_report_table(baseline_table(derivation, protocol, closed))]


def baseline_report_table(table: BaselineTable) -> Table:
    """Characteristics as header rows, their statistics indented below (tern's t_dm); a
    header row's value cells are blank (it has no value of its own; "–" would read as a
    missing one)."""
    columns = (
        Column("Characteristic"),
        *(
            Column(f"{c} (N = {n})", ColumnKind.FIGURES)
            for c, n in zip(table.columns, table.sizes, strict=True)
        ),
    )
    width = len(table.columns)
    rows = tuple((r.label, *(r.cells or ("",) * width)) for r in table.rows)
    styles = tuple(RowStyle.MEMBER if r.indent else RowStyle.GROUP for r in table.rows)
    return Table(
        "Baseline characteristics",
        columns,
        rows,
        note=table.note,
        sheet_name="Baseline",
        row_styles=styles,
        group_name="Characteristic",
    )


def exposure_blocks(derivation: Derivation) -> list[Block]:
    """Cycles received and, per agent, doses, intensity and changes; nothing without
    exposure records."""
    ex = exposure(derivation)
    if ex.patients == 0:
        return []
    return [cycles_table(ex), agents_table(ex), *([reasons_table(ex)] if ex.reasons else [])]


def _median_range(median: float | None, low: float | None, high: float | None, pct: bool) -> str:
    if median is None or low is None or high is None:
        return "—"
    if pct:
        return f"{median:.0%} ({low:.0%}–{high:.0%})"
    return f"{median:g} ({low:g}–{high:g})"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def cycles_table(ex: Exposure) -> Table:
    c = ex.cycles
    rows: list[tuple[CellValue, ...]] = [
        ("Patients with exposure records", str(ex.patients)),
        ("Cycles received, median (range)", _median_range(c.median, c.minimum, c.maximum, False)),
    ]
    received = sum(n for _, n in ex.cycle_counts)
    rows += [
        (f"    {counted(k, 'cycle')}", f"{n} ({n / received:.0%})") for k, n in ex.cycle_counts
    ]
    return Table(
        "Cycles received per patient",
        (Column("Quantity"), Column("Patients", ColumnKind.FIGURES)),
        tuple(rows),
        note="Cycles with any agent given (given dose above 0).",
        sheet_name="Cycles",
    )


def agents_table(ex: Exposure) -> Table:
    """One column per agent."""
    agents = ex.agents

    def line(label: str, values: list[str]) -> tuple[CellValue, ...]:
        return (label, *values)

    rows = (
        line("Patients given the agent", [str(a.patients) for a in agents]),
        line("Cycles given", [str(a.cycles) for a in agents]),
        line("Cumulative planned dose", [f"{a.planned:g} {a.unit}".strip() for a in agents]),
        line("Cumulative given dose", [f"{a.given:g} {a.unit}".strip() for a in agents]),
        line(
            "Relative dose intensity",
            [
                "—" if a.relative_intensity is None else f"{a.relative_intensity:.0%}"
                for a in agents
            ],
        ),
        line(
            "Per patient, median (range)",
            [
                _median_range(
                    a.patient_intensity.median,
                    a.patient_intensity.minimum,
                    a.patient_intensity.maximum,
                    True,
                )
                for a in agents
            ],
        ),
        line("Patients with a delay", [str(a.delayed) for a in agents]),
        line("Patients with a reduction", [str(a.reduced) for a in agents]),
        line(
            "Omitted doses (patients)",
            [f"{a.omitted_cycles} ({a.omitted_patients})" for a in agents],
        ),
    )
    return Table(
        "Exposure and dose intensity by agent",
        (Column(""), *(Column(a.agent, ColumnKind.FIGURES) for a in agents)),
        rows,
        note=ex.note,
        sheet_name="Exposure",
    )


REASONS_PRINTED = 6  # the most frequent reasons printed (PDF, DOCX); the XLSX has all


def reasons_table(ex: Exposure, limit: int = REASONS_PRINTED) -> Table:
    """Reasons, most frequent first; the PDF and DOCX print the ``limit`` most frequent."""
    title = "Reasons for delays, reductions and omissions"
    note = "Each cycle and agent with a delay, a reduction or an omission, by its reason."
    shown = None
    if len(ex.reasons) > limit:
        rest = sum(n for _, n in ex.reasons[limit:])
        shown = Excerpt(
            tuple(range(limit)),
            f"{title}: the {limit} most frequent of {len(ex.reasons)}",
            f"{note} Not printed: {counted(len(ex.reasons) - limit, 'other reason')} "
            f"({counted(rest, 'cycle')}); the XLSX workbook lists every reason.",
        )
    return Table(
        title,
        (Column("Reason"), Column("Cycles", ColumnKind.INTEGER)),
        tuple((r, n) for r, n in ex.reasons),
        note=note,
        sheet_name="Dose changes",
        excerpt=shown,
    )


def deaths_blocks(derivation: Derivation, limit: int | None = None) -> list[Block]:
    """Early mortality with exact intervals, then each death (the PDF and DOCX print the
    ``limit`` latest; all if None)."""
    dead = deaths(derivation)
    blocks: list[Block] = [mortality_table(dead)]
    if dead.rows:
        blocks.append(deaths_table(dead, limit))
    return blocks


def mortality_table(dead: Deaths) -> Table:
    rows = tuple(
        (
            f"Day {m.days}",
            m.deaths,
            m.patients,
            optional_float(m.proportion),
            m.exact.low,
            m.exact.high,
        )
        for m in dead.mortality
    )
    return Table(
        "Early mortality from the first dose",
        (
            Column("By"),
            Column("Deaths", ColumnKind.INTEGER),
            Column("Patients", ColumnKind.INTEGER),
            Column("Mortality", ColumnKind.PERCENT),
            Column("95% CI low", ColumnKind.PERCENT),
            Column("95% CI high", ColumnKind.PERCENT),
        ),
        rows,
        note="Patients: treated patients who died by that day or are known alive on it or "
        "later. Exact (Clopper–Pearson) interval.",
        sheet_name="Early mortality",
        merges=(Merge(4, "95% CI (exact)", Joint.RANGE),),
    )


def deaths_table(dead: Deaths, limit: int | None = None) -> Table:
    """Every death by date: the meeting pack's deaths listing, with the phase."""
    title = f"Deaths (n = {len(dead.rows):,})"
    dates = [r.death_date for r in dead.rows]
    return Table(
        title,
        (
            Column("Patient"),
            Column("Date of death", ColumnKind.DATE),
            Column("Cause"),
            Column("Day", ColumnKind.INTEGER),
            Column("Phase"),
        ),
        tuple((r.patient_id, r.death_date, r.cause, r.day, r.phase) for r in dead.rows),
        note=dead.note,
        sheet_name="Deaths",
        excerpt=excerpt(title, dead.note, dates, limit, "death"),
    )
