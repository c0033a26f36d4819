"""Protocol configuration: one TOML file per trial, loaded into a frozen, validated object.

Every trial-specific number (sample sizes, priors, thresholds, look spacing) lives in the
protocol file, never in code. A bad file is refused with a :class:`ProtocolError` naming
the file, the full key path and the problem: a key :data:`SCHEMA` does not declare is refused
at every level, a choice must be a value of its field's ``Literal``, and a rule kind this
version does not evaluate is refused rather than parsed and ignored.
"""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal, cast, get_args

from monitoring.protocol_reader import (
    KEY,
    Key,
    RuleTables,
    Table,
    TableReader,
    Tables,
    field_choices,
)
from monitoring.protocol_reader import (
    ProtocolError as ProtocolError,  # re-exported: callers catch it from here
)

ConfType = Literal["log-log", "plain", "log"]
DayCount = Literal["elapsed", "inclusive"]
ProgressionCensoring = Literal["last_known_alive", "last_assessment"]
SurvivalCensoring = Literal["last_known_alive", "last_contact"]
TrialDesign = Literal["single_arm", "multi_cohort", "randomized"]
SurvivalEndpoint = Literal["OS", "PFS", "EFS", "DoR", "DoR1"]
Attribution = Literal["unrelated", "unlikely", "possible", "probable", "definite"]
SimonEndpoint = Literal["remission", "hematologic_response", "mrd_negativity"]
Stage1Order = Literal["first_dose_date", "enrollment_date"]
SimonDesignType = Literal["optimal", "minimax", "admissible", "other"]
Spending = Literal["obrien_fleming", "pocock", "hsd"]
FutilitySpending = Literal["obrien_fleming", "pocock", "hsd", "none"]
Population = Literal["treated"]
DoseMethod = Literal["boin", "3+3"]
MrdMethod = Literal["flow", "PCR", "NGS"]
BaselineKind = Literal["number", "category"]
SecondaryRate = Literal["hsct", "mrd_responders"]
SURVIVAL_ENDPOINTS: tuple[SurvivalEndpoint, ...] = get_args(SurvivalEndpoint)
ATTRIBUTIONS: tuple[Attribution, ...] = get_args(Attribution)


@dataclass(frozen=True)
class Unit:
    """A cohort, arm or dose level the protocol names."""

    id: str
    label: str


@dataclass(frozen=True)
class BaselineCharacteristic:
    """A baseline characteristic the protocol names (``[[baseline]]``): the rows of
    ``baseline.csv`` with this ``characteristic`` hold it. ``categories`` (for a category)
    are the values allowed, in display order (empty: any value); ``stratification`` marks a
    factor the randomization was stratified by."""

    id: str
    label: str
    kind: BaselineKind
    unit: str | None = None
    categories: tuple[str, ...] = ()
    stratification: bool = False


@dataclass(frozen=True)
class ResponseDefinition:
    """Response categories in protocol order and the sets that define responders.

    ``remission_label`` and ``response_label`` name the two sets where the protocol says so
    ("Complete response", "Objective response" on a solid-tumour trial); None: the built-in
    words of a blood-cancer trial ("Hematologic remission", "Hematologic response").
    """

    categories: tuple[str, ...]
    remission: tuple[str, ...]
    hematologic_response: tuple[str, ...]
    nonresponse_after_cycle: int
    secondary_rates: tuple[SecondaryRate, ...] = ()
    """Rates the Efficacy page and the report show beside the response rates: ``hsct`` the
    proportion proceeding to HSCT, ``mrd_responders`` MRD negativity among responders."""
    remission_label: str | None = None
    response_label: str | None = None


@dataclass(frozen=True)
class EstimateSettings:
    """Priors and level for the Bayesian credible intervals of rates and AE proportions."""

    credible_level: float
    response_prior: tuple[float, float]
    ae_prior: tuple[float, float]


@dataclass(frozen=True)
class PrintedSimon:
    """The characteristics the protocol prints for its Simon design (for the audit)."""

    alpha: float | None
    power: float | None
    pet0: float | None
    en0: float | None


@dataclass(frozen=True)
class SimonRule:
    """Simon two-stage futility rule: stop if <= r1 of n1 respond; succeed if > r of n.

    ``within_cycles`` (None: any time) counts a response only when a remission assessment
    falls in the first N cycles (an endpoint "CR/CRi after one cycle"): a remission first
    reached in a later cycle is a non-response of this rule. ``secondary_within_cycles``
    are further windows whose remission rates on the rule's patients are shown beside it
    (descriptive: "CR/CRi after two cycles").
    """

    id: str
    label: str
    endpoint: SimonEndpoint
    p0: float
    p1: float
    n1: int
    r1: int
    n: int
    r: int
    stage1_order: Stage1Order
    suspend_accrual_after_stage1: bool
    design_type: SimonDesignType
    nominal_alpha: float | None
    nominal_beta: float | None
    printed: PrintedSimon
    scope: Mapping[str, str]
    assumption: str | None = None
    within_cycles: int | None = None
    secondary_within_cycles: tuple[int, ...] = ()


