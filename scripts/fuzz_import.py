"""Longer fuzz run of the import: many malformed extracts, counts of each outcome.

Usage: python scripts/fuzz_import.py [--examples N] [--seed S]

The cases and the oracle are those of tests/test_import_fuzz.py (tests/import_fuzzing.py):
each case is imported into a fresh copy of an SQLite database holding the base extract;
the outcome is "accepted" (stored rows equal the file's), "refused" (problems name the
files, messages bounded, database unchanged) or "WRONG" (anything else, printed), and an
exception is counted as "CRASH" with its type. Exit status 1 when any case went wrong.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.db.engine import open_database  # noqa: E402
from monitoring.db.importer import import_files  # noqa: E402
from monitoring.db.repository import add_trial  # noqa: E402
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT  # noqa: E402
from tests.db_support import T1, copy_base, database_fingerprint, write_extract  # noqa: E402
from tests.import_fuzzing import KINDS, NOW, judge, make_case  # noqa: E402


def _template(folder: Path) -> Path:
    path = folder / "base.sqlite"
    engine = open_database(path)
    text = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    trial = add_trial(engine, text, source="fuzz", now=REGISTERED_AT, user="u").id
    import_files(engine, trial, write_extract(folder / "base", copy_base()), now=T1, user="u")
    engine.dispose()
    return path


def _one(template: Path, folder: Path, seed: int) -> tuple[str, str, str, list[str]]:
    rng = random.Random(seed)
    case = make_case(rng, rng.choice(KINDS), rng.choice(["csv", "csv", "xlsx"]))
    folder.mkdir()
    db = folder / "trial.sqlite"
    shutil.copyfile(template, db)
    engine = open_database(db)
    try:
        before = database_fingerprint(engine)
        result = import_files(engine, None, case.write(folder / "files"), now=NOW, user="fuzz")
        faults = judge(engine, result.trial_id, case, result, before)
        outcome = "WRONG" if faults else ("accepted" if result.accepted else "refused")
        return case.kind, case.fmt, outcome, faults
    except Exception as exc:  # counted and shown: the point of the run
        return case.kind, case.fmt, f"CRASH {type(exc).__name__}", [traceback.format_exc()]
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0, help="first seed (cases use seed+i)")
    args = parser.parse_args()
    counts: Counter[tuple[str, str, str]] = Counter()
    wrong = 0
    with tempfile.TemporaryDirectory() as tmp:
        template = _template(Path(tmp))
        for i in range(args.examples):
            seed = args.seed + i
            kind, fmt, outcome, faults = _one(template, Path(tmp) / f"case{i}", seed)
            counts[(kind, fmt, outcome)] += 1
            if faults:
                wrong += 1
                print(f"seed {seed}: {kind} {fmt} {outcome}: {faults[0][:2000]}")
    print(f"{'kind':<17} {'format':<6} {'outcome':<10} count")
    for (kind, fmt, outcome), n in sorted(counts.items()):
        print(f"{kind:<17} {fmt:<6} {outcome:<10} {n}")
    print(f"{args.examples} cases, {wrong} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
