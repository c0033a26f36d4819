"""Timing of the seed trials' monitoring: the status of a 3-cohort trial (a Simon rule and a
Thall–Simon–Estey rule per cohort, a de-escalation rule on DLT data, from one derivation)
and the dose-finding operating characteristics the Safety page shows (BOIN, 10,000 simulated
trials, 5 doses; 3+3 exact).

Run from the project root: ``PYTHONPATH=. .venv/bin/python benchmarks/bench_seed_trials.py``.
The 3-cohort protocol is seed 000's file (monitoring/protocols/examples/
peds-ino-two-cohorts.toml) with a third cohort and its own Simon and SOS/VOD rules; its demo
trial is its demo trial (monitoring/demo: as a protocol with a Simon rule and no example
description it gets the default trial's on_track builder, 19 patients here, with seed 000's
DLT script) tiled 8 and 75 times (152 and 1,425 patients; odd copies' cohort 1 becomes
cohort 3). Each figure
is the median (and fastest) wall time of repeated calls after one warm-up: ``derive`` (the
cut-off and per-patient frame) and ``trial_status`` on that derivation (every rule, its
crossing search and the monitoring log).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd

from benchmarks.timing import median_and_min_ms
from monitoring.data_dictionary import TABLES, TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.designs.dose_finding import BoinDesign, boin_oc, three_plus_three_oc
from monitoring.protocol import bundled_protocol, parse_protocol
from monitoring.status import trial_status

THIRD_COHORT = """
[[efficacy]]
id = "c3-crcri"
rule = "simon_two_stage"
label = "CR/CRi after one cycle (cohort 3)"
endpoint = "remission"
p0 = 0.40
p1 = 0.65
n1 = 11
r1 = 5
n = 31
r = 16
scope = { cohort = "3" }

[[toxicity]]
id = "c3-vod"
rule = "thall_simon_estey"
label = "SOS/VOD in cohort 3"
terms = ["Veno-occlusive disease", "VOD"]
attributions = ["unrelated", "unlikely", "possible", "probable", "definite"]
prior_a = 0.3
prior_b = 1.7
threshold = 0.15
confidence = 0.90
cohort_size = 5
nmax = 31
scope = { cohort = "3" }
"""


def three_cohort_protocol_text() -> str:
    text = bundled_protocol("peds-ino-two-cohorts").read_text(encoding="utf-8")
    text = text.replace('id = "peds-ino-two-cohorts"', 'id = "three-cohorts"', 1)
    text = text.replace("max_patients = 49", "max_patients = 5000", 1)
    text = text.replace(
        '    { id = "2", label = "Cohort 2: inotuzumab ozogamicin + augmented mBFM" },\n',
        '    { id = "2", label = "Cohort 2: inotuzumab ozogamicin + augmented mBFM" },\n'
        '    { id = "3", label = "Cohort 3: a third cohort (benchmark)" },\n',
        1,
    )
    head, tail = text.split("[reporting]", 1)
    return head + THIRD_COHORT + "\n[reporting]" + tail


def tiled(data: TrialData, copies: int) -> TrialData:
    """``copies`` copies of the trial, patient ids suffixed; copy k's cohort-1 patients go
    to cohort 3 when k is odd (so each cohort has its patients, DLT data in cohort 2)."""
    frames: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
    for k in range(copies):
        for name in TABLES:
            frame = data.table(name).copy()
            frame["patient_id"] = frame["patient_id"] + f"-{k}"
            if name == "patients" and k % 2:
                frame.loc[frame["cohort"] == "1", "cohort"] = "3"
            frames[name].append(frame)
    return TrialData(
        **{name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    protocol = parse_protocol(three_cohort_protocol_text(), "three-cohorts.toml")
    one = generate(protocol, "on_track", seed=0)
    print(f"{'case':<44} {'median ms':>10} {'min ms':>8}")
    for copies in (8, 75):
        data = tiled(one, copies)
        patients = len(data.patients)
        derived = derive(data, protocol)
        rules = len(trial_status(protocol, derived).decisions)
        med, low = median_and_min_ms(
            lambda data=data: derive(data, protocol), args.repeat, warm_up=True
        )
        print(f"{f'derive, 3 cohorts, {patients} patients':<44} {med:>10.1f} {low:>8.1f}")
        med, low = median_and_min_ms(
            lambda derived=derived: trial_status(protocol, derived), args.repeat, warm_up=True
        )
        label = f"status, 3 cohorts, {patients} patients, {rules} rules"
        print(f"{label:<44} {med:>10.1f} {low:>8.1f}")
    rates = [0.05, 0.15, 0.30, 0.45, 0.60]
    design = BoinDesign(0.3, ncohort=10, cohort_size=3)
    med, low = median_and_min_ms(
        lambda: boin_oc(design, rates, trials=10_000, seed=6), args.repeat, warm_up=True
    )
    print(f"{'BOIN OC, 10,000 trials, 5 doses':<44} {med:>10.1f} {low:>8.1f}")
    med, low = median_and_min_ms(lambda: three_plus_three_oc(rates), args.repeat, warm_up=True)
    print(f"{'3+3 OC, exact, 5 doses':<44} {med:>10.1f} {low:>8.1f}")
    print(f"load average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
