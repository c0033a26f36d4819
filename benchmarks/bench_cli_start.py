"""Benchmark: the command line as whole processes (issue 14: command start and ``status``).

Usage (repository root):

    PYTHONPATH=. .venv/bin/python benchmarks/bench_cli_start.py [--runs 9] \
        [--tree NAME=DIR ...] [--large] [--db-dir DIR]

Times, as separate processes run one after another in rounds (every command once per
round, so that a change of the machine's load falls on all of them alike):

- the baselines of the same run: ``python -c pass`` (process start) and
  ``python -c "import pandas, sqlalchemy, scipy.special"`` (the libraries any command reading
  a trial needs);
- ``python -m monitoring --help`` (any command's start: building the parser);
- ``status --json`` of the demo trial, and with ``--large`` of the 5,000-patient trial
  (``demo --scenario large``);

for this tree and for every ``--tree NAME=DIR`` (another version of the code, for example
``git archive cc988d2 | tar -x -C DIR``). Each tree's databases are made by its own ``demo``
command (an older tree may not read a newer schema), in ``--db-dir`` (kept, reused when
present) or a temporary folder. Prints the median elapsed time and the median processor
time (user + system of the child, which moves far less with the load than elapsed time),
the ratio to ``python -c pass`` and the difference to the libraries' baseline, and the load
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LIBRARIES = "import pandas, sqlalchemy, scipy.special"


@dataclass(frozen=True)
class Command:
    name: str
    argv: tuple[str, ...]
    tree: Path


def _run(command: Command) -> tuple[float, float]:
    """Elapsed and processor seconds of one run (output discarded; exit 0 or 3 expected)."""
    env = dict(os.environ, PYTHONPATH=str(command.tree))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        command.argv, cwd=command.tree, env=env, stdout=subprocess.DEVNULL, check=False
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 3):  # 3: status with a summary due
        raise SystemExit(f"{command.name}: exit {done.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def _demo_db(tree: Path, folder: Path, label: str, scenario: str) -> Path:
    db = folder / f"{label}-{scenario}.sqlite"
    if not db.exists():
        argv = [PYTHON, "-m", "monitoring", "demo", "--db", str(db), "--scenario", scenario]
        env = dict(os.environ, PYTHONPATH=str(tree))
        subprocess.run(argv, cwd=tree, env=env, stdout=subprocess.DEVNULL, check=True)
    return db


def _commands(trees: dict[str, Path], folder: Path, large: bool) -> list[Command]:
    commands = [
        Command("python -c pass", (PYTHON, "-c", "pass"), ROOT),
        Command(f'python -c "{LIBRARIES}"', (PYTHON, "-c", LIBRARIES), ROOT),
    ]
    for label, tree in trees.items():
        cli = (PYTHON, "-m", "monitoring")
        commands.append(Command(f"{label}: --help", (*cli, "--help"), tree))
        scenarios = ["on_track", *(["large"] if large else [])]
        for scenario in scenarios:
            db = _demo_db(tree, folder, label, scenario)
            what = "demo" if scenario == "on_track" else "5,000 patients"
            argv = (*cli, "status", "--db", str(db), "--json")
            commands.append(Command(f"{label}: status --json, {what}", argv, tree))
    return commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="rounds (default 9, at least 7)")
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=DIR")
    parser.add_argument("--large", action="store_true", help="also the 5,000-patient trial")
    parser.add_argument("--db-dir", type=Path, help="keep the demo databases here")
    args = parser.parse_args()
    trees = {"now": ROOT}
    for item in args.tree:
        name, _, directory = item.partition("=")
        trees[name] = Path(directory).resolve()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.db_dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        commands = _commands(trees, folder, args.large)
        for command in commands:  # warm the file cache and the bytecode of every tree
            _run(command)
        load_before = os.getloadavg()
        times: dict[str, list[tuple[float, float]]] = {c.name: [] for c in commands}
        for _ in range(args.runs):
            for command in commands:
                times[command.name].append(_run(command))
        load_after = os.getloadavg()
    median = statistics.median
    elapsed = {name: median(e for e, _ in runs) for name, runs in times.items()}
    cpu = {name: median(c for _, c in runs) for name, runs in times.items()}
    start, libraries = "python -c pass", f'python -c "{LIBRARIES}"'
    print(
        f"{args.runs} alternating rounds; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after (1 min)\n"
    )
    print(
        "| whole process | elapsed, ms | processor, ms | elapsed / `python -c pass` "
        "| elapsed - libraries, ms |"
    )
    print("|---|---|---|---|---|")
    for name in times:
        print(
            f"| `{name}` | {elapsed[name] * 1000:.0f} | {cpu[name] * 1000:.0f} "
            f"| {elapsed[name] / elapsed[start]:.1f} "
            f"| {(elapsed[name] - elapsed[libraries]) * 1000:+.0f} |"
        )


if __name__ == "__main__":
    main()
