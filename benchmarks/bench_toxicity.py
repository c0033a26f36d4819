"""Timing of Thall-Simon-Estey boundaries + exact operating characteristics.

Run from the project root: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_toxicity.py``.
Each figure is the median wall time of one full ``toxicity_design`` call (boundaries and
OC for 8 true rates) over repeated runs, after one warm-up call.
"""

from __future__ import annotations

import statistics
import time

from monitoring.designs.toxicity import ToxicityPlan, toxicity_design
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol

RATES = [0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.45]


def median_ms(plan: ToxicityPlan, repeats: int) -> float:
    toxicity_design(plan, RATES)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        toxicity_design(plan, RATES)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    rule = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID]).primary_toxicity
    assert rule is not None
    seed = ToxicityPlan.from_rule(rule)
    cases: list[tuple[str, ToxicityPlan, int, float | None]] = [
        ("seed 003 protocol rule", seed, 200, 5.0),
        ("continuous, nmax 1000", ToxicityPlan(0.4, 1.6, 0.2, 0.92, 1, 1000), 15, 500.0),
    ]
    for nmax in (250, 500, 2000, 4000):
        cases.append(
            (f"continuous, nmax {nmax}", ToxicityPlan(0.4, 1.6, 0.2, 0.92, 1, nmax), 9, None)
        )
    cases.append(("cohorts of 8, nmax 1000", ToxicityPlan(0.4, 1.6, 0.2, 0.92, 8, 1000), 15, None))
    print(
        f"{'case':<26} {'nmax':>5} {'k':>3} {'rates':>5} {'runs':>5} {'median ms':>10} "
        f"{'target ms':>10}"
    )
    for name, plan, repeats, target in cases:
        ms = median_ms(plan, repeats)
        goal = "-" if target is None else f"< {target:g}"
        flag = "" if target is None else ("  ok" if ms < target else "  SLOW")
        print(
            f"{name:<26} {plan.nmax:>5} {plan.cohort_size:>3} {len(RATES):>5} {repeats:>5} "
            f"{ms:>10.2f} {goal:>10}{flag}"
        )


if __name__ == "__main__":
    main()
