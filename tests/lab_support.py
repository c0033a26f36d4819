"""Laboratory rows with known properties for a generated trial (in place of the demo's): a
baseline sample
two days before the first dose and one a week after it, to the cut-off; bilirubin and
weight rise around each SOS/VOD event's onset, and a few patients' aminotransferases rise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from monitoring.data_dictionary import LAB_RESULTS, TrialData, empty_frame

LIMITS = {  # test: (unit, LLN, ULN, typical value)
    "BILI": ("mg/dL", 0.2, 1.2, 0.6),
    "ALT": ("U/L", 7.0, 40.0, 25.0),
    "AST": ("U/L", 8.0, 35.0, 22.0),
    "ALP": ("U/L", 40.0, 130.0, 80.0),
    "PLAT": ("10^9/L", 150.0, 400.0, 120.0),
    "WEIGHT": ("kg", None, None, 72.0),
}


def with_labs(data: TrialData, seed: int = 0) -> TrialData:
    """``data`` with a ``lab_results`` frame (weekly samples of every test in ``LIMITS``)."""
    rng = np.random.default_rng(seed)
    patients = data.patients.loc[data.patients["first_dose_date"].notna()]
    vod = data.adverse_events.loc[
        data.adverse_events["term"].str.contains("VOD|veno-occlusive|SOS", case=False)
    ]
    onset = vod.groupby("patient_id")["onset_date"].min()
    ends = [c for c in ("last_contact_date", "death_date") if c in patients]
    rows: list[dict[str, object]] = []
    for _, p in patients.iterrows():
        first = p["first_dose_date"]
        end = max(pd.Timestamp(p[c]) for c in ends if pd.notna(p[c])) if ends else first
        end = min(end, first + pd.Timedelta(days=120))
        days = [-2, *range(7, max(int((end - first).days), 7) + 1, 7)]
        liver = rng.uniform(1.0, 8.0) if rng.random() < 0.25 else 1.0
        weight0 = rng.normal(72, 10)
        for day in days:
            when = first + pd.Timedelta(days=day)
            near = (
                p["patient_id"] in onset.index and abs((when - onset[p["patient_id"]]).days) <= 14
            )
            for test, (unit, lln, uln, typical) in LIMITS.items():
                value = typical * rng.uniform(0.7, 1.3)
                if test in ("ALT", "AST") and day > 0:
                    value *= liver
                if test == "BILI" and near:
                    value = rng.uniform(2.2, 6.0)
                if test == "WEIGHT":
                    drift = 1.0 if day < 0 else rng.uniform(0.97, 1.03)
                    value = weight0 * (1.07 if near else drift)
                rows.append(
                    {
                        "patient_id": p["patient_id"],
                        "test": test,
                        "sample_date": when,
                        "value": round(float(value), 2),
                        "unit": unit,
                        "lln": lln,
                        "uln": uln,
                    }
                )
    frame = pd.DataFrame(rows) if rows else empty_frame(LAB_RESULTS)
    frame["sample_date"] = pd.to_datetime(frame["sample_date"])
    frame = frame.astype({"lln": "float64", "uln": "float64"})
    return data.__class__(**{**data.__dict__, "lab_results": frame})
