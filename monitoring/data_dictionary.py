"""The data dictionary of SPEC 5: the imported tables, their columns, types and codes.

The three core tables (patients, responses, adverse events) hold every trial's data; the
clinical-detail tables may stay empty: dose-level changes, DLT assessments and MRD results
(what dose-finding, de-escalation and MRD-response rules read), randomization (date and arm
received; the assigned arm is ``patients.arm``), baseline characteristics (one row per
patient and characteristic the protocol names, stratification factors included), exposure
per cycle and agent, disposition events, and laboratory results.

One definition feeds the importer's validation, the database schema and the derivations, so
a column is named and typed in one place only. In memory a table is a pandas DataFrame with
exactly these column names; date columns hold ``datetime64[ns]`` (``NaT`` when missing),
integer columns pandas' nullable ``Int64``, number columns ``float64``, text and code
columns ``object`` (``None`` when missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded where a frame is made: the schema and the SQL digests need no pandas
    import pandas as pd


class ColumnType(Enum):
    TEXT = "text"
    CODE = "code"
    DATE = "date"
    INTEGER = "integer"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    codes: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """One imported table: its columns and the columns that identify a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


T = ColumnType.TEXT
C = ColumnType.CODE
D = ColumnType.DATE
INT = ColumnType.INTEGER
N = ColumnType.NUMBER

RESPONSE_CODES = ("CR", "CRp", "CRi", "PR", "NR", "PD", "NE")
ATTRIBUTION_CODES = ("unrelated", "unlikely", "possible", "probable", "definite")
YES_NO = ("Y", "N")

PATIENTS = TableSpec(
    name="patients",
    key=("patient_id",),
    columns=(
        Column("patient_id", T, required=True, description="Unique patient identifier"),
        Column("site", T, description="Enrolling site"),
        Column("enrollment_date", D, required=True, description="Date of enrolment"),
        Column(
            "first_dose_date", D, description="First dose of study drug; empty if never treated"
        ),
        Column("age", INT, minimum=0, maximum=120, description="Age at enrolment, years"),
        Column("sex", C, codes=("M", "F", "U")),
        Column("salvage_line", INT, minimum=0, description="Salvage line (1 = first salvage)"),
        Column("cohort", T),
        Column("arm", T),
        Column("dose_level", T),
        Column("last_contact_date", D, description="Last date known alive"),
        Column("progression_date", D, description="First progression or relapse"),
        Column("death_date", D),
        Column("death_cause", T),
        Column("hsct_date", D, description="Allogeneic stem cell transplant"),
        Column("second_malignancy_date", D),
        Column("off_treatment_date", D),
        Column("off_treatment_reason", T),
    ),
)

RESPONSES = TableSpec(
    name="responses",
    key=("patient_id", "assessment_date"),
    columns=(
        Column("patient_id", T, required=True),
        Column("assessment_date", D, required=True),
        Column("cycle", INT, required=True, minimum=1),
        Column("response", C, required=True, codes=RESPONSE_CODES),
        Column("marrow_blasts_pct", N, minimum=0, maximum=100),
        Column("mrd_negative", C, codes=YES_NO),
        Column("mrd_level", N, minimum=0),
    ),
)

ADVERSE_EVENTS = TableSpec(
    name="adverse_events",
    key=("patient_id", "term", "onset_date"),
    columns=(
        Column("patient_id", T, required=True),
        Column("term", T, required=True, description="CTCAE term"),
        Column("category", T, required=True, description="CTCAE system organ class"),
        Column("grade", INT, required=True, minimum=1, maximum=5),
        Column("onset_date", D, required=True),
        Column("resolution_date", D),
        Column("attribution", C, codes=ATTRIBUTION_CODES),
        Column("serious", C, codes=YES_NO),
    ),
)

MRD_METHODS = ("flow", "PCR", "NGS")

DOSE_CHANGES = TableSpec(
    name="dose_changes",
    key=("patient_id", "change_date"),
    columns=(
        Column("patient_id", T, required=True),
        Column("change_date", D, required=True, description="Day the new dose level started"),
        Column("dose_level", T, required=True, description="The dose level from that day"),
        Column("reason", T, description="Why the level changed (for example 'DLT')"),
    ),
)

DLT_ASSESSMENTS = TableSpec(
    name="dlt_assessments",
    key=("patient_id", "dose_level"),
    columns=(
        Column("patient_id", T, required=True),
        Column("dose_level", T, required=True, description="The dose level assessed"),
        Column(
            "assessment_date",
            D,
            required=True,
            description="End of the DLT window (or the day the DLT was recorded)",
        ),
        Column("dlt", C, required=True, codes=YES_NO, description="Dose-limiting toxicity"),
        Column(
            "evaluable",
            C,
            required=True,
            codes=YES_NO,
            description="Evaluable for DLT (completed the window or had a DLT)",
        ),
        Column("dlt_term", T, description="CTCAE term of the DLT"),
    ),
)

MRD_RESULTS = TableSpec(
    name="mrd_results",
    key=("patient_id", "sample_date", "method"),
    columns=(
        Column("patient_id", T, required=True),
        Column("sample_date", D, required=True, description="Marrow sample date"),
        Column("method", C, required=True, codes=MRD_METHODS, description="Assay"),
        Column(
            "value_pct",
            N,
            required=True,
            minimum=0,
            maximum=100,
            description="MRD, percent of mononuclear cells (0 = undetectable)",
        ),
        Column(
            "threshold_pct",
            N,
            minimum=0,
            maximum=100,
            description="The assay's reporting threshold, percent (negative below it)",
        ),
        Column("timepoint", T, description="Protocol time point (for example 'end of cycle 1')"),
    ),
)

