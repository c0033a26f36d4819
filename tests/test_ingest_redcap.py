"""REDCap export + data dictionary + mapping file -> the product's tables (issue 18).

tests/data/redcap holds the default protocol's on_track demo trial (seed 0) twice: as the
product's own CSVs (product/) and as a longitudinal REDCap project's raw export with
repeating instruments for responses and adverse events (export.csv, dictionary.csv,
mapping.toml; made by tests/data/redcap/make_export.py). Both must give the same tables and
the same ``status``. Each malformed case edits one cell, dictionary row or mapping key of a
copy and must be refused naming the file, the export line, the REDCap field and the record,
with the database unchanged.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.data_dictionary import CORE_TABLES, TABLES
from monitoring.db.engine import open_database
from monitoring.db.extracts import Extract
from monitoring.db.importer import ImportResult, import_extract, import_files
from monitoring.db.problems import ImportProblem
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.ingest.redcap import read
from monitoring.ingest.redcap_mapping import TABLE_KEYS, TOP_KEYS
from tests.conftest import DEFAULT_PROTOCOL, REGISTERED_AT
from tests.db_support import database_fingerprint

DATA = Path(__file__).parent / "data" / "redcap"
PRODUCT = [DATA / "product" / f"{name}.csv" for name in CORE_TABLES]
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 1, 16, 12, 0, tzinfo=UTC)


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "redcap"
    folder.mkdir()
    for name in ("export.csv", "dictionary.csv", "mapping.toml"):
        shutil.copy(DATA / name, folder / name)
    return folder


def _read(folder: Path) -> Extract:
    return read([folder / "export.csv", folder / "dictionary.csv"], folder / "mapping.toml")


def _import(engine: sa.Engine, trial: str | None, folder: Path, now: datetime) -> ImportResult:
    files = ["export.csv", "dictionary.csv", "mapping.toml"]
    return import_extract(engine, trial, _read(folder), files, now=now, user="u")


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *rows])


def _edit_export(
    folder: Path, record: str, form: str, instance: str, field: str, value: str
) -> int:
    """Set ``field`` on the export row of ``record`` (``form``: the repeating instrument, or
    the event of a non-repeating row); returns that row's line (header = 1)."""
    path = folder / "export.csv"
    header, rows = _rows(path)
    at = {name: i for i, name in enumerate(header)}
    for number, row in enumerate(rows, start=2):
        place = row[at["redcap_repeat_instrument"]] or row[at["redcap_event_name"]]
        if (row[0], place, row[at["redcap_repeat_instance"]]) == (record, form, instance):
            row[at[field]] = value
            _write(path, header, rows)
            return number
    raise AssertionError(f"no row {record} {form} {instance}")


def _product_text(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / "product" / f"{name}.csv", dtype=str, keep_default_na=False)
    return frame.sort_values(list(TABLES[name].key), ignore_index=True)


def test_the_reader_gives_the_cells_of_the_products_own_csvs() -> None:
    """Every mapped cell is the text the product's CSV holds (same rows, same columns)."""
    extract = read([DATA], DATA / "mapping.toml")
    assert extract.problems == ()
    # the only note: first_dose is a date-and-time field in the dictionary
    assert [(n.column, n.message) for n in extract.notes] == [
        ("first_dose", "date and time values: the date is kept, the time dropped")
    ]
    by_name = {t.spec.name: t for t in extract.tables}
    assert set(by_name) == set(CORE_TABLES)  # what the mapping names
    for name in CORE_TABLES:
        spec = TABLES[name]
        frame = by_name[name].frame
        assert by_name[name].source == "export.csv"
        got = frame.reindex(columns=spec.names, fill_value="")
        got = got.sort_values(list(spec.key), ignore_index=True)
        pd.testing.assert_frame_equal(got, _product_text(name), check_dtype=False)


