"""``import --format adam``: CDISC ADaM datasets (ADSL, ADRS, ADTTE, ADAE; ADEX, ADLB and DS
for the clinical-detail tables) with a mapping."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitoring.db.extracts import Extract
from monitoring.ingest.convert import read_with


def read(paths: Sequence[Path], mapping: Path) -> Extract:
    """The product's tables from the ADaM datasets in ``paths`` (files or folders)."""
    return read_with(paths, mapping, "adam")
