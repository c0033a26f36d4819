"""Import of a 100,000-row adverse-event file into a trial whose patients are imported.

Usage: python benchmarks/bench_import.py [--repeat N] [--postgres URL]
(``--postgres`` defaults to TEST_POSTGRES_URL). For each backend, N times: a fresh database
with the trial and its 5,000 patients and 50,000 responses already imported (not timed),
then ``import_files`` of ``adverse_events.csv`` alone (read, every validation, cross-table
checks, diff against stored rows, write: timed), and, as the baseline measured in the same
run, reading the same file and inserting its rows without any validation (pandas
``read_csv`` as text + the importer's bulk insert, into a second fresh database). Prints
medians, their ratio, the load average, and the peak Python memory (tracemalloc) of the
full import of AE files of 25,000 / 50,000 / 100,000 rows against the file's size.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring.data_dictionary import TABLES, ColumnType
from monitoring.db.bulk import bulk_insert
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files, validate_files
from monitoring.db.repository import add_trial
from monitoring.db.schema import DATA_TABLES
from monitoring.db.timestamps import to_utc
from monitoring.protocol import bundled_protocol

PROTOCOL = bundled_protocol("ino-lowdose-ph2")
T0 = datetime(2025, 6, 1, tzinfo=UTC)


def _write(path: Path, table: str, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(TABLES[table].names), restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def make_extract(directory: Path, patients: int, seed: int = 1) -> list[Path]:
    """A valid extract: per patient 10 response assessments and 20 adverse events."""
    rng = random.Random(seed)
    start = date(2020, 1, 1)
    prows, rrows, arows = [], [], []
    for i in range(patients):
        pid = f"P{i:05d}"
        enrol = start + timedelta(days=rng.randrange(1500))
        dose = enrol + timedelta(days=rng.randrange(1, 10))
        prows.append(
            {
                "patient_id": pid,
                "site": rng.choice(["MDA", "UCH", "MSK"]),
                "enrollment_date": enrol.isoformat(),
                "first_dose_date": dose.isoformat(),
                "age": str(rng.randrange(18, 90)),
                "sex": rng.choice("MF"),
                "salvage_line": "1",
                "last_contact_date": (dose + timedelta(days=400)).isoformat(),
            }
        )
        for k in range(10):
            rrows.append(
                {
                    "patient_id": pid,
                    "assessment_date": (dose + timedelta(days=28 * (k + 1))).isoformat(),
                    "cycle": str(k + 1),
                    "response": rng.choice(["CR", "CRi", "PR", "NR"]),
                    "marrow_blasts_pct": f"{rng.uniform(0, 60):.1f}",
                }
            )
        for k in range(20):
            onset = dose + timedelta(days=7 * k + rng.randrange(7))
            arows.append(
                {
                    "patient_id": pid,
                    "term": f"Term {k}",
                    "category": "General disorders",
                    "grade": str(rng.randrange(1, 6)),
                    "onset_date": onset.isoformat(),
                    "resolution_date": (onset + timedelta(days=5)).isoformat(),
                    "attribution": "possible",
                    "serious": rng.choice("YN"),
                }
            )
    return [
        _write(directory / "patients.csv", "patients", prows),
        _write(directory / "responses.csv", "responses", rrows),
        _write(directory / "adverse_events.csv", "adverse_events", arows),
    ]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def fresh_sqlite(directory: Path) -> str:
    return str(directory / f"{uuid.uuid4().hex}.sqlite")


def fresh_postgres(admin_url: str) -> str:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(url: str, admin_url: str) -> None:
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{sa.make_url(url).database}" WITH (FORCE)')
    admin.dispose()


def trial_with_patients(url: str, files: list[Path]) -> sa.Engine:
    """A fresh database with the trial, its patients and responses imported."""
    engine = open_database(url)
    add_trial(engine, PROTOCOL.read_text(encoding="utf-8"), source="bench", now=T0, user="b")
    result = import_files(engine, None, files[:2], now=T0 + timedelta(hours=1), user="b")
    assert result.accepted, result.problems[:3]
    return engine


def import_ae(engine: sa.Engine, ae_file: Path) -> None:
    """What is measured: the full, validated import of the AE file."""
    result = import_files(engine, None, [ae_file], now=T0 + timedelta(hours=2), user="b")
    assert result.accepted, result.problems[:3]


def insert_unvalidated(engine: sa.Engine, ae_file: Path) -> None:
    """Baseline: read the file and insert its rows as the importer does, with no check of
    any kind (text to date / integer by the plain constructors the driver needs)."""
    spec = TABLES["adverse_events"]
    frame = pd.read_csv(ae_file, dtype=str, keep_default_na=False)
    parse: dict[str, Callable[[str], object]] = {
        c.name: date.fromisoformat if c.type is ColumnType.DATE else int
        for c in spec.columns
        if c.type in (ColumnType.DATE, ColumnType.INTEGER)
    }
    stamp = {"trial_id": "ino-lowdose-ph2", "batch_id": None, "valid_from": to_utc(T0)}
    records = [
        {
            **{k: (parse[k](v) if k in parse else v) if v != "" else None for k, v in row.items()},
            **stamp,
        }
        for row in frame.to_dict("records")
    ]
    with engine.begin() as conn:
        bulk_insert(conn, DATA_TABLES["adverse_events"], records)


def bench_backend(
    make_url: Callable[[], str], files: list[Path], repeat: int
) -> tuple[list[str], float, float]:
    """Medians of the validated AE import and of the unvalidated baseline (seconds)."""
    full, base, urls = [], [], []
    for _run in range(repeat):
        for step, out in ((import_ae, full), (insert_unvalidated, base)):
            urls.append(make_url())
            engine = trial_with_patients(urls[-1], files)
            t = time.perf_counter()
            step(engine, files[2])
            out.append(time.perf_counter() - t)
            engine.dispose()
    return urls, statistics.median(full), statistics.median(base)


def memory_scaling(directory: Path, patients: int) -> list[tuple[int, float, float]]:
    """Peak memory of the full import of AE files of a quarter, half and all of
    ``patients`` (SQLite; patients imported beforehand, not traced)."""
    out = []
    for share in (4, 2, 1):
        folder = directory / f"mem{share}"
        folder.mkdir()
        files = make_extract(folder, patients // share)
        engine = trial_with_patients(fresh_sqlite(folder), files)
        tracemalloc.start()
        import_ae(engine, files[2])
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        engine.dispose()
        out.append((20 * (patients // share), files[2].stat().st_size / 2**20, peak / 2**20))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TEST_POSTGRES_URL"),
        help="admin URL of a PostgreSQL server",
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (1 min)")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        files = make_extract(directory, args.patients)
        rows = 20 * args.patients
        print(f"validate adverse_events.csv alone ({rows:,} rows, no database): ", end="")
        print(f"{median_time(lambda: validate_files([files[2]]), args.repeat):.3f} s")
        print()
        print(
            "| backend | AE rows | import, validated (s) | read + insert, no validation (s) "
            "| ratio |"
        )
        print("|---|---|---|---|---|")
        backends = [("SQLite", lambda: fresh_sqlite(directory))]
        if args.postgres:
            backends.append(("PostgreSQL", lambda: fresh_postgres(args.postgres)))
        for label, make_url in backends:
            urls, full, base = bench_backend(make_url, files, args.repeat)
            print(f"| {label} | {rows:,} | {full:.3f} | {base:.3f} | {full / base:.1f} |")
            if label == "PostgreSQL":
                for url in urls:
                    drop_postgres(url, args.postgres)
        print()
        print("peak traced memory (tracemalloc), full import of adverse_events.csv, SQLite")
        print("| AE rows | file MiB | peak MiB | peak / file |")
        print("|---|---|---|---|")
        for rows_n, file_mib, peak_mib in memory_scaling(directory, args.patients):
            print(f"| {rows_n:,} | {file_mib:.1f} | {peak_mib:.1f} | {peak_mib / file_mib:.1f} |")
    print(f"load average at end: {os.getloadavg()[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
