"""The laboratory part of the report's Safety section: CTCAE shift tables, the
hepatotoxicity (eDISH) chart and the SOS/VOD cases beside their criteria.

Everything is computed by ``monitoring.analyses.labs``; this module lays it out. A trial
without laboratory results gets no laboratory part. The closed version breaks the shift
tables and the chart down by the first of the protocol's ``closed_by`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.analyses.labs import (
    LabShifts,
    Quadrant,
    VodCase,
    VodCases,
    hepatotoxicity,
    shift_tables,
    vod_cases,
)
from monitoring.charts.labs_static import EdishChart
from monitoring.derive import Derivation
from monitoring.protocol import Protocol
from monitoring.reports.blocks import chart
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Table,
)
from monitoring.wording import counted


def shift_table(shifts: LabShifts) -> Table:
    """All tests in one table: per test (and group) one row per baseline grade that has
    patients, the worst post-baseline grades as columns; the CTCAE terms in the note."""
    width = max((len(t.grades) for t in shifts.tables), default=5)
    columns = (
        Column("Test"),
        Column("Baseline grade"),
        *(Column(f"Worst {g}", ColumnKind.INTEGER) for g in range(width)),
        Column("Worst missing", ColumnKind.INTEGER),
        Column("Total", ColumnKind.INTEGER),
    )
    rows: list[tuple[CellValue, ...]] = []
    for table in shifts.tables:
        name = f"{table.test} ({table.group})" if table.group else table.test
        for label, counts in zip(table.labels, table.counts, strict=True):
            if sum(counts):
                grades: list[CellValue] = list(counts[:-1])
                grades += [None] * (width - len(grades))
                rows.append((name, label.lower(), *grades, counts[-1], sum(counts)))
    terms = "; ".join(dict.fromkeys(f"{t.test}: {t.term}" for t in shifts.tables))
    return Table(
        f"Laboratory shift tables: baseline grade by worst post-baseline grade "
        f"(N = {shifts.population})",
        columns,
        tuple(rows),
        note=f"{terms}. {shifts.note} Rows without patients are left out.",
        sheet_name="Lab shifts",
    )


VOD_COLUMNS = (
    Column("Patient"),
    Column("Term"),
    Column("Grade", ColumnKind.INTEGER),
    Column("Onset day", ColumnKind.INTEGER),
    Column("Bilirubin mg/dL", ColumnKind.NUMBER, 1),
    Column("Bilirubin x ULN", ColumnKind.NUMBER, 1),
    Column("Weight gain %", ColumnKind.NUMBER, 1),
    Column("Hepatomegaly / ascites"),
    Column("Seattle"),
    Column("Baltimore"),
)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _met(met: bool, found: int, of: int) -> str:
    """ "yes (2/3)": criteria met, with the number of findings present of those counted."""
    return f"{'yes' if met else 'no'} ({found}/{of})"


def _vod_row(case: VodCase) -> tuple[CellValue, ...]:
    return (
        case.patient_id,
        case.term,
        case.grade,
        case.onset_day,
        case.bilirubin_mg_dl,
        case.bilirubin_uln,
        case.weight_gain_percent,
        f"{_yes(case.hepatomegaly)} / {_yes(case.ascites)}",
        _met(case.seattle, len(case.seattle_findings), 3),
        _met(case.baltimore, len(case.baltimore_findings) + case.bilirubin_met, 4),
    )


def vod_table(cases: VodCases) -> Table:
    """The cases, a row each; the PDF and DOCX print them without the term (the note names
    the terms; the XLSX has it), so that a row is a line."""
    return Table(
        f"SOS/VOD cases and their diagnostic criteria ({counted(len(cases.cases), 'patient')})",
        VOD_COLUMNS,
        tuple(_vod_row(c) for c in cases.cases),
        note=(
            f"{cases.note} Seattle (modified): at least 2 of bilirubin >= 2 mg/dL, "
            "hepatomegaly, weight gain > 2%; Baltimore: bilirubin >= 2 mg/dL and at least 2 "
            "of hepatomegaly, ascites, weight gain > 5%; (k/n): findings present. The term "
            "of each case is in the XLSX."
        ),
        sheet_name="SOS-VOD cases",
        printed_columns=tuple(i for i, c in enumerate(VOD_COLUMNS) if c.name != "Term"),
    )


@dataclass(frozen=True)
class LabBlocks:
    """The laboratory part, in two places of the Safety section: the hepatic evidence (the
    eDISH chart, then the SOS/VOD cases) beside the monitored toxicity; the shift tables
    after the adverse-event tables."""

    hepatic: tuple[Block, ...] = ()
    shifts: tuple[Block, ...] = ()


def lab_blocks(
    derivation: Derivation, protocol: Protocol, columns: tuple[str, ...] = ()
) -> LabBlocks:
    """The eDISH chart, the SOS/VOD cases and the shift tables; nothing without lab
    results."""
    if derivation.data.lab_results.empty:
        return LabBlocks()
    by = next((c for c in columns if c in derivation.patients.columns), None)
    cases = vod_cases(derivation, protocol)
    shifts = shift_tables(derivation, by)
    hepatic: list[Block] = []
    hep = hepatotoxicity(derivation, by)
    if any(p.quadrant is not None for p in hep.peaks):
        counts = "; ".join(f"{q.value}: {counted(hep.count(q), 'patient')}" for q in Quadrant)
        hepatic.append(
            chart(
                "Hepatotoxicity: peak ALT or AST against peak bilirubin (eDISH)",
                EdishChart(hep),
                f"{counts}. Peaks after the first dose, not necessarily on the same day; "
                "dashed lines: 3 x ULN and 2 x ULN (Hy's law).",
            )
        )
    if cases.terms:
        hepatic.append(vod_table(cases))
    return LabBlocks(tuple(hepatic), (shift_table(shifts),) if shifts.tables else ())
