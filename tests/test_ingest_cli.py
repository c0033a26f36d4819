"""The CLI on a trial imported from ADaM: ``import --format adam`` of the pharmaverseadam
sample (tests/data/pharmaverseadam/), then ``status``, ``km``, ``tables``, ``quality`` and
``report --format xlsx`` all work on it; ``km --json`` equals R's survfit
(tests/reference/pharmaverseadam_km.json). And an SDTM set made here from the same sample.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from monitoring.cli import main
from monitoring.db.problems import ImportProblem
from monitoring.ingest import sdtm
from tests.conftest import ROOT
from tests.sdtm_support import write_sdtm

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
REFERENCE = json.loads((ROOT / "tests/reference/pharmaverseadam_km.json").read_text())


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = str(tmp_path_factory.mktemp("adam") / "trial.db")
    assert main(["trial", "add", "--db", url, "--protocol", "pharmaverseadam"]) == 0
    argv = ["import", "--db", url, "--format", "adam", "--mapping", str(MAPPING), str(SAMPLE)]
    assert main(argv) == 0
    return url


def _out(capsys: pytest.CaptureFixture[str], argv: list[str], codes: tuple[int, ...] = (0,)) -> str:
    capsys.readouterr()
    assert main(argv) in codes
    return capsys.readouterr().out


@pytest.mark.parametrize("endpoint", ["OS", "PFS"])
def test_km_json_equals_r_survfit_on_the_adtte(
    db: str, endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = json.loads(_out(capsys, ["km", "--db", db, "--endpoint", endpoint, "--json"]))
    fit = next(f for f in REFERENCE["fits"] if f["paramcd"] == endpoint)
    assert (payload["n"], payload["events"]) == (fit["n"], fit["events"])
    # km --json lists the event times (and day 0/1 start); each equals R's row at that time.
    r_rows = {t: i for i, t in enumerate(fit["time"])}
    for t, s in zip(payload["times"], payload["survival"], strict=True):
        if t in r_rows:
            assert s == pytest.approx(fit["surv"][r_rows[t]], abs=1e-10)
    assert payload["median"] == fit["median"]


def test_status_tables_quality_and_xlsx_report_work_on_the_imported_trial(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = _out(capsys, ["status", "--db", db], codes=(0, 3))
    assert "Enrolled 254, treated 254" in status
    tables = _out(capsys, ["tables", "--db", db])
    assert "CR            3/254" in tables  # 3 subjects with an OVR of CR (ADRS)
    assert "data-quality finding" in _out(capsys, ["quality", "--db", db], codes=(0, 3))
    out = tmp_path / "summary.xlsx"
    assert main(["report", "--db", db, "--format", "xlsx", "--out", str(out)]) == 0
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames
    book.close()


def test_the_monitoring_log_of_a_trial_without_rules_gives_each_looks_summary_state(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample protocol has no stopping rule and a look every 20 treated patients: each
    log line ends with the summary's state, with no empty rule text before it. Look 1 is
    reached on the 20th first dose (ADSL TRTSDT of the safety population, sorted)."""
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str)
    twentieth = sorted(adsl.loc[adsl["SAFFL"] == "Y", "TRTSDT"])[19]
    status = _out(capsys, ["status", "--db", db], codes=(0, 3))
    log = status.split("Monitoring log\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert log[0] == f"  look  1 at  20 evaluable, reached {twentieth}: Summary due"
    assert log[-1] == "  look 13 at 260 evaluable, reached          -: Not reached"
    assert not any(": ;" in line for line in log)


def test_the_protocols_response_words_and_grading_scale_are_printed(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """RECIST words from data/protocols/examples/pharmaverseadam.toml (remission_label,
    response_label), not "Remission" or "Hematologic response"; the AE note names the
    scale the grades are on (AESEV severity), not CTCAE."""
    status = _out(capsys, ["status", "--db", db], codes=(0, 3))
    assert "\nComplete response (CR): 3/252;" in status
    assert "\nObjective response (CR+PR): 4/252;" in status
    assert "Hematologic" not in status
    tables = _out(capsys, ["tables", "--db", db])
    assert "Complete response (CR)" in tables
    assert "Objective response (CR + PR)" in tables
    assert "Hematologic" not in tables
    assert "(severity AESEV: mild 1, moderate 2, severe 3; not CTCAE)" in tables
    assert "(CTCAE)" not in tables


def test_pfs_median_follow_up_is_one_day_as_the_adtte_says(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reverse Kaplan–Meier (censoring as the event): 243 of the 254 PFS records of ADTTE
    are censored at AVAL 1 (EVNTDESC "Randomization": no tumour assessment), so the
    potential follow-up curve falls to 11/254 < 0.5 on day 1 and the median is day 1 (shown
    as 0.0 months): the sample's PFS, not the computation. OS: not that low."""
    tte = pd.read_csv(SAMPLE / "adtte_onco.csv", dtype=str)
    pfs = tte[tte["PARAMCD"] == "PFS"]
    assert ((pfs["AVAL"] == "1") & (pfs["CNSR"] == "1")).sum() == 243
    argv = ["km", "--db", db, "--json", "--endpoint"]
    payload = json.loads(_out(capsys, [*argv, "PFS"]))
    assert payload["median_follow_up"] == {"time": 1.0, "ci": [1.0, 1.0]}
    assert json.loads(_out(capsys, [*argv, "OS"]))["median_follow_up"]["time"] > 30


def test_quality_lists_the_adtte_disagreements_kept_with_the_import(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample mapping keeps ADTTE's AVAL: an OS record censored where ADSL's LSTALVDT is
    not STARTDT + AVAL - 1 replaces that last contact, a data-quality finding of the trial
    after the import (expected: computed here from the CSV files)."""
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str).set_index("USUBJID")
    tte = pd.read_csv(SAMPLE / "adtte_onco.csv", dtype=str)
    os_ = tte[(tte["PARAMCD"] == "OS") & (tte["CNSR"] == "1")]
    end = pd.to_datetime(os_["STARTDT"]) + pd.to_timedelta(os_["AVAL"].astype(int) - 1, "D")
    last = pd.to_datetime(os_["USUBJID"].map(adsl["LSTALVDT"]))
    expected = set(os_.loc[(end != last).to_numpy(), "USUBJID"])
    assert len(expected) == 11
    payload = json.loads(_out(capsys, ["quality", "--db", db, "--json"]))
    kept = [f for f in payload["findings"] if f["kind"] == "dataset_disagreement"]
    assert payload["counts"]["dataset_disagreement"] == len(kept) == 11
    assert {f["patient_id"] for f in kept} == expected
    assert {(f["severity"], f["table"], f["column"]) for f in kept} == {
        ("warning", "ADTTE_ONCO", "AVAL")
    }
    assert all("PARAMCD OS: last_contact_date" in f["message"] for f in kept)


def test_format_and_mapping_go_together(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "--db", db, "--format", "adam", str(SAMPLE)]) == 2
    assert "--mapping FILE is required" in capsys.readouterr().err


def test_a_rejected_cdisc_import_prints_dataset_record_variable(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("adsl.csv", "adrs_onco.csv", "adae.csv"):
        (folder / name).write_bytes((SAMPLE / name).read_bytes())
    tte = pd.read_csv(SAMPLE / "adtte_onco.csv", dtype=str, keep_default_na=False)
    tte.loc[0, "CNSR"] = "2"
    tte.to_csv(folder / "adtte_onco.csv", index=False)
    capsys.readouterr()
    argv = ["import", "--db", db, "--format", "adam", "--mapping", str(MAPPING), str(folder)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "ADTTE_ONCO:1:CNSR: USUBJID 01-701-1015, ASEQ 1: '2' is not 0 or 1" in err
    assert "nothing was changed" in err


SDTM_MAPPING = """
format = "sdtm"
csv_missing = [""]
partial_dates = "{partial}"

[subjects]
dataset = "DM"
[subjects.columns]
enrollment_date = "RFSTDTC"
first_dose_date = "RFXSTDTC"
site = "SITEID"
arm = "ARMCD"
age = "AGE"
sex = "SEX"
death_date = "DTHDTC"

[responses]
dataset = "RS"
parameter = "RSTESTCD"
parameters = ["OVRLRESP"]
date = "RSDTC"
value = "RSSTRESC"
sequence = "RSSEQ"
[responses.codes]
CR = "CR"
PR = "PR"
SD = "NR"
"NON-CR/NON-PD" = "NR"
PD = "PD"
NE = "NE"

[adverse_events]
dataset = "AE"
sequence = "AESEQ"
duplicates = "worst_grade"
[adverse_events.columns]
term = "AEDECOD"
category = "AEBODSYS"
grade = "AETOXGR"
onset_date = "AESTDTC"
[adverse_events.grades]
"1" = 1
"2" = 2
"3" = 3
"""


@pytest.mark.parametrize("partial", ["refuse", "first"])
def test_sdtm_domains_map_with_partial_dates_as_the_mapping_says(
    tmp_path: Path, partial: str
) -> None:
    folder = tmp_path / "sdtm"
    write_sdtm(folder)
    mapping = tmp_path / "sdtm.toml"
    mapping.write_text(SDTM_MAPPING.format(partial=partial), encoding="utf-8")
    extract = sdtm.read([folder], mapping)
    message = "USUBJID 01-701-1015, AESEQ 1: '2014-01' is not a date YYYY-MM-DD"
    if partial == "refuse":
        assert ImportProblem("AE", 1, "AESTDTC", message) in extract.problems
        return
    assert not extract.problems, extract.problems
    note = "USUBJID 01-701-1015, AESEQ 1: partial date 2014-01 completed as 2014-01-01 (first day)"
    assert ImportProblem("AE", 1, "AESTDTC", note) in extract.notes
    tables = {t.spec.name: t.frame for t in extract.tables}
    assert len(tables["patients"]) == 254
    assert tables["responses"]["assessment_date"].iloc[0] == "2014-01-23"  # the day of 10:30
    assert tables["adverse_events"].loc[1, "onset_date"] == "2014-01-01"
    assert np.all(tables["responses"]["response"].isin(["CR", "PR", "NR", "PD", "NE"]))
