"""Helpers for the database tests: a small valid extract, CSV writing and table checksums."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from monitoring.data_dictionary import TABLES
from monitoring.db.schema import metadata

Row = dict[str, str]

# A small, valid extract of three patients (hand-written; dates consistent by construction).
PATIENTS: list[Row] = [
    {
        "patient_id": "P01",
        "site": "MDA",
        "enrollment_date": "2025-01-06",
        "first_dose_date": "2025-01-08",
        "age": "54",
        "sex": "F",
        "salvage_line": "1",
        "last_contact_date": "2025-04-20",
    },
    {
        "patient_id": "P02",
        "site": "MDA",
        "enrollment_date": "2025-01-10",
        "first_dose_date": "2025-01-13",
        "age": "67",
        "sex": "M",
        "salvage_line": "2",
        "last_contact_date": "2025-04-01",
        "death_date": "2025-04-01",
        "death_cause": "infection",
    },
    {
        "patient_id": "P03",
        "site": "UCH",
        "enrollment_date": "2025-02-01",
        "age": "41",
        "sex": "U",
        "salvage_line": "1",
    },
]
RESPONSES: list[Row] = [
    {
        "patient_id": "P01",
        "assessment_date": "2025-02-05",
        "cycle": "1",
        "response": "CRi",
        "marrow_blasts_pct": "3.5",
        "mrd_negative": "N",
        "mrd_level": "0.012",
    },
    {
        "patient_id": "P01",
        "assessment_date": "2025-03-05",
        "cycle": "2",
        "response": "CR",
        "marrow_blasts_pct": "1",
        "mrd_negative": "Y",
    },
    {
        "patient_id": "P02",
        "assessment_date": "2025-02-10",
        "cycle": "1",
        "response": "NR",
        "marrow_blasts_pct": "40",
    },
]
ADVERSE_EVENTS: list[Row] = [
    {
        "patient_id": "P01",
        "term": "Veno-occlusive disease",
        "category": "Hepatobiliary disorders",
        "grade": "2",
        "onset_date": "2025-01-20",
        "resolution_date": "2025-02-01",
        "attribution": "possible",
        "serious": "N",
    },
    {
        "patient_id": "P02",
        "term": "Febrile neutropenia",
        "category": "Blood disorders",
        "grade": "3",
        "onset_date": "2025-01-25",
        "attribution": "unlikely",
        "serious": "Y",
    },
]
BASE: dict[str, list[Row]] = {
    "patients": PATIENTS,
    "responses": RESPONSES,
    "adverse_events": ADVERSE_EVENTS,
}

T1 = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
T2 = datetime(2025, 5, 8, 9, 0, tzinfo=UTC)
T3 = datetime(2025, 5, 15, 9, 0, tzinfo=UTC)


def copy_base() -> dict[str, list[Row]]:
    return {name: [dict(r) for r in rows] for name, rows in BASE.items()}


def write_csv(
    directory: Path,
    table: str,
    rows: Sequence[Mapping[str, str]],
    columns: Sequence[str] | None = None,
) -> Path:
    """``directory/<table>.csv`` with every dictionary column (or ``columns``), in order."""
    names = list(columns) if columns is not None else list(TABLES[table].names)
    path = directory / f"{table}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in rows:
            writer.writerow([row.get(n, "") for n in names])
    return path


def write_extract(directory: Path, tables: Mapping[str, Sequence[Mapping[str, str]]]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [write_csv(directory, name, rows) for name, rows in tables.items()]


def database_fingerprint(engine: sa.Engine) -> dict[str, tuple[int, str]]:
    """Row count and SHA-256 of the full ordered content of every table of the schema."""
    result = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            rows = conn.execute(query).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            result[table.name] = (len(rows), digest)
    return result
