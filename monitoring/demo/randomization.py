"""Demo randomization rows and stratification factors of a randomized example trial.

A protocol with arms and ``[[baseline]]`` stratification factors (the AALL1732 example:
risk group and CNS status) gets, from a random stream of its own (so every other demo
number stays as before):

- a ``randomization`` row per patient with an arm: dated on the enrolment day, or the day
  after when the first dose comes later; ``arm_received`` the assigned arm for a treated
  patient, another arm for a few (``CROSSOVER_SHARE`` of the treated, at least one: the
  crossovers), empty for a patient never treated;
- a ``baseline`` row per patient and stratification factor, replacing any row of those
  factors drawn before (the meeting-pack generator, ``monitoring/demo/pack.py``, draws
  every declared characteristic; this module is the one source of the stratification
  factors of a trial with arms), balanced by design: in randomization order each patient
  joins a stratum (a combination of the factors' categories, drawn by ``SHARES``) whose
  current block still has a place for the patient's arm, blocks holding ``BLOCK_PER_ARM``
  places per arm, as permuted-block randomization within strata gives. The arms are the
  ones the demo drew before, so the strata follow the arms rather than the reverse; a
  patient for whom no stratum has a place opens a new block of the drawn stratum.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType

import numpy as np
import pandas as pd

from monitoring.data_dictionary import BASELINE, RANDOMIZATION, TrialData, rows_frame
from monitoring.protocol import BaselineCharacteristic, Protocol

CROSSOVER_SHARE = 0.01
BLOCK_PER_ARM = 2
SHARES: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "risk_group": MappingProxyType({"standard": 0.6, "high": 0.4}),
        "cns_status": MappingProxyType({"CNS1": 0.8, "CNS2": 0.15, "CNS3": 0.05}),
    }
)
"""Illustrative shares of the example's stratification categories (uniform otherwise)."""
STREAM = 16
"""Mixed with the demo seed: the stream of these rows, apart from the others."""


def strata_factors(protocol: Protocol) -> tuple[BaselineCharacteristic, ...]:
    """The protocol's ``[[baseline]]`` stratification factors that have categories."""
    return tuple(b for b in protocol.baseline if b.stratification and b.categories)


def add_randomization(data: TrialData, protocol: Protocol, seed: int) -> TrialData:
    """``data`` with randomization rows and the stratification factors' baseline rows
    (module docstring; rows of those factors already in ``data.baseline`` are replaced);
    unchanged for a protocol without arms or stratification factors, or when the
    randomization table holds rows already."""
    factors = strata_factors(protocol)
    if not protocol.arms or not factors or not data.randomization.empty:
        return data
    rng = np.random.default_rng([seed, STREAM])
    p = data.patients
    arms = [u.id for u in protocol.arms]
    has_arm = p["arm"].isin(arms).to_numpy(bool)
    order = np.flatnonzero(has_arm)
    enrolled = pd.to_datetime(p["enrollment_date"])
    first = pd.to_datetime(p["first_dose_date"])
    ids = p["patient_id"].astype(str).to_numpy(object)
    order = order[np.lexsort((ids[order], enrolled.to_numpy("datetime64[ns]")[order]))]
    randomization = _randomization_rows(p, order, arms, enrolled, first, rng)
    rows = _strata_rows(p, order, ~has_arm, factors, arms, rng)
    named = data.baseline["characteristic"].astype(str).isin([f.id for f in factors])
    kept = data.baseline[~named.to_numpy(bool)]
    baseline = rows
    if len(kept):
        baseline = pd.concat([kept, rows], ignore_index=True)
        baseline = baseline.sort_values("patient_id", kind="mergesort").reset_index(drop=True)
    return replace(data, randomization=randomization, baseline=baseline)


def _randomization_rows(
    p: pd.DataFrame,
    order: np.ndarray,
    arms: list[str],
    enrolled: pd.Series,
    first: pd.Series,
    rng: np.random.Generator,
) -> pd.DataFrame:
    later = rng.random(order.size) < 0.5
    treated = first.notna().to_numpy(bool)[order]
    assigned = p["arm"].to_numpy(object)[order]
    received: list[str | None] = [
        str(a) if t else None for a, t in zip(assigned, treated, strict=True)
    ]
    candidates = np.flatnonzero(treated)
    n_cross = min(candidates.size, max(1, round(CROSSOVER_SHARE * candidates.size)))
    crossed = rng.choice(candidates, n_cross, replace=False) if n_cross else candidates[:0]
    for i in crossed.tolist():
        others = [a for a in arms if a != received[i]]
        received[i] = others[int(rng.integers(len(others)))]
    rows = []
    for k, row in enumerate(order):
        day = enrolled.iloc[row]
        if later[k] and treated[k] and first.iloc[row] > day:
            day = day + timedelta(days=1)
        rows.append(
            {
                "patient_id": p["patient_id"].iloc[row],
                "randomization_date": day,
                "arm_received": received[k],
            }
        )
    return rows_frame(rows, RANDOMIZATION)


def _strata_rows(
    p: pd.DataFrame,
    order: np.ndarray,
    unassigned: np.ndarray,
    factors: tuple[BaselineCharacteristic, ...],
    arms: list[str],
    rng: np.random.Generator,
) -> pd.DataFrame:
    combos = list(itertools.product(*(f.categories for f in factors)))
    weights = np.array(
        [
            np.prod([_share(f, value) for f, value in zip(factors, combo, strict=True)])
            for combo in combos
        ]
    )
    weights = weights / weights.sum()
    places = [dict.fromkeys(arms, BLOCK_PER_ARM) for _ in combos]
    stratum = np.full(len(p), -1, dtype=np.int64)
    assigned_arm = p["arm"].to_numpy(object)
    for row in order:
        arm = assigned_arm[row]
        drawn = int(rng.choice(len(combos), p=weights))
        open_ = np.array([places[s][arm] > 0 for s in range(len(combos))])
        if not open_[drawn]:
            if open_.any():
                w = np.where(open_, weights, 0.0)
                drawn = int(rng.choice(len(combos), p=w / w.sum()))
            else:
                places[drawn] = dict.fromkeys(arms, BLOCK_PER_ARM)
        places[drawn][arm] -= 1
        if not any(places[drawn].values()):
            places[drawn] = dict.fromkeys(arms, BLOCK_PER_ARM)
        stratum[row] = drawn
    for row in np.flatnonzero(unassigned):
        stratum[row] = int(rng.choice(len(combos), p=weights))
    rows = [
        {
            "patient_id": p["patient_id"].iloc[row],
            "characteristic": f.id,
            "value": combos[stratum[row]][j],
        }
        for row in np.flatnonzero(stratum >= 0)
        for j, f in enumerate(factors)
    ]
    return rows_frame(rows, BASELINE)


def _share(factor: BaselineCharacteristic, value: str) -> float:
    shares = SHARES.get(factor.id)
    if shares is None or value not in shares:
        return 1.0 / len(factor.categories)
    return shares[value]
