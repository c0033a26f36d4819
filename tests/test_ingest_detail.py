"""``import --format adam|sdtm``: exposure (ADEX, EX), laboratory results (ADLB, LB) and
disposition (DS) mapped to the product's clinical-detail tables (docs/mapping.md).

The shared sample (tests/data/pharmaverseadam/) has no ADEX, ADLB or DS: the tests make them
for 8 of its treated subjects (the first by USUBJID alive, with a TRTEDT), from each subject's
TRTSDT, TRTEDT and EOSDT. The same records are written twice: as CDISC datasets (bilirubin in
umol/L, platelets in GI/L, converted by the mapping) and as the product's own CSV files
(mg/dL, 10^9/L). Both imports must give the same Trial-conduct exposure table, CTCAE shift
tables and disposition (reasons included). Each malformed case is refused naming the
dataset, the record (USUBJID and sequence) and the variable, the database unchanged.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from monitoring.analyses.conduct import disposition, exposure
from monitoring.analyses.labs import shift_tables
from monitoring.db.extracts import Extract
from monitoring.db.importer import ImportResult, import_extract, import_files
from monitoring.db.problems import ImportProblem
from monitoring.db.reading import load_trial_data
from monitoring.db.repository import add_trial
from monitoring.derive import derive
from monitoring.ingest import adam, sdtm
from monitoring.protocol import load_protocol
from tests.conftest import REGISTERED_AT, ROOT
from tests.db_support import database_fingerprint

SAMPLE = ROOT / "tests" / "data" / "pharmaverseadam"
MAPPING = ROOT / "data" / "mappings" / "pharmaverseadam.toml"
PROTOCOL_FILE = ROOT / "data" / "protocols" / "examples" / "pharmaverseadam.toml"
PROTOCOL = load_protocol(PROTOCOL_FILE)
NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
# Bilirubin: 1 mg/dL = 17.1 umol/L (molar mass 584.66 g/mol; monitoring/analyses/labs.py).
UMOL_PER_MG_DL = 17.1
LIMITS = {"ALT": ("U/L", 7.0, 40.0), "BILI": ("mg/dL", 0.2, 1.2), "PLAT": ("10^9/L", 150.0, 400.0)}
TREATMENT_STOPS = ("ADVERSE EVENT", "PROGRESSIVE DISEASE", "PHYSICIAN DECISION")
STUDY_STOPS = ("WITHDRAWAL BY SUBJECT", "LOST TO FOLLOW-UP", "PHYSICIAN DECISION")
STUDY_EVENTS = {
    "WITHDRAWAL BY SUBJECT": "withdrew_consent",
    "LOST TO FOLLOW-UP": "lost_to_follow_up",
}

DETAIL_MAPPING = """
[exposure]
dataset = "ADEX"
sequence = "ASEQ"
cycle = "VISITNUM"
# A BDS ADEX: each administration's records (PARAMCD DOSE, PLDOSE, ADJ) carry its EX
# variables; its DOSE record is read, the other parameters and the summaries left out.
where = { PARAMCD = ["DOSE"] }

[exposure.columns]
agent = "EXTRT"
start_date = "ASTDT"
planned_dose = "EXPLDOS"
given_dose = "AVAL"
unit = "EXDOSU"
delay_days = "DLYDAYS"
reduced = "EXADJ"
reason = "EXADJ"

[exposure.reduced]
"ADVERSE EVENT" = "Y"
"PATIENT REFUSED" = "N"
SCHEDULING = "N"

[lab_results]
dataset = "ADLB"
sequence = "ASEQ"
# Analysed values only: derived records (DTYPE LOCF, ...) are left out.
where = { DTYPE = [""] }

[lab_results.columns]
test = "PARAMCD"
sample_date = "ADT"
value = "AVAL"
unit = "AVALU"
lln = "ANRLO"
uln = "ANRHI"

[lab_results.tests]
ALT = "ALT"
BILI = "BILI"
PLAT = "PLAT"

[lab_results.units.BILI]
"umol/L" = { unit = "mg/dL", factor = 0.05847953216374269 }  # 1 / 17.1

