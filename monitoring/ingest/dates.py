"""Dates of CDISC variables as the product's ``YYYY-MM-DD`` text.

ADaM dates (``ADT``, ``TRTSDT``) are full dates; SDTM ``--DTC`` values are ISO 8601 and may
hold a time (kept to the day) or be partial (``2014-03``, ``2014``). A partial date is
completed only as the mapping's ``partial_dates`` says (``first`` or ``last`` day of the
period), each completion listed as a note; by default (``refuse``) it is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from monitoring.ingest.mapping import PartialDates

FULL = r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*)?"
MONTH = r"(\d{4})-(\d{2})"
YEAR = r"(\d{4})"


@dataclass(frozen=True, eq=False)
class ParsedDates:
    """``values``: ISO text ("" when missing or bad); ``bad`` and ``imputed``: masks."""

    values: pd.Series
    bad: pd.Series
    imputed: pd.Series


def parse_dates(raw: pd.Series, partial: PartialDates) -> ParsedDates:
    """ISO dates of ``raw`` (text, "" = missing), partial ones completed as ``partial``."""
    text = raw.astype(str).str.strip()
    present = text != ""
    full = text.str.extract(f"^{FULL}$")[0]
    month = text.str.extract(f"^{MONTH}$")
    year = text.str.extract(f"^{YEAR}$")[0]
    values = full.fillna("")
    imputed = pd.Series(False, index=raw.index)
    if partial != "refuse":
        is_month = month[0].notna() & full.isna()
        is_year = year.notna() & full.isna()
        if is_month.any():
            start = pd.to_datetime(
                month[0][is_month] + "-" + month[1][is_month] + "-01", errors="coerce"
            )
            when = start if partial == "first" else start + pd.offsets.MonthEnd(0)
            values[is_month] = when.dt.strftime("%Y-%m-%d").fillna("")
        if is_year.any():
            values[is_year] = year[is_year] + ("-01-01" if partial == "first" else "-12-31")
        imputed = (is_month | is_year) & (values != "")
    checked = pd.to_datetime(values.where(values != ""), format="%Y-%m-%d", errors="coerce")
    bad = present & checked.isna()
    values = values.where(~bad, "")
    return ParsedDates(values.astype(object), bad, imputed)
