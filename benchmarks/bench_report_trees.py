"""Benchmark: ``report`` as a whole process, this code against an older tree (issue 12:
no figure worse than the code before the analysis layer).

Usage (repository root):

    git archive cc988d2 | (mkdir -p OLD && tar -x -C OLD)
    PYTHONPATH=. .venv/bin/python benchmarks/bench_report_trees.py --old OLD [--runs 5]

Each tree makes its own demo database with its own ``demo`` command (an older tree cannot
read a newer schema), in a temporary folder; then, in each round, every format and the
three formats in one call (``--format pdf,docx,xlsx``, for a tree that takes a list: check
with ``--formats``) are written by each tree in turn (alternating, so a change of the
machine's load falls on both alike), with the same ``--as-known-on`` time; the baselines
``python -c pass`` and ``python -m monitoring --help`` run once a round. Prints, per command
and tree, the median elapsed time and the median processor time (user + system of the
process and every process it started, Chromium's too: far less sensitive to other work on
a shared machine), and the load average before and after.

Both trees' modules are compiled to bytecode first (``compileall``), as an installed
package's are: with ``PYTHONDONTWRITEBYTECODE`` set, every process would otherwise compile
the project's own modules again (about 0.15 s).
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
FORMATS = ("pdf", "docx", "xlsx", "pdf,docx,xlsx")


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
    parser.add_argument(
        "--formats", nargs="+", default=list(FORMATS), help="report --format values to time"
    )
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "now": ROOT}
    py = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        dbs = {}
        for name, tree in trees.items():
            _run([py, "-m", "compileall", "-q", "monitoring"], tree)
            dbs[name] = Path(folder) / f"{name}.sqlite"
            _run([py, "-m", "monitoring", "demo", "--db", str(dbs[name])], tree)
        baselines = {
            "python -c pass": [py, "-c", "pass"],
            "monitoring --help": [py, "-m", "monitoring", "--help"],
        }
        times: dict[tuple[str, str], list[tuple[float, float]]] = {}
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        for _ in range(args.runs):
            for label, command in baselines.items():
                times.setdefault((label, "now"), []).append(_run(command, ROOT))
            for fmt in args.formats:
                for name, tree in trees.items():
                    out = Path(folder) / f"{name}.{fmt.split(',')[0]}"
                    command = [
                        *(py, "-m", "monitoring", "report", "--db", str(dbs[name])),
                        *("--format", fmt, "--out", str(out), "--as-known-on", KNOWN_ON),
                    ]
                    times.setdefault((f"report --format {fmt}", name), []).append(
                        _run(command, tree)
                    )
            print(f"round done, load average {os.getloadavg()[0]:.2f}", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    print("| command | tree | median wall s | fastest wall s | median CPU s |")
    print("|---|---|---|---|---|")
    for (label, name), runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        fastest = min(w for w, _ in runs)
        print(f"| `{label}` | {name} | {wall:.2f} | {fastest:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
