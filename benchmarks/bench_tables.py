"""Timing of the analysis tables (not a test).

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_tables.py [--repeat N]
Prints the median and the fastest of N runs (after one warm-up) for each table and for the
whole set, on the ``large`` demo trial (5,000 patients, ~100,000 AE rows), then the whole
set on trials of growing size. Target: the whole set (rates, best response, AE tables and
subsets, listings, treatment summary, KM for the five endpoints) under 300 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable

from timing import median_and_min_ms  # benchmarks/timing.py (script folder)

from monitoring.analyses.endpoints import survival_analyses
from monitoring.analyses.response import response_tables
from monitoring.analyses.safety import ae_tables
from monitoring.analyses.safety_listings import safety_listings
from monitoring.analyses.table_set import table_set
from monitoring.analyses.treatment import treatment_summary
from monitoring.demo import SETTINGS, Scenario, generate
from monitoring.demo import scenarios as demo_scenarios
from monitoring.derive import derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol


def _time(step: Callable[[], object], repeat: int) -> tuple[float, float]:
    return median_and_min_ms(step, repeat, warm_up=True)


def _materialised(derived_set: Callable[[], object]) -> Callable[[], object]:
    """The set with every listing's rows built as dataclasses (what a report reads)."""

    def run() -> object:
        tables = derived_set()
        assert hasattr(tables, "listings")
        listings = tables.listings
        for listing in (listings.serious, *listings.monitored):
            _ = listing.rows
        return tables

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    protocol = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
    data = generate(protocol, Scenario.LARGE, seed=0)
    derived = derive(data, protocol)
    print(
        f"large trial: {len(data.patients)} patients, {len(data.responses)} responses, "
        f"{len(data.adverse_events)} AEs; {repeat} runs, ms"
    )
    steps: list[tuple[str, Callable[[], object]]] = [
        ("response rates + best response", lambda: response_tables(derived, protocol)),
        ("AE tables (all, serious, related)", lambda: ae_tables(derived, protocol)),
        ("listings (deaths, SAEs, monitored)", lambda: safety_listings(derived, protocol)),
        ("treatment summary", lambda: treatment_summary(derived, protocol)),
        ("KM, 5 endpoints", lambda: survival_analyses(derived, protocol.survival)),
        ("TOTAL table_set (from a Derivation)", lambda: table_set(derived, protocol)),
        (
            "TOTAL + listing rows as dataclasses",
            _materialised(lambda: table_set(derived, protocol)),
        ),
        ("TOTAL derive + table_set", lambda: table_set(derive(data, protocol), protocol)),
    ]
    print(f"| {'step':<40} | median | min |")
    print(f"|{'-' * 42}|-------:|----:|")
    for name, step in steps:
        median, fastest = _time(step, repeat)
        print(f"| {name:<40} | {median:6.1f} | {fastest:5.1f} |")

    print("\ngrowth: derive + table_set by trial size (same generator settings)")
    print("| patients | AEs | median ms | min ms |")
    print("|---:|---:|---:|---:|")
    for patients in (1250, 2500, 5000, 10000):
        settings = dataclasses.replace(SETTINGS, large_patients=patients)
        demo_scenarios.SETTINGS = settings
        try:
            sized = generate(protocol, Scenario.LARGE, seed=0)
        finally:
            demo_scenarios.SETTINGS = SETTINGS
        median, fastest = _time(lambda d=sized: table_set(derive(d, protocol), protocol), 7)
        print(f"| {patients} | {len(sized.adverse_events)} | {median:.1f} | {fastest:.1f} |")


if __name__ == "__main__":
    main()
