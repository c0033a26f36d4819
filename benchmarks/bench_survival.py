"""Speed of the Kaplan–Meier estimate (SPEC target: 1,000,000 subjects in under 0.5 s).

The timed task is what the product does for one endpoint: the curve with log-log CI, the
median with its CI, and the at-risk (KMunicate) table at 5 times. Medians over repeated
runs. lifelines does the same task (fit, median CI from its band, at-risk lookups); R's
survfit (survfit + summary table + summary at times) is timed too when Rscript exists.

Run from the repository root:  python benchmarks/bench_survival.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

from monitoring.survival import kaplan_meier, risk_table

N = 1_000_000
TABLE_TIMES = [0.0, 100.0, 200.0, 300.0, 400.0]


def data(n: int, ties: bool, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Exponential event times (median ~ 200 days) with uniform censoring up to 600 days.
    ``ties``: whole days (a few hundred distinct times); else continuous (all distinct)."""
    rng = np.random.default_rng(seed)
    event_time = rng.exponential(290.0, n)
    censor_time = rng.uniform(0.0, 600.0, n)
    t = np.minimum(event_time, censor_time)
    if ties:
        t = np.floor(t)
    return t, event_time <= censor_time


def median_seconds(task: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ours(t: np.ndarray, e: np.ndarray) -> object:
    fit = kaplan_meier(t, e, "log-log")
    return fit.median, risk_table(fit, TABLE_TIMES)


def lifelines_task(t: np.ndarray, e: np.ndarray) -> object:
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = KaplanMeierFitter().fit(t, e)
        ci = median_survival_times(kmf.confidence_interval_)
        table = kmf.event_table
        at_risk = [int(table.loc[table.index >= x, "at_risk"].iloc[0]) for x in TABLE_TIMES]
    return kmf.median_survival_time_, ci, at_risk


R_SCRIPT = """
suppressPackageStartupMessages(library(survival))
d <- read.csv("{path}")
el <- replicate({repeats}, system.time({{
  fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log")
  tab <- summary(fit)$table
  s <- summary(fit, times = c({times}), extend = TRUE)
}})[["elapsed"]])
cat(median(el))
"""


def r_seconds(t: np.ndarray, e: np.ndarray, repeats: int) -> float | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "km.csv"
        np.savetxt(path, np.column_stack([t, e]), delimiter=",", header="time,event",
                   comments="", fmt=["%.6f", "%d"])  # fmt: skip
        script = R_SCRIPT.format(path=path, repeats=repeats,
                                 times=", ".join(str(x) for x in TABLE_TIMES))  # fmt: skip
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                             check=True)  # fmt: skip
    return float(out.stdout.strip())


def main() -> None:
    print(f"Kaplan-Meier, log-log CI + median CI + at-risk table, n = {N:,}")
    print(
        f"{'data':<28}{'ours (s)':>10}{'lifelines (s)':>15}{'R survfit (s)':>15}{'x lifelines':>13}"
    )
    for ties in (False, True):
        t, e = data(N, ties)
        label = "whole days (ties)" if ties else "continuous (all distinct)"
        mine = median_seconds(lambda t=t, e=e: ours(t, e), repeats=9)
        life = median_seconds(lambda t=t, e=e: lifelines_task(t, e), repeats=3)
        r = r_seconds(t, e, repeats=3)
        r_text = f"{r:>15.3f}" if r is not None else f"{'n/a':>15}"
        print(f"{label:<28}{mine:>10.3f}{life:>15.3f}{r_text}{life / mine:>13.1f}")
    print()
    print("Growth with n (ours, continuous times): seconds and seconds per n log2 n")
    print(f"{'n':>10}{'seconds':>10}{'ns / (n log2 n)':>17}")
    for n in (10_000, 100_000, 1_000_000, 4_000_000):
        t, e = data(n, ties=False)
        s = median_seconds(lambda t=t, e=e: ours(t, e), repeats=7)
        print(f"{n:>10,}{s:>10.4f}{s / (n * np.log2(n)) * 1e9:>17.2f}")


if __name__ == "__main__":
    main()
