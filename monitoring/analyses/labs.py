"""Laboratory analyses at the data cut-off: CTCAE shift tables, hepatotoxicity (eDISH) peaks
and trajectories, and the SOS/VOD cases beside their diagnostic criteria.

Population: the safety population (patients treated by the cut-off). Baseline is a
patient's last value of a test on or before his first-dose date; post-baseline values are
those after it, up to the cut-off (the data are cut). Days are counted from the first dose
(day 0), as in the safety listings. Grades come from the package's CTCAE table
(``monitoring/labs/ctcae_v5.toml``; ``monitoring.labs.ctcae``). Methods and sources:
docs/methods.md, "Laboratory values".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from monitoring.derive import Derivation
from monitoring.labs.ctcae import CtcaeTable, ctcae_table, grade_values
from monitoring.protocol import Protocol

# Hy's law (FDA guidance for industry "Drug-Induced Liver Injury: Premarketing Clinical
# Evaluation", July 2009) as eDISH draws it: ALT or AST > 3 x ULN and total bilirubin > 2 x ULN.
HYS_AMINOTRANSFERASE = 3.0
HYS_BILIRUBIN = 2.0
HEPATIC_TESTS = ("ALT", "AST", "BILI", "ALP")
# Bilirubin in mg/dL from umol/L (molar mass of bilirubin 584.66 g/mol: 1 mg/dL = 17.1 umol/L).
BILIRUBIN_UMOL_PER_MG_DL = 17.1
_MG_DL = {
    "mg/dl": 1.0,
    "umol/l": BILIRUBIN_UMOL_PER_MG_DL,
    "µmol/l": BILIRUBIN_UMOL_PER_MG_DL,
    "μmol/l": BILIRUBIN_UMOL_PER_MG_DL,
}
# SOS/VOD diagnostic criteria (docs/methods.md: modified Seattle, McDonald et al. 1993;
# Baltimore, Jones et al. 1987; as tabulated by Mohty et al., Bone Marrow Transplant 2016).
VOD_BILIRUBIN_MG_DL = 2.0
SEATTLE_WEIGHT_GAIN = 2.0  # percent, strictly more
BALTIMORE_WEIGHT_GAIN = 5.0  # percent, strictly more
VOD_WINDOW_WEEKS = 3  # bilirubin and weight read from 3 weeks before to 3 weeks after onset
VOD_WINDOW_DAYS = 7 * VOD_WINDOW_WEEKS
HEPATOMEGALY_TERMS = ("hepatomegaly",)
ASCITES_TERMS = ("ascites",)
MISSING = "Missing"


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (later - earlier).dt.days


def lab_frame(derived: Derivation, table: CtcaeTable | None = None) -> pd.DataFrame:
    """The treated patients' lab rows (as cut) with ``first_dose_date``, ``day`` (from the
    first dose), ``baseline`` (the row is the patient's baseline value of the test),
    ``post`` (after the first dose), ``ratio`` (value / ULN) and ``grade`` (CTCAE; NaN for
    a test the table does not grade, or a value it cannot)."""
    table = table or ctcae_table()
    patients = derived.patients.loc[derived.patients["treated"], ["patient_id", "first_dose_date"]]
    labs = derived.data.lab_results.merge(patients, on="patient_id", how="inner")
    labs = labs.sort_values(["patient_id", "test", "sample_date"], kind="stable")
    labs = labs.reset_index(drop=True)
    labs["day"] = _days(labs["sample_date"], labs["first_dose_date"])
    before = labs["sample_date"] <= labs["first_dose_date"]
    labs["post"] = ~before
    last_before = labs.loc[before].groupby(["patient_id", "test"]).tail(1).index
    labs["baseline"] = labs.index.isin(last_before)
    with np.errstate(divide="ignore", invalid="ignore"):
        labs["ratio"] = np.where(labs["uln"] > 0, labs["value"] / labs["uln"], np.nan)
    base_value = (
        labs.loc[labs["baseline"]].set_index(["patient_id", "test"])["value"].rename("base")
    )
    labs = labs.join(base_value, on=["patient_id", "test"])
    labs["grade"] = np.nan
    for criterion in table.criteria:
        rows = labs["test"].isin(criterion.codes)
        if rows.any():
            part = labs.loc[rows]
            labs.loc[rows, "grade"] = grade_values(
                criterion, part["value"], part["lln"], part["uln"], part["base"]
            )
    return labs


# --- Shift tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class ShiftTable:
    """Patients by baseline grade (rows) and worst post-baseline grade (columns) of one
    test, as tern's shift tables count them: each patient of the population once; the last
    row counts patients without a graded baseline value, the last column those without a
    graded post-baseline value."""

    test: str
    term: str
    group: str | None
    population: int
    grades: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Row and column labels: the grades, then "Missing"."""
        return (*(str(g) for g in self.grades), MISSING)

    @property
    def no_baseline(self) -> int:
        return sum(self.counts[-1])

    @property
    def no_post_baseline(self) -> int:
        return sum(row[-1] for row in self.counts)

    @property
    def worsened(self) -> int:
        """Patients whose worst post-baseline grade is above their baseline grade."""
        n = len(self.grades)
        return sum(self.counts[b][w] for b in range(n) for w in range(n) if w > b)


@dataclass(frozen=True)
class LabShifts:
    """Shift tables of every graded test present, over all patients (group None) and, when
    ``by`` is given, per group of that patient column."""

    population: int
    by: str | None
    tables: tuple[ShiftTable, ...]
    note: str
    source: str


def _shift_counts(
    ids: np.ndarray, baseline: pd.Series, worst: pd.Series, max_grade: int
) -> tuple[tuple[int, ...], ...]:
    size = max_grade + 2
    row = baseline.reindex(ids).fillna(size - 1).to_numpy(int)
    col = worst.reindex(ids).fillna(size - 1).to_numpy(int)
    matrix = np.zeros((size, size), dtype=int)
    np.add.at(matrix, (row, col), 1)
    return tuple(tuple(int(v) for v in r) for r in matrix)


def shift_tables(
    derived: Derivation, by: str | None = None, table: CtcaeTable | None = None
) -> LabShifts:
    """Baseline grade by worst post-baseline grade, per graded test found in the data."""
    table = table or ctcae_table()
    labs = lab_frame(derived, table)
    graded = labs.loc[labs["grade"].notna()]
    treated = derived.patients.loc[derived.patients["treated"]]
    groups: list[tuple[str | None, np.ndarray]] = [(None, treated["patient_id"].to_numpy())]
    if by is not None:
        for value, part in treated.groupby(treated[by].fillna(MISSING), sort=True):
            groups.append((f"{by} = {value}", part["patient_id"].to_numpy()))
    tables = []
    for criterion in table.criteria:
        rows = graded.loc[graded["test"].isin(criterion.codes)]
        if rows.empty:
            continue
        baseline = rows.loc[rows["baseline"]].groupby("patient_id")["grade"].max()
        worst = rows.loc[rows["post"]].groupby("patient_id")["grade"].max()
        for group, ids in groups:
            tables.append(
                ShiftTable(
                    test=criterion.test,
                    term=criterion.term,
                    group=group,
                    population=len(ids),
                    grades=tuple(range(criterion.max_grade + 1)),
                    counts=_shift_counts(ids, baseline, worst, criterion.max_grade),
                )
            )
    population = len(treated)
    note = (
        f"N = {population} treated patients. Baseline: last value on or before the first "
        f"dose; worst: after it, to the cut-off {derived.cutoff.isoformat()}. {table.label} "
        f"({table.source.split(', ', 1)[-1]}) against each sample's limits (docs/methods.md)."
    )
    return LabShifts(population, by, tuple(tables), note, table.source)


# --- Hepatotoxicity (eDISH) ----------------------------------------------------------------


class Quadrant(StrEnum):
    """eDISH quadrants (FDA guidance on drug-induced liver injury, 2009; safetyGraphics'
    hepatic explorer)."""

    HYS_LAW = "Potential Hy's law"
    HYPERBILIRUBINEMIA = "Hyperbilirubinemia"
    TEMPLE = "Temple's corollary"
    NORMAL = "Normal range"


def quadrant(aminotransferase: float, bilirubin: float) -> Quadrant:
    """The quadrant of a patient's peaks (multiples of ULN): strictly above 3 x ULN
    (aminotransferase) and 2 x ULN (bilirubin) is "above"."""
    high_at = round(aminotransferase, 9) > HYS_AMINOTRANSFERASE
    high_bili = round(bilirubin, 9) > HYS_BILIRUBIN
    if high_at and high_bili:
        return Quadrant.HYS_LAW
    if high_bili:
        return Quadrant.HYPERBILIRUBINEMIA
    if high_at:
        return Quadrant.TEMPLE
    return Quadrant.NORMAL


@dataclass(frozen=True)
class HepaticPeak:
    """A patient's peak post-baseline values in multiples of ULN (None: no such value);
    ``aminotransferase`` is the higher of the ALT and AST peaks (Hy's law reads "ALT or
    AST"). The peaks need not be on the same day."""

    patient_id: str
    group: str | None
    alt: float | None
    ast: float | None
    aminotransferase: float | None
    bilirubin: float | None
    alp: float | None
    quadrant: Quadrant | None


@dataclass(frozen=True)
class Hepatotoxicity:
    """Peaks of every treated patient with a post-baseline ALT or AST and bilirubin."""

    peaks: tuple[HepaticPeak, ...]
    by: str | None
    note: str

    def count(self, where: Quadrant) -> int:
        return sum(p.quadrant is where for p in self.peaks)


def _peak(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if np.isnan(number) else number


def hepatotoxicity(derived: Derivation, by: str | None = None) -> Hepatotoxicity:
    """Per patient, peak ALT, AST, ALP and bilirubin / ULN after the first dose, and the
    eDISH quadrant of the aminotransferase and bilirubin peaks."""
    labs = lab_frame(derived)
    post = labs.loc[labs["post"] & labs["test"].isin(HEPATIC_TESTS) & labs["ratio"].notna()]
    peaks = post.pivot_table(index="patient_id", columns="test", values="ratio", aggfunc="max")
    peaks = peaks.reindex(columns=list(HEPATIC_TESTS))
    groups = derived.patients.set_index("patient_id")[by].astype(object) if by is not None else None
    out = []
    for pid, row in peaks.iterrows():
        alt, ast, bili, alp = (_peak(row[t]) for t in HEPATIC_TESTS)
        known = [v for v in (alt, ast) if v is not None]
        amino = max(known) if known else None
        where = None if amino is None or bili is None else quadrant(amino, bili)
        group = None
        if groups is not None:
            value = groups.get(pid)
            group = MISSING if value is None or pd.isna(value) else str(value)
        out.append(HepaticPeak(str(pid), group, alt, ast, amino, bili, alp, where))
    note = (
        "Peak values after the first dose up to the cut-off "
        f"{derived.cutoff.isoformat()}, in multiples of each sample's ULN; x: the higher of "
        "the ALT and AST peaks, y: total bilirubin; the peaks need not be on the same day. "
        f"Potential Hy's law: > {HYS_AMINOTRANSFERASE:g} x ULN and > {HYS_BILIRUBIN:g} x ULN; "
        "Temple's corollary: aminotransferase only; hyperbilirubinemia: bilirubin only "
        "(FDA guidance on drug-induced liver injury, 2009)."
    )
    return Hepatotoxicity(tuple(out), by, note)


@dataclass(frozen=True)
class LabTrajectory:
    """One patient's values of one test over study day, as measured and / ULN."""

    patient_id: str
    test: str
    unit: str
    days: tuple[int, ...]
    values: tuple[float, ...]
    ratios: tuple[float | None, ...]


def lab_trajectories(
    derived: Derivation, patient_id: str, tests: tuple[str, ...] = HEPATIC_TESTS
) -> tuple[LabTrajectory, ...]:
    """Every value of ``tests`` of one treated patient (baseline included), by study day."""
    labs = lab_frame(derived)
    rows = labs.loc[(labs["patient_id"] == patient_id) & labs["test"].isin(tests)]
    out = []
    for test in tests:
        part = rows.loc[rows["test"] == test]
        if part.empty:
            continue
        units = part["unit"].dropna()
        out.append(
            LabTrajectory(
                patient_id=patient_id,
                test=test,
                unit=str(units.iloc[0]) if len(units) else "",
                days=tuple(int(d) for d in part["day"]),
                values=tuple(float(v) for v in part["value"]),
                ratios=tuple(_peak(r) for r in part["ratio"]),
            )
        )
    return tuple(out)


# --- SOS/VOD cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VodCase:
    """A patient with a SOS/VOD adverse event, with the diagnostic findings read in the
    window around its onset (None: not measured there)."""

    patient_id: str
    term: str
    grade: int
    onset_date: pd.Timestamp
    onset_day: int | None
    bilirubin_mg_dl: float | None
    bilirubin_uln: float | None
    weight_gain_percent: float | None
    hepatomegaly: bool
    ascites: bool

    @property
    def bilirubin_met(self) -> bool:
        return self.bilirubin_mg_dl is not None and self.bilirubin_mg_dl >= VOD_BILIRUBIN_MG_DL

    def _findings(self, *, bilirubin: bool, ascites: bool, weight_gain: float) -> tuple[str, ...]:
        """The findings present, in the order bilirubin, hepatomegaly, ascites, weight gain
        (weight above ``weight_gain`` % of baseline); a criterion names those it counts."""
        gain = self.weight_gain_percent
        present = (
            ("bilirubin", bilirubin and self.bilirubin_met),
            ("hepatomegaly", self.hepatomegaly),
            ("ascites", ascites and self.ascites),
            ("weight gain", gain is not None and round(gain, 9) > weight_gain),
        )
        return tuple(name for name, found in present if found)

    @property
    def seattle_findings(self) -> tuple[str, ...]:
        """Modified Seattle findings present: bilirubin >= 2 mg/dL; hepatomegaly; weight
        gain > 2% from baseline (at least two make the criteria met)."""
        return self._findings(bilirubin=True, ascites=False, weight_gain=SEATTLE_WEIGHT_GAIN)

    @property
    def seattle(self) -> bool:
        return len(self.seattle_findings) >= 2

    @property
    def baltimore_findings(self) -> tuple[str, ...]:
        """Baltimore findings besides bilirubin: hepatomegaly; ascites; weight gain > 5%."""
        return self._findings(bilirubin=False, ascites=True, weight_gain=BALTIMORE_WEIGHT_GAIN)

    @property
    def baltimore(self) -> bool:
        """Bilirubin >= 2 mg/dL and at least two of hepatomegaly, ascites, weight gain > 5%."""
        return self.bilirubin_met and len(self.baltimore_findings) >= 2


@dataclass(frozen=True)
class VodCases:
    """The SOS/VOD cases of the treated patients at the cut-off (first such event each)."""

    cases: tuple[VodCase, ...]
    terms: tuple[str, ...]
    window_days: int
    findings_recorded: bool
    note: str


def _term_mask(terms: pd.Series, wanted: tuple[str, ...]) -> pd.Series:
    names = {t.strip().casefold() for t in wanted}
    return terms.astype(str).str.strip().str.casefold().isin(names)


DEFAULT_VOD_TERMS = (
    "Veno-occlusive disease",
    "Hepatic veno-occlusive disease",
    "Sinusoidal obstruction syndrome",
)
"""The MedDRA terms of SOS/VOD, read when no toxicity rule of the protocol names one (a
trial may record VOD without monitoring it by a stopping rule)."""


def _rule_vod_terms(protocol: Protocol) -> tuple[str, ...]:
    """The AE terms of the protocol's SOS/VOD toxicity rules (a rule whose terms name
    veno-occlusive disease or sinusoidal obstruction)."""
    found: list[str] = []
    for rule in protocol.toxicity:
        words = " ".join(rule.terms).casefold()
        if "veno-occlusive" in words or "sinusoidal obstruction" in words:
            found += [t for t in rule.terms if t not in found]
    return tuple(found)


def vod_terms(protocol: Protocol) -> tuple[str, ...]:
    """The AE terms that make a SOS/VOD case: those of the protocol's SOS/VOD toxicity
    rules, or ``DEFAULT_VOD_TERMS`` when no rule names one."""
    return _rule_vod_terms(protocol) or DEFAULT_VOD_TERMS


def _either(words: tuple[str, ...]) -> str:
    """ "a", "a or b", "a, b or c"."""
    return words[-1] if len(words) < 2 else f"{', '.join(words[:-1])} or {words[-1]}"


def _mg_dl(value: float, unit: object) -> float | None:
    factor = _MG_DL.get(str(unit).strip().casefold()) if isinstance(unit, str) else None
    return None if factor is None else value / factor


def _reported(events: pd.DataFrame, pid: object, low: pd.Timestamp, high: pd.Timestamp) -> bool:
    mine = events.loc[events["patient_id"] == pid]
    return bool(mine["onset_date"].between(low, high).any())


def vod_cases(
    derived: Derivation, protocol: Protocol, window_days: int = VOD_WINDOW_DAYS
) -> VodCases:
    """For each treated patient with an AE among the SOS/VOD terms (``vod_terms``; any grade,
    any attribution): the first such event, the bilirubin peak (mg/dL and x ULN) and the
    largest weight gain from baseline from ``window_days`` before to ``window_days`` after
    its onset, and whether hepatomegaly or ascites was reported as an AE in that window."""
    named = _rule_vod_terms(protocol)
    terms = named or DEFAULT_VOD_TERMS
    patients = derived.patients.set_index("patient_id")
    treated = set(patients.index[patients["treated"]])
    events = derived.data.adverse_events
    events = events.loc[events["patient_id"].isin(treated)]
    vod = events.loc[_term_mask(events["term"], terms)].sort_values(["patient_id", "onset_date"])
    labs = lab_frame(derived)
    hepatomegaly = events.loc[_term_mask(events["term"], HEPATOMEGALY_TERMS)]
    ascites = events.loc[_term_mask(events["term"], ASCITES_TERMS)]
    span = pd.Timedelta(days=window_days)
    cases = []
    for pid, first in vod.groupby("patient_id", sort=True):
        event = first.iloc[0]
        onset = event["onset_date"]
        low, high = onset - span, onset + span
        mine = labs.loc[(labs["patient_id"] == pid)]
        near = mine.loc[mine["sample_date"].between(low, high)]
        bili = near.loc[near["test"] == "BILI"]
        bili_mg = [_mg_dl(v, u) for v, u in zip(bili["value"], bili["unit"], strict=True)]
        known_mg = [v for v in bili_mg if v is not None]
        weight = near.loc[(near["test"] == "WEIGHT") & near["base"].gt(0)]
        gains = (weight["value"] - weight["base"]) / weight["base"] * 100.0
        first_dose = patients["first_dose_date"].get(pid)

        cases.append(
            VodCase(
                patient_id=str(pid),
                term=str(event["term"]),
                grade=int(first["grade"].max()),
                onset_date=onset,
                onset_day=None if pd.isna(first_dose) else int((onset - first_dose).days),
                bilirubin_mg_dl=max(known_mg) if known_mg else None,
                bilirubin_uln=_peak(bili["ratio"].max()) if len(bili) else None,
                weight_gain_percent=float(gains.max()) if len(gains) else None,
                hepatomegaly=_reported(hepatomegaly, pid, low, high),
                ascites=_reported(ascites, pid, low, high),
            )
        )
    recorded = bool(len(hepatomegaly) or len(ascites))
    source = (
        "the default SOS/VOD terms, as no toxicity rule of the protocol names SOS/VOD"
        if not named
        else "the terms of the protocol's SOS/VOD rule"
    )
    note = (
        f"First adverse event recorded as {_either(terms)} ({source}), with the worst "
        "grade of these events; "
        f"bilirubin peak and weight gain from baseline within {window_days} days of onset; "
        "hepatomegaly, ascites: adverse events so named in that window"
        + ("" if recorded else " (none recorded in this trial)")
        + ". Criteria, sources and timing: docs/methods.md."
    )
    return VodCases(tuple(cases), terms, window_days, recorded, note)