def _database(folder: Path, name: str) -> str:
    url = str(folder / f"{name}.db")
    engine = open_database(url)
    protocol = DEFAULT_PROTOCOL.read_text(encoding="utf-8")
    add_trial(engine, protocol, source="test", now=REGISTERED_AT, user="registrar")
    if name == "product":
        result = import_files(engine, None, PRODUCT, now=NOW, user="u")
    else:
        result = _import(engine, None, DATA, NOW)
    assert result.accepted, result.problems
    engine.dispose()
    return url


def _status(url: str) -> dict[str, object]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["status", "--db", url, "--json"])
    payload: dict[str, object] = json.loads(out.getvalue())
    return payload


def test_redcap_export_gives_the_tables_and_decisions_of_the_same_data_as_product_csvs(
    tmp_path: Path,
) -> None:
    urls = {name: _database(tmp_path, name) for name in ("product", "redcap")}
    engines = {name: open_database(url) for name, url in urls.items()}
    try:
        data = {name: load_trial_data(e, "ino-lowdose-ph2") for name, e in engines.items()}
    finally:
        for engine in engines.values():
            engine.dispose()
    for table in CORE_TABLES:
        pd.testing.assert_frame_equal(
            getattr(data["redcap"], table), getattr(data["product"], table)
        )
    product, redcap = _status(urls["product"]), _status(urls["redcap"])
    # the chain head hashes the import batch, whose file names differ; all else is equal,
    # the digest of the data included
    for payload in (product, redcap):
        provenance = payload["provenance"]
        assert isinstance(provenance, dict)
        provenance.pop("chain_head")
    assert redcap == product
    assert product["decisions"]  # the demo trial has rule decisions to compare


def _one(problems: tuple[ImportProblem, ...], fragment: str) -> ImportProblem:
    hits = [p for p in problems if fragment in p.message]
    assert len(hits) == 1, problems
    return hits[0]


RECORD = "record 'P002', event 'treatment_arm_1'"


