"""``import --format adam``: the pharmaverseadam sample (tests/data/pharmaverseadam/) mapped by
data/mappings/pharmaverseadam.toml, imported all or nothing, and its Kaplan–Meier estimates
equal to R's survfit on the same ADTTE (tests/reference/pharmaverseadam_km.R and .json).

Every malformed-dataset case is refused naming the dataset, the record (its number, USUBJID
and sequence) and the variable, and leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.analyses.conduct import disposition
from monitoring.data_quality import Finding, FindingKind, Severity, quality_findings
from monitoring.db.chain_verify import BreakKind, verify_chain
from monitoring.db.extracts import Extract
from monitoring.db.import_checks import read_dataset_findings
from monitoring.db.importer import ImportResult, import_extract
from monitoring.db.problems import ImportProblem
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.derive import derive
from monitoring.ingest import adam
from monitoring.ingest.datasets import read_datasets
from monitoring.ingest.registry import reader
from monitoring.protocol import load_protocol
from monitoring.survival.kaplan_meier import kaplan_meier
from tests.conftest import REGISTERED_AT, ROOT
from tests.db_support import database_fingerprint

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
PROTOCOL_FILE = ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml"
PROTOCOL = load_protocol(PROTOCOL_FILE)
REFERENCE = json.loads((ROOT / "tests/reference/pharmaverseadam_km.json").read_text())
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def _register(engine: sa.Engine) -> str:
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def _import(engine: sa.Engine, trial_id: str, extract: Extract) -> ImportResult:
    return import_extract(engine, trial_id, extract, ["sample"], now=NOW, user="statistician")


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "adam"
    shutil.copytree(SAMPLE, folder)
    return folder


def _edit(folder: Path, name: str, change: object) -> None:
    """Rewrite ``name`` (CSV, all text, NA kept as written) after ``change(frame)``."""
    path = folder / name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    out = change(frame)  # type: ignore[operator]
    (frame if out is None else out).to_csv(path, index=False)


def test_the_sample_imports_and_km_equals_r_survfit(engine: sa.Engine) -> None:
    trial_id = _register(engine)
    result = _import(engine, trial_id, adam.read([SAMPLE], MAPPING))
    assert result.accepted, result.problems
    counts = {c.table: c.added for c in result.counts}
    # 254 subjects with SAFFL = Y; 22 OVR records; 1,191 ADAE records less the 310 repeats;
    # disposition from their EOSSTT: 110 COMPLETED (completed treatment and completed the
    # study, 2 events each) and 144 DISCONTINUED (discontinued treatment).
    assert counts == {
        "patients": 254,
        "responses": 22,
        "adverse_events": 881,
        "disposition_events": 2 * 110 + 144,
    }
    derived = derive(load_trial_data(engine, trial_id), PROTOCOL)
    for fit in REFERENCE["fits"]:
        records = derived.time_to_event(fit["paramcd"])
        ours = kaplan_meier(records.time, records.event, "log-log")
        assert (ours.n, ours.events) == (fit["n"], fit["events"])
        np.testing.assert_array_equal(ours.time, fit["time"])
        np.testing.assert_array_equal(ours.n_risk, fit["n_risk"])
        np.testing.assert_array_equal(ours.n_event, fit["n_event"])
        for name, column in (("surv", ours.survival), ("lower", ours.lower), ("upper", ours.upper)):
            expected = np.array([np.nan if v is None else v for v in fit[name]], dtype=float)
            np.testing.assert_allclose(column, expected, rtol=0, atol=1e-10, equal_nan=True)


def test_the_samples_disposition_comes_from_adsl_eosstt(engine: sa.Engine) -> None:
    """ADSL's EOSSTT of the treated subjects (counted here from adsl.csv): COMPLETED is a
    completed treatment and study, DISCONTINUED a discontinued treatment. This ADSL has no
    reason variable (no DCSREAS), so every discontinuation's reason is "not stated"."""
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str, keep_default_na=False)
    treated = adsl[adsl["SAFFL"] == "Y"]
    completed = int((treated["EOSSTT"] == "COMPLETED").sum())
    stopped = int((treated["EOSSTT"] == "DISCONTINUED").sum())
    died = treated["DTHDT"] != "NA"
    assert (len(treated), completed, stopped) == (254, 110, 144)
    trial_id = _register(engine)
    assert _import(engine, trial_id, adam.read([SAMPLE], MAPPING)).accepted
    derived = derive(load_trial_data(engine, trial_id), PROTOCOL)
    table = disposition(derived, PROTOCOL)
    assert (table.treated, table.off_treatment, table.completed) == (254, 254, completed)
    assert table.discontinued == (("not stated", stopped),)
    status = dict(table.status)
    assert status["Died"] == int(died.sum())
    assert status["Completed the study"] == int(((treated["EOSSTT"] == "COMPLETED") & ~died).sum())