@dataclass(frozen=True)
class GroupSequentialRule:
    """A group-sequential log-rank comparison of an experimental arm with a control arm.

    One-sided ``alpha``; power ``1 - beta`` at ``hazard_ratio`` (experimental / control, the
    design effect); ``planned_events`` the maximum number of events (None: computed from the
    design by Schoenfeld's formula); ``efficacy_gamma`` / ``futility_gamma`` the
    Hwang–Shih–DeCani gamma of an ``hsd`` spending (None otherwise); ``allocation_ratio``
    n_experimental / n_control; ``strata`` the factors the randomization was stratified by:
    patient columns (``STRATIFICATION_COLUMNS``) or ``[[baseline]]`` characteristics marked
    ``stratification = true`` (their values are the patient's ``baseline`` rows): when
    given, the log-rank test and the Cox model are stratified by their combined values.
    """

    id: str
    label: str
    endpoint: SurvivalEndpoint
    information_fractions: tuple[float, ...]
    alpha: float
    efficacy_spending: Spending
    futility_spending: FutilitySpending
    scope: Mapping[str, str]
    experimental_arm: str = ""
    control_arm: str = ""
    hazard_ratio: float = 1.0
    power: float = 0.8
    planned_events: float | None = None
    efficacy_gamma: float | None = None
    futility_gamma: float | None = None
    allocation_ratio: float = 1.0
    strata: tuple[str, ...] = ()
    assumption: str | None = None


@dataclass(frozen=True)
class MrdRule:
    """MRD-negativity response with a Simon two-stage futility rule (``mrd_response``).

    A treated patient responds when a ``method`` sample dated within ``within_days`` of the
    first dose shows MRD below ``threshold_pct`` (percent; 0.01 % = 10^-4 by default); a
    patient without such a sample is a non-responder once ``within_days`` have passed or
    treatment ended (off treatment or death) earlier. The Simon numbers are those of
    :class:`SimonRule`.
    """

    id: str
    label: str
    method: MrdMethod
    threshold_pct: float
    within_days: int
    p0: float
    p1: float
    n1: int
    r1: int
    n: int
    r: int
    scope: Mapping[str, str]
    assumption: str | None = None

    def simon(self) -> SimonRule:
        """The rule's Simon design as a :class:`SimonRule` on the MRD-negativity endpoint."""
        return SimonRule(
            id=self.id,
            label=self.label,
            endpoint="mrd_negativity",
            p0=self.p0,
            p1=self.p1,
            n1=self.n1,
            r1=self.r1,
            n=self.n,
            r=self.r,
            stage1_order="first_dose_date",
            suspend_accrual_after_stage1=True,
            design_type="other",
            nominal_alpha=None,
            nominal_beta=None,
            printed=PrintedSimon(None, None, None, None),
            scope=self.scope,
            assumption=self.assumption,
        )


EfficacyRule = SimonRule | GroupSequentialRule | MrdRule


@dataclass(frozen=True)
class DoseFindingRule:
    """Dose finding from DLT assessments (``dose_finding``): BOIN (Liu & Yuan 2015) or 3+3.

    ``levels`` are dose-level ids from the lowest dose to the highest; ``start`` the level
    of the first cohort. BOIN uses ``target`` (the target DLT rate), ``cohort_size`` and
    ``ncohort`` (the maximum number of cohorts) with the R package's defaults for the
    interval (phi1 = 0.6 target, phi2 = 1.4 target) and elimination (Pr > 0.95); 3+3 uses
    the textbook rule (cohorts of 3, expand to 6). ``oc_scenarios`` are true DLT rates per
    level for which the operating characteristics are shown.
    """

    id: str
    label: str
    method: DoseMethod
    levels: tuple[str, ...]
    start: str
    target: float
    cohort_size: int
    ncohort: int
    dlt_window_days: int
    dlt_definition: str
    scope: Mapping[str, str]
    phi1: float | None = None
    phi2: float | None = None
    oc_scenarios: tuple[tuple[float, ...], ...] = ()
    assumption: str | None = None


@dataclass(frozen=True)
class DeescalationRule:
    """De-escalation for excessive toxicity (``dose_deescalation``).

    ``levels`` in the order treated: the starting level first, then each level to
    de-escalate to. At the current level (the last one any patient in scope was treated
    at), ``deescalate_at`` or more DLTs among the evaluable patients de-escalate to the next
    level, or stop the cohort when there is none; ``patients_per_level`` evaluable patients
    with fewer DLTs confirm the level.
    """

    id: str
    label: str
    levels: tuple[str, ...]
    patients_per_level: int
    deescalate_at: int
    dlt_window_days: int
    dlt_definition: str
    scope: Mapping[str, str]
    assumption: str | None = None


DoseRule = DoseFindingRule | DeescalationRule

# Patient columns a group-sequential comparison may be stratified by (data dictionary).
STRATIFICATION_COLUMNS = ("cohort", "sex", "site", "dose_level", "salvage_line")


@dataclass(frozen=True)
class PrintedBoundary:
    n: int
    stop_at: int | None


@dataclass(frozen=True)
class PrintedOC:
    rate: float
    stop_prob: float
    mean_n: float
    p25: int
    p75: int


@dataclass(frozen=True)
class ToxicityRule:
    """Thall-Simon-Estey rule: stop if Pr(p > threshold | data) > confidence at a look."""

    id: str
    label: str
    terms: tuple[str, ...]
    attributions: tuple[Attribution, ...]
    min_grade: int
    prior_a: float
    prior_b: float
    threshold: float
    confidence: float
    cohort_size: int
    nmax: int
    evaluable: Population
    printed_boundaries: tuple[PrintedBoundary, ...]
    printed_oc: tuple[PrintedOC, ...]
    scope: Mapping[str, str]
    assumption: str | None = None

    @property
    def looks(self) -> tuple[int, ...]:
        """Numbers of evaluable patients at which the rule is checked (the last is nmax)."""
        looks = list(range(self.cohort_size, self.nmax + 1, self.cohort_size))
        if not looks or looks[-1] != self.nmax:
            looks.append(self.nmax)
        return tuple(looks)


