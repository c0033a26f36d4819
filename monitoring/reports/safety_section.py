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
from datetime import date

from monitoring.analyses.safety import AeRow, AeTable, AeTables, RowLevel
from monitoring.analyses.safety_listings import AeListing, DeathListing, SafetyListings
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Excerpt,
    Table,
)


def _ae_columns(table: AeTable) -> tuple[Column, ...]:
    first, *others = table.bands
    level = table.rows[0].cells[0].level if table.rows else 0.95
    columns = [
        Column("Category"),
        Column("Term"),
        Column(f"{first.label} n", ColumnKind.INTEGER),
        Column(f"{first.label} %", ColumnKind.PERCENT),
        Column(f"{level:.0%} CrI low", ColumnKind.PERCENT),
        Column(f"{level:.0%} CrI high", ColumnKind.PERCENT),
    ]
    for band in others:
        columns += [Column(f"{band.label} n", ColumnKind.INTEGER), Column("%", ColumnKind.PERCENT)]
    return tuple(columns)


def _labels(row: AeRow) -> tuple[str, str]:
    if row.level is RowLevel.ANY:
        return "Any adverse event", ""
    if row.level is RowLevel.CATEGORY:
        return row.category or "", "(any term)"
    return row.category or "", row.term or ""


def _ae_row(row: AeRow) -> tuple[CellValue, ...]:
    first, *others = row.cells
    values: list[CellValue] = [
        *_labels(row),
        first.x,
        first.proportion,
        first.credible.low,
        first.credible.high,
    ]
    for cell in others:
        values += [cell.x, cell.proportion]
    return tuple(values)


def ae_table(table: AeTable) -> Table:
    """Patients by worst grade per category and term; credible interval for any grade."""
    return Table(
        table.title,
        _ae_columns(table),
        tuple(_ae_row(r) for r in table.rows),
        note=table.note,
        sheet_name=f"AE {table.subset.value}",
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
        f"Printed here: the {len(shown):,} {what} with the latest dates, of {total:,}. "
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
    printed = excerpt(listing.title, listing.note, dates, limit, "deaths")
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


def ae_listing_table(listing: AeListing, sheet_name: str, limit: int | None = None) -> Table:
    """An event listing, column by column from the listing's arrays; the PDF and DOCX print
    the ``limit`` latest events (all if None)."""
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
    printed = excerpt(listing.title, listing.note, listing.onset_date, limit, "events")
    return Table(listing.title, AE_LISTING_COLUMNS, rows, listing.note, sheet_name, excerpt=printed)


def safety_blocks(
    tables: AeTables, listings: SafetyListings, limit: int | None = None
) -> list[Block]:
    """AE tables (all, serious, related), then the death, SAE and monitored-event listings
    (complete; the PDF and DOCX print at most ``limit`` rows of each, the most recent)."""
    blocks: list[Block] = [ae_table(t) for t in tables.tables]
    blocks.append(death_table(listings.deaths, limit))
    blocks.append(ae_listing_table(listings.serious, "SAE listing", limit))
    for number, listing in enumerate(listings.monitored, start=1):
        blocks.append(ae_listing_table(listing, f"Monitored events {number}", limit))
    return blocks