def test_a_treated_flag_distinct_from_the_population_leaves_its_others_untreated(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """population = ITTFL (made here: every randomized subject, the 254 with RANDDT), treated
    = SAFFL, set to N for records 1 and 2 (01-701-1015, 01-701-1023, both with a TRTSDT):
    both are patients, enrolled but not treated (first dose emptied), the other 252 treated.
    Their ADTTE records are left out (the product's origin is the first dose)."""
    folder = _copy(tmp_path)
    untreated = ["01-701-1015", "01-701-1023"]

    def adsl(f: pd.DataFrame) -> None:
        f["ITTFL"] = np.where(f["RANDDT"] != "NA", "Y", "N")
        f.loc[f["USUBJID"].isin(untreated), "SAFFL"] = "N"

    _edit(folder, "adsl.csv", adsl)
    _edit(folder, "adtte_onco.csv", lambda f: f[~f["USUBJID"].isin(untreated)])
    mapping = tmp_path / "mapping.toml"
    text = MAPPING.read_text(encoding="utf-8")
    mapping.write_text(text.replace('population = "SAFFL"', 'population = "ITTFL"'), "utf-8")
    trial_id = _register(engine)
    result = _import(engine, trial_id, adam.read([folder], mapping))
    assert result.accepted, result.problems
    patients = derive(load_trial_data(engine, trial_id), PROTOCOL).patients
    assert len(patients) == 254
    assert set(patients.loc[~patients["treated"], "patient_id"]) == set(untreated)
    assert patients.loc[~patients["treated"], "first_dose_date"].isna().all()


def test_the_sample_as_sas_transport_and_dataset_json_maps_to_the_same_tables(
    tmp_path: Path,
) -> None:
    import pyreadstat

    csv_tables = adam.read([SAMPLE], MAPPING).tables
    sets = read_datasets([SAMPLE], ["", "NA"])
    xpt, js, js10 = tmp_path / "xpt", tmp_path / "json", tmp_path / "json10"
    for folder in (xpt, js, js10):
        folder.mkdir()
    for name, data in sets.by_name.items():
        frame = data.frame.replace("", None)
        for column in frame.columns:
            values = frame[column].dropna()
            if values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all() and len(values):
                frame[column] = pd.to_datetime(frame[column]).dt.date
            elif values.str.fullmatch(r"-?\d+(\.\d+)?").all() and len(values):
                frame[column] = pd.to_numeric(frame[column])
        stem = name.lower()
        pyreadstat.write_xport(frame, str(xpt / f"{stem}.xpt"), table_name=name[:8])
        columns = [{"itemOID": f"IT.{c}", "name": c, "dataType": "string"} for c in data.frame]
        rows = [[None if v == "" else v for v in r] for r in data.frame.to_numpy().tolist()]
        document = {"datasetJSONVersion": "1.1", "name": name, "columns": columns, "rows": rows}
        (js / f"{stem}.json").write_text(json.dumps(document), encoding="utf-8")
        items = [{"OID": "IT.SEQ", "name": "ITEMGROUPDATASEQ", "type": "integer"}]
        items += [{"OID": f"IT.{c}", "name": c, "type": "string"} for c in data.frame]
        group = {"name": name, "items": items, "itemData": [[n, *r] for n, r in enumerate(rows)]}
        old = {"datasetJSONVersion": "1.0.0", "clinicalData": {"itemGroupData": {name: group}}}
        (js10 / f"{stem}.json").write_text(json.dumps(old), encoding="utf-8")
    for folder in (xpt, js, js10):
        tables = adam.read([folder], MAPPING).tables
        assert [t.spec.name for t in tables] == [t.spec.name for t in csv_tables]
        for ours, theirs in zip(tables, csv_tables, strict=True):
            pd.testing.assert_frame_equal(ours.frame, theirs.frame, check_dtype=False)


def test_a_wide_sas_transport_file_is_read_without_a_fragmentation_warning(
    tmp_path: Path,
) -> None:
    """A dataset of 150 variables (the full ADAE of pharmaverseadam has over 100) is made as
    one frame: pandas warns of a frame built a column at a time past 100 columns."""
    import pyreadstat

    frame = pd.DataFrame({f"V{i:03d}": [float(i), 0.5] for i in range(150)})
    pyreadstat.write_xport(frame, str(tmp_path / "wide.xpt"), table_name="WIDE")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        sets = read_datasets([tmp_path])
    assert sets.problems == ()
    wide = sets.by_name["WIDE"].frame
    assert wide.shape == (2, 150)
    assert wide.loc[1, "V007"] == "7"
    assert wide.loc[2, "V149"] == "0.5"


def _typed(values: pd.Series) -> tuple[str, list[object]]:
    """A column's Dataset-JSON 1.1 dataType and its values as JSON holds them (numbers as
    numbers, dates as ISO 8601 text, missing as null)."""
    present = values[values != ""]
    if len(present) and present.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
        return "date", [v or None for v in values]
    if len(present) and present.str.fullmatch(r"-?\d+").all():
        return "integer", [int(v) if v else None for v in values]
    if len(present) and present.str.fullmatch(r"-?\d+\.\d*[1-9]").all():
        return "double", [float(v) if v else None for v in values]
    return "string", [v or None for v in values]


def test_typed_dataset_json_1_1_and_its_ndjson_form_map_to_the_same_tables(
    tmp_path: Path,
) -> None:
    """Dataset-JSON 1.1 as CDISC specifies it (``columns`` with itemOID, name, label and
    dataType; ``rows`` as arrays of typed values), in one JSON document and in the NDJSON
    form (metadata on the first line, one row per line), maps to the CSV sample's tables."""
    csv_tables = adam.read([SAMPLE], MAPPING).tables
    sets = read_datasets([SAMPLE], ["", "NA"])
    js, nd = tmp_path / "json", tmp_path / "ndjson"
    js.mkdir()
    nd.mkdir()
    for name, data in sets.by_name.items():
        typed = {c: _typed(data.frame[c]) for c in data.frame.columns}
        columns = [
            {"itemOID": f"IT.{name}.{c}", "name": c, "label": f"{c} of {name}", "dataType": t}
            for c, (t, _) in typed.items()
        ]
        rows = [list(r) for r in zip(*(v for _, v in typed.values()), strict=True)]
        meta = {
            "datasetJSONCreationDateTime": "2025-06-01T09:00:00",
            "datasetJSONVersion": "1.1.0",
            "itemGroupOID": f"IG.{name}",
            "records": len(rows),
            "name": name,
            "label": name,
            "columns": columns,
        }
        stem = name.lower()
        (js / f"{stem}.json").write_text(json.dumps({**meta, "rows": rows}), encoding="utf-8")
        lines = [json.dumps(meta), *(json.dumps(r) for r in rows)]
        (nd / f"{stem}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _typed(sets.by_name["ADTTE_ONCO"].frame["AVAL"])[0] == "integer"
    assert _typed(sets.by_name["ADSL"].frame["TRTSDT"])[0] == "date"
    for folder in (js, nd):
        read = read_datasets([folder])
        assert not read.problems, read.problems
        assert read.by_name["ADSL"].labels["TRTSDT"] == "TRTSDT of ADSL"
        tables = adam.read([folder], MAPPING).tables
        assert [t.spec.name for t in tables] == [t.spec.name for t in csv_tables]
        for ours, theirs in zip(tables, csv_tables, strict=True):
            pd.testing.assert_frame_equal(ours.frame, theirs.frame, check_dtype=False)
    bad = tmp_path / "adsl.ndjson"
    bad.write_text('["01-701-1015", "Y"]\n', encoding="utf-8")
    message = "cannot be read as NDJSON: the first line is not Dataset-JSON metadata with 'columns'"
    assert read_datasets([bad]).problems == (ImportProblem("adsl.ndjson", None, None, message),)


def test_registry_reaches_each_format_module() -> None:
    assert reader("adam") is adam.read
    from monitoring.ingest import sdtm

    assert reader("sdtm") is sdtm.read
    with pytest.raises(ValueError, match="unknown import format 'spss'"):
        reader("spss")


def _refused(
    engine: sa.Engine, tmp_path: Path, extract: Extract, expected: ImportProblem
) -> ImportResult:
    trial_id = _register(engine)
    before = database_fingerprint(engine)
    result = _import(engine, trial_id, extract)
    assert not result.accepted
    assert expected in result.problems, result.problems
    assert database_fingerprint(engine) == before
    return result


def test_missing_required_variable_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder, "adtte_onco.csv", lambda f: f.drop(columns=["CNSR"]))
    expected = ImportProblem("ADTTE_ONCO", None, "CNSR", "required variable is missing")
    _refused(engine, tmp_path, adam.read([folder], MAPPING), expected)


def test_unknown_paramcd_in_the_mapping_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    text = MAPPING.read_text(encoding="utf-8").replace('PFS = "PFS"', 'PFS = "PFSINV"')
    mapping.write_text(text, encoding="utf-8")
    message = (
        "PARAMCD 'PFSINV' named by the mapping (time_to_event.parameters) is not in the dataset"
    )
    expected = ImportProblem("ADTTE_ONCO", None, "PARAMCD", message)
    _refused(engine, tmp_path, adam.read([SAMPLE], mapping), expected)


def test_cnsr_not_0_or_1_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)

    def change(f: pd.DataFrame) -> None:
        f.loc[0, "CNSR"] = "2"  # record 1: USUBJID 01-701-1015, OS, ASEQ 1

    _edit(folder, "adtte_onco.csv", change)
    message = "USUBJID 01-701-1015, ASEQ 1: '2' is not 0 or 1"
    expected = ImportProblem("ADTTE_ONCO", 1, "CNSR", message)
    _refused(engine, tmp_path, adam.read([folder], MAPPING), expected)


