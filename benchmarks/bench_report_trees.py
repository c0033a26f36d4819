"""Benchmark: ``report`` as a whole process, this code against an older tree (issue 12:
no figure worse than the code before the analysis layer).

Usage (repository root):

    git archive cc988d2 | (mkdir -p OLD && tar -x -C OLD)
    PYTHONPATH=. .venv/bin/python benchmarks/bench_report_trees.py --old OLD [--runs 5]

Each tree makes its own demo database with its own ``demo`` command (an older tree cannot
read a newer schema), in a temporary folder; then, in each round, every format is written
by each tree in turn (alternating, so a change of the machine's load falls on both alike),
with the same ``--as-known-on`` time. Prints, per format and tree, the median elapsed time
and the median processor time (user + system of the process and every process it started,
Chromium's too: far less sensitive to other work on a shared machine), and the load
average before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWN_ON = "2026-12-07T02:00:00"


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(command: list[str], tree: Path) -> tuple[float, float]:
    env = dict(os.environ, PYTHONPATH=str(tree))
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{command} failed in {tree}: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, required=True, help="the older tree")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "now": ROOT}
    py = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        dbs = {}
        for name, tree in trees.items():
            dbs[name] = Path(folder) / f"{name}.sqlite"
            _run([py, "-m", "monitoring", "demo", "--db", str(dbs[name])], tree)
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for _ in range(args.runs):
            for fmt in ("pdf", "docx", "xlsx"):
                for name, tree in trees.items():
                    out = Path(folder) / f"{name}.{fmt}"
                    command = [
                        *(py, "-m", "monitoring", "report", "--db", str(dbs[name])),
                        *("--format", fmt, "--out", str(out), "--as-known-on", KNOWN_ON),
                    ]
                    times.setdefault((fmt, name), []).append(_run(command, tree))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    for (fmt, name), runs in sorted(times.items()):
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"report --format {fmt:4s} {name:3s}: wall {wall:6.2f} s, CPU {cpu:6.2f} s")


if __name__ == "__main__":
    main()