[lab_results.units.PLAT]
"GI/L" = { unit = "10^9/L", factor = 1.0 }

[[disposition]]
dataset = "DS"
sequence = "DSSEQ"
code = "DSDECOD"
date = "DSSTDTC"
reason = "DSDECOD"
where = { DSCAT = ["DISPOSITION EVENT"], EPOCH = ["TREATMENT"] }

[disposition.codes]
COMPLETED = "completed_treatment"
"ADVERSE EVENT" = "discontinued_treatment"
"PROGRESSIVE DISEASE" = "discontinued_treatment"
"PHYSICIAN DECISION" = "discontinued_treatment"

[[disposition]]
dataset = "DS"
sequence = "DSSEQ"
code = "DSDECOD"
date = "DSSTDTC"
reason = "DSDECOD"
where = { DSCAT = ["DISPOSITION EVENT"], EPOCH = ["FOLLOW-UP"] }
left_out = ["PHYSICIAN DECISION"]

[disposition.codes]
COMPLETED = "completed_study"
"WITHDRAWAL BY SUBJECT" = "withdrew_consent"
"LOST TO FOLLOW-UP" = "lost_to_follow_up"
"""


def _mapping_text() -> str:
    """The sample mapping without its ADSL disposition, with the sections above."""
    core = MAPPING.read_text(encoding="utf-8").split("\n# Disposition, from ADSL")[0]
    return core + DETAIL_MAPPING


def _day(text: str, days: int) -> str:
    return (pd.Timestamp(text) + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


def _subjects() -> pd.DataFrame:
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str, keep_default_na=False)
    chosen = adsl[(adsl["SAFFL"] == "Y") & (adsl["DTHDT"] == "NA") & (adsl["TRTEDT"] != "NA")]
    return chosen.sort_values("USUBJID").head(8).reset_index(drop=True)


def _records() -> dict[str, list[dict[str, object]]]:
    """The product rows of the 8 subjects: exposure, lab results, disposition events."""
    out: dict[str, list[dict[str, object]]] = {"exposure": [], "lab": [], "disposition": []}
    for i, s in _subjects().iterrows():
        n = int(str(i))
        start, end = str(s["TRTSDT"]), str(s["TRTEDT"])
        for cycle in (1, 2, 3):
            delay = 3 if (n, cycle) == (2, 2) else 0
            day = _day(start, 21 * (cycle - 1) + delay)
            if cycle > 1 and day > end:
                break
            given, reduced, reason = 54.0, "N", ""
            if (n, cycle) == (1, 3) or (n, cycle) == (5, 2):
                given, reduced, reason = 27.0, "Y", "ADVERSE EVENT"
            if (n, cycle) == (3, 2):
                given, reason = 0.0, "PATIENT REFUSED"
            if delay:
                reason = "SCHEDULING"
            out["exposure"].append(
                {
                    "patient_id": s["USUBJID"],
                    "cycle": cycle,
                    "agent": "XANOMELINE",
                    "start_date": day,
                    "planned_dose": 54.0,
                    "given_dose": given,
                    "unit": "mg",
                    "delay_days": delay,
                    "reduced": reduced,
                    "reason": reason,
                }
            )
        post = {"ALT": 25.0 * (n + 1), "BILI": 0.65 + 0.4 * n, "PLAT": 250.0 - 30.0 * n}
        base = {"ALT": 22.0, "BILI": 0.5, "PLAT": 260.0}
        for day, values in ((-2, base), (14, post), (28, post)):
            for test, value in values.items():
                unit, lln, uln = LIMITS[test]
                out["lab"].append(
                    {
                        "patient_id": s["USUBJID"],
                        "test": test,
                        "sample_date": _day(start, day),
                        "value": round(value * (1.1 if day == 28 else 1.0), 4),
                        "unit": unit,
                        "lln": lln,
                        "uln": uln,
                    }
                )
        completed = s["EOSSTT"] == "COMPLETED"
        why = TREATMENT_STOPS[n % 3]
        out["disposition"].append(
            {
                "patient_id": s["USUBJID"],
                "event": "completed_treatment" if completed else "discontinued_treatment",
                "event_date": end,
                "reason": "" if completed else why,
                "_decod": "COMPLETED" if completed else why,
                "_epoch": "TREATMENT",
            }
        )
        study = "COMPLETED" if completed else STUDY_STOPS[n % 3]
        event = "completed_study" if completed else STUDY_EVENTS.get(study, "")
        out["disposition"].append(
            {
                "patient_id": s["USUBJID"],
                "event": event,
                "event_date": str(s["EOSDT"]),
                "reason": "" if completed else study,
                "_decod": study,
                "_epoch": "FOLLOW-UP",
            }
        )
    return out


def _datasets(
    folder: Path, records: dict[str, list[dict[str, object]]], *, sdtm_names: bool
) -> None:
    """ADEX, ADLB and DS (or EX, LB and DS) of ``records`` as CSV files in ``folder``."""
    ex = pd.DataFrame(records["exposure"])
    ex.insert(1, "seq", ex.groupby("patient_id").cumcount() + 1)
    lab = pd.DataFrame(records["lab"])
    bili = lab["test"] == "BILI"
    for column in ("value", "lln", "uln"):  # bilirubin kept in umol/L
        lab.loc[bili, column] = (lab.loc[bili, column] * UMOL_PER_MG_DL).round(4)
    lab.loc[bili, "unit"] = "umol/L"
    lab.loc[lab["test"] == "PLAT", "unit"] = "GI/L"
    lab["dtype"] = ""
    extra = lab[lab["test"] == "ALT"].groupby("patient_id").tail(1).head(1).copy()
    extra["sample_date"] = _day(str(extra["sample_date"].iloc[0]), 7)
    extra["dtype"] = "LOCF"  # a derived record: left out by the mapping's where
    sodium = lab[lab["test"] == "ALT"].assign(test="SODIUM", value=140.0, unit="mmol/L")
    lab = pd.concat([lab, extra, sodium]).sort_values(["patient_id", "sample_date", "test"])
    lab.insert(1, "seq", lab.groupby("patient_id").cumcount() + 1)
    ds = pd.DataFrame(records["disposition"])
    consent = ds.drop_duplicates("patient_id").assign(
        _decod="INFORMED CONSENT OBTAINED", _epoch="SCREENING", _cat="PROTOCOL MILESTONE"
    )
    ds = pd.concat([consent, ds.assign(_cat="DISPOSITION EVENT")])
    ds = ds.sort_values("patient_id", kind="stable")
    ds.insert(1, "seq", ds.groupby("patient_id").cumcount() + 1)
    dsf = pd.DataFrame(
        {
            "STUDYID": "CDISCPILOT01",
            "DOMAIN": "DS",
            "USUBJID": ds["patient_id"],
            "DSSEQ": ds["seq"],
            "DSTERM": ds["_decod"],
            "DSDECOD": ds["_decod"],
            "DSCAT": ds["_cat"],
            "EPOCH": ds["_epoch"],
            "DSSTDTC": ds["event_date"],
        }
    )
    dsf.to_csv(folder / "ds.csv", index=False)
    if sdtm_names:
        exf = pd.DataFrame(
            {
                "STUDYID": "CDISCPILOT01",
                "DOMAIN": "EX",
                "USUBJID": ex["patient_id"],
                "EXSEQ": ex["seq"],
                "EXTRT": ex["agent"],
                "EXDOSE": ex["given_dose"],
                "EXDOSU": ex["unit"],
                "EXADJ": ex["reason"],
                "VISITNUM": ex["cycle"],
                "EXSTDTC": ex["start_date"],
            }
        )
        lbf = pd.DataFrame(
            {
                "STUDYID": "CDISCPILOT01",
                "DOMAIN": "LB",
                "USUBJID": lab["patient_id"],
                "LBSEQ": lab["seq"],
                "LBTESTCD": lab["test"],
                "LBSTRESN": lab["value"],
                "LBSTRESU": lab["unit"],
                "LBSTNRLO": lab["lln"],
                "LBSTNRHI": lab["uln"],
                "LBDTC": lab["sample_date"],
            }
        )[lab["dtype"].to_numpy() == ""]
        exf.to_csv(folder / "ex.csv", index=False)
        lbf.to_csv(folder / "lb.csv", index=False)
        return
    exf = _adex(ex)
    lbf = pd.DataFrame(
        {
            "STUDYID": "CDISCPILOT01",
            "USUBJID": lab["patient_id"],
            "ASEQ": lab["seq"],
            "PARAMCD": lab["test"],
            "ADT": lab["sample_date"],
            "AVAL": lab["value"],
            "AVALU": lab["unit"],
            "ANRLO": lab["lln"],
            "ANRHI": lab["uln"],
            "DTYPE": lab["dtype"],
        }
    )
    exf.to_csv(folder / "adex.csv", index=False)
    lbf.to_csv(folder / "adlb.csv", index=False)


def _adex(ex: pd.DataFrame) -> pd.DataFrame:
    """A BDS ADEX as admiral makes it: per administration, records DOSE (AVAL = the dose
    given), PLDOSE (the planned dose) and ADJ (AVALC Y/N), each with the administration's EX
    variables (EXPLDOS as SUPPEX gives it); then each subject's total dose (TDOSE)."""
    rows: list[dict[str, object]] = []
    for _, r in ex.iterrows():
        common = {
            "STUDYID": "CDISCPILOT01",
            "USUBJID": r["patient_id"],
            "EXTRT": r["agent"],
            "EXDOSE": r["given_dose"],
            "EXDOSU": r["unit"],
            "EXPLDOS": r["planned_dose"],
            "EXADJ": r["reason"],
            "DLYDAYS": r["delay_days"],
            "VISITNUM": r["cycle"],
            "VISIT": f"CYCLE {r['cycle']}",
            "ASTDT": r["start_date"],
        }
        rows.append({**common, "PARAMCD": "DOSE", "AVAL": r["given_dose"], "AVALC": ""})
        rows.append({**common, "PARAMCD": "PLDOSE", "AVAL": r["planned_dose"], "AVALC": ""})
        rows.append(
            {**common, "PARAMCD": "ADJ", "AVAL": None, "AVALC": "Y" if r["reason"] else "N"}
        )
    for pid, given in ex.groupby("patient_id", sort=False):
        first = str(given["start_date"].min())
        total = float(given["given_dose"].sum())
        rows.append(
            {
                "STUDYID": "CDISCPILOT01",
                "USUBJID": pid,
                "ASTDT": first,
                "PARAMCD": "TDOSE",
                "AVAL": total,
                "AVALC": "",
            }
        )
    frame = pd.DataFrame(rows).sort_values("USUBJID", kind="stable")
    frame.insert(2, "ASEQ", frame.groupby("USUBJID").cumcount() + 1)
    return frame