def test_dates_out_of_order_are_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)

    def tte(f: pd.DataFrame) -> None:
        f.loc[1, "ADT"] = "2013-12-31"  # record 2: PFS of 01-701-1015, STARTDT 2014-01-02

    def ae(f: pd.DataFrame) -> None:
        f.loc[2, "AENDT"] = "2014-01-01"  # record 3: AESEQ 3 of 01-701-1015, onset 2014-01-09

    _edit(folder, "adtte_onco.csv", tte)
    _edit(folder, "adae.csv", ae)
    message = "USUBJID 01-701-1015, ASEQ 2: 2013-12-31 is before STARTDT (dates out of order)"
    result = _refused(
        engine,
        tmp_path,
        adam.read([folder], MAPPING),
        ImportProblem("ADTTE_ONCO", 2, "ADT", message),
    )
    message = "USUBJID 01-701-1015, AESEQ 3: 2014-01-01 is before ASTDT (dates out of order)"
    assert ImportProblem("ADAE", 3, "AENDT", message) in result.problems


def test_duplicate_usubjid_in_adsl_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)

    def change(f: pd.DataFrame) -> None:
        f.loc[1, "USUBJID"] = "01-701-1015"  # record 2 repeats record 1's subject

    _edit(folder, "adsl.csv", change)
    message = "USUBJID 01-701-1015: USUBJID is repeated; first on record 1"
    expected = ImportProblem("ADSL", 2, "USUBJID", message)
    _refused(engine, tmp_path, adam.read([folder], MAPPING), expected)


