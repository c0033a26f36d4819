"""Timing of the SPEC 4 derivations and of the demo generator (not a test).

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_derive.py [--repeat N]
Prints the median and the fastest of N runs for each step, on the ``large`` demo trial
(5,000 patients, ~100,000 AE rows, ~50,000 response rows). Targets: all derivations
together well under 300 ms (status page budget); generating ``large`` well under 2 s.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from timing import median_and_min_ms  # benchmarks/timing.py (script folder)

from monitoring.demo import Scenario, generate
from monitoring.derive import (
    Endpoint,
    apply_cutoff,
    derive,
    derive_patients,
    latest_date,
    time_to_event,
)
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    protocol = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
    data = generate(protocol, Scenario.LARGE, seed=0)
    cutoff = latest_date(data)
    cut = apply_cutoff(data, cutoff)
    patients = derive_patients(cut, protocol)

    def everything() -> None:
        result = derive(data, protocol)
        for endpoint in Endpoint:
            result.time_to_event(endpoint)

    steps: list[tuple[str, Callable[[], object]]] = [
        ("latest_date", lambda: latest_date(data)),
        ("apply_cutoff", lambda: apply_cutoff(data, cutoff)),
        ("derive_patients", lambda: derive_patients(cut, protocol)),
        ("time_to_event x5", lambda: [time_to_event(patients, e) for e in Endpoint]),
        ("derive (cut-off, patients, tallies, toxicity)", lambda: derive(data, protocol)),
        ("TOTAL derive + 5 endpoints", everything),
    ]
    steps += [
        (f"generate {s.value}", lambda s=s: generate(protocol, s, seed=0))  # type: ignore[misc]
        for s in Scenario
    ]
    print(
        f"large: {len(data.patients)} patients, {len(data.responses)} responses, "
        f"{len(data.adverse_events)} AEs; {repeat} runs"
    )
    print(f"{'step':<48}{'median ms':>12}{'min ms':>10}")
    for name, step in steps:
        step()  # warm-up
        median, fastest = median_and_min_ms(step, repeat)
        print(f"{name:<48}{median:>12.1f}{fastest:>10.1f}")


if __name__ == "__main__":
    main()
