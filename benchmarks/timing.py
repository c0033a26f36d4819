"""Shared timing helper for the benchmark scripts (run as ``python benchmarks/NAME.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_and_min_ms(
    step: Callable[[], object], repeat: int, *, warm_up: bool = False
) -> tuple[float, float]:
    """Median and fastest wall time of ``repeat`` calls of ``step``, in milliseconds
    (after one untimed call when ``warm_up``)."""
    if warm_up:
        step()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), min(runs)
