"""Time ``python -m monitoring report`` as a user runs it: whole processes, demo trial.

Run from the repository root:

    .venv/bin/python benchmarks/bench_report_process.py [--runs 7]
        [--tree before=/path/to/an/older/checkout] [--tree after=.]

Creates the demo database once (``python -m monitoring demo``, SQLite, in a temporary
folder) and gives each source tree its own copy; then, in each of ``--runs`` rounds, runs
every command once in turn (alternating, so that a change in the machine's load hits every
command alike): the baselines ``python -c pass`` (process start) and ``python -m monitoring
--help`` (the command line's imports), and for each tree ``report --format pdf``,
``docx``, ``xlsx`` and ``pdf,docx,xlsx`` (all three from one call; a tree whose
``report`` does not take a list shows the three single calls added up instead). Prints the
median, fastest and slowest wall time of each, the median CPU time (user + system of the
process and of every process it started: Chromium's too; much less sensitive than wall time
to other work on a shared machine), and the load average (1 min) before and after.
Targets (issue 14): each format <= 3 s, all three <= 4 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("pdf", "docx", "xlsx", "pdf,docx,xlsx")
KNOWN_ON = "2026-12-07T02:00:00"  # the demo's data as known then: the same report each run


def _cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, with every process it started and
    waited for: Chromium's too) and exit code of ``command``."""
    env = dict(os.environ, PYTHONPATH=str(cwd))
    cpu, start = _cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start, _cpu() - cpu, done.returncode


def _report(db: Path, out: Path, fmt: str) -> list[str]:
    name = out / f"summary.{fmt.split(',')[0]}"
    return [
        *(sys.executable, "-m", "monitoring", "report", "--db", str(db)),
        *("--user", "statistician", "--as-known-on", KNOWN_ON),
        *("--format", fmt, "--out", str(name)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--tree", action="append", metavar="NAME=DIR", help="a source tree (default: this one)"
    )
    args = parser.parse_args()
    trees = dict(t.split("=", 1) for t in args.tree or [f"this={ROOT}"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        demo = folder / "demo.sqlite"
        subprocess.run(
            [sys.executable, "-m", "monitoring", "demo", "--db", str(demo)],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            capture_output=True,
            check=True,
        )
        commands: dict[tuple[str, str], tuple[list[str], Path]] = {
            ("baseline", "python -c pass"): ([sys.executable, "-c", "pass"], ROOT),
            ("baseline", "monitoring --help"): (
                [sys.executable, "-m", "monitoring", "--help"],
                ROOT,
            ),
        }
        for name, directory in trees.items():
            tree = Path(directory).resolve()
            db = folder / f"{name}.sqlite"
            shutil.copy(demo, db)
            out = folder / f"out-{name}"
            out.mkdir()
            for fmt in FORMATS:
                commands[(name, fmt)] = (_report(db, out, fmt), tree)
        failed = set()
        for key, (command, cwd) in commands.items():  # warm-up: disk caches, .pyc files
            if _run(command, cwd)[2] != 0:
                failed.add(key)
        load_before = os.getloadavg()[0]
        times: dict[tuple[str, str], list[float]] = {k: [] for k in commands if k not in failed}
        cpu: dict[tuple[str, str], list[float]] = {k: [] for k in times}
        for _ in range(args.runs):
            for key in times:
                seconds, cpu_seconds, code = _run(*commands[key])
                if code != 0:
                    raise SystemExit(f"{key} failed with exit code {code}")
                times[key].append(seconds)
                cpu[key].append(cpu_seconds)
        load_after = os.getloadavg()[0]
    base = statistics.median(times[("baseline", "python -c pass")])
    print(f"runs: {args.runs} per command, alternating; load average (1 min) "
          f"{load_before:.1f} before, {load_after:.1f} after")  # fmt: skip
    print("| tree | command | median s | fastest s | slowest s | median - python -c pass s "
          "| CPU s (median) |\n|---|---|---|---|---|---|---|")  # fmt: skip
    for (tree, what), runs in times.items():
        label = what if tree == "baseline" else f"report --format {what}"
        med, used = statistics.median(runs), statistics.median(cpu[(tree, what)])
        print(f"| {tree} | {label} | {med:.2f} | {min(runs):.2f} | {max(runs):.2f} | "
              f"{med - base:.2f} | {used:.2f} |")  # fmt: skip
    for tree, what in sorted(failed):
        if what == "pdf,docx,xlsx":
            added = sum(statistics.median(times[(tree, f)]) for f in FORMATS[:3])
            used = sum(statistics.median(cpu[(tree, f)]) for f in FORMATS[:3])
            print(f"| {tree} | three single calls added (no format list) | {added:.2f} | | | "
                  f"| {used:.2f} |")  # fmt: skip
        else:
            print(f"| {tree} | {what} | failed | | | | |")


if __name__ == "__main__":
    main()