DISPOSITION_EVENTS = (
    "completed_treatment",
    "discontinued_treatment",
    "completed_study",
    "withdrew_consent",
    "lost_to_follow_up",
)
"""Disposition events a patient may have (each at most once); death is ``patients.death_date``."""

RANDOMIZATION = TableSpec(
    name="randomization",
    key=("patient_id",),
    columns=(
        Column("patient_id", T, required=True),
        Column("randomization_date", D, required=True, description="Date of randomization"),
        Column(
            "arm_received",
            T,
            description="The arm the patient was treated on; empty if never treated",
        ),
    ),
)

BASELINE = TableSpec(
    name="baseline",
    key=("patient_id", "characteristic"),
    columns=(
        Column("patient_id", T, required=True),
        Column(
            "characteristic",
            T,
            required=True,
            description="A baseline characteristic the protocol names (its [[baseline]] key)",
        ),
        Column("value", T, required=True, description="As recorded: a number or a category"),
        Column("unit", T, description="Unit of a numeric value"),
    ),
)

EXPOSURE = TableSpec(
    name="exposure",
    key=("patient_id", "cycle", "agent"),
    columns=(
        Column("patient_id", T, required=True),
        Column("cycle", INT, required=True, minimum=1),
        Column("agent", T, required=True, description="Study drug or protocol agent"),
        Column("start_date", D, required=True, description="Day the cycle started"),
        Column("planned_dose", N, minimum=0, description="Dose the protocol planned"),
        Column("given_dose", N, minimum=0, description="Dose given (0 = omitted)"),
        Column("unit", T, description="Dose unit (for example mg/m2)"),
        Column("delay_days", INT, minimum=0, description="Days the cycle started late"),
        Column("reduced", C, codes=YES_NO, description="Dose reduced in this cycle"),
        Column("reason", T, description="Reason for a delay, reduction or omission"),
    ),
)

DISPOSITION = TableSpec(
    name="disposition_events",
    key=("patient_id", "event"),
    columns=(
        Column("patient_id", T, required=True),
        Column("event", C, required=True, codes=DISPOSITION_EVENTS),
        Column("event_date", D, required=True),
        Column("reason", T, description="Reason (for a discontinuation or withdrawal)"),
    ),
)

LAB_RESULTS = TableSpec(
    name="lab_results",
    key=("patient_id", "test", "sample_date"),
    columns=(
        Column("patient_id", T, required=True),
        Column(
            "test",
            T,
            required=True,
            description="Test code (CDISC LBTESTCD style: BILI, ALT, AST, ALP, WEIGHT, ...)",
        ),
        Column("sample_date", D, required=True),
        Column("value", N, required=True),
        Column("unit", T),
        Column("lln", N, description="Lower limit of normal"),
        Column("uln", N, description="Upper limit of normal"),
    ),
)

CORE_TABLES = ("patients", "responses", "adverse_events")
"""The tables every trial has; the others are the clinical-detail tables."""

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        PATIENTS,
        RESPONSES,
        ADVERSE_EVENTS,
        DOSE_CHANGES,
        DLT_ASSESSMENTS,
        MRD_RESULTS,
        RANDOMIZATION,
        BASELINE,
        EXPOSURE,
        DISPOSITION,
        LAB_RESULTS,
    )
}


def _empty(spec: TableSpec) -> pd.DataFrame:
    return empty_frame(spec)


@dataclass(frozen=True)
class TrialData:
    """The tables of one trial, as stored (before any cut-off is applied).

    Each frame has exactly the columns of its ``TableSpec`` with the dtypes described in
    this module's docstring. Produced by the database repository and by the demo generator;
    consumed by the derivations. The clinical-detail tables default to empty frames.
    """

    patients: pd.DataFrame
    responses: pd.DataFrame
    adverse_events: pd.DataFrame
    dose_changes: pd.DataFrame = field(default_factory=lambda: _empty(DOSE_CHANGES))
    dlt_assessments: pd.DataFrame = field(default_factory=lambda: _empty(DLT_ASSESSMENTS))
    mrd_results: pd.DataFrame = field(default_factory=lambda: _empty(MRD_RESULTS))
    randomization: pd.DataFrame = field(default_factory=lambda: _empty(RANDOMIZATION))
    baseline: pd.DataFrame = field(default_factory=lambda: _empty(BASELINE))
    exposure: pd.DataFrame = field(default_factory=lambda: _empty(EXPOSURE))
    disposition_events: pd.DataFrame = field(default_factory=lambda: _empty(DISPOSITION))
    lab_results: pd.DataFrame = field(default_factory=lambda: _empty(LAB_RESULTS))

    def table(self, name: str) -> pd.DataFrame:
        """The frame of the table called ``name`` (a key of ``TABLES``)."""
        frame: pd.DataFrame = getattr(self, name)
        return frame


def empty_frame(spec: TableSpec) -> pd.DataFrame:
    """An empty frame with the columns and dtypes of ``spec``."""
    import pandas as pd

    dtypes = {
        ColumnType.TEXT: "object",
        ColumnType.CODE: "object",
        ColumnType.DATE: "datetime64[ns]",
        ColumnType.INTEGER: "Int64",
        ColumnType.NUMBER: "float64",
    }
    return pd.DataFrame({c.name: pd.Series(dtype=dtypes[c.type]) for c in spec.columns})


def rows_frame(rows: list[dict[str, object]], spec: TableSpec) -> pd.DataFrame:
    """``rows`` (one dict per row, by column name) as a frame with the columns and dtypes
    of ``spec``."""
    columns = empty_frame(spec)
    if not rows:
        return columns
    import pandas as pd

    out = pd.DataFrame(rows, columns=list(columns.columns))
    for name, dtype in columns.dtypes.items():
        out[name] = out[name].astype(dtype)
    return out
