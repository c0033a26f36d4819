"""A small history touching every chained table: two imports, a correction, a report that
is sent and signed off (the small extract of ``tests/db_support.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from monitoring.db.chain import chain_head
from monitoring.db.corrections import correct_value
from monitoring.db.importer import import_files
from monitoring.db.looks import mark_report_sent, record_report, sign_off_look
from tests.db_support import T1, T2, T3, copy_base, write_extract

T4 = datetime(2025, 5, 16, 9, 0, tzinfo=UTC)
T5 = datetime(2025, 5, 17, 9, 0, tzinfo=UTC)
T6 = datetime(2025, 5, 18, 9, 0, tzinfo=UTC)


def make_history(engine: sa.Engine, trial: str, directory: Path) -> int:
    """Write the history; returns the report's id."""
    first = import_files(
        engine, trial, write_extract(directory / "1", copy_base()), now=T1, user="dm"
    )
    assert first.accepted, first.problems
    second = copy_base()
    second["patients"][0]["last_contact_date"] = "2025-04-30"  # P01: a new version, audited
    result = import_files(engine, trial, write_extract(directory / "2", second), now=T2, user="dm")
    assert result.accepted, result.problems
    correct_value(
        engine,
        trial,
        "patients",
        {"patient_id": "P02"},
        "site",
        "UCH",
        reason="query 7",
        now=T3,
        user="dm",
    )
    report = record_report(
        engine,
        trial,
        look=8,
        cutoff=date(2025, 4, 30),
        as_known_on=T3,
        fmt="pdf",
        file_name="summary.pdf",
        content_digest="a" * 64,
        protocol_digest="b" * 64,
        data_digest="c" * 64,
        now=T4,
        user="stat",
        chain_head=chain_head(engine, trial).hash,
    )
    mark_report_sent(engine, trial, report, user="stat", now=T5)
    sign_off_look(engine, trial, 8, reached_date=date(2025, 4, 1), user="chair", now=T6)
    return report
