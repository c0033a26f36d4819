"""Read CDISC datasets into frames of text, keyed by dataset name.

A path is a file or a folder (its files, not its subfolders). SAS transport (``.xpt``) and
SAS7BDAT (``.sas7bdat``) are read with pyreadstat; CSV as text (every cell a string, the
mapping's ``csv_missing`` values empty); CDISC Dataset-JSON (``.json``, versions 1.0 and
1.1, and 1.1's NDJSON form ``.ndjson``: the metadata on the first line, one row per line)
with the standard library's JSON reader. Every cell becomes text as the product's own
CSV files would hold it: dates ``YYYY-MM-DD``, whole numbers without ``.0``, missing ``""``.
A dataset's name is its file name without extension, in capitals (``adsl.xpt`` -> ``ADSL``).
The frame's index is the record number (1 = first record). Variable labels are kept where the
format holds them (SAS, Dataset-JSON) for display; the mapping names variables, never labels,
and values are read as stored (SAS formats and value labels are not applied, dates aside).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.db.problems import ImportProblem

SUFFIXES = (".xpt", ".sas7bdat", ".csv", ".json", ".ndjson")


@dataclass(frozen=True, eq=False)
class Dataset:
    """One dataset: its name, the file it came from, its records as text, and the labels
    of its variables where the file holds them (variable name in capitals -> label)."""

    name: str
    file: str
    frame: pd.DataFrame
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Datasets:
    """The datasets read, by name, and the problems met (a file unreadable, a name twice)."""

    by_name: dict[str, Dataset]
    problems: tuple[ImportProblem, ...]
    files: tuple[str, ...]


def cell_text(value: object) -> str:
    """A value as text: dates ISO, whole numbers without '.0', missing as ''."""
    if value is None or value is pd.NaT:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _column_text(values: pd.Series) -> list[str] | np.ndarray:
    """A column as text, as :func:`cell_text` would give cell by cell (numbers at once)."""
    if values.dtype.kind != "f":
        return [cell_text(v) for v in values.to_numpy(dtype=object)]
    numbers = values.to_numpy(dtype="float64")
    out = np.empty(len(numbers), dtype=object)
    missing = np.isnan(numbers)
    whole = ~missing & (np.abs(numbers) < 2**53)
    whole[whole] = numbers[whole] == np.floor(numbers[whole])
    out[missing] = ""
    out[whole] = numbers[whole].astype(np.int64).astype(str)
    rest = ~missing & ~whole
    out[rest] = [cell_text(float(v)) for v in numbers[rest]]
    return out


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text, named in capitals; the frame made once from all of them (a
    column added at a time fragments it: pandas warns past 100 columns)."""
    columns = {str(name).strip().upper(): _column_text(frame[name]) for name in frame.columns}
    return pd.DataFrame(columns, index=pd.RangeIndex(1, len(frame) + 1), dtype=object)


def _labels(pairs: Iterable[tuple[object, object]]) -> dict[str, str]:
    return {str(n).strip().upper(): str(label) for n, label in pairs if label}


def _read_sas(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    import pyreadstat

    reader = pyreadstat.read_xport if path.suffix.lower() == ".xpt" else pyreadstat.read_sas7bdat
    frame, meta = reader(str(path))
    return _as_text(frame), _labels(meta.column_names_to_labels.items())


def _read_csv(path: Path, missing: Sequence[str]) -> pd.DataFrame:
    frame = pd.read_csv(
        path,
        dtype=str,
        keep_default_na=False,
        na_values=[m for m in missing if m],
        encoding="utf-8-sig",
    )
    frame = frame.fillna("")
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    for name in frame.columns:
        if _padded(frame[name]):
            frame[name] = frame[name].str.strip()
    return frame


def _padded(values: pd.Series) -> bool:
    """Whether a cell may begin or end with white space (one search over the column)."""
    joined = "\x00".join(values.tolist())
    return joined != joined.strip() or re.search(r"\s\x00|\x00\s", joined) is not None


def _json_frame(names: list[str], rows: Iterable[Sequence[Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([list(r) for r in rows], columns=names, dtype=object)
    return _as_text(frame)


def _read_dataset_ndjson(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """CDISC Dataset-JSON 1.1 as NDJSON: the metadata object (``columns``) on the first line,
    then one row (an array) per line."""
    with path.open(encoding="utf-8") as lines:
        meta = json.loads(next(lines, "null") or "null")
        if not isinstance(meta, dict) or "columns" not in meta:
            raise ValueError("the first line is not Dataset-JSON metadata with 'columns'")
        rows = [json.loads(line) for line in lines if line.strip()]
    columns = meta["columns"]
    labels = _labels((c["name"], c.get("label")) for c in columns)
    return _json_frame([str(c["name"]) for c in columns], rows), labels


def _read_dataset_json(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """CDISC Dataset-JSON: 1.1 (``columns`` and ``rows``) or 1.0 (``itemGroupData``)."""
    if path.suffix.lower() == ".ndjson":
        return _read_dataset_ndjson(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    if "columns" in data and "rows" in data:
        columns = data["columns"]
        rows = data["rows"]
    else:
        for key in ("clinicalData", "referenceData"):
            groups = data.get(key, {}).get("itemGroupData", {})
            if groups:
                group = next(iter(groups.values()))
                columns, rows = group["items"], group["itemData"]
                break
        else:
            raise ValueError("holds neither 'columns'/'rows' (1.1) nor 'itemGroupData' (1.0)")
    names = [str(c["name"]) for c in columns]
    labels = _labels((c["name"], c.get("label")) for c in columns)
    return _json_frame(names, rows), labels


def _files(paths: Sequence[Path]) -> tuple[list[Path], list[ImportProblem]]:
    files: list[Path] = []
    problems: list[ImportProblem] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
            if not found:
                message = f"folder holds no dataset ({', '.join(SUFFIXES)})"
                problems.append(ImportProblem(path.name, None, None, message))
            files += found
        elif not path.is_file():
            problems.append(ImportProblem(path.name, None, None, "file not found"))
        elif path.suffix.lower() not in SUFFIXES:
            message = f"must be a {', '.join(SUFFIXES)} file"
            problems.append(ImportProblem(path.name, None, None, message))
        else:
            files.append(path)
    return files, problems


def read_datasets(paths: Sequence[Path], csv_missing: Sequence[str] = ("",)) -> Datasets:
    """Every dataset in ``paths`` (files or folders); a dataset given twice is a problem."""
    files, problems = _files(paths)
    found: dict[str, Dataset] = {}
    for path in files:
        name = path.stem.upper()
        suffix = path.suffix.lower()
        labels: dict[str, str] = {}
        try:
            if suffix == ".csv":
                frame = _read_csv(path, csv_missing)
            elif suffix in (".json", ".ndjson"):
                frame, labels = _read_dataset_json(path)
            else:
                frame, labels = _read_sas(path)
        except Exception as exc:  # each reader raises its own types for a damaged file
            kind = suffix.lstrip(".").upper()
            message = f"cannot be read as {kind}: {exc}"
            problems.append(ImportProblem(path.name, None, None, message))
            continue
        if name in found:
            message = f"dataset {name} is also given by {found[name].file}; give each once"
            problems.append(ImportProblem(path.name, None, None, message))
            continue
        found[name] = Dataset(name, path.name, frame, labels)
    return Datasets(found, tuple(problems), tuple(p.name for p in files))