@pytest.fixture(scope="module")
def records() -> dict[str, list[dict[str, object]]]:
    return _records()


def _adam_folder(tmp_path: Path, records: dict[str, list[dict[str, object]]]) -> Path:
    folder = tmp_path / "adam"
    shutil.copytree(SAMPLE, folder)
    _datasets(folder, records, sdtm_names=False)
    (tmp_path / "mapping.toml").write_text(_mapping_text(), encoding="utf-8")
    return folder


def _register(engine: sa.Engine, trial_id: str = "pharmaverseadam") -> str:
    text = PROTOCOL_FILE.read_text(encoding="utf-8")
    text = text.replace('id = "pharmaverseadam"', f'id = "{trial_id}"', 1)
    return add_trial(engine, text, source="test", now=REGISTERED_AT, user="registrar").id


def _import(engine: sa.Engine, trial_id: str, extract: Extract) -> ImportResult:
    return import_extract(engine, trial_id, extract, ["sample"], now=NOW, user="statistician")


def _product_csvs(
    folder: Path, core: Extract, records: dict[str, list[dict[str, object]]]
) -> list[Path]:
    """The product's own CSV files: the core tables as the ADaM import maps them, the
    clinical-detail tables from ``records`` (mg/dL, 10^9/L)."""
    folder.mkdir()
    paths = []
    for table in core.tables:
        if table.spec.name in ("patients", "responses", "adverse_events"):
            path = folder / f"{table.spec.name}.csv"
            table.frame.to_csv(path, index=False)
            paths.append(path)
    disposition_rows = [
        {k: v for k, v in r.items() if not k.startswith("_")}
        for r in records["disposition"]
        if r["event"]
    ]
    for name, rows in (
        ("exposure", records["exposure"]),
        ("lab_results", records["lab"]),
        ("disposition_events", disposition_rows),
    ):
        path = folder / f"{name}.csv"
        pd.DataFrame(rows).to_csv(path, index=False)
        paths.append(path)
    return paths


