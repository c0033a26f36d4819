"""Benchmark: trial status (load from the database + every decision) for the large demo trial.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_status.py [--postgres URL]
Creates the 5,000-patient demo trial (scenario ``large``) in a temporary SQLite file and, if
a PostgreSQL admin URL is given (or TEST_POSTGRES_URL is set), in a fresh PostgreSQL
database; then times ``monitoring.analysis.status_of`` (what ``status`` runs: read,
derive, decide, monitoring log, and the data digest, whose adverse-event, exposure,
disposition and laboratory parts the database computes over every row on a second
connection meanwhile); those digests alone (``monitoring.db.digest.database_table_digest``,
one after another); and, for scale, reading every row
with ``load_trial_data`` (the baseline of the same run: status / read-all ratio), with the
load average, so that figures taken on a busy machine can be compared (medians).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from monitoring.analysis import DatabaseSource, status_of
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.digest import HASHED_FOR_DECISIONS, database_table_digest
from monitoring.db.engine import open_database
from monitoring.db.reading import load_trial_data

RUNS = 11


def _time(engine: sa.Engine, trial_id: str) -> tuple[float, float, float, int, int]:
    full, totals, digests = [], [], []
    rows = (0, 0)
    for _ in range(RUNS):
        start = time.perf_counter()
        status_of(DatabaseSource(engine), trial_id)
        totals.append(time.perf_counter() - start)
        start = time.perf_counter()
        for name in HASHED_FOR_DECISIONS:
            database_table_digest(engine, name, trial_id, None)
        digests.append(time.perf_counter() - start)
        start = time.perf_counter()
        data = load_trial_data(engine, trial_id)
        full.append(time.perf_counter() - start)
        rows = (len(data.adverse_events), len(data.responses))
    median = statistics.median
    return median(full), median(totals), median(digests), *rows


def _report(backend: str, engine: sa.Engine) -> None:
    trial_id = create_demo_trial(engine, "large", now=datetime(2028, 1, 1, tzinfo=UTC))
    status_of(DatabaseSource(engine), trial_id)  # warm-up: statement caches, first index reads
    load, total, digest, ae, resp = _time(engine, trial_id)
    print(
        f"| {backend} | 5,000 | {ae:,} | {resp:,} | {load * 1000:.0f} | {total * 1000:.0f} "
        f"| {digest * 1000:.0f} | {total / load:.2f} | {os.getloadavg()[0]:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(
        "| backend | patients | AE rows | response rows | read all rows, ms | status, ms "
        "| digests in the database, ms | status / read all | load average (1 min) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(Path(folder) / "bench.sqlite")
        _report("SQLite", engine)
        engine.dispose()
    if args.postgres:
        admin = sa.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            engine = open_database(admin.url.set(database=name).render_as_string(False))
            _report("PostgreSQL", engine)
            engine.dispose()
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
