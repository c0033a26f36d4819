"""Time the Efficacy/Toxicity Summary end to end: status, derivation, content, three files.

Run from the repository root:

    .venv/bin/python benchmarks/bench_reports.py [--repeat 5]
        [--scenarios on_track large] [--listing-limit 2000|none]

For the demo trial (``on_track``) and the 5,000-patient trial (``large``), each run computes
the trial status and the derivation at the latest cut-off, builds the report document
(``--listing-limit``: rows of each safety listing printed in the PDF and DOCX; default the
report's own, ``none`` prints every row; the XLSX always has every row), draws its charts
once (matplotlib, ``render_report``; before issue 14, headless Chromium) and writes PDF, DOCX
and XLSX. Targets (issue 7): demo < 5 s, large < 20 s for the three formats together. Data
generation and database reads are not timed (see bench_derive.py and bench_import.py). The
whole ``report`` command, process start included, is timed by bench_report_process.py.
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

from monitoring.data_dictionary import TrialData  # noqa: E402
from monitoring.demo import generate  # noqa: E402
from monitoring.derive import derive  # noqa: E402
from monitoring.protocol import bundled_protocol, load_protocol  # noqa: E402
from monitoring.reports.content import (  # noqa: E402
    LISTING_LIMIT,
    ReportStamp,
    build_report,
    render_report,
)
from monitoring.reports.export import ReportFormat, write_report  # noqa: E402
from monitoring.status import trial_status  # noqa: E402

PROTOCOL = load_protocol(bundled_protocol("ino-lowdose-ph2"))
TARGETS = {"on_track": 5.0, "large": 20.0}
STEPS = ("status", "content", "charts", "pdf", "docx", "xlsx", "total")


def one_run(data: TrialData, directory: Path, limit: int | None) -> dict[str, float]:
    """Seconds spent in each step of one report (status+derive, content, charts, files)."""
    start = previous = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal previous
        now = time.perf_counter()
        seconds[step], previous = now - previous, now

    status = trial_status(PROTOCOL, derive(data, PROTOCOL))
    derivation = derive(data, PROTOCOL, status.cutoff)
    lap("status")
    stamp = ReportStamp(datetime.now(UTC), "bench")
    doc = build_report(status, derivation, stamp=stamp, listing_limit=limit)
    lap("content")
    rendered = render_report(doc)
    lap("charts")
    for fmt in ReportFormat:
        write_report(rendered, directory / f"summary.{fmt.value}", fmt)
        lap(fmt.value)
    seconds["total"] = previous - start
    return seconds


def _limit(text: str) -> int | None:
    return None if text.lower() == "none" else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scenarios", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--listing-limit", type=_limit, default=LISTING_LIMIT)
    args = parser.parse_args()
    print(f"listing rows printed in PDF/DOCX: {args.listing_limit or 'all'}; XLSX: all")
    print("| trial | patients | runs | status+derive s | content s | charts s | PDF s |", end="")
    print(" DOCX s | XLSX s | total s | target |\n|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for scenario in args.scenarios:
            data = generate(PROTOCOL, scenario, seed=0)
            one_run(data, Path(tmp), args.listing_limit)  # warm-up: imports, fonts
            runs = [one_run(data, Path(tmp), args.listing_limit) for _ in range(args.repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in STEPS}
            cells = " | ".join(f"{med[k]:.2f}" for k in STEPS)
            print(f"| {scenario} | {len(data.patients)} | {args.repeat} | {cells} | "
                  f"< {TARGETS[scenario]:g} s |")  # fmt: skip


if __name__ == "__main__":
    main()