def test_adex_adlb_and_ds_give_the_conduct_and_lab_tables_of_the_products_own_csvs(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)
    extract = adam.read([folder], tmp_path / "mapping.toml")
    assert not extract.problems, extract.problems
    from_adam = _register(engine)
    result = _import(engine, from_adam, extract)
    assert result.accepted, result.problems
    counts = {c.table: c.added for c in result.counts}
    # 8 subjects' cycles (a cycle after TRTEDT is not given), 8 x 3 tests x 3 samples, and
    # each subject's treatment and study disposition (one study stop, PHYSICIAN DECISION,
    # is no product event: left out by the mapping).
    expected_events = sum(1 for r in records["disposition"] if r["event"])
    assert counts["exposure"] == len(records["exposure"])
    assert counts["lab_results"] == 8 * 3 * 3 == len(records["lab"])
    assert counts["disposition_events"] == expected_events
    notes = [n.message for n in result.notes]
    assert "BILI: 24 records in umol/L converted to mg/dL (value, LLN and ULN x 0.0584795)" in notes
    assert "PLAT: 24 records in GI/L converted to 10^9/L (value, LLN and ULN x 1)" in notes
    assert "tests not mapped, left out: SODIUM" in notes
    assert '1 laboratory record without DTYPE in ("") left out' in notes

    from_csv = _register(engine, "pharmaverseadam-csv")
    paths = _product_csvs(tmp_path / "product", extract, records)
    result = import_files(engine, from_csv, paths, now=NOW, user="statistician")
    assert result.accepted, result.problems

    ours = derive(load_trial_data(engine, from_adam), PROTOCOL)
    theirs = derive(load_trial_data(engine, from_csv), PROTOCOL)
    assert ours.cutoff == theirs.cutoff
    exposed = exposure(ours)
    assert repr(exposed) == repr(exposure(theirs))
    assert exposed.patients == 8
    (agent,) = exposed.agents
    changed = {
        key: len({r["patient_id"] for r in records["exposure"] if test(r)})
        for key, test in (
            ("reduced", lambda r: r["reduced"] == "Y"),
            ("delayed", lambda r: int(str(r["delay_days"])) > 0),
        )
    }
    assert (agent.agent, agent.unit) == ("XANOMELINE", "mg")
    assert (agent.reduced, agent.delayed) == (changed["reduced"], changed["delayed"])
    assert agent.reduced >= 1
    assert agent.delayed == 1
    shifts = shift_tables(ours)
    assert repr(shifts) == repr(shift_tables(theirs))
    assert {t.test for t in shifts.tables} == {"ALT", "BILI", "PLAT"}
    stopped = disposition(ours, PROTOCOL)
    assert repr(stopped) == repr(disposition(theirs, PROTOCOL))
    reasons = dict(stopped.discontinued)
    discontinued = [r for r in records["disposition"] if r["event"] == "discontinued_treatment"]
    assert discontinued
    for row in discontinued:
        assert reasons[str(row["reason"])] >= 1
    stated = sum(n for r, n in stopped.discontinued if r in TREATMENT_STOPS)
    assert stated == len(discontinued)


