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
    text = raw.astype(str)
    present = text != ""
    values = text.where(present, "")
    imputed = pd.Series(False, index=raw.index)
    simple = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    rest = present & ~simple
    if rest.any():  # times, partial dates and bad values only: the rare cases
        other = text[rest].str.strip()
        full = other.str.extract(f"^{FULL}$")[0]
        month = other.str.extract(f"^{MONTH}$")
        year = other.str.extract(f"^{YEAR}$")[0]
        values[rest] = full.fillna(other)
        if partial != "refuse":
            is_month = month[0].notna() & full.isna()
            is_year = year.notna() & full.isna()
            if is_month.any():
                start = pd.to_datetime(
                    month[0][is_month] + "-" + month[1][is_month] + "-01", errors="coerce"
                )
                when = start if partial == "first" else start + pd.offsets.MonthEnd(0)
                values[is_month[is_month].index] = when.dt.strftime("%Y-%m-%d").fillna("")
                imputed[is_month[is_month].index] = True
            if is_year.any():
                day = "-01-01" if partial == "first" else "-12-31"
                values[is_year[is_year].index] = year[is_year] + day
                imputed[is_year[is_year].index] = True
    shaped = values.str.fullmatch(r"\d{4}-\d{2}-\d{2}")
    checked = pd.to_datetime(values.where(shaped), format="%Y-%m-%d", errors="coerce")
    bad = present & checked.isna()
    values = values.where(~bad, "")
    return ParsedDates(values.astype(object), bad, imputed & ~bad)
