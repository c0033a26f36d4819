"""``import --format sdtm``: CDISC SDTM domains (DM, RS, AE; EX, LB, DS) with a mapping.

The same engine as ADaM (``convert.py``): the mapping names the domains and variables
(``DM.RFSTDTC``, ``RS.RSSTRESC``, ``AE.AESTDTC``, ``AE.AETOXGR``, ...). SDTM dates are ISO
8601 text, possibly with a time (kept to the day) or partial (completed only as the
mapping's ``partial_dates`` says). SDTM holds no time-to-event dataset: the product derives
the times from the dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitoring.db.extracts import Extract
from monitoring.ingest.convert import read_with


def read(paths: Sequence[Path], mapping: Path) -> Extract:
    """The product's tables from the SDTM domains in ``paths`` (files or folders)."""
    return read_with(paths, mapping, "sdtm")
