"""The importer's own problems on data mapped from CDISC datasets or a REDCap export name the
source: dataset, record (USUBJID and sequence; record id, event, instrument and instance) and
variable, never the product's table and column; a fault the reader already reported is not
reported again by the importer (issue 18).

Each case edits one value of a copy of the pharmaverseadam sample (tests/data/pharmaverseadam/,
record numbers and values read from its CSV files and given in the comments) or of the REDCap
test project (tests/data/redcap/), and checks the whole list of problems.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.db.engine import open_database
from monitoring.db.extracts import Extract
from monitoring.db.importer import ImportResult, import_extract
from monitoring.db.origins import CellOrigin, TableOrigin, explain
from monitoring.db.problems import ImportProblem
from monitoring.db.repository import add_trial
from monitoring.db.timestamps import read_time
from monitoring.db.validation import future_limit
from monitoring.ingest import adam, redcap, sdtm
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT, ROOT
from tests.db_support import database_fingerprint
from tests.sdtm_support import write_sdtm
from tests.test_ingest_cli import SDTM_MAPPING

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
PROTOCOL_FILE = ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml"
REDCAP = ROOT / "tests" / "data" / "redcap"
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
FUTURE = f"is in the future (after {future_limit(read_time(NOW)).isoformat()})"


@pytest.fixture
def sqlite(tmp_path: Path) -> sa.Engine:
    engine = open_database(str(tmp_path / "trial.db"))
    yield engine  # type: ignore[misc]
    engine.dispose()


def _refused(engine: sa.Engine, protocol: Path, extract: Extract) -> list[tuple[object, ...]]:
    """The problems of an import that must be refused, the database left unchanged."""
    text = protocol.read_text(encoding="utf-8")
    trial_id = add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id
    before = database_fingerprint(engine)
    result: ImportResult = import_extract(engine, trial_id, extract, ["x"], now=NOW, user="u")
    assert not result.accepted
    assert database_fingerprint(engine) == before
    return [(p.file, p.row, p.column, p.message) for p in result.problems]


def _edit(path: Path, change: object) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = change(frame)  # type: ignore[operator]
    (frame if out is None else out).to_csv(path, index=False)


def test_adam_problems_of_the_importer_name_dataset_record_and_variable(
    sqlite: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "adam"
    shutil.copytree(SAMPLE, folder)

    def adsl(f: pd.DataFrame) -> None:
        f.loc[0, "RANDDT"] = "2015-01-01"  # record 1, 01-701-1015: TRTSDT 2014-01-02
        f.loc[1, "AGE"] = "abc"  # record 2, 01-701-1023
        f.loc[2, "SEX"] = "X"  # record 3, 01-701-1028

    def adae(f: pd.DataFrame) -> None:
        f.loc[7, "ASTDT"] = "2099-01-01"  # record 8: 01-701-1028, AESEQ 1
        # record 104: 01-701-1211, AESEQ 1; died 2013-01-14 (ADSL DTHDT, ADTTE OS AVAL 61)
        f.loc[103, "ASTDT"] = "2013-02-01"

    def adrs(f: pd.DataFrame) -> pd.DataFrame:
        first = f[f["PARAMCD"] == "OVR"].iloc[[0]].assign(ASEQ="999")
        return pd.concat([f, first], ignore_index=True)  # the first OVR record again

    _edit(folder / "adsl.csv", adsl)
    _edit(folder / "adae.csv", adae)
    _edit(folder / "adrs_onco.csv", adrs)
    # Without the disposition entries: their EOSDT and TRTEDT before the moved RANDDT would be
    # refused on the disposition table first, and the cross-table checks this test reads run
    # only on tables that are each valid.
    core = tmp_path / "core.toml"
    core.write_text(MAPPING.read_text("utf-8").split("\n# Disposition, from ADSL")[0], "utf-8")
    rs = pd.read_csv(folder / "adrs_onco.csv", dtype=str, keep_default_na=False)
    ovr = rs.index[rs["PARAMCD"] == "OVR"][0]
    first = f"USUBJID {rs.loc[ovr, 'USUBJID']}, ASEQ {rs.loc[ovr, 'ASEQ']}"
    last = len(rs)
    assert sorted(_refused(sqlite, PROTOCOL_FILE, adam.read([folder], core))) == sorted(
        [
            ("ADAE", 8, "ASTDT", f"USUBJID 01-701-1028, AESEQ 1: 2099-01-01 {FUTURE}"),
            (
                "ADAE",
                104,
                "ASTDT",
                "USUBJID 01-701-1211, AESEQ 1: impossible sequence: adverse event onset after "
                "death (ADSL.DTHDT 2013-01-14 is before ADAE.ASTDT 2013-02-01)",
            ),
            (
                "ADRS_ONCO",
                last,
                "ADT",
                f"USUBJID {rs.loc[ovr, 'USUBJID']}, ASEQ 999: duplicate key; first given on "
                f"record {ovr + 1} ({first})",
            ),
            ("ADSL", 2, "AGE", "USUBJID 01-701-1023: 'abc' is not a whole number"),
            ("ADSL", 3, "SEX", "USUBJID 01-701-1028: unknown code 'X'; expected M, F, U"),
            (
                "ADSL",
                1,
                "TRTSDT",
                "USUBJID 01-701-1015: impossible sequence: first dose before enrolment "
                "(ADSL.TRTSDT 2014-01-02 is before ADSL.RANDDT 2015-01-01)",
            ),
            (
                "ADSL",
                1,
                "TRTEDT",
                "USUBJID 01-701-1015: impossible sequence: off treatment before enrolment "
                "(ADSL.TRTEDT 2014-07-02 is before ADSL.RANDDT 2015-01-01)",
            ),
            # the last contact is STARTDT + AVAL - 1 of the OS record (ADTTE_ONCO record 1)
            (
                "ADTTE_ONCO",
                1,
                "AVAL",
                "USUBJID 01-701-1015, ASEQ 1: impossible sequence: last contact before "
                "enrolment (last contact date from ADTTE_ONCO.AVAL 2014-07-02 is before "
                "ADSL.RANDDT 2015-01-01)",
            ),
        ]
    )


def test_a_subject_repeated_in_adsl_is_reported_once(sqlite: sa.Engine, tmp_path: Path) -> None:
    """The reader's own problem only, not the importer's duplicate key of patients too."""
    folder = tmp_path / "adam"
    shutil.copytree(SAMPLE, folder)
    _edit(folder / "adsl.csv", lambda f: pd.concat([f, f.iloc[[3]]], ignore_index=True))
    assert _refused(sqlite, PROTOCOL_FILE, adam.read([folder], MAPPING)) == [
        # record 307 repeats record 4, 01-701-1033
        ("ADSL", 307, "USUBJID", "USUBJID 01-701-1033: USUBJID is repeated; first on record 4")
    ]


def test_sdtm_problems_of_the_importer_name_domain_record_and_variable(
    sqlite: sa.Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "sdtm"
    write_sdtm(folder)  # DM of the treated subjects, DS, RS and AE of the ADaM sample
    mapping = tmp_path / "sdtm.toml"
    mapping.write_text(SDTM_MAPPING.format(partial="first"), encoding="utf-8")

    def dm(f: pd.DataFrame) -> None:
        f.loc[1, "AGE"] = "130"  # record 2, 01-701-1023 (the product's maximum is 120)

    def ae(f: pd.DataFrame) -> None:
        f.loc[7, "AESTDTC"] = "2099-01-01"  # record 8: 01-701-1028, AESEQ 1

    def rs(f: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([f, f.iloc[[0]].assign(RSSEQ="999")], ignore_index=True)

    _edit(folder / "dm.csv", dm)
    _edit(folder / "ae.csv", ae)
    _edit(folder / "rs.csv", rs)
    frame = pd.read_csv(folder / "rs.csv", dtype=str, keep_default_na=False)
    subject, seq = frame.loc[0, "USUBJID"], frame.loc[0, "RSSEQ"]
    assert sorted(_refused(sqlite, PROTOCOL_FILE, sdtm.read([folder], mapping))) == sorted(
        [
            ("AE", 8, "AESTDTC", f"USUBJID 01-701-1028, AESEQ 1: 2099-01-01 {FUTURE}"),
            ("DM", 2, "AGE", "USUBJID 01-701-1023: 130 is above the maximum 120"),
            (
                "RS",
                len(frame),
                "RSDTC",
                f"USUBJID {subject}, RSSEQ 999: duplicate key; first given on record 1 "
                f"(USUBJID {subject}, RSSEQ {seq})",
            ),
        ]
    )


def _redcap_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "redcap"
    shutil.copytree(REDCAP, folder, ignore=shutil.ignore_patterns("product", "*.py"))
    return folder


def _line(export: pd.DataFrame, record: str, place: str, instance: str) -> int:
    """The export line (header = 1) of ``record`` in a repeating instrument or an event."""
    where = export["redcap_repeat_instrument"].where(
        export["redcap_repeat_instrument"] != "", export["redcap_event_name"]
    )
    hits = export.index[
        (export["record_id"] == record)
        & (where == place)
        & (export["redcap_repeat_instance"] == instance)
    ]
    return int(hits[0]) + 2


def test_redcap_problems_of_the_importer_name_line_record_and_field(
    sqlite: sa.Engine, tmp_path: Path
) -> None:
    folder = _redcap_copy(tmp_path)
    path = folder / "export.csv"
    export = pd.read_csv(path, dtype=str, keep_default_na=False)
    base = _line(export, "P002", "enrolment_arm_1", "")
    follow = _line(export, "P002", "follow_up_arm_1", "")
    ae1 = _line(export, "P002", "adverse_event", "1")
    ae2 = _line(export, "P002", "adverse_event", "2")
    export.loc[base - 2, "age"] = "130"
    # the death date is a field of the follow-up event: named at that line
    export.loc[follow - 2, "death_date"] = "2099-01-01"
    # instance 2 repeats instance 1's term and onset (the key of adverse_events)
    for field in ("ae_term", "ae_onset"):
        export.loc[ae2 - 2, field] = export.loc[ae1 - 2, field]
    export.to_csv(path, index=False)
    protocol = DEFAULT_PROTOCOL
    problems = _refused(sqlite, protocol, redcap.read([folder], folder / "mapping.toml"))
    enrolment = "record 'P002', event 'enrolment_arm_1'"
    instance = "record 'P002', event 'treatment_arm_1', adverse_event instance"
    assert (
        "export.csv",
        base,
        "age",
        f"{enrolment}: 130 is above the maximum 120",
    ) in problems
    assert (
        "export.csv",
        follow,
        "death_date",
        f"record 'P002', event 'follow_up_arm_1': 2099-01-01 {FUTURE}",
    ) in problems
    assert (
        "export.csv",
        ae2,
        "ae_onset",
        f"{instance} 2: duplicate key; first given on line {ae1} ({instance} 1)",
    ) in problems
    assert all(p[0] == "export.csv" and p[2] != "onset_date" for p in problems)


def test_the_products_sequence_rules_name_the_fields_in_the_message(tmp_path: Path) -> None:
    """An impossible sequence across tables names both fields, each from its own origin;
    a cell with its own source (``cells``) is reported there."""
    patients = TableOrigin(
        "adsl",
        "patients",
        "ADSL",
        "record",
        lambda n: f"USUBJID S{n}" if n < 10 else None,
        {"patient_id": "USUBJID", "enrollment_date": "RANDDT", "death_date": "DTHDT"},
        prefix="ADSL.",
        cells={(2, "death_date"): CellOrigin("ADTTE", 7, "USUBJID S2, ASEQ 1", "AVAL", "AVAL")},
    )
    events = TableOrigin(
        "adae", "adverse_events", "ADAE", "record", lambda n: f"AESEQ {n}", {}, prefix="ADAE."
    )
    problems = [
        ImportProblem(
            "adsl",
            2,
            "death_date",
            "impossible sequence: death before enrolment "
            "(death_date 2020-01-01 is before enrollment_date 2020-02-01)",
        ),
        ImportProblem("adae", 3, "term", "required value is missing"),
        ImportProblem("other.csv", 4, "term", "required value is missing"),
        ImportProblem("adsl", 3, "patient_id", "duplicate key; first given on row 1"),
    ]
    known = [ImportProblem("ADSL", 3, "USUBJID", "USUBJID S3: USUBJID is repeated")]
    assert explain(problems, (patients, events), known) == [
        ImportProblem(
            "ADTTE",
            7,
            "AVAL",
            "USUBJID S2, ASEQ 1: impossible sequence: death before enrolment "
            "(AVAL 2020-01-01 is before ADSL.RANDDT 2020-02-01)",
        ),
        ImportProblem("ADAE", 3, "term", "AESEQ 3: required value is missing"),
        ImportProblem("other.csv", 4, "term", "required value is missing"),
    ]
