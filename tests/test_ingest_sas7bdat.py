"""SAS7BDAT through the dataset reader (``monitoring.ingest.datasets``) and ``import --format
adam``: a SAS7BDAT file reads as the CSV and SAS transport versions of the same data
(values, dates, labels), and an ADaM ADSL in SAS7BDAT imports as the CSV sample does.

Files: tests/data/sas7bdat/ (README.md there: sources and licences). ``sample`` and
``dates_xpt`` were written by SAS (pyreadstat's test data); ``adsl.sas7bdat`` by ReadStat's
SAS7BDAT writer from the pharmaverseadam ADSL (tests/data/pharmaverseadam/).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from monitoring.cli import main
from monitoring.ingest import adam
from monitoring.ingest.datasets import Dataset, read_datasets
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data" / "sas7bdat"
SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
SAMPLE_MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"


def _core_mapping(tmp_path: Path) -> Path:
    """The sample mapping without its disposition entries: adsl.sas7bdat holds only the
    variables of the patients columns (not EOSSTT, EOSDT)."""
    text = SAMPLE_MAPPING.read_text(encoding="utf-8").split("\n# Disposition, from ADSL")[0]
    path = tmp_path / "core.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _one(path: Path) -> Dataset:
    sets = read_datasets([path])
    assert not sets.problems, sets.problems
    (dataset,) = sets.by_name.values()
    return dataset


def test_a_sas7bdat_written_by_sas_reads_as_its_transport_and_csv_versions() -> None:
    sas = _one(DATA / "sample.sas7bdat")
    xpt = _one(DATA / "sample.xpt")
    csv = _one(DATA / "sample.csv")
    assert (sas.name, xpt.name, csv.name) == ("SAMPLE", "SAMPLE", "SAMPLE")
    pd.testing.assert_frame_equal(sas.frame, xpt.frame)
    # Values as sample.csv has them: text, decimals, negatives, dates before 1960, missing.
    plain = ["MYCHAR", "MYNUM", "MYDATE", "MYLABL", "MYORD"]
    pd.testing.assert_frame_equal(sas.frame[plain], csv.frame[plain])
    assert sas.frame["MYDATE"].tolist() == [
        "2018-05-06",
        "1880-05-06",
        "1960-01-01",
        "1583-01-01",
        "",
    ]
    assert sas.frame["MYNUM"].tolist() == ["1.1", "1.2", "-1000.3", "-1.4", "1000.3"]
    # The CSV writes date-times and times with microseconds; SAS's are the same instants
    # (a date-time at midnight is read as its day, as a date: the importer's dates).
    assert sas.frame["DTIME"].tolist()[:3] == [
        "2018-05-06T10:10:10",
        "1880-05-06T10:10:10",
        "1960-01-01",
    ]
    for column, parse in (("DTIME", _instant), ("MYTIME", _seconds)):
        ours = [parse(v) for v in sas.frame[column]]
        assert ours == [parse(v) for v in csv.frame[column]]
        assert ours[4] is None  # record 5: missing in both


def _instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None  # 1583 is beyond pandas' range


def _seconds(text: str) -> float | None:
    if not text:
        return None
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_labels_dates_and_times_of_a_sas7bdat_equal_its_transport_version() -> None:
    sas = _one(DATA / "dates_xpt.sas7bdat")
    xpt = _one(DATA / "dates_xpt_v8.xpt")
    pd.testing.assert_frame_equal(sas.frame, xpt.frame)
    assert sas.labels == xpt.labels
    assert sas.labels["MISSINGS"] == "a variable with some values missing"
    assert sas.labels["SECONDS"] == (
        "this variable counts the number of seconds since 1960-01-01T00:00:00"
    )
    # Record 1 of the file: one second before 1959-12-31 (SECONDS = -86401).
    first = sas.frame.loc[1]
    assert (first["DT"], first["DATES"], first["TIMES"], first["SECONDS"]) == (
        "1959-12-30T23:59:59",
        "1959-12-30",
        "23:59:59",
        "-86401",
    )
    assert first["DT"].replace("T", " ") == first["STRING_DT"]
    assert (sas.frame["DATES"] == sas.frame["STRING_DATES"]).all()


def _mixed_folder(tmp_path: Path) -> Path:
    """ADSL as SAS7BDAT, the other three datasets as the sample's CSV files."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "adsl.sas7bdat", folder)
    for name in ("adrs_onco.csv", "adtte_onco.csv", "adae.csv"):
        shutil.copy(SAMPLE / name, folder)
    return folder


def test_an_adsl_in_sas7bdat_maps_to_the_same_tables_as_the_csv_sample(tmp_path: Path) -> None:
    adsl = _one(DATA / "adsl.sas7bdat")
    assert adsl.name == "ADSL"
    assert adsl.labels["TRTSDT"] == "Date of First Exposure to Treatment"
    csv = read_datasets([SAMPLE / "adsl.csv"], ["", "NA"]).by_name["ADSL"].frame
    pd.testing.assert_frame_equal(adsl.frame, csv[list(adsl.frame.columns)])
    mapping = _core_mapping(tmp_path)
    ours = adam.read([_mixed_folder(tmp_path)], mapping)
    theirs = adam.read([SAMPLE], mapping)
    assert not ours.problems, ours.problems
    assert [t.spec.name for t in ours.tables] == ["patients", "responses", "adverse_events"]
    for a, b in zip(ours.tables, theirs.tables, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)
    assert ours.checks == theirs.checks


def test_import_format_adam_reads_the_sas7bdat_adsl(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(tmp_path / "trial.db")
    assert main(["trial", "add", "--db", url, "--protocol", "pharmaverseadam"]) == 0
    folder = _mixed_folder(tmp_path)
    capsys.readouterr()
    mapping = str(_core_mapping(tmp_path))
    argv = ["import", "--db", url, "--format", "adam", "--mapping", mapping, str(folder)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    # As the CSV sample (docs/cli.md): 254 subjects with SAFFL = Y, 22 OVR, 881 AEs.
    assert "patients: 254 added" in out
    assert "responses: 22 added" in out
    assert "adverse_events: 881 added" in out