ReportSection = Literal["verdict", "decisions", "efficacy", "toxicity", "survival", "methods"]
"""A section of the Efficacy/Toxicity Summary (``monitoring.reports.content``)."""
OPEN_SECTIONS_RANDOMIZED: tuple[ReportSection, ...] = (
    "efficacy",
    "toxicity",
    "survival",
    "methods",
)
"""The open report of a randomized trial by default: the data sections, arms pooled (the
decisions compare arms and stay in the closed report)."""
OPEN_SECTIONS_SINGLE_ARM: tuple[ReportSection, ...] = (
    "verdict",
    "decisions",
    "efficacy",
    "toxicity",
    "methods",
)
"""The open report of a single-arm or multi-cohort trial by default: the decisions, the
pooled rates and safety."""


@dataclass(frozen=True)
class ReportingSettings:
    summary_every: int
    summary_population: Population
    open_sections: tuple[ReportSection, ...] = OPEN_SECTIONS_SINGLE_ARM
    ae_grading: str = "CTCAE"
    """The scale of the adverse-event grades, as the AE tables' note names it."""
    """The sections of the open report (``[reporting.open] sections``), in report order."""


@dataclass(frozen=True)
class SurvivalSettings:
    endpoints: tuple[SurvivalEndpoint, ...]
    conf_type: ConfType
    landmarks_months: tuple[float, ...]
    rmst_horizon_months: float | None
    subgroups: tuple[str, ...]
    days_per_month: float
    day_count: DayCount = "elapsed"
    """``inclusive``: the origin is day 1 (time = end - origin + 1), as ADaM's ADTTE AVAL."""
    progression_censoring: ProgressionCensoring = "last_known_alive"
    """Where PFS, EFS, DoR and DoR1 without event are censored: the last date known alive or
    the last response assessment (the origin when none)."""
    os_censoring: SurvivalCensoring = "last_known_alive"
    """Where OS without death is censored: the last date known alive (the latest of last
    contact and every dated record) or the last contact date as given (ADaM's ADTTE)."""


@dataclass(frozen=True)
class AccrualSettings:
    planned_per_month: float | None


@dataclass(frozen=True)
class Protocol:
    """A trial's monitoring protocol, validated. ``digest`` is the SHA-256 of the file."""

    id: str
    title: str
    short_title: str
    version: str
    phase: str
    design: TrialDesign
    max_patients: int | None
    cohorts: tuple[Unit, ...]
    arms: tuple[Unit, ...]
    dose_levels: tuple[Unit, ...]
    closed_by: tuple[str, ...]
    response: ResponseDefinition
    estimates: EstimateSettings
    efficacy: tuple[EfficacyRule, ...]
    toxicity: tuple[ToxicityRule, ...]
    reporting: ReportingSettings
    survival: SurvivalSettings
    accrual: AccrualSettings
    source: str
    digest: str
    dose_finding: tuple[DoseRule, ...] = ()
    baseline: tuple[BaselineCharacteristic, ...] = ()

    @property
    def rules(self) -> tuple[EfficacyRule | DoseRule | ToxicityRule, ...]:
        """Every rule, in the order decisions are shown: efficacy, dose finding, toxicity."""
        return (*self.efficacy, *self.dose_finding, *self.toxicity)

    def assumptions(self) -> tuple[tuple[str, str, str], ...]:
        """(rule id, rule label, what is assumed) for every rule whose numbers the protocol
        marks as assumed (``assumption = "..."``): the registry record is silent there."""
        return tuple((r.id, r.label, r.assumption) for r in self.rules if r.assumption)

    @property
    def simon(self) -> SimonRule | None:
        """The first Simon two-stage rule, if the protocol has one."""
        return next((r for r in self.efficacy if isinstance(r, SimonRule)), None)

    @property
    def primary_toxicity(self) -> ToxicityRule | None:
        return self.toxicity[0] if self.toxicity else None


def _open_sections(reporting: TableReader, design: str) -> tuple[ReportSection, ...]:
    """``[reporting.open] sections``, by default the design's (randomized: arms pooled;
    otherwise decisions, pooled rates and safety)."""
    default = OPEN_SECTIONS_RANDOMIZED if design == "randomized" else OPEN_SECTIONS_SINGLE_ARM
    chosen = reporting.sub("open").choice_list("sections", default)
    return cast(tuple[ReportSection, ...], chosen)


def _choice(cls: type, name: str) -> Key:
    return Key(field_choices(cls, name))


def _rule(keys: Mapping[str, Key | Table | Tables | RuleTables]) -> Table:
    """A rule table: ``id``, ``rule``, ``label``, the kind's own keys, then ``scope``."""
    scope = Table({"cohort": KEY, "arm": KEY, "dose_level": KEY})
    return Table({"id": KEY, "rule": KEY, "label": KEY, **keys, "scope": scope, "assumption": KEY})


_UNIT = Table({"id": KEY, "label": KEY})
_SIMON = _rule(
    {
        "endpoint": _choice(SimonRule, "endpoint"),
        "within_cycles": KEY,
        "secondary_within_cycles": KEY,
        **dict.fromkeys(("p0", "p1", "n1", "r1", "n", "r"), KEY),
        "stage1_order": _choice(SimonRule, "stage1_order"),
        "suspend_accrual_after_stage1": KEY,
        "design_type": _choice(SimonRule, "design_type"),
        "nominal_alpha": KEY,
        "nominal_beta": KEY,
        "printed": Table(dict.fromkeys(("alpha", "power", "pet0", "en0"), KEY)),
    }
)
_GROUP_SEQUENTIAL = _rule(
    {
        "endpoint": _choice(GroupSequentialRule, "endpoint"),
        "information_fractions": KEY,
        "alpha": KEY,
        "efficacy_spending": _choice(GroupSequentialRule, "efficacy_spending"),
        "futility_spending": _choice(GroupSequentialRule, "futility_spending"),
        **dict.fromkeys(
            (
                "experimental_arm",
                "control_arm",
                "hazard_ratio",
                "power",
                "planned_events",
                "efficacy_gamma",
                "futility_gamma",
                "allocation_ratio",
                "strata",
            ),
            KEY,
        ),
    }
)
_THALL_SIMON_ESTEY = _rule(
    {
        "terms": KEY,
        "attributions": _choice(ToxicityRule, "attributions"),
        **dict.fromkeys(("min_grade", "prior_a", "prior_b", "threshold", "confidence"), KEY),
        "cohort_size": KEY,
        "nmax": KEY,
        "evaluable": _choice(ToxicityRule, "evaluable"),
        "printed": Table(
            {
                "boundaries": Tables(Table({"n": KEY, "stop_at": KEY})),
                "oc": Tables(
                    Table(dict.fromkeys(("rate", "stop_prob", "mean_n", "p25", "p75"), KEY))
                ),
            }
        ),
    }
)

