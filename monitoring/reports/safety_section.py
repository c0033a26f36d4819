"""Adverse-event tables and safety listings for the report's "Toxicity" section.

Tables and listings are ``monitoring.analyses.safety`` and ``monitoring.analyses.safety_listings``
results, laid out as report tables; nothing is counted here. Every listing is complete (the
XLSX writes every row). A listing longer than the report's ``limit`` is printed in the PDF
and DOCX as an excerpt of its ``limit`` most recent rows (latest onset or death dates, kept
in the listing's order) whose title and note say how many rows are shown and that the XLSX
has all of them. The tables are always complete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from monitoring.analyses.safety import AeRow, AeTable, AeTables, RowLevel
from monitoring.analyses.safety_listings import AeListing, DeathListing, SafetyListings
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
from monitoring.wording import counted

AE_LABEL = "Category / term"


def _ae_columns(table: AeTable) -> tuple[tuple[Column, ...], tuple[Merge, ...]]:
    """Columns (counts and percentages apart, for the XLSX) and how the PDF and DOCX print
    them: "n (%)" per grade band, the credible interval as "low–high%"."""
    first, *others = table.bands
    level = table.rows[0].cells[0].level if table.rows else 0.95
    columns = [
        Column(AE_LABEL),
        Column(f"{first.label} n", ColumnKind.INTEGER),
        Column("%", ColumnKind.PERCENT),
        Column(f"{level:.0%} CrI low", ColumnKind.PERCENT),
        Column(f"{level:.0%} CrI high", ColumnKind.PERCENT),
    ]
    merges = [
        Merge(1, f"{first.label} n (%)", Joint.COUNT_PERCENT),
        Merge(3, f"{level:.0%} CrI", Joint.RANGE),
    ]
    for band in others:
        merges.append(Merge(len(columns), f"{band.label} n (%)", Joint.COUNT_PERCENT))
        columns += [Column(f"{band.label} n", ColumnKind.INTEGER), Column("%", ColumnKind.PERCENT)]
    return tuple(columns), tuple(merges)


def _label(row: AeRow) -> tuple[str, RowStyle]:
    """The row's first cell and style: the any-event row and each category are header rows,
    each term is indented below its category."""
    if row.level is RowLevel.ANY:
        return "Any adverse event", RowStyle.GROUP
    if row.level is RowLevel.CATEGORY:
        return row.category or "", RowStyle.GROUP
    return row.term or "", RowStyle.MEMBER


def _ae_row(row: AeRow) -> tuple[CellValue, ...]:
    first, *others = row.cells
    values: list[CellValue] = [
        _label(row)[0],
        first.x,
        first.proportion,
        first.credible.low,
        first.credible.high,
    ]
    for cell in others:
        values += [cell.x, cell.proportion]
    return tuple(values)


def ae_table(table: AeTable) -> Table:
    """Patients by worst grade in the nested layout: each category a header row with its
    own counts, its terms indented below; grade bands as columns; credible interval for any
    grade."""
    columns, merges = _ae_columns(table)
    return Table(
        table.title,
        columns,
        tuple(_ae_row(r) for r in table.rows),
        note=table.note,
        sheet_name=f"AE {table.subset.value}",
        row_styles=tuple(_label(r)[1] for r in table.rows),
        group_name="Category",
        merges=merges,
    )


DEATH_COLUMNS = (
    Column("Patient"),
    Column("Date of death", ColumnKind.DATE),
    Column("Day from first dose", ColumnKind.INTEGER),
    Column("Cause"),
)


def latest(dates: Sequence[date], limit: int | None) -> list[int]:
    """Positions of the ``limit`` rows with the latest dates, in their original order."""
    positions = range(len(dates))
    if limit is None or len(dates) <= limit:
        return list(positions)
    newest = sorted(positions, key=lambda i: (dates[i], -i), reverse=True)[:limit]
    return sorted(newest)


def excerpt(
    title: str, note: str, dates: Sequence[date], limit: int | None, what: str
) -> Excerpt | None:
    """The rows printed in the PDF and DOCX when a listing is longer than ``limit``: the
    ``limit`` with the latest dates; None when every row is printed."""
    total = len(dates)
    if limit is None or total <= limit:
        return None
    shown = latest(dates, limit)
    extra = (
        f"Printed here: the {counted(len(shown), what)} with the latest dates, of {total:,}. "
        f"The XLSX workbook of this report lists all {total:,} (also: python -m monitoring "
        "tables)."
    )
    return Excerpt(
        tuple(shown), f"{title}: latest {len(shown):,} of {total:,}", f"{extra} {note}".strip()
    )


def death_table(listing: DeathListing, limit: int | None = None) -> Table:
    """Every death; the PDF and DOCX print the ``limit`` latest (all if None)."""
    rows = tuple(
        (r.patient_id, r.death_date, r.days_from_first_dose, r.cause) for r in listing.rows
    )
    dates = [r.death_date for r in listing.rows]
    printed = excerpt(listing.title, listing.note, dates, limit, "death")
    return Table(
        listing.title, DEATH_COLUMNS, rows, listing.note, sheet_name="Deaths", excerpt=printed
    )


AE_LISTING_COLUMNS = (
    Column("Patient"),
    Column("Term"),
    Column("Category"),
    Column("Grade", ColumnKind.INTEGER),
    Column("Onset", ColumnKind.DATE),
    Column("Day", ColumnKind.INTEGER),
    Column("Resolved", ColumnKind.DATE),
    Column("Attribution"),
    Column("Serious"),
    Column("Outcome"),
)


def ae_listing_table(
    listing: AeListing,
    sheet_name: str,
    limit: int | None = None,
    unprinted: tuple[str, ...] = ("Category",),
) -> Table:
    """An event listing, column by column from the listing's arrays; the PDF and DOCX print
    the ``limit`` latest events (all if None), without the ``unprinted`` columns (the
    category, which the term determines and the AE tables show, by default: the listing then
    fits a portrait page a row a line); the XLSX has every column."""
    columns = (
        listing.patient_id,
        listing.term,
        listing.category,
        listing.grade,
        listing.onset_date,
        listing.onset_day,
        listing.resolution_date,
        listing.attribution,
        listing.serious,
        tuple(o.value for o in listing.outcome),
    )
    rows = tuple(zip(*columns, strict=True))
    names = [c.name for c in AE_LISTING_COLUMNS]
    keep = tuple(i for i, name in enumerate(names) if name not in unprinted)
    left = [n.lower() for n in names if n in unprinted]
    note = listing.note
    if left:
        note = (f"{note} Not printed: {', '.join(left)} (in the XLSX).").strip()
    printed = excerpt(listing.title, note, listing.onset_date, limit, "event")
    return Table(
        listing.title,
        AE_LISTING_COLUMNS,
        rows,
        note,
        sheet_name,
        excerpt=printed,
        printed_columns=keep if left else (),
    )


def ae_blocks(tables: AeTables) -> list[Block]:
    """The AE tables: all adverse events, serious, related; the first has the note on the
    population and the intervals, the subsets refer to it."""
    blocks: list[Block] = []
    for index, table in enumerate(tables.tables):
        shown = ae_table(table)
        if index:
            shown = replace(
                shown, note="Population, counting and intervals as for all adverse events."
            )
        blocks.append(shown)
    return blocks


def listing_blocks(
    listings: SafetyListings, limit: int | None = None, deaths: bool = True
) -> list[Block]:
    """The death, SAE and monitored-event listings (complete; the PDF and DOCX print at
    most ``limit`` rows of each, the most recent). ``deaths=False``: without the deaths,
    listed elsewhere (the meeting pack's Safety section, with their phase)."""
    blocks: list[Block] = [death_table(listings.deaths, limit)] if deaths else []
    # Every row of the SAE listing is serious: its Serious column is not printed either.
    blocks.append(ae_listing_table(listings.serious, "SAE listing", limit, ("Category", "Serious")))
    shared = listings.serious.note  # day and outcome: said once, in the SAE listing
    for number, listing in enumerate(listings.monitored, start=1):
        if shared and listing.note.startswith(shared):  # its terms are in Methods
            listing = replace(
                listing,
                note="Day and outcome as in the SAE listing; the rule's terms, attributions "
                "and grades: Methods.",
            )
        blocks.append(ae_listing_table(listing, f"Monitored events {number}", limit))
    return blocks
