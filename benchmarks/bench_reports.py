"""Time the Efficacy/Toxicity Summary end to end: status, derivation, content, three files.

Run from the repository root:

    /work/main/.venv/bin/python benchmarks/bench_reports.py [--repeat 5]

For the demo trial (``on_track``) and the 5,000-patient trial (``large``), each run computes
the trial status and the derivation at the latest cut-off, builds the report document and
writes PDF, DOCX and XLSX with ``write_reports`` after ``render_report`` (charts rendered
once, with headless Chromium). Targets
(issue 7): demo < 5 s, large < 20 s for the three formats together. Data generation and
database reads are not timed (see bench_derive.py and bench_import.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitoring.demo import generate  # noqa: E402
from monitoring.derive import derive  # noqa: E402
from monitoring.protocol import PROTOCOL_DIR, load_protocol  # noqa: E402
from monitoring.reports.content import ReportStamp, build_report, render_report  # noqa: E402
from monitoring.reports.export import write_reports  # noqa: E402
from monitoring.status import trial_status  # noqa: E402
from monitoring.tables import TrialData  # noqa: E402

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
TARGETS = {"on_track": 5.0, "large": 20.0}


def one_run(data: TrialData, directory: Path) -> dict[str, float]:
    """Seconds spent in each step of one report (status+derive, content, files)."""
    start = time.perf_counter()
    status = trial_status(PROTOCOL, data)
    derivation = derive(data, PROTOCOL, status.cutoff)
    computed = time.perf_counter()
    doc = build_report(status, derivation, stamp=ReportStamp(datetime.now(UTC), "bench"))
    built = time.perf_counter()
    write_reports(render_report(doc), directory, "summary")
    written = time.perf_counter()
    return {
        "status": computed - start,
        "content": built - computed,
        "files": written - built,
        "total": written - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| trial | patients | runs | status+derive s | content s | 3 files s | total s |", end="")
    print(" target |\n|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario, target in TARGETS.items():
            data = generate(PROTOCOL, scenario, seed=0)
            one_run(data, Path(tmp))  # warm-up: imports, fonts
            runs = [one_run(data, Path(tmp)) for _ in range(args.repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(
                f"| {scenario} | {len(data.patients)} | {args.repeat} | {med['status']:.2f} | "
                f"{med['content']:.2f} | {med['files']:.2f} | {med['total']:.2f} | "
                f"< {target:g} s |"
            )


if __name__ == "__main__":
    main()