_MRD = _rule(
    {
        "method": _choice(MrdRule, "method"),
        **dict.fromkeys(("threshold_pct", "within_days", "p0", "p1", "n1", "r1", "n", "r"), KEY),
    }
)
_DOSE_FINDING = _rule(
    {
        "method": _choice(DoseFindingRule, "method"),
        **dict.fromkeys(
            (
                "levels",
                "start",
                "target",
                "cohort_size",
                "ncohort",
                "dlt_window_days",
                "dlt_definition",
                "phi1",
                "phi2",
                "oc_scenarios",
            ),
            KEY,
        ),
    }
)
_DEESCALATION = _rule(
    dict.fromkeys(
        ("levels", "patients_per_level", "deescalate_at", "dlt_window_days", "dlt_definition"),
        KEY,
    )
)

# The rule kinds monitoring/rules/registry.py evaluates (a test checks the two agree). A kind
# the schema knows but this version does not evaluate is parsed (its keys and values are
# checked) and then refused, never ignored.
EVALUATED_RULE_KINDS = frozenset(
    {
        "simon_two_stage",
        "thall_simon_estey",
        "group_sequential",
        "mrd_response",
        "dose_finding",
        "dose_deescalation",
    }
)

SCHEMA = Table(
    {
        "id": KEY,
        "title": KEY,
        "short_title": KEY,
        "version": KEY,
        "phase": KEY,
        "design": _choice(Protocol, "design"),
        "max_patients": KEY,
        "cohorts": Tables(_UNIT),
        "arms": Tables(_UNIT),
        "dose_levels": Tables(_UNIT),
        "closed_by": KEY,
        "baseline": Tables(
            Table(
                {
                    "id": KEY,
                    "label": KEY,
                    "kind": _choice(BaselineCharacteristic, "kind"),
                    "unit": KEY,
                    "categories": KEY,
                    "stratification": KEY,
                }
            )
        ),
        "notes": KEY,
        "response": Table(
            {
                **dict.fromkeys(
                    (
                        "categories",
                        "remission",
                        "hematologic_response",
                        "nonresponse_after_cycle",
                        "remission_label",
                        "response_label",
                    ),
                    KEY,
                ),
                "secondary_rates": _choice(ResponseDefinition, "secondary_rates"),
            }
        ),
        "estimates": Table(dict.fromkeys(("credible_level", "response_prior", "ae_prior"), KEY)),
        "efficacy": RuleTables(
            {
                "simon_two_stage": _SIMON,
                "group_sequential": _GROUP_SEQUENTIAL,
                "mrd_response": _MRD,
            },
            EVALUATED_RULE_KINDS,
        ),
        "dose_finding": RuleTables(
            {"dose_finding": _DOSE_FINDING, "dose_deescalation": _DEESCALATION},
            EVALUATED_RULE_KINDS,
        ),
        "toxicity": RuleTables({"thall_simon_estey": _THALL_SIMON_ESTEY}, EVALUATED_RULE_KINDS),
        "reporting": Table(
            {
                "summary_every": KEY,
                "summary_population": _choice(ReportingSettings, "summary_population"),
                "ae_grading": KEY,
                "open": Table({"sections": _choice(ReportingSettings, "open_sections")}),
            }
        ),
        "survival": Table(
            {
                "endpoints": _choice(SurvivalSettings, "endpoints"),
                "conf_type": _choice(SurvivalSettings, "conf_type"),
                "day_count": _choice(SurvivalSettings, "day_count"),
                "progression_censoring": _choice(SurvivalSettings, "progression_censoring"),
                "os_censoring": _choice(SurvivalSettings, "os_censoring"),
                **dict.fromkeys(
                    ("landmarks_months", "rmst_horizon_months", "subgroups", "days_per_month"), KEY
                ),
            }
        ),
        "accrual": Table({"planned_per_month": KEY}),
    }
)


def _units(reader: TableReader, name: str) -> tuple[Unit, ...]:
    units = tuple(Unit(u.text("id"), u.text("label")) for u in reader.subs(name))
    ids = [u.id for u in units]
    if len(set(ids)) != len(ids):
        raise reader.fail(name, "ids must be unique")
    return units


def _baseline(reader: TableReader) -> tuple[BaselineCharacteristic, ...]:
    items = []
    for b in reader.subs("baseline"):
        kind = cast(BaselineKind, b.choice("kind"))
        categories = b.texts("categories", ())
        if kind == "number" and categories:
            raise b.fail("categories", "only a characteristic of kind 'category' has categories")
        if len(set(categories)) != len(categories):
            raise b.fail("categories", "must be distinct")
        unit = b.optional_text("unit")
        items.append(
            BaselineCharacteristic(
                id=b.text("id"),
                label=b.text("label"),
                kind=kind,
                unit=unit or None,
                categories=categories,
                stratification=b.flag("stratification", False),
            )
        )
    ids = [b.id for b in items]
    if len(set(ids)) != len(ids):
        raise reader.fail("baseline", "ids must be unique")
    return tuple(items)


