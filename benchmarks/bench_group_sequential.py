"""Timing of group-sequential designs (monitoring.designs.group_sequential), medians.

Run from the repository root:  python benchmarks/bench_group_sequential.py
Target: < 50 ms for a whole design of 4 looks (efficacy bounds, beta-spending futility with
its drift, characteristics under H0, the alternative and half of it). When ``Rscript`` with
rpact is on the PATH, the same designs are timed in rpact in the same run
(getDesignGroupSequential + getDesignCharacteristics, median of repeats inside R).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import median_and_min_ms
from monitoring.designs.group_sequential import (
    DesignSpec,
    SpendingFamily,
    SpendingFunction,
    compute_design,
    evaluate_look,
)

OF = SpendingFunction(SpendingFamily.OBRIEN_FLEMING)
HSD = SpendingFunction(SpendingFamily.HSD, -4.0)
TEN = tuple(round(0.1 * k, 1) for k in range(1, 11))
CASES: list[tuple[str, DesignSpec, str]] = [
    (
        "3 looks OF, no futility",
        DesignSpec(0.025, (0.33, 0.67, 1.0), OF),
        'typeOfDesign = "asOF", informationRates = c(0.33, 0.67, 1)',
    ),
    (
        "4 looks OF, no futility",
        DesignSpec(0.025, (0.25, 0.5, 0.75, 1.0), OF),
        'typeOfDesign = "asOF", informationRates = c(0.25, 0.5, 0.75, 1)',
    ),
    (
        "4 looks OF + bsOF futility",
        DesignSpec(0.025, (0.25, 0.5, 0.75, 1.0), OF, 0.2, OF),
        'typeOfDesign = "asOF", typeBetaSpending = "bsOF", '
        "informationRates = c(0.25, 0.5, 0.75, 1)",
    ),
    (
        "4 looks HSD(-4) + bsHSD, unplanned",
        DesignSpec(0.025, (0.2, 0.41, 0.58, 1.0), HSD, 0.2, HSD),
        'typeOfDesign = "asHSD", gammaA = -4, typeBetaSpending = "bsHSD", gammaB = -4, '
        "informationRates = c(0.2, 0.41, 0.58, 1)",
    ),
    (
        "10 looks OF + bsOF futility",
        DesignSpec(0.025, TEN, OF, 0.2, OF),
        'typeOfDesign = "asOF", typeBetaSpending = "bsOF", informationRates = (1:10) / 10',
    ),
]

R_TEMPLATE = """
suppressPackageStartupMessages(library(rpact))
f <- function() getDesignCharacteristics(getDesignGroupSequential(kMax = {k},
  alpha = 0.025, beta = 0.2, sided = 1, bindingFutility = FALSE, {args}))
invisible(suppressWarnings(f()))
n <- {repeat}
t <- numeric(n)
for (i in 1:n) t[i] <- system.time(suppressWarnings(f()))[["elapsed"]]
cat(median(t) * 1000)
"""


def rpact_ms(k: int, args: str, repeat: int) -> str:
    """Median ms of rpact for the same design, or '-' without R/rpact."""
    if shutil.which("Rscript") is None:
        return "-"
    script = R_TEMPLATE.format(k=k, args=args, repeat=repeat)
    run = subprocess.run(
        ["Rscript", "-e", script], capture_output=True, text=True, timeout=600, check=False
    )
    return f"{float(run.stdout.strip()):.1f}" if run.returncode == 0 and run.stdout else "-"


def main() -> None:
    print(f"{'design':<36} {'median ms':>10} {'min ms':>8} {'rpact ms':>9}")
    for name, spec, r_args in CASES:
        median, fastest = median_and_min_ms(
            lambda spec=spec: compute_design(spec), 21, warm_up=True
        )
        r = rpact_ms(len(spec.fractions), r_args, 21)
        print(f"{name:<36} {median:>10.1f} {fastest:>8.1f} {r:>9}")
    spec = DesignSpec(0.025, (0.25, 0.5, 0.75, 1.0), OF, 0.2, OF)
    median, fastest = median_and_min_ms(
        lambda: evaluate_look(spec, 300.0, [80.0, 170.0], 1.4, 0.7), 21, warm_up=True
    )
    print(f"{'look 2 of 4 (recompute + CP + RCI)':<36} {median:>10.1f} {fastest:>8.1f} {'-':>9}")


if __name__ == "__main__":
    main()