def _extract_tables(extract: Extract) -> dict[str, pd.DataFrame]:
    """The extract's tables by name, numbers as numbers (a CSV's 54.0 is a transport 54)."""
    assert not extract.problems, extract.problems
    out = {}
    for table in extract.tables:
        frame = table.frame.reset_index(drop=True)
        for column in frame.columns:
            numbers = pd.to_numeric(frame[column].where(frame[column] != ""), errors="coerce")
            if numbers.notna().sum() == (frame[column] != "").sum():
                frame[column] = numbers
        out[table.spec.name] = frame
    return out


def test_the_datasets_as_sas_transport_map_to_the_same_tables(
    tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    import pyreadstat

    folder = _adam_folder(tmp_path, records)
    xpt = tmp_path / "xpt"
    xpt.mkdir()
    shutil.copy(SAMPLE / "adsl.csv", xpt / "adsl.csv")
    shutil.copy(SAMPLE / "adrs_onco.csv", xpt / "adrs_onco.csv")
    shutil.copy(SAMPLE / "adtte_onco.csv", xpt / "adtte_onco.csv")
    shutil.copy(SAMPLE / "adae.csv", xpt / "adae.csv")
    for name in ("adex", "adlb", "ds"):
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        frame = frame.replace("", None)
        for column in frame.columns:
            values = frame[column].dropna()
            if len(values) and values.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
                if column != "DSSTDTC":  # SDTM --DTC stay text
                    frame[column] = pd.to_datetime(frame[column]).dt.date
            elif len(values) and values.str.fullmatch(r"-?\d+(\.\d+)?").all():
                frame[column] = pd.to_numeric(frame[column])
        pyreadstat.write_xport(frame, str(xpt / f"{name}.xpt"), table_name=name.upper())
    mapping = tmp_path / "mapping.toml"
    ours = _extract_tables(adam.read([xpt], mapping))
    theirs = _extract_tables(adam.read([folder], mapping))
    for name in ("exposure", "lab_results", "disposition_events"):
        pd.testing.assert_frame_equal(ours[name], theirs[name], check_dtype=False)


SDTM_DETAIL = """
format = "sdtm"
csv_missing = [""]

[subjects]
dataset = "DM"
[subjects.columns]
enrollment_date = "RFSTDTC"
first_dose_date = "RFXSTDTC"

[exposure]
dataset = "EX"
sequence = "EXSEQ"
cycle = "VISITNUM"
[exposure.columns]
agent = "EXTRT"
start_date = "EXSTDTC"
given_dose = "EXDOSE"
unit = "EXDOSU"
reason = "EXADJ"

[lab_results]
dataset = "LB"
sequence = "LBSEQ"
[lab_results.columns]
test = "LBTESTCD"
sample_date = "LBDTC"
value = "LBSTRESN"
unit = "LBSTRESU"
lln = "LBSTNRLO"
uln = "LBSTNRHI"
[lab_results.tests]
ALT = "ALT"
BILI = "BILI"
PLAT = "PLAT"
[lab_results.units.BILI]
"umol/L" = { unit = "mg/dL", factor = 0.05847953216374269 }
[lab_results.units.PLAT]
"GI/L" = { unit = "10^9/L", factor = 1.0 }
"""


def test_sdtm_ex_lb_and_ds_map_to_the_same_tables_as_adam(
    tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    """EX, LB and DS (the DS entries of the ADaM mapping) give the ADaM import's rows; EX
    has no planned dose, delay or reduction variable, so those columns stay empty."""
    folder = tmp_path / "sdtm"
    folder.mkdir()
    _datasets(folder, records, sdtm_names=True)
    adsl = pd.read_csv(SAMPLE / "adsl.csv", dtype=str, keep_default_na=False)
    adsl = adsl[adsl["SAFFL"] == "Y"]
    pd.DataFrame(
        {"USUBJID": adsl["USUBJID"], "RFSTDTC": adsl["RANDDT"], "RFXSTDTC": adsl["TRTSDT"]}
    ).to_csv(folder / "dm.csv", index=False)
    disposition_part = DETAIL_MAPPING[DETAIL_MAPPING.index("[[disposition]]") :]
    (tmp_path / "sdtm.toml").write_text(SDTM_DETAIL + disposition_part, encoding="utf-8")
    ours = _extract_tables(sdtm.read([folder], tmp_path / "sdtm.toml"))
    theirs = _extract_tables(
        adam.read([_adam_folder(tmp_path, records)], tmp_path / "mapping.toml")
    )
    pd.testing.assert_frame_equal(ours["lab_results"], theirs["lab_results"], check_dtype=False)
    pd.testing.assert_frame_equal(
        ours["disposition_events"], theirs["disposition_events"], check_dtype=False
    )
    shared = list(ours["exposure"].columns)
    assert shared == ["patient_id", "cycle", "agent", "start_date", "given_dose", "unit", "reason"]
    pd.testing.assert_frame_equal(ours["exposure"], theirs["exposure"][shared], check_dtype=False)


def _refused(engine: sa.Engine, extract: Extract, expected: ImportProblem) -> None:
    trial_id = _register(engine)
    before = database_fingerprint(engine)
    result = _import(engine, trial_id, extract)
    assert not result.accepted
    assert expected in result.problems, result.problems
    assert database_fingerprint(engine) == before


def _edit(path: Path, change: object) -> pd.Series:
    """Rewrite the CSV at ``path`` after ``change(frame)``; the record changed is returned."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    number = change(frame)  # type: ignore[operator]
    frame.to_csv(path, index=False)
    return frame.loc[int(number)]


def test_a_missing_required_variable_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)
    frame = pd.read_csv(folder / "adlb.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["ANRHI"]).to_csv(folder / "adlb.csv", index=False)
    expected = ImportProblem("ADLB", None, "ANRHI", "required variable is missing")
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


def test_a_disposition_code_the_mapping_does_not_list_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        n = int(f.index[(f["EPOCH"] == "TREATMENT")][0])
        f.loc[n, "DSDECOD"] = "SPONSOR DECISION"
        return n

    row = _edit(folder / "ds.csv", change)
    number = int(row.name) + 1  # type: ignore[call-overload]
    message = (
        f"USUBJID {row['USUBJID']}, DSSEQ {row['DSSEQ']}: 'SPONSOR DECISION' is not mapped "
        "(disposition[1].codes: COMPLETED, ADVERSE EVENT, PROGRESSIVE DISEASE, "
        "PHYSICIAN DECISION)"
    )
    expected = ImportProblem("DS", number, "DSDECOD", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


def test_a_unit_the_mapping_does_not_list_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        n = int(f.index[f["PARAMCD"] == "BILI"][0])
        f.loc[n, "AVALU"] = "mg/dL"
        return n

    row = _edit(folder / "adlb.csv", change)
    number = int(row.name) + 1  # type: ignore[call-overload]
    message = (
        f"USUBJID {row['USUBJID']}, ASEQ {row['ASEQ']}: unit 'mg/dL' of BILI is not in the "
        "mapping (lab_results.units.BILI: umol/L)"
    )
    expected = ImportProblem("ADLB", number, "AVALU", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


def test_a_unit_the_ctcae_grade_cannot_read_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    """Platelets are graded in 10^9/L (monitoring/labs/ctcae_v5.toml): a mapping without
    the GI/L conversion would grade them in an unknown unit, never silently."""
    folder = _adam_folder(tmp_path, records)
    text = _mapping_text().replace('"GI/L" = { unit = "10^9/L", factor = 1.0 }', "")
    (tmp_path / "mapping.toml").write_text(text.replace("[lab_results.units.PLAT]", ""))
    frame = pd.read_csv(folder / "adlb.csv", dtype=str, keep_default_na=False)
    n = int(frame.index[frame["PARAMCD"] == "PLAT"][0])
    row = frame.loc[n]
    message = (
        f"USUBJID {row['USUBJID']}, ASEQ {row['ASEQ']}: unit GI/L of PLAT: the CTCAE grade "
        "reads it in 10^9/L; give the conversion in lab_results.units.PLAT"
    )
    expected = ImportProblem("ADLB", n + 1, "AVALU", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


def test_a_record_of_a_subject_not_in_adsl_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        f.loc[3, "USUBJID"] = "99-999-9999"  # the second administration's DOSE record
        return 3

    row = _edit(folder / "adex.csv", change)
    assert row["PARAMCD"] == "DOSE"
    message = (
        f"USUBJID 99-999-9999, ASEQ {row['ASEQ']}: '99-999-9999' is not in the subject dataset"
    )
    expected = ImportProblem("ADEX", 4, "USUBJID", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


def test_a_ds_record_of_a_subject_not_in_adsl_is_refused_once(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    """Both [[disposition]] entries read DS: the record is named once, not per entry."""
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        f.loc[1, "USUBJID"] = "99-999-9999"
        return 1

    row = _edit(folder / "ds.csv", change)
    message = (
        f"USUBJID 99-999-9999, DSSEQ {row['DSSEQ']}: '99-999-9999' is not in the subject dataset"
    )
    expected = ImportProblem("DS", 2, "USUBJID", message)
    extract = adam.read([folder], tmp_path / "mapping.toml")
    assert extract.problems.count(expected) == 1
    _refused(engine, extract, expected)


def test_a_cycle_given_twice_is_refused(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        f.loc[3, "VISITNUM"] = f.loc[0, "VISITNUM"]  # the first subject's cycle 2 -> 1
        return 3

    row = _edit(folder / "adex.csv", change)
    assert row["PARAMCD"] == "DOSE"
    message = (
        f"USUBJID {row['USUBJID']}, ASEQ {row['ASEQ']}: same subject, cycle and agent as record 1"
    )
    expected = ImportProblem("ADEX", 4, "EXTRT", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('delay_days = "DLYDAYS"', 'delay = "DLYDAYS"', "exposure.columns.delay", "unknown key"),
        ('unit = "AVALU"\n', "", "lab_results.columns.unit", "is required with a units table"),
        (
            'BILI = "BILI"',
            'BILI = "TBILI"',
            "lab_results.tests.BILI",
            "'TBILI' is not a test of the CTCAE",
        ),
        (
            '"LOST TO FOLLOW-UP" = "lost_to_follow_up"',
            '"LOST TO FOLLOW-UP" = "lost"',
            "disposition[2].codes.LOST TO FOLLOW-UP",
            "'lost' is not a disposition event",
        ),
    ],
)
def test_a_bad_mapping_key_is_refused_with_its_path(
    tmp_path: Path,
    records: dict[str, list[dict[str, object]]],
    old: str,
    new: str,
    key: str,
    problem: str,
) -> None:
    folder = _adam_folder(tmp_path, records)
    text = _mapping_text()
    assert old in text
    (tmp_path / "mapping.toml").write_text(text.replace(old, new), encoding="utf-8")
    (found,) = adam.read([folder], tmp_path / "mapping.toml").problems
    assert (found.file, found.column) == ("mapping.toml", key)
    assert found.message.startswith(problem)


def test_the_importers_problem_on_a_lab_record_names_adlb_its_record_and_aval(
    engine: sa.Engine, tmp_path: Path, records: dict[str, list[dict[str, object]]]
) -> None:
    """A negative ALT is the importer's own check (monitoring/db/validation.py), made on the
    product's lab_results column ``value``: it is told as ADLB's record and variable AVAL."""
    folder = _adam_folder(tmp_path, records)

    def change(f: pd.DataFrame) -> int:
        n = int(f.index[(f["PARAMCD"] == "ALT") & (f["DTYPE"] == "")][0])
        f.loc[n, "AVAL"] = "-5"
        return n

    row = _edit(folder / "adlb.csv", change)
    number = int(row.name) + 1  # type: ignore[call-overload]
    message = f"USUBJID {row['USUBJID']}, ASEQ {row['ASEQ']}: -5 is below 0: ALT cannot be negative"
    expected = ImportProblem("ADLB", number, "AVAL", message)
    _refused(engine, adam.read([folder], tmp_path / "mapping.toml"), expected)