def test_record_of_a_subject_not_in_adsl_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)

    def change(f: pd.DataFrame) -> None:
        f.loc[4, "USUBJID"] = "99-999-9999"  # record 5 (AESEQ 1 of 01-701-1023)

    _edit(folder, "adae.csv", change)
    message = "USUBJID 99-999-9999, AESEQ 1: '99-999-9999' is not in the subject dataset"
    expected = ImportProblem("ADAE", 5, "USUBJID", message)
    _refused(engine, tmp_path, adam.read([folder], MAPPING), expected)


def test_an_unmapped_response_value_is_refused(engine: sa.Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    record: dict[str, str] = {}

    def change(f: pd.DataFrame) -> None:
        first = int(f.index[f["PARAMCD"] == "OVR"][0])
        record.update(f.loc[first].to_dict(), number=str(first + 1))
        f.loc[first, "AVALC"] = "MR"

    _edit(folder, "adrs_onco.csv", change)
    message = (
        f"USUBJID {record['USUBJID']}, ASEQ {record['ASEQ']}: 'MR' is not mapped "
        "(responses.codes: CR, PR, SD, NON-CR/NON-PD, PD, NE)"
    )
    expected = ImportProblem("ADRS_ONCO", int(record["number"]), "AVALC", message)
    _refused(engine, tmp_path, adam.read([folder], MAPPING), expected)


def _dates_mapping(tmp_path: Path) -> Path:
    """The sample mapping with ``source = "dates"``: ADTTE is only compared with the dates."""
    mapping = tmp_path / "dates.toml"
    text = MAPPING.read_text(encoding="utf-8").replace('source = "aval"', 'source = "dates"')
    mapping.write_text(text, encoding="utf-8")
    return mapping


def test_adtte_disagreeing_with_the_dates_is_a_data_quality_note(tmp_path: Path) -> None:
    """``source = "dates"``: the dates come from ADSL and ADRS; ADTTE records whose AVAL or
    CNSR differ from them are listed. Expected: the OS records censored at an ADT other
    than ADSL's LSTALVDT (computed here from the CSV files)."""
    extract = adam.read([SAMPLE], _dates_mapping(tmp_path))
    assert not extract.problems
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str).set_index("USUBJID")
    tte = pd.read_csv(SAMPLE / "adtte_onco.csv", dtype=str)
    tte.index = tte.index + 1
    os_ = tte[(tte["PARAMCD"] == "OS") & (tte["CNSR"] == "1")]
    expected = set(os_.index[(os_["ADT"] != os_["USUBJID"].map(adsl["LSTALVDT"])).to_numpy()])
    found = {
        n.row
        for n in extract.notes
        if n.file == "ADTTE_ONCO" and "data-quality finding: OS" in n.message
    }
    assert found == expected
    assert len(expected) == 11
    # The same disagreements are the extract's findings, kept with the batch on import.
    (check,) = extract.checks
    kept = {f.record for f in check.findings if f.parameter == "OS" and f.variable == "AVAL"}
    assert kept == expected


