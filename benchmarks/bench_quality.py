"""Timing of the data-quality findings (not a test).

Run from the repository root:  PYTHONPATH=. python benchmarks/bench_quality.py [--repeat N]
Prints the median and the fastest of N runs on the ``large`` demo trial (5,000 patients)
at its default cut-off. Target: ``quality_findings`` (derivations included) under 300 ms.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from timing import median_and_min_ms  # benchmarks/timing.py (script folder)

from monitoring.data_quality import derived_findings, quality_findings
from monitoring.data_quality.checks import CHECKS, Context
from monitoring.data_quality.model import QualitySettings
from monitoring.demo import Scenario, generate
from monitoring.derive import derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    protocol = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
    data = generate(protocol, Scenario.LARGE, seed=0)
    derived = derive(data, protocol)
    context = Context(derived, protocol, QualitySettings())
    report = quality_findings(data, protocol)
    steps: list[tuple[str, Callable[[], object]]] = [
        (f"check {check.__name__}", lambda check=check: check(context))  # type: ignore[misc]
        for check in CHECKS
    ]
    steps += [
        ("derive (input of the checks)", lambda: derive(data, protocol)),
        ("derived_findings (checks + sort)", lambda: derived_findings(derived, protocol)),
        ("TOTAL quality_findings", lambda: quality_findings(data, protocol)),
    ]
    print(
        f"large: {len(data.patients)} patients, {len(data.responses)} responses, "
        f"{len(data.adverse_events)} AEs; {len(report.findings)} findings; {repeat} runs"
    )
    print(f"{'step':<48}{'median ms':>12}{'min ms':>10}")
    for name, step in steps:
        step()  # warm-up
        median, fastest = median_and_min_ms(step, repeat)
        print(f"{name:<48}{median:>12.1f}{fastest:>10.1f}")


if __name__ == "__main__":
    main()
