"""Timing of the Simon design search (optimal + minimax + admissible), medians of repeats.

Run from the repository root:  python benchmarks/bench_simon.py
Targets (p0 = 0.35, p1 = 0.50, alpha = 0.10, beta = 0.20): <= 6 ms at nmax = 100,
<= 60 ms at 200, <= 0.6 s at 400, < 10 s at 1000.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring.designs.simon_search import search

TARGETS = {100: 0.006, 200: 0.060, 400: 0.6, 1000: 10.0}
# Harder problems (smaller p1 - p0, so larger designs) show how the cost grows with n.
GROWTH = [
    (0.35, 0.50, 0.10, 0.20),
    (0.20, 0.35, 0.05, 0.05),
    (0.20, 0.30, 0.05, 0.10),
    (0.20, 0.25, 0.05, 0.20),
    (0.20, 0.235, 0.05, 0.20),  # optimal design at n = nmax = 1000: the slowest kind
]


def median_seconds(args: tuple[float, float, float, float, int], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        search(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def repeats_for(seconds: float) -> int:
    """About 2 s of repeats per cell; at least 3 (so the median drops one outlier)."""
    return max(3, min(101, int(2.0 / max(seconds, 1e-4))))


def main() -> None:
    print("Targets: p0=0.35 p1=0.50 alpha=0.10 beta=0.20")
    print(f"{'nmax':>6} {'median':>10} {'target':>8}  optimal / minimax")
    for nmax, target in TARGETS.items():
        args = (0.35, 0.50, 0.10, 0.20, nmax)
        first = median_seconds(args, 3)  # also warms up imports and allocations
        t = median_seconds(args, repeats_for(first))
        r = search(*args)
        verdict = "ok" if t <= target else "SLOW"
        print(
            f"{nmax:>6} {t * 1e3:>8.2f}ms {target * 1e3:>6.0f}ms {verdict}  "
            f"{r.optimal.label()} / {r.minimax.label()}"
        )
    print("\nGrowth with the size of the designs (median seconds; '-' = none feasible)")
    nmaxes = (100, 200, 400, 1000)
    print(f"{'p0':>5} {'p1':>6} {'alpha':>5} {'beta':>5} " + "".join(f"{n:>10}" for n in nmaxes))
    for p0, p1, a, b in GROWTH:
        cells = []
        for nmax in nmaxes:
            try:
                first = median_seconds((p0, p1, a, b, nmax), 1)
                cells.append(f"{median_seconds((p0, p1, a, b, nmax), repeats_for(first)):>10.4f}")
            except ValueError:
                cells.append(f"{'-':>10}")
        print(f"{p0:>5} {p1:>6} {a:>5} {b:>5} " + "".join(cells))


if __name__ == "__main__":
    main()