def test_adtte_aval_disagreeing_with_the_dates_is_a_data_quality_finding_after_import(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """Record 1 of ADTTE_ONCO (USUBJID 01-701-1015, OS, ASEQ 1) says AVAL 182, CNSR 1:
    STARTDT 2014-01-02 to ADT 2014-07-02 (day 1 = STARTDT), ADSL's LSTALVDT 2014-07-02 too,
    so the sample has no finding for it. AVAL made 200 there disagrees with ADT and with
    ADSL: with the sample mapping (``source = "aval"``) the last contact stored is
    2014-01-02 + 199 days = 2014-07-20. Both disagreements are findings kept with the import
    batch and listed by the data-quality report until a later import compares ADTTE again."""
    folder = _copy(tmp_path)

    def change(f: pd.DataFrame) -> None:
        assert f.loc[0, ["USUBJID", "PARAMCD", "AVAL"]].tolist() == ["01-701-1015", "OS", "182"]
        f.loc[0, "AVAL"] = "200"

    _edit(folder, "adtte_onco.csv", change)
    trial_id = _register(engine)
    clean = adam.read([SAMPLE], MAPPING)
    extract = adam.read([folder], MAPPING)
    assert [c.dataset for c in extract.checks] == ["ADTTE_ONCO"]
    assert len(extract.checks[0].findings) == len(clean.checks[0].findings) + 2
    first = _import(engine, trial_id, extract)
    assert first.accepted, first.problems

    def ours(known: datetime | None = None) -> list[Finding]:
        data = load_trial_data(engine, trial_id, known)
        stored = read_dataset_findings(engine, trial_id, known)
        report = quality_findings(data, PROTOCOL, dataset_findings=stored)
        return [
            f
            for f in report.findings
            if f.kind is FindingKind.DATASET_DISAGREEMENT and f.patient_id == "01-701-1015"
        ]

    found = ours()
    assert {f.severity for f in found} == {Severity.WARNING}
    record = "ADTTE_ONCO record 1 (USUBJID 01-701-1015, ASEQ 1), PARAMCD OS: "
    assert [(f.table, f.column, f.day, f.message) for f in found] == [
        (
            "ADTTE_ONCO",
            "ADT",
            date(2014, 7, 2),
            record + "ADT 2014-07-02 but STARTDT 2014-01-02 + AVAL 200 - 1 is 2014-07-20",
        ),
        (
            "ADTTE_ONCO",
            "AVAL",
            date(2014, 7, 2),
            record + "last_contact_date 2014-07-20 (first dose + AVAL 200 - 1) replaces "
            "2014-07-02 of the subject dataset",
        ),
    ]
    # A later import comparing ADTTE again replaces the findings; the history keeps them.
    later = import_extract(
        engine, trial_id, clean, ["sample"], now=datetime(2025, 6, 2, tzinfo=UTC), user="s"
    )
    assert later.accepted, later.problems
    assert ours() == []
    assert ours(NOW) == found
    verified = verify_chain(engine, trial_id)
    assert verified.ok, verified.breaks


def test_findings_kept_with_a_batch_are_in_the_history_chain(
    engine: sa.Engine, tmp_path: Path
) -> None:
    """The dataset checks are hashed with their batch: editing them breaks the chain there."""
    trial_id = _register(engine)
    result = _import(engine, trial_id, adam.read([SAMPLE], MAPPING))
    assert result.accepted, result.problems
    assert verify_chain(engine, trial_id).ok
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE import_checks SET findings = '[]'")
    verified = verify_chain(engine, trial_id)
    assert not verified.ok
    assert [(b.table, b.row_id, b.kind) for b in verified.breaks] == [
        ("import_batches", result.batch_id, BreakKind.CONTENT_CHANGED)
    ]


def test_a_mapping_key_not_in_the_schema_is_refused_with_its_path(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.toml"
    text = MAPPING.read_text(encoding="utf-8").replace("enrollment_date =", "enrolment_date =")
    mapping.write_text(text, encoding="utf-8")
    extract = adam.read([SAMPLE], mapping)
    assert not extract.tables
    (problem,) = extract.problems
    assert problem.column == "subjects.columns.enrolment_date"
    assert problem.message.startswith("unknown key; known keys: site, enrollment_date")


def test_a_mapping_for_another_format_is_refused(tmp_path: Path) -> None:
    from monitoring.ingest import sdtm

    (problem,) = sdtm.read([SAMPLE], MAPPING).problems
    assert problem == ImportProblem(
        "pharmaverseadam.toml", None, "format", "is a mapping for format 'adam', not 'sdtm'"
    )


def test_every_mapping_key_is_documented() -> None:
    """docs/mapping.md names every key the sample mapping uses."""
    import tomllib

    doc = (ROOT / "docs" / "mapping.md").read_text(encoding="utf-8")
    data = tomllib.loads(MAPPING.read_text(encoding="utf-8"))

    def keys(table: dict[str, object], prefix: str = "") -> list[str]:
        found = []
        for key, value in table.items():
            if (
                isinstance(value, dict)
                and prefix.count(".") < 1
                and key
                not in (
                    "codes",
                    "grades",
                    "attributions",
                    "serious",
                    "parameters",
                )
            ):
                found += keys(value, f"{prefix}{key}.")
            else:
                found.append(key)
        return found

    missing = [k for k in keys(data) if f"`{k}" not in doc]
    assert not missing, missing
