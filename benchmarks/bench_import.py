"""Import and load timings for a 5,000-patient trial (100,000 AE rows, 50,000 responses).

Usage: python benchmarks/bench_import.py [--repeat N] [--postgres URL]
Prints medians over N runs: validation of the 100,000-row AE file alone, full import into a
fresh SQLite (and PostgreSQL) database, identical re-import, load_trial_data, and the peak
Python memory (tracemalloc) of validating the AE file against the file's size.
"""

from __future__ import annotations

import argparse
import csv
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

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring.db.engine import open_database
from monitoring.db.importer import import_files, validate_files
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.tables import TABLES

PROTOCOL = Path(__file__).resolve().parent.parent / "data" / "protocols" / "ino-lowdose-ph2.toml"
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


def bench_backend(
    label: str, make_url: Callable[[], str], files: list[Path], repeat: int
) -> list[tuple[str, float]]:
    full, again, load = [], [], []
    urls = []
    for _run in range(repeat):
        url = make_url()
        urls.append(url)
        engine = open_database(url)
        add_trial(engine, PROTOCOL.read_text(encoding="utf-8"), source="bench", now=T0, user="b")
        t = time.perf_counter()
        result = import_files(engine, None, files, now=T0 + timedelta(hours=1), user="b")
        full.append(time.perf_counter() - t)
        assert result.accepted, result.problems[:3]
        t = time.perf_counter()
        import_files(engine, None, files, now=T0 + timedelta(hours=2), user="b")
        again.append(time.perf_counter() - t)
        load.append(
            median_time(lambda engine=engine: load_trial_data(engine, "ino-lowdose-ph2"), 3)
        )
        engine.dispose()
    return urls, [
        (
            f"{label}: import 3 files (5,000 + 50,000 + 100,000 rows), fresh",
            statistics.median(full),
        ),
        (f"{label}: identical re-import (all unchanged)", statistics.median(again)),
        (f"{label}: load_trial_data (current)", statistics.median(load)),
    ]


def memory_scaling(patients: int) -> list[tuple[int, float, float]]:
    """Peak memory of validating AE files of a quarter, half and all of ``patients``."""
    out = []
    for share in (4, 2, 1):
        with tempfile.TemporaryDirectory() as tmp:
            ae_file = make_extract(Path(tmp), patients // share)[2]
            tracemalloc.start()
            validate_files([ae_file])
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            out.append((20 * (patients // share), ae_file.stat().st_size / 2**20, peak / 2**20))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--postgres", metavar="URL", help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        files = make_extract(directory, args.patients)
        ae_file = files[2]
        rows: list[tuple[str, float]] = [
            (
                "validate adverse_events.csv (100,000 rows), no database",
                median_time(lambda: validate_files([ae_file]), args.repeat),
            ),
        ]
        _, sqlite_rows = bench_backend(
            "SQLite", lambda: fresh_sqlite(directory), files, args.repeat
        )
        rows += sqlite_rows
        if args.postgres:
            urls, pg_rows = bench_backend(
                "PostgreSQL", lambda: fresh_postgres(args.postgres), files, args.repeat
            )
            rows += pg_rows
            for url in urls:
                drop_postgres(url, args.postgres)
    width = max(len(name) for name, _ in rows)
    print(f"{'step':<{width}}  median s")
    for name, seconds in rows:
        print(f"{name:<{width}}  {seconds:8.3f}")
    print()
    print("peak traced memory (tracemalloc) validating adverse_events.csv alone")
    print(f"{'AE rows':>8}  {'file MiB':>8}  {'peak MiB':>8}  {'peak / file':>11}")
    for rows_n, file_mib, peak_mib in memory_scaling(args.patients):
        print(f"{rows_n:>8}  {file_mib:>8.1f}  {peak_mib:>8.1f}  {peak_mib / file_mib:>11.1f}")


if __name__ == "__main__":
    main()
