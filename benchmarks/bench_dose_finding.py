"""Timing of the dose-finding operating characteristics (monitoring.designs.dose_finding).

Run from the project root: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_dose_finding.py``.
Each figure is the median wall time of one call over repeated runs after one warm-up call:
BOIN simulated with 10,000 trials (5 doses, 10 cohorts of 3), 3+3 exact by enumeration and
3+3 simulated with 10,000 trials, each for the scenarios below.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_and_min_ms
from monitoring.designs.dose_finding import (
    BoinDesign,
    boin_oc,
    three_plus_three_oc,
    three_plus_three_oc_simulated,
)

SCENARIOS = {
    "MTD at dose 3": [0.05, 0.15, 0.30, 0.45, 0.60],
    "all safe": [0.02, 0.04, 0.06, 0.08, 0.10],
    "all toxic": [0.45, 0.55, 0.60, 0.70, 0.80],
}
TRIALS = 10_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    design = BoinDesign(0.3, ncohort=10, cohort_size=3)
    print(f"{'case':<34} {'scenario':<15} {'median ms':>10} {'min ms':>8}")
    for name, rates in SCENARIOS.items():
        cases = [
            (f"BOIN, {TRIALS:,} trials", lambda r=rates: boin_oc(design, r, trials=TRIALS)),
            ("3+3 exact (enumeration)", lambda r=rates: three_plus_three_oc(r)),
            (
                f"3+3 simulated, {TRIALS:,} trials",
                lambda r=rates: three_plus_three_oc_simulated(r, trials=TRIALS),
            ),
        ]
        for label, step in cases:
            median, fastest = median_and_min_ms(step, args.repeat, warm_up=True)
            print(f"{label:<34} {name:<15} {median:>10.1f} {fastest:>8.1f}")
    print(f"load average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
