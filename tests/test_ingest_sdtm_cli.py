"""``import --format sdtm`` end to end: DM, DS, RS and AE made from the pharmaverseadam
sample (tests/sdtm_support.py), mapped by the committed data/mappings/pharmaverseadam_sdtm.toml,
then ``status``, ``tables`` and ``km`` compared with the ADaM import of the same subjects
(data/mappings/pharmaverseadam.toml).

Where they must agree: the patients, responses and adverse events imported; every decision,
look and rate of ``status``; the response and adverse-event tables; the OS deaths and their
days (DTHDTC - RFXSTDTC + 1 equals ADTTE's AVAL of each OS event). Where they may not:
SDTM has no time-to-event dataset, so OS is censored at the latest dated record rather than
ADTTE's own censoring day, and PFS counts the deaths only (ADTTE's 3 progressions are
derived by the pilot from RS; the SDTM mapping takes no progression date). DS is not
mapped (a disposition mapping is not part of this reader yet); it is in the folder as a
real SDTM delivery would be, and is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.db.reading import load_trial_data
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from tests.conftest import ROOT
from tests.sdtm_support import write_sdtm

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
ADAM_MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
SDTM_MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam_sdtm.toml"
PROTOCOL = load_protocol(ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml")


def _database(folder: Path, fmt: str, mapping: Path, data: Path) -> str:
    url = str(folder / f"{fmt}.sqlite")
    assert main(["trial", "add", "--db", url, "--protocol", "pharmaverseadam"]) == 0
    argv = ["import", "--db", url, "--format", fmt, "--mapping", str(mapping), str(data)]
    assert main(argv) == 0
    return url


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("sdtm-e2e")
    write_sdtm(folder / "sdtm", partial_onset=False)
    return {
        "sdtm": _database(folder, "sdtm", SDTM_MAPPING, folder / "sdtm"),
        "adam": _database(folder, "adam", ADAM_MAPPING, SAMPLE),
    }


def _out(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    assert main(argv) in (0, 3)  # 3: the looks' summaries are due
    return capsys.readouterr().out


def test_the_sdtm_folder_holds_dm_ds_rs_and_ae(tmp_path: Path) -> None:
    write_sdtm(tmp_path / "sdtm", partial_onset=False)
    assert sorted(p.name for p in (tmp_path / "sdtm").iterdir()) == [
        "ae.csv",
        "dm.csv",
        "ds.csv",
        "rs.csv",
    ]


def test_status_and_tables_agree_with_the_adam_import(
    dbs: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = {k: json.loads(_out(capsys, ["status", "--db", u, "--json"])) for k, u in dbs.items()}
    for payload in status.values():
        payload.pop("provenance")  # the data digest: the two imports' rows differ (below)
    assert status["sdtm"] == status["adam"]
    assert status["sdtm"]["enrolled"] == status["sdtm"]["treated"] == 254
    tables = {k: _out(capsys, ["tables", "--db", u]).splitlines() for k, u in dbs.items()}
    differ = [(a, b) for a, b in zip(tables["sdtm"], tables["adam"], strict=True) if a != b]
    # only the PFS line: 3 deaths from SDTM, 3 deaths and 3 progressions from ADTTE
    assert differ == [
        (
            "PFS: n = 254, events = 3, median 175 days (95% CI 61-NA, log-log)",
            "PFS: n = 254, events = 6, median 64 days (95% CI 43-NA, log-log)",
        )
    ]


def test_the_imported_rows_agree_with_the_adam_import_but_last_contact(
    dbs: dict[str, str],
) -> None:
    data = {}
    for name, url in dbs.items():
        engine = open_database(url)
        try:
            data[name] = load_trial_data(engine, PROTOCOL.id)
        finally:
            engine.dispose()
    pd.testing.assert_frame_equal(data["sdtm"].responses, data["adam"].responses)
    pd.testing.assert_frame_equal(data["sdtm"].adverse_events, data["adam"].adverse_events)
    # ADaM's last contact and progression come from ADTTE (source = "aval"); DM has neither
    columns = ["last_contact_date", "progression_date"]
    pd.testing.assert_frame_equal(
        data["sdtm"].patients.drop(columns=columns), data["adam"].patients.drop(columns=columns)
    )


def test_km_os_deaths_agree_with_the_adam_import_and_its_adtte(dbs: dict[str, str]) -> None:
    events = {}
    for name, url in dbs.items():
        engine = open_database(url)
        try:
            records = derive(load_trial_data(engine, PROTOCOL.id), PROTOCOL).time_to_event("OS")
        finally:
            engine.dispose()
        died = records.event
        events[name] = dict(zip(records.patient_ids[died], records.time[died], strict=True))
    assert events["sdtm"] == events["adam"]
    tte = pd.read_csv(SAMPLE / "adtte_onco.csv", dtype=str)
    deaths = tte[(tte["PARAMCD"] == "OS") & (tte["CNSR"] == "0")]
    expected = dict(zip(deaths["USUBJID"], deaths["AVAL"].astype(float), strict=True))
    assert len(expected) == 3
    assert events["sdtm"] == expected
