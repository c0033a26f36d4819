"""Peak memory (RSS) of importing a ~200 MB malformed file through the command line.

Usage: python benchmarks/bench_import_memory.py [--mb 200] [--max-mb N]

Each case is a fresh SQLite database holding the default trial, then one
``python -m monitoring import`` run in its own process, whose peak resident set size is read
from the kernel (``os.wait4``). Cases, each about ``--mb`` megabytes:

- ``huge-term``: a valid adverse_events.csv whose one AE term is the whole size (no line
  break);
- ``open-quote``: 10-column rows with a quote opened on row 2 and never closed;
- ``many-rows``: valid-looking rows with a date after the import's date on each row.

``--max-mb`` sets ``MONITORING_IMPORT_MAX_MB`` for the import (default: unset, so the
file-size limit applies; give a larger value to measure the streaming reader itself).
Prints exit status, peak RSS, wall time and the first line of stderr.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL = ROOT / "data" / "protocols" / "ino-lowdose-ph2.toml"
HEADER = "patient_id,term,category,grade,onset_date,resolution_date,attribution,serious\n"
PATIENTS = "patient_id,enrollment_date,first_dose_date\nP01,2025-01-06,2025-01-08\n"


def _huge_term(path: Path, size: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.write("P01,")
        chunk = "x" * (1 << 20)
        for _ in range(size >> 20):
            handle.write(chunk)
        handle.write(",Hepatobiliary disorders,2,2025-01-20,,possible,N\n")


def _rows(path: Path, size: int, row: Callable[[int], str]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        written, i = 0, 0
        while written < size:
            line = row(i)
            handle.write(line)
            written += len(line)
            i += 1


def _open_quote(path: Path, size: int) -> None:
    def row(i: int) -> str:
        quote = '"' if i == 0 else ""
        return f"P01,{quote}Term {i},Cat,2,2025-01-20,,possible,N\n"

    _rows(path, size, row)


def _future_dates(path: Path, size: int) -> None:
    _rows(path, size, lambda i: f"P01,Term {i},Cat,2,2099-12-31,,possible,N\n")


CASES: dict[str, Callable[[Path, int], None]] = {
    "huge-term": _huge_term,
    "open-quote": _open_quote,
    "many-rows": _future_dates,
}


def _run(argv: list[str], env: dict[str, str]) -> tuple[int, float, float, str]:
    """Exit status, peak RSS (MiB), seconds and first stderr line of one process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        first = err.read(400).decode("utf-8", "replace").splitlines()[:1]
    elapsed = time.perf_counter() - start
    return proc.returncode, usage.ru_maxrss / 1024, elapsed, first[0] if first else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of each file in MB")
    parser.add_argument("--max-mb", type=int, default=None, help="MONITORING_IMPORT_MAX_MB")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if args.max_mb is not None:
        env["MONITORING_IMPORT_MAX_MB"] = str(args.max_mb)
    cli = [sys.executable, "-m", "monitoring"]
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print("case        exit  peak RSS MiB  seconds  first line of stderr")
    for name, write in CASES.items():
        with tempfile.TemporaryDirectory() as folder:
            db = str(Path(folder) / "trial.sqlite")
            subprocess.run(
                [*cli, "trial", "add", "--db", db, "--protocol", str(PROTOCOL)],
                check=True,
                capture_output=True,
                env=env,
            )
            (Path(folder) / "patients.csv").write_text(PATIENTS, encoding="utf-8")
            subprocess.run(
                [*cli, "import", "--db", db, str(Path(folder) / "patients.csv")],
                check=True,
                capture_output=True,
                env=env,
            )
            path = Path(folder) / "adverse_events.csv"
            write(path, args.mb * 1_000_000)
            code, rss, seconds, first = _run([*cli, "import", "--db", db, str(path)], env)
            print(f"{name:<11} {code:>4}  {rss:>12.0f}  {seconds:>7.1f}  {first[:90]}")


if __name__ == "__main__":
    main()