@pytest.mark.parametrize(
    ("form", "instance", "field", "value", "expected"),
    [
        (
            "response_assessment",
            "1",
            "resp",
            "9",
            f"{RECORD}, response_assessment instance 1: unknown choice code '9' "
            "(choices 1 = CR, 2 = CRp, 3 = CRi, 4 = PR, 5 = NR, 6 = PD, 7 = NE)",
        ),
        (
            "response_assessment",
            "1",
            "resp",
            "CR",
            f"{RECORD}, response_assessment instance 1: unknown choice code 'CR' "
            "(choices 1 = CR, 2 = CRp, 3 = CRi, 4 = PR, 5 = NR, 6 = PD, 7 = NE); "
            "export raw data (codes), not labels",
        ),
        (
            "adverse_event",
            "2",
            "ae_onset",
            "",
            f"{RECORD}, adverse_event instance 2: required field is empty "
            "(adverse_events.onset_date)",
        ),
        (
            "adverse_event",
            "2",
            "ae_onset",
            "2024-02-30",
            f"{RECORD}, adverse_event instance 2: '2024-02-30' is not a date (YYYY-MM-DD)",
        ),
        (
            "response_assessment",
            "1",
            "blasts",
            "1,2",
            f"{RECORD}, response_assessment instance 1: '1,2' is not a number",
        ),
        (
            "response_assessment",
            "1",
            "resp_cycle",
            "one",
            f"{RECORD}, response_assessment instance 1: 'one' is not a whole number",
        ),
        (
            "adverse_event",
            "1",
            "ae_serious",
            "2",
            f"{RECORD}, adverse_event instance 1: unknown choice code '2' "
            "(choices 1 = Yes, 0 = No)",
        ),
        (
            "enrolment_arm_1",
            "",
            "redcap_data_access_group",
            "site_09",
            "record 'P002', event 'enrolment_arm_1': value 'site_09' has no product value in "
            "the mapping (site_01, site_02, site_03, site_04)",
        ),
        (
            "enrolment_arm_1",
            "",
            "enrol_date",
            "24/01/2024",
            "record 'P002', event 'enrolment_arm_1': '24/01/2024' is not a date (YYYY-MM-DD)",
        ),
        (
            "enrolment_arm_1",
            "",
            "first_dose",
            "2024-01-26",
            "record 'P002', event 'enrolment_arm_1': '2024-01-26' is not a date and time "
            "(YYYY-MM-DD HH:MM)",
        ),
        (
            "adverse_event",
            "1",
            "redcap_repeat_instance",
            "",
            f"{RECORD}, adverse_event instance ?: repeating instrument without an instance number",
        ),
        (
            "adverse_event",
            "1",
            "record_id",
            "P999",
            "record 'P999', event 'treatment_arm_1', adverse_event instance 1: repeating row of "
            "a record with no non-repeating row",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_file_line_field_and_record(
    engine: sa.Engine,
    trial: str,
    tmp_path: Path,
    form: str,
    instance: str,
    field: str,
    value: str,
    expected: str,
) -> None:
    assert _import(engine, trial, DATA, NOW).accepted
    before = database_fingerprint(engine)
    folder = _copy(tmp_path)
    line = _edit_export(folder, "P002", form, instance, field, value)
    result = _import(engine, trial, folder, LATER)
    assert not result.accepted
    assert result.batch_id is None
    problems = [p for p in result.problems if p.file == "export.csv"]
    assert [(p.row, p.column, p.message) for p in problems] == [(line, field, expected)]
    assert database_fingerprint(engine) == before


def test_a_field_the_dictionary_does_not_define_is_refused(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """The dictionary lacks 'blasts': the export's column and the mapping's key are named."""
    assert _import(engine, trial, DATA, NOW).accepted
    before = database_fingerprint(engine)
    folder = _copy(tmp_path)
    header, rows = _rows(folder / "dictionary.csv")
    _write(folder / "dictionary.csv", header, [r for r in rows if r[0] != "blasts"])
    result = _import(engine, trial, folder, LATER)
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        (
            "export.csv",
            1,
            "blasts",
            "field missing from the data dictionary (is it the same project's?)",
        ),
        (
            "mapping.toml",
            None,
            "responses.fields.marrow_blasts_pct",
            "field 'blasts' missing from the data dictionary",
        ),
    ]
    assert database_fingerprint(engine) == before


def test_values_that_differ_between_events_are_refused(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """P002's enrolment date given again, differently, at follow-up: which one holds?"""
    assert _import(engine, trial, DATA, NOW).accepted
    before = database_fingerprint(engine)
    folder = _copy(tmp_path)
    line = _edit_export(folder, "P002", "follow_up_arm_1", "", "enrol_date", "2024-01-25")
    result = _import(engine, trial, folder, LATER)
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        (
            "export.csv",
            line,
            "enrol_date",
            "record 'P002', event 'follow_up_arm_1': '2024-01-25' differs from '2024-01-24' "
            "given in event 'enrolment_arm_1'",
        )
    ]
    assert database_fingerprint(engine) == before


@pytest.mark.parametrize(
    ("old", "new", "key", "message"),
    [
        (
            'instrument = "adverse_event"',
            'instrument = "adverse_events"',
            "adverse_events.instrument",
            "'adverse_events' is not a form of the data dictionary",
        ),
        (
            'grade = "ae_grade"',
            'grade = "ae_grade"\ngravity = "ae_grade"',
            "adverse_events.fields.gravity",
            "'gravity' is not a column of adverse_events (patient_id, term, category, grade, "
            "onset_date, resolution_date, attribution, serious)",
        ),
        (
            'term = "ae_term"\n',
            "",
            "adverse_events.fields",
            "required column 'term' of adverse_events is not mapped to a field",
        ),
        (
            '1 = "M"',
            '4 = "M"',
            "patients.values.sex",
            "'4' is not a choice of field 'sex' (1 = Male, 2 = Female, 3 = Unknown)",
        ),
        (
            'cycle = "resp_cycle"',
            'cycle = "ae_grade"',
            "responses.fields.cycle",
            "field 'ae_grade' is on form 'adverse_event', not on response_assessment",
        ),
        (
            'age = "age"',
            'age = "prior_tx"',
            "patients.fields.age",
            "checkbox 'prior_tx': map one of its items (prior_tx___1, prior_tx___2, prior_tx___3)",
        ),
    ],
)
def test_a_bad_mapping_is_refused_naming_its_key(
    engine: sa.Engine, trial: str, tmp_path: Path, old: str, new: str, key: str, message: str
) -> None:
    before = database_fingerprint(engine)
    folder = _copy(tmp_path)
    text = (folder / "mapping.toml").read_text(encoding="utf-8")
    assert old in text
    (folder / "mapping.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    result = _import(engine, trial, folder, NOW)
    assert not result.accepted
    assert [(p.file, p.row, p.column, p.message) for p in result.problems] == [
        ("mapping.toml", None, key, message)
    ]
    assert database_fingerprint(engine) == before


def test_the_products_own_rules_name_the_export_line(
    engine: sa.Engine, trial: str, tmp_path: Path
) -> None:
    """P001 died on 2024-02-03 (product/patients.csv): an adverse event starting after
    that is refused by the importer's own rule, at the export line of that instance, naming
    the REDCap fields."""
    folder = _copy(tmp_path)
    line = _edit_export(folder, "P001", "adverse_event", "1", "ae_onset", "2024-02-10")
    result = _import(engine, trial, folder, NOW)
    assert not result.accepted
    problem = _one(result.problems, "adverse event onset after death")
    assert (problem.file, problem.row, problem.column) == ("export.csv", line, "ae_onset")
    assert problem.message == (
        "record 'P001', event 'treatment_arm_1', adverse_event instance 1: impossible "
        "sequence: adverse event onset after death (death_date 2024-02-03 is before "
        "ae_onset 2024-02-10)"
    )
    assert load_trial_data(engine, trial).patients.empty


def test_files_are_told_apart_and_counted(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    extract = read([folder / "export.csv"], folder / "mapping.toml")
    assert [str(p) for p in extract.problems] == [
        "-:-:-: give exactly one REDCap data dictionary CSV (given: none)"
    ]
    assert extract.tables == ()
    (folder / "other.txt").write_text("x", encoding="utf-8")
    extract = read([folder / "other.txt", folder / "missing.csv"], folder / "mapping.toml")
    assert [str(p) for p in extract.problems] == [
        "other.txt:-:-: must be a .csv file (REDCap export or data dictionary)",
        "missing.csv:-:-: file not found",
    ]


def test_a_misspelt_event_is_refused_not_read_as_empty(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    text = (folder / "mapping.toml").read_text(encoding="utf-8")
    (folder / "mapping.toml").write_text(
        text.replace('"follow_up_arm_1"]', '"followup_arm_1"]'), encoding="utf-8"
    )
    extract = _read(folder)
    assert [str(p) for p in extract.problems] == [
        "mapping.toml:-:patients.events: no line of the export is in event 'followup_arm_1'"
    ]
    assert extract.tables == ()


def test_the_example_mapping_reads_the_test_project_and_every_key_is_documented() -> None:
    """data/mappings/redcap-example.toml is the test mapping with comments; docs/mapping.md
    (section REDCap) names every key the reader accepts."""
    root = DATA.parents[2]
    example = read([DATA], root / "data" / "mappings" / "redcap-example.toml")
    assert example.problems == ()
    test = read([DATA], DATA / "mapping.toml")
    for ours, theirs in zip(example.tables, test.tables, strict=True):
        pd.testing.assert_frame_equal(ours.frame, theirs.frame)
    doc = (root / "docs" / "mapping.md").read_text(encoding="utf-8")
    section = doc[doc.index("## REDCap") :]
    for key in sorted(TOP_KEYS | {f"TABLE.{k}" for k in TABLE_KEYS} - set(TABLES)):
        assert f"`{key}" in section, key


def test_a_repeating_event_and_a_classic_project_are_read(tmp_path: Path) -> None:
    """Responses kept in a repeating event (no instrument, instance 1, 2) and patients in a
    plain event; the dictionary in the API's column names. Values as written below."""
    _write(
        tmp_path / "meta.csv",
        [
            "field_name",
            "form_name",
            "field_type",
            "select_choices_or_calculations",
            "text_validation_type_or_show_slider_number",
        ],
        [
            ["study_id", "enrol", "text", "", ""],
            ["enrolled", "enrol", "text", "", "date_dmy"],
            ["visit_date", "visit", "text", "", "date_ymd"],
            ["visit_no", "visit", "calc", "[x] + 1", ""],
            ["best", "visit", "dropdown", "1, CR | 2, CRi | 3, NR", ""],
        ],
    )
    _write(
        tmp_path / "data.csv",
        [
            "study_id",
            "redcap_event_name",
            "redcap_repeat_instrument",
            "redcap_repeat_instance",
            "enrolled",
            "enrol_complete",
            "visit_date",
            "visit_no",
            "best",
            "visit_complete",
        ],
        [
            ["7", "baseline_arm_1", "", "", "2025-03-01", "2", "", "", "", ""],
            ["7", "visit_arm_1", "", "1", "", "", "2025-04-01", "1", "2", "2"],
            ["7", "visit_arm_1", "", "2", "", "", "2025-05-01", "2", "1", "2"],
        ],
    )
    (tmp_path / "map.toml").write_text(
        """
record_id = "study_id"
[patients]
fields = { patient_id = "study_id", enrollment_date = "enrolled" }
[responses]
event = "visit_arm_1"
[responses.fields]
patient_id = "study_id"
assessment_date = "visit_date"
cycle = "visit_no"
response = "best"
""",
        encoding="utf-8",
    )
    extract = read([tmp_path / "data.csv", tmp_path / "meta.csv"], tmp_path / "map.toml")
    assert extract.problems == ()
    patients, responses = extract.tables
    assert patients.frame.to_dict("index") == {
        2: {"patient_id": "7", "enrollment_date": "2025-03-01"}
    }
    assert responses.frame.to_dict("index") == {
        3: {"patient_id": "7", "assessment_date": "2025-04-01", "cycle": "1", "response": "CRi"},
        4: {"patient_id": "7", "assessment_date": "2025-05-01", "cycle": "2", "response": "CR"},
    }


def test_an_export_saved_with_a_byte_order_mark_and_crlf_reads_the_same(tmp_path: Path) -> None:
    """REDCap's CSV downloads begin with a UTF-8 byte-order mark and end lines with CRLF."""
    for name in ("export.csv", "dictionary.csv"):
        text = (DATA / name).read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text)
    ours = read([tmp_path], DATA / "mapping.toml")
    assert ours.problems == ()
    plain = read([DATA], DATA / "mapping.toml")
    for a, b in zip(ours.tables, plain.tables, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)


def test_a_decimal_comma_is_read_where_the_dictionary_says_so(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    header, rows = _rows(folder / "dictionary.csv")
    for row in rows:
        if row[0] == "blasts":
            row[7] = "number_1dp_comma_decimal"
    _write(folder / "dictionary.csv", header, rows)
    line = _edit_export(folder, "P002", "response_assessment", "1", "blasts", "1,5")
    extract = _read(folder)
    assert extract.problems == ()
    responses = next(t for t in extract.tables if t.spec.name == "responses")
    assert responses.frame.loc[line, "marrow_blasts_pct"] == "1.5"
