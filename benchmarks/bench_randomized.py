"""Benchmark: status of a 2,000-patient randomized trial, and the comparisons it runs.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_randomized.py
Creates the AALL1732 demo trial of scenario ``large`` (2,000 patients randomized 1:1,
``monitoring/demo/examples.py``) in a temporary SQLite file and times, as medians:

- ``monitoring.analysis.status_of`` (what ``status`` runs: read, derive, every decision with
  the group-sequential looks, the monitoring log, the data digest);
- on the derived data: ``trial_status`` alone, and the group-sequential rule's first
  evaluation (fact dates, look search, every look's log-rank and boundaries), unstratified
  and stratified by sex (``strata = ["sex"]``);
- on the 2,000 patients' EFS: the Cox model (Efron ties) and the log-rank test, plain and
  stratified, and the cumulative incidence of relapse with Gray's test (two arms) — with,
  when ``Rscript`` has survival and cmprsk, the same calls timed in R in the same run
  (``coxph``, ``survdiff``, ``cuminc``; median of repeats inside R).

The load average is printed: the machine is shared, so figures are upper bounds.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitoring.analysis import DatabaseSource, status_of
from monitoring.db.demo_trial import create_demo_trial
from monitoring.db.engine import open_database
from monitoring.db.reading import load_trial_data
from monitoring.derive import Derivation, derive
from monitoring.derive.looks import look_dates
from monitoring.derive.time_to_event import time_to_event
from monitoring.protocol import Protocol, bundled_protocol, parse_protocol
from monitoring.rules.group_sequential import GROUP_SEQUENTIAL
from monitoring.rules.interface import RuleContext
from monitoring.status import trial_status
from monitoring.survival.arms import cox_hazard_ratio, logrank_z
from monitoring.survival.competing_risks import cumulative_incidence, gray_test

RUNS = 11
TEXT = bundled_protocol("aall1732-randomized").read_text("utf-8")
STRATIFIED = TEXT.replace("allocation_ratio = 1.0", 'allocation_ratio = 1.0\nstrata = ["sex"]')


def median_ms(step: Callable[[], object], runs: int = RUNS) -> float:
    step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


R_SCRIPT = """
suppressPackageStartupMessages({{library(survival); library(cmprsk)}})
d <- read.csv("{csv}")
tm <- function(f) {{ f(); t <- numeric(21)
  for (i in 1:21) t[i] <- system.time(f())[["elapsed"]]; median(t) * 1000 }}
cox <- tm(function() coxph(Surv(time, event) ~ arm, data = d, ties = "efron"))
coxs <- tm(function() coxph(Surv(time, event) ~ arm + strata(sex), data = d, ties = "efron"))
lr <- tm(function() survdiff(Surv(time, event) ~ arm, data = d))
lrs <- tm(function() survdiff(Surv(time, event) ~ arm + strata(sex), data = d))
ci <- tm(function() cuminc(d$time, d$status, d$arm, cencode = 0))
cat(cox, coxs, lr, lrs, ci)
"""


def r_times(csv: Path) -> list[str]:
    if shutil.which("Rscript") is None:
        return ["-"] * 5
    run = subprocess.run(
        ["Rscript", "-e", R_SCRIPT.format(csv=csv)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if run.returncode != 0 or not run.stdout.strip():
        return ["-"] * 5
    return [f"{float(x):.1f}" for x in run.stdout.split()]


def main() -> None:
    protocol = parse_protocol(TEXT, "aall1732-randomized.toml")
    stratified = parse_protocol(STRATIFIED, "aall1732-randomized.toml")
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "randomized.sqlite")
        engine = open_database(url)
        path = bundled_protocol("aall1732-randomized")
        trial_id = create_demo_trial(
            engine, "large", now=datetime(2028, 1, 1, tzinfo=UTC), protocol_file=path
        )
        data = load_trial_data(engine, trial_id)
        print(f"patients {len(data.patients):,}, load average {os.getloadavg()[0]:.1f}")
        total = median_ms(lambda: status_of(DatabaseSource(engine), trial_id))
        derived = derive(data, protocol)
        decided = trial_status(protocol, derived)
        rule = next(d for d in decided.decisions if d.kind == "group_sequential")
        looks = len(rule.detail.looks) if rule.detail is not None else 0  # type: ignore[attr-defined]
        print(f"group-sequential state {rule.state}, looks reached {looks}")
        rows = [
            ("status_of (read, derive, decide, log, digest)", total),
            ("derive", median_ms(lambda: derive(data, protocol))),
            ("trial_status on the derivation", median_ms(lambda: trial_status(protocol, derived))),
        ]
        for name, p in (("unstratified", protocol), ("stratified by sex", stratified)):
            d = derive(data, p)
            gs = p.efficacy[0]

            def first_evaluation(p: Protocol = p, d: Derivation = d, gs: Any = gs) -> object:
                # fresh dates: the rule's looks are searched, not read from the cache
                context = RuleContext(p, look_dates(d, p), d.cutoff)
                return GROUP_SEQUENTIAL.evaluate(gs, context, d.cutoff)

            label = f"look dates + group-sequential rule, {name}"
            rows.append((label, median_ms(first_evaluation)))
        engine.dispose()
        tte = time_to_event(derived.patients, "EFS", by="arm")
        sex = derived.patients.set_index("patient_id").loc[list(tte.patient_ids), "sex"]
        sex = sex.astype(str).to_numpy()
        arm_b = tte.groups == "B"
        rng = np.random.default_rng(1)
        status = np.where(tte.event, np.where(rng.random(tte.event.size) < 0.8, 1, 2), 0)
        csv = Path(folder) / "efs.csv"
        with csv.open("w") as f:
            f.write("time,event,arm,sex,status\n")
            for row in zip(tte.time, tte.event.astype(int), tte.groups, sex, status, strict=True):
                f.write(",".join(str(x) for x in row) + "\n")
        r = r_times(csv)
        print("\n| step | median ms | R ms |\n|---|---:|---:|")
        for name, ms in rows:
            print(f"| {name} | {ms:.0f} | – |")
        comparisons = [
            ("Cox, Efron ties", lambda: cox_hazard_ratio(tte.time, tte.event, arm_b)),
            ("Cox, stratified", lambda: cox_hazard_ratio(tte.time, tte.event, arm_b, sex)),
            ("log-rank", lambda: logrank_z(tte.time, tte.event, arm_b)),
            ("log-rank, stratified", lambda: logrank_z(tte.time, tte.event, arm_b, sex)),
            (
                "CIF both arms + Gray's test",
                lambda: (
                    cumulative_incidence(tte.time[arm_b], status[arm_b], 1, 2),
                    cumulative_incidence(tte.time[~arm_b], status[~arm_b], 1, 2),
                    gray_test(tte.time, status, tte.groups, 1, 2),
                ),
            ),
        ]
        print(f"({tte.time.size:,} patients, {int(tte.event.sum()):,} EFS events)")
        for (name, step), rms in zip(comparisons, r, strict=True):
            print(f"| {name} | {median_ms(step, 21):.1f} | {rms} |")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
