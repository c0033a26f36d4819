"""The Laboratory page's tables as display frames (from ``monitoring.analyses.labs``
results; nothing is computed here but labels)."""

from __future__ import annotations

import pandas as pd

from monitoring.analyses.labs import Hepatotoxicity, ShiftTable, VodCases
from monitoring.reports.formatting import round_half_up

PEAK_PLACES = 2  # multiples of ULN on the page: 1.59, not 1.5917
VOD_PLACES = 1  # bilirubin and weight gain, as the report's SOS/VOD table prints them


def _rounded(values: list[float | None], places: int) -> list[float | None]:
    """Values rounded half away from zero, as the report and a spreadsheet show them."""
    return [None if v is None else float(round_half_up(v, places)) for v in values]


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
    """Each patient's peaks in multiples of ULN, to ``PEAK_PLACES`` decimals."""
    frame = pd.DataFrame(
        {
            "Patient": [p.patient_id for p in hep.peaks],
            "Peak ALT x ULN": _rounded([p.alt for p in hep.peaks], PEAK_PLACES),
            "Peak AST x ULN": _rounded([p.ast for p in hep.peaks], PEAK_PLACES),
            "Peak bilirubin x ULN": _rounded([p.bilirubin for p in hep.peaks], PEAK_PLACES),
            "Peak ALP x ULN": _rounded([p.alp for p in hep.peaks], PEAK_PLACES),
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
            "Bilirubin peak mg/dL": _rounded([c.bilirubin_mg_dl for c in cases.cases], VOD_PLACES),
            "Bilirubin peak x ULN": _rounded([c.bilirubin_uln for c in cases.cases], VOD_PLACES),
            "Weight gain %": _rounded([c.weight_gain_percent for c in cases.cases], VOD_PLACES),
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
