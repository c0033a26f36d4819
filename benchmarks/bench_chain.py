"""What the history chain costs: the 5,000-patient extract imported with and without it,
and ``audit verify`` of the result.

Usage: python benchmarks/bench_chain.py [--repeat N] [--postgres URL]
(``--postgres`` defaults to TEST_POSTGRES_URL). For each backend, N times, alternating: a
fresh database with the trial registered (not timed), then ``import_files`` of the whole
extract of ``bench_import.make_extract`` (5,000 patients, 50,000 responses, 100,000
adverse events) in one import, timed; once as shipped, once with the chain's extension
replaced by nothing (the importer before the chain). Prints the medians of both, the
median time spent inside ``extend_chain`` (the chain's own cost, less sensitive to the
machine's load than the difference of two medians), then ``verify_chain`` of a chained
database, and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_import import (
    PROTOCOL,
    T0,
    drop_postgres,
    fresh_postgres,
    fresh_sqlite,
    make_extract,
)
from monitoring.db import importer
from monitoring.db.chain import extend_chain
from monitoring.db.chain_links import ChainHead
from monitoring.db.chain_verify import verify_chain
from monitoring.db.engine import open_database
from monitoring.db.importer import import_files
from monitoring.db.repository import add_trial


def _no_chain(_conn: sa.Connection, _trial: str, _at: object) -> ChainHead:
    return ChainHead(0, "")


INSIDE: list[float] = []
"""Time spent in ``extend_chain`` by each chained import (the chain's own share)."""


def _timed_chain(conn: sa.Connection, trial: str, at: object) -> ChainHead:
    start = time.perf_counter()
    try:
        return extend_chain(conn, trial, at)  # type: ignore[arg-type]
    finally:
        INSIDE.append(time.perf_counter() - start)


def _import(url: str, files: list[Path], chained: bool) -> float:
    engine = open_database(url)
    add_trial(engine, PROTOCOL.read_text(encoding="utf-8"), source="bench", now=T0, user="b")
    with mock.patch.object(importer, "extend_chain", _timed_chain if chained else _no_chain):
        start = time.perf_counter()
        result = import_files(engine, None, files, now=T0 + timedelta(hours=1), user="b")
        elapsed = time.perf_counter() - start
    assert result.accepted, result.problems[:3]
    engine.dispose()
    return elapsed


def _verify(url: str) -> float:
    engine = open_database(url)
    start = time.perf_counter()
    result = verify_chain(engine, "ino-lowdose-ph2")
    elapsed = time.perf_counter() - start
    assert result.ok, result.first_break
    engine.dispose()
    return elapsed


def bench(
    make_url: Callable[[], str], files: list[Path], repeat: int
) -> tuple[list[str], list[float]]:
    urls: list[str] = []
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeat):
        for chained in (False, True):
            urls.append(make_url())
            times[chained].append(_import(urls[-1], files, chained))
    verify = statistics.median(_verify(urls[-1]) for _ in range(repeat))
    inside = statistics.median(INSIDE[-repeat:])
    return urls, [statistics.median(times[False]), statistics.median(times[True]), inside, verify]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--patients", type=int, default=5000)
    parser.add_argument("--postgres", metavar="URL", default=os.environ.get("TEST_POSTGRES_URL"))
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (1 min)")
    print(
        "| backend | import without chain (s) | import with chain (s) | difference "
        "| in extend_chain (s) | audit verify (s) |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        files = make_extract(directory, args.patients)
        backends: list[tuple[str, Callable[[], str]]] = [
            ("SQLite", lambda: fresh_sqlite(directory))
        ]
        if args.postgres:
            backends.append(("PostgreSQL", lambda: fresh_postgres(args.postgres)))
        for label, make_url in backends:
            urls, (plain, chained, inside, verify) = bench(make_url, files, args.repeat)
            print(
                f"| {label} | {plain:.3f} | {chained:.3f} | {chained - plain:+.3f} s "
                f"({chained / plain - 1:+.0%}) | {inside:.3f} ({inside / plain:.0%}) "
                f"| {verify:.3f} |"
            )
            if label == "PostgreSQL":
                for url in urls:
                    drop_postgres(url, args.postgres)
    print(f"load average at end: {os.getloadavg()[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
