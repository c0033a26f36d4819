"""A small sample ReportDocument shared by the report writer tests and the benchmark."""

from __future__ import annotations

import random
from datetime import date, timedelta

from monitoring.reports.document import (
    Column,
    ColumnKind,
    Figure,
    MetadataRow,
    PageBreak,
    Paragraph,
    ParagraphStyle,
    ReportDocument,
    Section,
    Status,
    Table,
    VersionLabel,
)

PROVENANCE = (
    "protocol sha256 9f2c4e0b7a1d5c3e8f6a2b4d0c9e7f1a3b5d7c9e0f2a4c6e8b0d2f4a6c8e0b2d4f; "
    "data sha256 0a1b2c3d4e5f60718293a4b5c6d7e8f9; trial-monitoring 0.1.0"
)
WIDE_COLUMNS = (
    Column("Patient", ColumnKind.TEXT),
    Column("Site", ColumnKind.TEXT),
    Column("First dose", ColumnKind.DATE),
    Column("Age", ColumnKind.INTEGER),
    Column("Cycles", ColumnKind.INTEGER),
    Column("Best response", ColumnKind.TEXT),
    Column("Marrow blasts %", ColumnKind.NUMBER, 1),
    Column("Pr(p > 0.20 | data)", ColumnKind.NUMBER, 3),
    Column("Cum. remission", ColumnKind.PERCENT, 1),
    Column("Last contact", ColumnKind.DATE),
    Column("Bilirubin (x ULN)", ColumnKind.NUMBER, 2),
    Column("ALT (x ULN)", ColumnKind.NUMBER, 2),
    Column("Comment", ColumnKind.TEXT),
)
"""Too wide for a portrait page even with its text wrapped: a landscape listing."""


def wide_rows(n: int, seed: int = 20250301) -> tuple[tuple[object, ...], ...]:
    """``n`` deterministic patient rows; row i has age 20 + i % 60 and posterior i / 1000."""
    rng = random.Random(seed)
    responses = ("CR", "CRp", "CRi", "PR", "NR", "PD", "NE")
    rows = []
    for i in range(n):
        rows.append(
            (
                f"P-{i + 1:03d}",
                f"Site {1 + i % 4}",
                date(2024, 1, 2) + timedelta(days=3 * i),
                20 + i % 60,
                1 + i % 4,
                responses[i % len(responses)],
                None if i % 17 == 5 else round(rng.uniform(0, 80), 2),
                i / 1000,
                (i % 9) / 8,
                date(2024, 6, 1) + timedelta(days=2 * i),
                round(rng.uniform(0.2, 4.0), 2),
                round(rng.uniform(0.3, 12.0), 2),
                "Dose held for grade ≥ 3 ALT elevation – resumed" if i % 9 == 0 else "",
            )
        )
    return tuple(rows)


def sample_document(
    rows: int = 120, figure: object = None, version: VersionLabel = VersionLabel.OPEN
) -> ReportDocument:
    """Title block, two decisions, a small table, a 13-column table and optionally a figure."""
    small = Table(
        "Toxicity stopping boundaries",
        (
            Column("Evaluable patients", ColumnKind.INTEGER),
            Column("Stop if toxicities ≥", ColumnKind.INTEGER),
            Column("Pr(stop | p = 0.20)", ColumnKind.PERCENT, 1),
        ),
        ((8, 4, 0.0563), (16, 6, 0.125), (24, 8, 0.3333)),
        note="Prior Beta(0.4, 1.6); stop if Pr(p > 0.20 | data) > 0.92.",
        sheet_name="Boundaries",
    )
    wide = Table(
        "Patient listing: response and toxicity",
        WIDE_COLUMNS,
        wide_rows(rows),  # type: ignore[arg-type]
        note="Blank comments mean none recorded; – means not assessed.",
        sheet_name="Listing [all]: patients/responses",
    )
    blocks: list[object] = [
        Paragraph(
            "Toxicity: 3 of 29 evaluable; Pr(p > 0.20 | data) = 0.41 ≤ 0.92.",
            ParagraphStyle.DECISION,
            Status.OK,
            "CONTINUE",
        ),
        Paragraph(
            "Stage 1: 18 enrolled, 5 responders, 2 pending; 7 needed.",
            ParagraphStyle.DECISION,
            Status.WARNING,
            "ACCRUAL SUSPENDED",
        ),
        Paragraph("Numbers below are computed at the data cut-off.", ParagraphStyle.EMPHASIS),
        small,
    ]
    if figure is not None:
        blocks.append(Figure("Posterior probability of excess toxicity", figure, "Dashed: 0.92."))
    sections = (
        Section("Decisions", tuple(blocks)),  # type: ignore[arg-type]
        Section("Listings", (wide,)),
        Section("Notes", (PageBreak(), Paragraph("End of report."))),
    )
    return ReportDocument(
        title="Efficacy/Toxicity Summary",
        subtitle="Low-dose InO, R/R CD22+ ALL",
        metadata=(
            MetadataRow("Trial", "ino-lowdose-ph2"),
            MetadataRow("Protocol version", "seed-003"),
            MetadataRow("Look number", "4 (after 32 evaluable patients)"),
            MetadataRow("Data cut-off", "2025-03-01"),
            MetadataRow("Data as known on", "2025-03-05"),
            MetadataRow("Date generated", "2025-03-06"),
        ),
        provenance=PROVENANCE,
        version=version,
        sections=sections,
        author="Trial statistician",
        subject="Interim monitoring summary",
        short_title="Efficacy/Toxicity Summary – ino-lowdose-ph2",
    )