def _response(reader: TableReader) -> ResponseDefinition:
    r = reader.sub("response", required=True)
    categories = r.texts("categories")
    if len(set(categories)) != len(categories):
        raise r.fail("categories", "must not repeat a category")
    sets = {}
    for name in ("remission", "hematologic_response"):
        members = r.texts(name)
        unknown = [c for c in members if c not in categories]
        if unknown:
            raise r.fail(name, f"names categories not in response.categories: {unknown}")
        sets[name] = members
    return ResponseDefinition(
        categories=categories,
        remission=sets["remission"],
        hematologic_response=sets["hematologic_response"],
        nonresponse_after_cycle=r.integer("nonresponse_after_cycle", minimum=1),
        secondary_rates=cast(tuple[SecondaryRate, ...], r.choice_list("secondary_rates", ())),
        remission_label=r.text("remission_label") if r.has("remission_label") else None,
        response_label=r.text("response_label") if r.has("response_label") else None,
    )


def _prior(reader: TableReader, name: str) -> tuple[float, float]:
    values = reader.numbers(name)
    if len(values) != 2 or min(values) <= 0:
        raise reader.fail(name, "must be two positive numbers [a, b] of a Beta prior")
    return values[0], values[1]


def _estimates(reader: TableReader) -> EstimateSettings:
    e = reader.sub("estimates", required=True)
    return EstimateSettings(
        credible_level=e.required_number("credible_level", 0.0, 1.0, open_interval=True),
        response_prior=_prior(e, "response_prior"),
        ae_prior=_prior(e, "ae_prior"),
    )


Units = Mapping[str, tuple[Unit, ...]]


def _scope(r: TableReader, units: Units) -> Mapping[str, str]:
    """The stratum a rule is restricted to (``scope = { cohort = "1" }``): each value must be
    an id of a unit the protocol declares (``cohorts``, ``arms``, ``dose_levels``)."""
    s = r.sub("scope")
    scope = {}
    for name in s.schema.keys:
        if not s.has(name):
            continue
        value = s.text(name)
        ids = [u.id for u in units[name]]
        if value not in ids:
            declared = ", ".join(ids) if ids else "none declared"
            raise s.fail(name, f"'{value}' is not a {name} id of this protocol ({declared})")
        scope[name] = value
    return scope


def _simon(r: TableReader, units: Units) -> SimonRule:
    p0, p1, n1, r1, n, rr = _simon_numbers(r)
    endpoint = r.choice("endpoint")
    printed = r.sub("printed")
    return SimonRule(
        id=r.text("id"),
        label=r.text("label"),
        endpoint=cast(SimonEndpoint, endpoint),
        p0=p0,
        p1=p1,
        n1=n1,
        r1=r1,
        n=n,
        r=rr,
        stage1_order=cast(Stage1Order, r.choice("stage1_order", "first_dose_date")),
        suspend_accrual_after_stage1=r.flag("suspend_accrual_after_stage1", True),
        design_type=cast(SimonDesignType, r.choice("design_type", "other")),
        nominal_alpha=r.number("nominal_alpha", 0.0, 1.0, open_interval=True, required=False),
        nominal_beta=r.number("nominal_beta", 0.0, 1.0, open_interval=True, required=False),
        printed=PrintedSimon(
            alpha=printed.number("alpha", 0.0, 1.0, required=False),
            power=printed.number("power", 0.0, 1.0, required=False),
            pet0=printed.number("pet0", 0.0, 1.0, required=False),
            en0=printed.number("en0", 0.0, None, required=False),
        ),
        scope=_scope(r, units),
        assumption=r.optional_text("assumption"),
        within_cycles=_within_cycles(r, endpoint, "within_cycles"),
        secondary_within_cycles=_secondary_windows(r, endpoint),
    )


def _remission_only(r: TableReader, endpoint: str, name: str) -> None:
    """A cycle window limits which remission assessments count: endpoint remission only."""
    if endpoint != "remission":
        raise r.fail(name, f"applies to endpoint 'remission' only, not '{endpoint}'")


def _within_cycles(r: TableReader, endpoint: str, name: str) -> int | None:
    """``within_cycles``: a whole number of cycles >= 1, on the remission endpoint only."""
    cycles = r.optional_integer(name, minimum=1)
    if cycles is not None:
        _remission_only(r, endpoint, name)
    return cycles


def _secondary_windows(r: TableReader, endpoint: str) -> tuple[int, ...]:
    """``secondary_within_cycles``: distinct whole numbers >= 1 (absent: none)."""
    name = "secondary_within_cycles"
    cycles = r.integers(name, minimum=1)
    if cycles:
        _remission_only(r, endpoint, name)
    if len(set(cycles)) != len(cycles):
        raise r.fail(name, "must not repeat a number of cycles")
    return cycles


def _gamma(r: TableReader, spending: str, name: str) -> float | None:
    """The HSD gamma: required with ``hsd`` spending, refused with any other."""
    if spending == "hsd":
        return r.required_number(name, -40.0, 40.0)
    if r.number(name, required=False) is not None:
        raise r.fail(name, f"applies to 'hsd' spending only, not '{spending}'")
    return None


def _arm(r: TableReader, name: str, units: Units) -> str:
    arm = r.text(name)
    ids = [u.id for u in units["arm"]]
    if arm not in ids:
        declared = ", ".join(ids) if ids else "none declared"
        raise r.fail(name, f"'{arm}' is not an arm id of this protocol ({declared})")
    return arm


