"""The Laboratory page's tables as display frames (from ``monitoring.analyses.labs``
results; nothing is computed here but labels)."""

from __future__ import annotations

import pandas as pd

from monitoring.analyses.labs import Hepatotoxicity, ShiftTable, VodCases


def shift_frame(table: ShiftTable) -> pd.DataFrame:
    """Rows: baseline grade; columns: worst post-baseline grade; counts of patients."""
    labels = table.labels
    frame = pd.DataFrame(
        [list(r) for r in table.counts],
        columns=[f"Worst {c.lower()}" for c in labels],
    )
    frame.insert(0, "Baseline grade", list(labels))
    frame["Total"] = frame.iloc[:, 1:].sum(axis=1)
    return frame


def peaks_frame(hep: Hepatotoxicity) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Patient": [p.patient_id for p in hep.peaks],
            "Peak ALT x ULN": [p.alt for p in hep.peaks],
            "Peak AST x ULN": [p.ast for p in hep.peaks],
            "Peak bilirubin x ULN": [p.bilirubin for p in hep.peaks],
            "Peak ALP x ULN": [p.alp for p in hep.peaks],
            "Quadrant": [p.quadrant.value if p.quadrant else "" for p in hep.peaks],
        }
    )
    if hep.by is not None:
        frame.insert(1, hep.by, [p.group for p in hep.peaks])
    return frame


def vod_frame(cases: VodCases) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Patient": [c.patient_id for c in cases.cases],
            "Term": [c.term for c in cases.cases],
            "Grade": [c.grade for c in cases.cases],
            "Onset day": [c.onset_day for c in cases.cases],
            "Bilirubin peak mg/dL": [c.bilirubin_mg_dl for c in cases.cases],
            "Bilirubin peak x ULN": [c.bilirubin_uln for c in cases.cases],
            "Weight gain %": [c.weight_gain_percent for c in cases.cases],
            "Hepatomegaly": ["yes" if c.hepatomegaly else "no" for c in cases.cases],
            "Ascites": ["yes" if c.ascites else "no" for c in cases.cases],
            "Modified Seattle": [
                ("met: " if c.seattle else "not met: ") + (", ".join(c.seattle_findings) or "none")
                for c in cases.cases
            ],
            "Baltimore": [
                ("met: " if c.baltimore else "not met: ")
                + (", ".join(("bilirubin",) * c.bilirubin_met + c.baltimore_findings) or "none")
                for c in cases.cases
            ],
        }
    )
