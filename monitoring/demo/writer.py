"""Write a trial's tables for the importer (SPEC 5): CSV files or one workbook.

These are extracts in the importer's format, meant to be read back unchanged, so CSV cells
are written as they are: the demo catalogue holds no text a spreadsheet would run as a
formula (tests/test_safe_cells.py checks it). In the workbook, such text would be a quoted
string cell, never a formula (:mod:`monitoring.safe_cells`), which reads back unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd

from monitoring.data_dictionary import CORE_TABLES, TABLES, TrialData
from monitoring.safe_cells import neutralise_sheet

WORKBOOK = "trial.xlsx"


def _tables(data: TrialData) -> dict[str, pd.DataFrame]:
    """The three core tables always; a clinical-detail table when it holds rows."""
    return {
        name: data.table(name) for name in TABLES if name in CORE_TABLES or len(data.table(name))
    }


def write_tables(
    data: TrialData, directory: str | Path, format: Literal["csv", "xlsx"] = "csv"
) -> list[Path]:
    """Write patients.csv, responses.csv and adverse_events.csv, and each clinical-detail
    table that holds rows (ISO dates, empty cells for missing values), or one workbook
    ``trial.xlsx`` with sheets named the same way. Creates ``directory`` if needed;
    returns the paths written."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        paths = []
        for name, frame in _tables(data).items():
            path = folder / f"{name}.csv"
            frame.to_csv(path, index=False, date_format="%Y-%m-%d")
            paths.append(path)
        return paths
    if format == "xlsx":
        path = folder / WORKBOOK
        with pd.ExcelWriter(
            path, engine="openpyxl", date_format="YYYY-MM-DD", datetime_format="YYYY-MM-DD"
        ) as writer:
            for name, frame in _tables(data).items():
                frame.to_excel(writer, sheet_name=name, index=False)
                neutralise_sheet(writer.sheets[name])
        return [path]
    raise ValueError(f"format must be 'csv' or 'xlsx'; got '{format}'")