def _group_sequential(
    r: TableReader, units: Units, stratification: tuple[str, ...] = ()
) -> GroupSequentialRule:
    fractions = r.numbers("information_fractions")
    if not fractions or any(b <= a for a, b in itertools.pairwise(fractions)):
        raise r.fail("information_fractions", "must be increasing")
    if fractions[0] <= 0 or fractions[-1] != 1.0:
        raise r.fail("information_fractions", "must lie in (0, 1] and end at 1")
    alpha = r.required_number("alpha", 0.0, 0.5, open_interval=True)
    efficacy = r.choice("efficacy_spending")
    futility = r.choice("futility_spending", "none")
    experimental = _arm(r, "experimental_arm", units)
    control = _arm(r, "control_arm", units)
    if experimental == control:
        raise r.fail("control_arm", f"must differ from experimental_arm ('{experimental}')")
    endpoint = r.choice("endpoint")
    if endpoint not in ("OS", "PFS", "EFS"):
        raise r.fail("endpoint", f"must be OS, PFS or EFS (from first dose); got '{endpoint}'")
    hazard_ratio = r.required_number("hazard_ratio", 0.0, 1.0, open_interval=True)
    strata = r.texts("strata", ())
    allowed = (*STRATIFICATION_COLUMNS, *stratification)
    unknown = [c for c in strata if c not in allowed]
    if unknown or len(set(strata)) != len(strata):
        factors = (
            f"; or stratification factors of [[baseline]]: {', '.join(stratification)}"
            if stratification
            else "; or [[baseline]] characteristics with stratification = true (none declared)"
        )
        raise r.fail(
            "strata",
            f"must list distinct patient columns among {', '.join(STRATIFICATION_COLUMNS)}"
            f"{factors}; got {', '.join(strata)}",
        )
    return GroupSequentialRule(
        id=r.text("id"),
        label=r.text("label"),
        endpoint=cast(SurvivalEndpoint, endpoint),
        information_fractions=fractions,
        alpha=alpha,
        efficacy_spending=cast(Spending, efficacy),
        futility_spending=cast(FutilitySpending, futility),
        scope=_scope(r, units),
        experimental_arm=experimental,
        control_arm=control,
        hazard_ratio=hazard_ratio,
        power=r.required_number("power", 0.5, 1.0, open_interval=True),
        planned_events=r.number("planned_events", 1.0, None, required=False),
        efficacy_gamma=_gamma(r, efficacy, "efficacy_gamma"),
        futility_gamma=_gamma(r, futility, "futility_gamma"),
        allocation_ratio=r.number("allocation_ratio", 0.0, None, open_interval=True, required=False)
        or 1.0,
        strata=strata,
        assumption=r.optional_text("assumption"),
    )


def _refuse_unevaluated(r: TableReader, kind: str) -> None:
    """A rule kind parsed but not evaluated by this version is refused, naming it."""
    if kind not in EVALUATED_RULE_KINDS:
        where = r.prefix.rstrip(".")
        raise r.fail(
            "rule",
            f"rule kind '{kind}' at {where} is not evaluated by this version; remove the "
            "rule or monitor it outside this product",
        )


def _simon_numbers(r: TableReader) -> tuple[float, float, int, int, int, int]:
    """p0, p1, n1, r1, n, r of a Simon design, checked for consistency."""
    p0 = r.required_number("p0", 0.0, 1.0, open_interval=True)
    p1 = r.required_number("p1", 0.0, 1.0, open_interval=True)
    if p1 <= p0:
        raise r.fail("p1", f"must exceed p0 ({p0}); got {p1}")
    n1 = r.integer("n1", minimum=1)
    n = r.integer("n", minimum=2)
    r1 = r.integer("r1", minimum=0)
    rr = r.integer("r", minimum=0)
    if n1 >= n:
        raise r.fail("n1", f"must be smaller than n ({n}); got {n1}")
    if r1 >= n1:
        raise r.fail("r1", f"must be smaller than n1 ({n1}); got {r1}")
    if not r1 <= rr < n:
        raise r.fail("r", f"must satisfy r1 ({r1}) <= r < n ({n}); got {rr}")
    return p0, p1, n1, r1, n, rr


def _mrd(r: TableReader, units: Units) -> MrdRule:
    p0, p1, n1, r1, n, rr = _simon_numbers(r)
    return MrdRule(
        id=r.text("id"),
        label=r.text("label"),
        method=cast(MrdMethod, r.choice("method", "flow")),
        threshold_pct=r.number("threshold_pct", 0.0, 100.0, open_interval=True, required=False)
        or 0.01,
        within_days=r.integer("within_days", minimum=1),
        p0=p0,
        p1=p1,
        n1=n1,
        r1=r1,
        n=n,
        r=rr,
        scope=_scope(r, units),
        assumption=r.optional_text("assumption"),
    )


def _efficacy(
    reader: TableReader, units: Units, stratification: tuple[str, ...] = ()
) -> tuple[EfficacyRule, ...]:
    rules: list[EfficacyRule] = []
    for kind, r in reader.rules("efficacy"):
        rule: EfficacyRule
        if kind == "simon_two_stage":
            rule = _simon(r, units)
        elif kind == "mrd_response":
            rule = _mrd(r, units)
        else:
            rule = _group_sequential(r, units, stratification)
        _refuse_unevaluated(r, kind)
        rules.append(rule)
    return tuple(rules)


def _levels(r: TableReader, units: Units) -> tuple[str, ...]:
    """A rule's dose levels: ids of the protocol's ``dose_levels``, each once, at least 2."""
    levels = r.texts("levels")
    declared = [u.id for u in units["dose_level"]]
    unknown = [v for v in levels if v not in declared]
    if unknown:
        raise r.fail("levels", f"not dose levels of this protocol: {unknown} ({declared})")
    if len(set(levels)) != len(levels) or len(levels) < 2:
        raise r.fail("levels", "must list at least two different dose levels")
    return levels


