"""Import of a 5,000-subject ADaM set (``import --format adam``).

Usage: python benchmarks/bench_import_adam.py [--repeat N] [--postgres URL]
(``--postgres`` defaults to TEST_POSTGRES_URL). The set is the pharmaverseadam sample
(tests/data/pharmaverseadam/) replicated with new USUBJIDs (``<USUBJID>-R<k>``) until
5,000 subjects of the safety population: ADSL, ADRS (OVR and BOR), ADTTE (OS, PFS, RSD)
and ADAE records of each copy, mapped by data/mappings/pharmaverseadam.toml. Written once
as CSV and as SAS transport (pyreadstat). For each format, N times: reading and mapping
alone (``monitoring.ingest.adam.read``), then, for each backend, a fresh database with the
trial registered (not timed) and ``import_extract`` of the mapped tables (validation,
cross-table checks, diff, write: timed). Prints medians, row counts and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring.db.engine import open_database
from monitoring.db.extracts import Extract
from monitoring.db.importer import import_extract
from monitoring.db.repository import add_trial
from monitoring.ingest import adam

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
PROTOCOL = ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml"
NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SUBJECTS = 5000


def make_set(folder: Path, subjects: int = SUBJECTS) -> dict[str, int]:
    """The sample's population replicated to ``subjects`` subjects, as CSV; record counts."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {
        p.name: pd.read_csv(p, dtype=str, keep_default_na=False) for p in SAMPLE.glob("*.csv")
    }
    adsl = frames["adsl.csv"]
    population = adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"].tolist()
    copies = -(-subjects // len(population))
    keep = {f"{u}-R{k:02d}" for k in range(copies) for u in population}
    keep = set(sorted(keep)[:subjects])
    counts = {}
    for name, frame in frames.items():
        frame = frame[frame["USUBJID"].isin(population)]
        parts = [frame.assign(USUBJID=frame["USUBJID"] + f"-R{k:02d}") for k in range(copies)]
        out = pd.concat(parts, ignore_index=True)
        out = out[out["USUBJID"].isin(keep)]
        out.to_csv(folder / name, index=False)
        counts[name] = len(out)
    return counts


def to_xpt(csv_folder: Path, folder: Path) -> None:
    """The same datasets as SAS transport files (dates as SAS dates, numbers as numbers)."""
    import pyreadstat

    folder.mkdir(parents=True, exist_ok=True)
    for path in csv_folder.glob("*.csv"):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace({"NA": None, "": None})
        for column in frame.columns:
            values = frame[column].dropna()
            if len(values) and values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                frame[column] = pd.to_datetime(frame[column]).dt.date
            elif len(values) and values.str.fullmatch(r"-?\d+(\.\d+)?").all():
                frame[column] = pd.to_numeric(frame[column])
        name = path.stem.upper()[:8]
        pyreadstat.write_xport(frame, str(folder / f"{path.stem}.xpt"), table_name=name)


def _median(step: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _fresh(kind: str, postgres: str | None, folder: Path) -> tuple[sa.Engine, str | None]:
    if kind == "sqlite":
        return open_database(str(folder / f"{uuid.uuid4().hex}.sqlite")), None
    assert postgres is not None
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    url = sa.make_url(postgres).set(database=name).render_as_string(hide_password=False)
    return open_database(url), name


def _drop(postgres: str, name: str) -> None:
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _import_once(kind: str, postgres: str | None, folder: Path, extract: Extract) -> float:
    engine, name = _fresh(kind, postgres, folder)
    try:
        text = PROTOCOL.read_text(encoding="utf-8")
        trial = add_trial(engine, text, source="bench", now=NOW, user="bench").id
        start = time.perf_counter()
        result = import_extract(engine, trial, extract, ["bench"], now=NOW, user="bench")
        elapsed = time.perf_counter() - start
        assert result.accepted, result.problems[:3]
        return elapsed
    finally:
        engine.dispose()
        if name is not None and postgres is not None:
            _drop(postgres, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        counts = make_set(root / "csv")
        to_xpt(root / "csv", root / "xpt")
        print(f"records: {counts}; load {os.getloadavg()[0]:.1f}")
        for fmt in ("csv", "xpt"):
            folder = root / fmt
            read_s = _median(lambda f=folder: adam.read([f], MAPPING), args.repeat)
            extract = adam.read([folder], MAPPING)
            assert not extract.problems, extract.problems[:3]
            rows = {t.spec.name: len(t.frame) for t in extract.tables}
            print(f"{fmt}: read + map {read_s:.3f} s (median of {args.repeat}); tables {rows}")
            for kind in ("sqlite", "postgresql"):
                if kind == "postgresql" and not args.postgres:
                    continue
                runs = [
                    _import_once(kind, args.postgres, root, extract) for _ in range(args.repeat)
                ]
                print(
                    f"  {kind}: import_extract {statistics.median(runs):.3f} s "
                    f"(median of {args.repeat}); load {os.getloadavg()[0]:.1f}"
                )


if __name__ == "__main__":
    main()
