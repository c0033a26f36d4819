"""SDTM domains made from the pharmaverseadam ADaM sample (tests/data/pharmaverseadam/), for
the tests of ``import --format sdtm`` (data/mappings/pharmaverseadam_sdtm.toml maps them).

DM: the treated subjects (SAFFL = Y), RFSTDTC = RANDDT, RFXSTDTC = TRTSDT, RFXENDTC =
TRTEDT, DTHDTC = DTHDT. DS: each subject's end of study (EOSSTT on EOSDT). RS: the overall
response records (ADRS PARAMCD OVR) as RSTESTCD OVRLRESP, dated with a time. AE: ADAE's
records with AESEV also as AETOXGR (mild 1, moderate 2, severe 3), AEREL and AESER as
given, ASTDT and AENDT as AESTDTC and AEENDTC.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import ROOT

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
GRADES = {"MILD": "1", "MODERATE": "2", "SEVERE": "3"}


def _read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / name, dtype=str, keep_default_na=False)
    return frame.replace("NA", "")


def write_sdtm(folder: Path, *, partial_onset: bool = True) -> None:
    """DM, DS, RS and AE as CSV files in ``folder`` (made here); with ``partial_onset``, AE
    record 1's onset is made partial (2014-01)."""
    folder.mkdir()
    adsl = _read("adsl.csv")
    adsl = adsl[adsl["SAFFL"] == "Y"]
    dm = pd.DataFrame(
        {
            "USUBJID": adsl["USUBJID"],
            "SITEID": adsl["SITEID"],
            "ARMCD": adsl["ARMCD"],
            "AGE": adsl["AGE"],
            "SEX": adsl["SEX"],
            "RFSTDTC": adsl["RANDDT"],
            "RFXSTDTC": adsl["TRTSDT"],
            "RFXENDTC": adsl["TRTEDT"],
            "DTHDTC": adsl["DTHDT"],
        }
    )
    dm.to_csv(folder / "dm.csv", index=False)
    ds = pd.DataFrame(
        {
            "USUBJID": adsl["USUBJID"],
            "DSSEQ": "1",
            "DSCAT": "DISPOSITION EVENT",
            "DSDECOD": adsl["EOSSTT"],
            "DSSTDTC": adsl["EOSDT"],
        }
    )
    ds.to_csv(folder / "ds.csv", index=False)
    adrs = _read("adrs_onco.csv")
    ovr = adrs[(adrs["PARAMCD"] == "OVR") & adrs["USUBJID"].isin(dm["USUBJID"])]
    rs = pd.DataFrame(
        {
            "USUBJID": ovr["USUBJID"],
            "RSSEQ": ovr["ASEQ"],
            "RSTESTCD": "OVRLRESP",
            "RSSTRESC": ovr["AVALC"],
            "RSDTC": ovr["ADT"] + "T10:30",
        }
    )
    rs.to_csv(folder / "rs.csv", index=False)
    adae = _read("adae.csv")
    adae = adae[adae["USUBJID"].isin(dm["USUBJID"])]
    ae = pd.DataFrame(
        {
            "USUBJID": adae["USUBJID"],
            "AESEQ": adae["AESEQ"],
            "AEDECOD": adae["AEDECOD"],
            "AEBODSYS": adae["AEBODSYS"],
            "AESEV": adae["AESEV"],
            "AETOXGR": adae["AESEV"].map(GRADES),
            "AEREL": adae["AEREL"],
            "AESER": adae["AESER"],
            "AESTDTC": adae["ASTDT"],
            "AEENDTC": adae["AENDT"],
        }
    )
    if partial_onset:
        ae.iloc[0, ae.columns.get_loc("AESTDTC")] = "2014-01"
    ae.to_csv(folder / "ae.csv", index=False)