def _dose_finding_rule(r: TableReader, units: Units) -> DoseFindingRule:
    levels = _levels(r, units)
    method = cast(DoseMethod, r.choice("method"))
    start = r.text("start", levels[0])
    if start not in levels:
        raise r.fail("start", f"'{start}' is not one of levels {list(levels)}")
    scenarios = []
    for i, row in enumerate(r.number_lists("oc_scenarios")):
        if len(row) != len(levels) or not all(0 < v < 1 for v in row):
            raise r.fail(
                f"oc_scenarios[{i}]", f"must give {len(levels)} DLT rates in (0, 1), one a level"
            )
        scenarios.append(row)
    cohort_size = r.integer("cohort_size", minimum=1, default=3)
    if method == "3+3" and cohort_size != 3:
        raise r.fail("cohort_size", "the 3+3 design treats cohorts of 3")
    return DoseFindingRule(
        id=r.text("id"),
        label=r.text("label"),
        method=method,
        levels=levels,
        start=start,
        target=r.number("target", 0.05, 0.6, required=method == "boin") or 0.3,
        cohort_size=cohort_size,
        ncohort=r.integer("ncohort", minimum=1),
        dlt_window_days=r.integer("dlt_window_days", minimum=1),
        dlt_definition=r.text("dlt_definition"),
        scope=_scope(r, units),
        phi1=r.number("phi1", 0.0, 1.0, open_interval=True, required=False),
        phi2=r.number("phi2", 0.0, 1.0, open_interval=True, required=False),
        oc_scenarios=tuple(scenarios),
        assumption=r.optional_text("assumption"),
    )


def _deescalation_rule(r: TableReader, units: Units) -> DeescalationRule:
    per_level = r.integer("patients_per_level", minimum=1)
    at = r.integer("deescalate_at", minimum=1)
    if at > per_level:
        raise r.fail("deescalate_at", f"must not exceed patients_per_level ({per_level})")
    return DeescalationRule(
        id=r.text("id"),
        label=r.text("label"),
        levels=_levels(r, units),
        patients_per_level=per_level,
        deescalate_at=at,
        dlt_window_days=r.integer("dlt_window_days", minimum=1),
        dlt_definition=r.text("dlt_definition"),
        scope=_scope(r, units),
        assumption=r.optional_text("assumption"),
    )


def _dose_finding(reader: TableReader, units: Units) -> tuple[DoseRule, ...]:
    rules: list[DoseRule] = []
    for kind, r in reader.rules("dose_finding"):
        _refuse_unevaluated(r, kind)
        if kind == "dose_finding":
            rules.append(_dose_finding_rule(r, units))
        else:
            rules.append(_deescalation_rule(r, units))
    return tuple(rules)


def _toxicity(reader: TableReader, units: Units) -> tuple[ToxicityRule, ...]:
    rules = []
    for kind, r in reader.rules("toxicity"):
        _refuse_unevaluated(r, kind)
        attributions = cast(tuple[Attribution, ...], r.choice_list("attributions"))
        nmax = r.integer("nmax", minimum=2)
        cohort = r.integer("cohort_size", minimum=1)
        if cohort > nmax:
            raise r.fail("cohort_size", f"must not exceed nmax ({nmax}); got {cohort}")
        printed = r.sub("printed")
        boundaries = tuple(
            PrintedBoundary(
                b.integer("n", minimum=1),
                b.integer("stop_at", 0) if b.has("stop_at") else None,
            )
            for b in printed.subs("boundaries")
        )
        oc = tuple(
            PrintedOC(
                rate=o.required_number("rate", 0.0, 1.0),
                stop_prob=o.required_number("stop_prob", 0.0, 1.0),
                mean_n=o.required_number("mean_n", 0.0, None),
                p25=o.integer("p25", 0),
                p75=o.integer("p75", 0),
            )
            for o in printed.subs("oc")
        )
        rules.append(
            ToxicityRule(
                id=r.text("id"),
                label=r.text("label"),
                terms=r.texts("terms"),
                attributions=attributions,
                min_grade=r.integer("min_grade", minimum=1, default=1),
                prior_a=r.required_number("prior_a", 0.0, None, open_interval=True),
                prior_b=r.required_number("prior_b", 0.0, None, open_interval=True),
                threshold=r.required_number("threshold", 0.0, 1.0, open_interval=True),
                confidence=r.required_number("confidence", 0.0, 1.0, open_interval=True),
                cohort_size=cohort,
                nmax=nmax,
                evaluable=cast(Population, r.choice("evaluable", "treated")),
                printed_boundaries=boundaries,
                printed_oc=oc,
                scope=_scope(r, units),
                assumption=r.optional_text("assumption"),
            )
        )
    return tuple(rules)


def _survival(reader: TableReader) -> SurvivalSettings:
    s = reader.sub("survival")
    endpoints = cast(tuple[SurvivalEndpoint, ...], s.choice_list("endpoints", SURVIVAL_ENDPOINTS))
    conf = cast(ConfType, s.choice("conf_type", "log-log"))
    landmarks = s.numbers("landmarks_months", ())
    if any(x <= 0 for x in landmarks):
        raise s.fail("landmarks_months", "must be positive")
    return SurvivalSettings(
        endpoints=endpoints,
        conf_type=conf,
        landmarks_months=landmarks,
        rmst_horizon_months=s.number(
            "rmst_horizon_months", 0.0, None, open_interval=True, required=False
        ),
        subgroups=s.texts("subgroups", ()),
        days_per_month=s.number("days_per_month", 1.0, 31.0, required=False) or 30.4375,
        day_count=cast(DayCount, s.choice("day_count", "elapsed")),
        progression_censoring=cast(
            ProgressionCensoring, s.choice("progression_censoring", "last_known_alive")
        ),
        os_censoring=cast(SurvivalCensoring, s.choice("os_censoring", "last_known_alive")),
    )


def parse_protocol(text: str, source: str = "<protocol>") -> Protocol:
    """Parse and validate protocol TOML text; ``source`` names the file in errors.

    Every key at every level must be one the schema declares (:data:`SCHEMA`).
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(source, "<file>", f"is not valid TOML: {exc}") from exc
    top = TableReader(source, raw, SCHEMA)
    trial_id = top.text("id")
    if not all(ch.isalnum() or ch in "-_." for ch in trial_id):
        raise top.fail("id", "may hold only letters, digits, '-', '_' and '.'")
    response = _response(top)
    reporting = top.sub("reporting", required=True)
    accrual = top.sub("accrual")
    units = {
        "cohort": _units(top, "cohorts"),
        "arm": _units(top, "arms"),
        "dose_level": _units(top, "dose_levels"),
    }
    top.optional_text("notes")  # free text for the reader of the file, checked for type only
    baseline = _baseline(top)
    protocol = Protocol(
        id=trial_id,
        title=top.text("title"),
        short_title=top.text("short_title", trial_id),
        version=top.text("version"),
        phase=top.text("phase"),
        design=cast(TrialDesign, top.choice("design")),
        max_patients=top.integer("max_patients", minimum=1) if top.has("max_patients") else None,
        cohorts=units["cohort"],
        arms=units["arm"],
        dose_levels=units["dose_level"],
        closed_by=top.texts("closed_by", ()),
        response=response,
        estimates=_estimates(top),
        efficacy=_efficacy(top, units, tuple(b.id for b in baseline if b.stratification)),
        toxicity=_toxicity(top, units),
        reporting=ReportingSettings(
            summary_every=reporting.integer("summary_every", minimum=1),
            summary_population=cast(Population, reporting.choice("summary_population", "treated")),
            open_sections=_open_sections(reporting, top.choice("design")),
            ae_grading=reporting.text("ae_grading", "CTCAE"),
        ),
        survival=_survival(top),
        accrual=AccrualSettings(
            planned_per_month=accrual.number(
                "planned_per_month", 0.0, None, open_interval=True, required=False
            )
        ),
        source=source,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        dose_finding=_dose_finding(top, units),
        baseline=baseline,
    )
    _refuse_repeated_rule_ids(protocol)
    for i, rule in enumerate(protocol.efficacy):
        if (
            isinstance(rule, (SimonRule, MrdRule))
            and protocol.max_patients is not None
            and rule.n > protocol.max_patients
        ):
            raise ProtocolError(
                source, f"efficacy[{i}].n", f"exceeds max_patients ({protocol.max_patients})"
            )
    return protocol


def _refuse_repeated_rule_ids(protocol: Protocol) -> None:
    """Rule ids name decisions in the monitoring log, the reports and the audit trail:
    each must be unique across ``[[efficacy]]`` and ``[[toxicity]]``."""
    seen: set[str] = set()
    tables = (
        ("efficacy", protocol.efficacy),
        ("dose_finding", protocol.dose_finding),
        ("toxicity", protocol.toxicity),
    )
    for table, rules in tables:
        for i, rule in enumerate(rules):
            if rule.id in seen:
                raise ProtocolError(
                    protocol.source, f"{table}[{i}].id", f"'{rule.id}' is used by another rule"
                )
            seen.add(rule.id)


def load_protocol(path: str | Path | Traversable) -> Protocol:
    """Load and validate a protocol file; errors name the file, key and problem."""
    path = Path(path) if isinstance(path, str) else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProtocolError(str(path), "<file>", f"cannot be read: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:  # a binary file given by mistake
        raise ProtocolError(str(path), "<file>", "is not UTF-8 text (a TOML file is)") from exc
    return parse_protocol(text, str(path))


def bundled_protocol_files() -> tuple[Traversable, ...]:
    """Protocol files shipped in the package (``monitoring/protocols/``, then its examples).

    Read through ``importlib.resources`` so that an installed package finds them as well as
    a source checkout does.
    """
    folder = files("monitoring").joinpath("protocols")
    examples = folder.joinpath("examples")
    return _toml_files(folder) + (_toml_files(examples) if examples.is_dir() else ())


def _toml_files(folder: Traversable) -> tuple[Traversable, ...]:
    found = (f for f in folder.iterdir() if f.is_file() and f.name.endswith(".toml"))
    return tuple(sorted(found, key=lambda f: f.name))


def bundled_protocols() -> dict[str, Traversable]:
    """The bundled trials' protocols (the top level of ``monitoring/protocols/``), by id."""
    top = _toml_files(files("monitoring").joinpath("protocols"))
    return {load_protocol(f).id: f for f in top}


def bundled_protocol_name(file: Traversable) -> str:
    """The name a bundled protocol is asked for by: its file name without ``.toml``."""
    return file.name.removesuffix(".toml")


def bundled_protocol(name: str) -> Traversable:
    """The bundled protocol file called ``name`` (for example ``mrd-ino-ph2``)."""
    bundled = {bundled_protocol_name(f): f for f in bundled_protocol_files()}
    if name not in bundled:
        known = ", ".join(bundled)
        raise ProtocolError(name, "<file>", f"no bundled protocol of that name ({known})")
    return bundled[name]


DEFAULT_TRIAL_ID = "ino-lowdose-ph2"
