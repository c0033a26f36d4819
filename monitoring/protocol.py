"""Protocol configuration: one TOML file per trial, loaded into a frozen, validated object.

Every trial-specific number (sample sizes, priors, thresholds, look spacing) lives in the
protocol file, never in code. A bad file is refused with a :class:`ProtocolError` naming
the file, the key and the problem.
"""

from __future__ import annotations

import hashlib
import itertools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal, TypeVar

ConfType = Literal["log-log", "plain", "log"]
TrialDesign = Literal["single_arm", "multi_cohort", "randomized"]
SURVIVAL_ENDPOINTS = ("OS", "PFS", "EFS", "DoR", "DoR1")
ATTRIBUTIONS = ("unrelated", "unlikely", "possible", "probable", "definite")


class ProtocolError(ValueError):
    """A protocol file that cannot be used: names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: key '{key}': {problem}")


@dataclass(frozen=True)
class Unit:
    """A cohort, arm or dose level the protocol names."""

    id: str
    label: str


@dataclass(frozen=True)
class ResponseDefinition:
    """Response categories in protocol order and the sets that define responders."""

    categories: tuple[str, ...]
    remission: tuple[str, ...]
    hematologic_response: tuple[str, ...]
    nonresponse_after_cycle: int


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
    """Simon two-stage futility rule: stop if <= r1 of n1 respond; succeed if > r of n."""

    id: str
    label: str
    endpoint: str
    p0: float
    p1: float
    n1: int
    r1: int
    n: int
    r: int
    stage1_order: str
    suspend_accrual_after_stage1: bool
    design_type: str
    nominal_alpha: float | None
    nominal_beta: float | None
    printed: PrintedSimon
    scope: Mapping[str, str]


@dataclass(frozen=True)
class GroupSequentialRule:
    """A group-sequential comparison of arms (expressible now, monitored later)."""

    id: str
    label: str
    endpoint: str
    information_fractions: tuple[float, ...]
    alpha: float
    efficacy_spending: str
    futility_spending: str | None
    scope: Mapping[str, str]


EfficacyRule = SimonRule | GroupSequentialRule


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
    attributions: tuple[str, ...]
    min_grade: int
    prior_a: float
    prior_b: float
    threshold: float
    confidence: float
    cohort_size: int
    nmax: int
    evaluable: str
    printed_boundaries: tuple[PrintedBoundary, ...]
    printed_oc: tuple[PrintedOC, ...]
    scope: Mapping[str, str]

    @property
    def looks(self) -> tuple[int, ...]:
        """Numbers of evaluable patients at which the rule is checked (the last is nmax)."""
        looks = list(range(self.cohort_size, self.nmax + 1, self.cohort_size))
        if not looks or looks[-1] != self.nmax:
            looks.append(self.nmax)
        return tuple(looks)


@dataclass(frozen=True)
class ReportingSettings:
    summary_every: int
    summary_population: str


@dataclass(frozen=True)
class SurvivalSettings:
    endpoints: tuple[str, ...]
    conf_type: ConfType
    landmarks_months: tuple[float, ...]
    rmst_horizon_months: float | None
    subgroups: tuple[str, ...]
    days_per_month: float


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

    @property
    def simon(self) -> SimonRule | None:
        """The first Simon two-stage rule, if the protocol has one."""
        return next((r for r in self.efficacy if isinstance(r, SimonRule)), None)

    @property
    def primary_toxicity(self) -> ToxicityRule | None:
        return self.toxicity[0] if self.toxicity else None


T = TypeVar("T")


class _Reader:
    """Typed access to one TOML table; every failure names file and dotted key."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str = "") -> None:
        self.source = source
        self.table = table
        self.prefix = prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, problem: str) -> ProtocolError:
        return ProtocolError(self.source, self.key(name), problem)

    def _get(self, name: str, kind: type[T] | tuple[type, ...], required: bool) -> Any:
        if name not in self.table:
            if required:
                raise self.fail(name, "is required but missing")
            return None
        value = self.table[name]
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(name, f"must be {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def text(self, name: str, default: str | None = None) -> str:
        value = self._get(name, str, default is None)
        if value is None:
            assert default is not None
            return default
        if not value.strip():
            raise self.fail(name, "must not be empty")
        return str(value)

    def choice(self, name: str, options: Sequence[str], default: str | None = None) -> str:
        value = self.text(name, default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}; got '{value}'")
        return value

    def integer(self, name: str, minimum: int | None = None, default: int | None = None) -> int:
        value = self._get(name, int, default is None)
        if value is None:
            assert default is not None
            return default
        if minimum is not None and value < minimum:
            raise self.fail(name, f"must be >= {minimum}; got {value}")
        return int(value)

    def number(
        self,
        name: str,
        low: float | None = None,
        high: float | None = None,
        *,
        open_interval: bool = False,
        required: bool = True,
    ) -> float | None:
        value = self._get(name, (int, float), required)
        if value is None:
            return None
        value = float(value)
        if open_interval:
            if (low is not None and value <= low) or (high is not None and value >= high):
                raise self.fail(name, f"must lie strictly between {low} and {high}; got {value}")
        elif (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(name, f"must lie in [{low}, {high}]; got {value}")
        return value

    def required_number(
        self,
        name: str,
        low: float | None = None,
        high: float | None = None,
        *,
        open_interval: bool = False,
    ) -> float:
        value = self.number(name, low, high, open_interval=open_interval)
        assert value is not None
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._get(name, bool, False)
        return default if value is None else bool(value)

    def texts(self, name: str, default: Sequence[str] | None = None) -> tuple[str, ...]:
        value = self._get(name, list, default is None)
        if value is None:
            assert default is not None
            return tuple(default)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{name}[{i}]", "must be a non-empty string")
        return tuple(value)

    def numbers(self, name: str, default: Sequence[float] | None = None) -> tuple[float, ...]:
        value = self._get(name, list, default is None)
        if value is None:
            assert default is not None
            return tuple(default)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise self.fail(f"{name}[{i}]", "must be a number")
            out.append(float(item))
        return tuple(out)

    def sub(self, name: str, required: bool = False) -> _Reader:
        value = self._get(name, dict, required)
        return _Reader(self.source, value or {}, f"{self.key(name)}.")

    def subs(self, name: str) -> list[_Reader]:
        value = self._get(name, list, False) or []
        readers = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{name}[{i}]", "must be a table")
            readers.append(_Reader(self.source, item, f"{self.key(name)}[{i}]."))
        return readers

    def scope(self) -> Mapping[str, str]:
        value = self._get("scope", dict, False) or {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise self.fail(f"scope.{k}", "must be a string")
        return dict(value)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _units(reader: _Reader, name: str) -> tuple[Unit, ...]:
    units = tuple(Unit(u.text("id"), u.text("label")) for u in reader.subs(name))
    ids = [u.id for u in units]
    if len(set(ids)) != len(ids):
        raise reader.fail(name, "ids must be unique")
    return units


def _response(reader: _Reader) -> ResponseDefinition:
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
    )


def _prior(reader: _Reader, name: str) -> tuple[float, float]:
    values = reader.numbers(name)
    if len(values) != 2 or min(values) <= 0:
        raise reader.fail(name, "must be two positive numbers [a, b] of a Beta prior")
    return values[0], values[1]


def _estimates(reader: _Reader) -> EstimateSettings:
    e = reader.sub("estimates", required=True)
    return EstimateSettings(
        credible_level=e.required_number("credible_level", 0.0, 1.0, open_interval=True),
        response_prior=_prior(e, "response_prior"),
        ae_prior=_prior(e, "ae_prior"),
    )


def _simon(r: _Reader, endpoints: Sequence[str]) -> SimonRule:
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
    endpoint = r.choice("endpoint", endpoints)
    printed = r.sub("printed")
    return SimonRule(
        id=r.text("id"),
        label=r.text("label"),
        endpoint=endpoint,
        p0=p0,
        p1=p1,
        n1=n1,
        r1=r1,
        n=n,
        r=rr,
        stage1_order=r.choice(
            "stage1_order", ["first_dose_date", "enrollment_date"], "first_dose_date"
        ),
        suspend_accrual_after_stage1=r.flag("suspend_accrual_after_stage1", True),
        design_type=r.choice("design_type", ["optimal", "minimax", "admissible", "other"], "other"),
        nominal_alpha=r.number("nominal_alpha", 0.0, 1.0, open_interval=True, required=False),
        nominal_beta=r.number("nominal_beta", 0.0, 1.0, open_interval=True, required=False),
        printed=PrintedSimon(
            alpha=printed.number("alpha", 0.0, 1.0, required=False),
            power=printed.number("power", 0.0, 1.0, required=False),
            pet0=printed.number("pet0", 0.0, 1.0, required=False),
            en0=printed.number("en0", 0.0, None, required=False),
        ),
        scope=r.scope(),
    )


def _group_sequential(r: _Reader) -> GroupSequentialRule:
    fractions = r.numbers("information_fractions")
    if not fractions or any(b <= a for a, b in itertools.pairwise(fractions)):
        raise r.fail("information_fractions", "must be increasing")
    if fractions[0] <= 0 or fractions[-1] != 1.0:
        raise r.fail("information_fractions", "must lie in (0, 1] and end at 1")
    return GroupSequentialRule(
        id=r.text("id"),
        label=r.text("label"),
        endpoint=r.choice("endpoint", SURVIVAL_ENDPOINTS),
        information_fractions=fractions,
        alpha=r.required_number("alpha", 0.0, 1.0, open_interval=True),
        efficacy_spending=r.choice("efficacy_spending", ["obrien_fleming", "pocock", "hsd"]),
        futility_spending=r.choice(
            "futility_spending", ["obrien_fleming", "pocock", "hsd", "none"], "none"
        ),
        scope=r.scope(),
    )


def _efficacy(reader: _Reader) -> tuple[EfficacyRule, ...]:
    rules: list[EfficacyRule] = []
    endpoints = ("remission", "hematologic_response", "mrd_negativity")
    for r in reader.subs("efficacy"):
        kind = r.choice("rule", ["simon_two_stage", "group_sequential"])
        rules.append(_simon(r, endpoints) if kind == "simon_two_stage" else _group_sequential(r))
    return tuple(rules)


def _toxicity(reader: _Reader) -> tuple[ToxicityRule, ...]:
    rules = []
    for r in reader.subs("toxicity"):
        r.choice("rule", ["thall_simon_estey"])
        attributions = r.texts("attributions")
        bad = [a for a in attributions if a not in ATTRIBUTIONS]
        if bad:
            raise r.fail("attributions", f"unknown attribution(s) {bad}; use {ATTRIBUTIONS}")
        nmax = r.integer("nmax", minimum=2)
        cohort = r.integer("cohort_size", minimum=1)
        if cohort > nmax:
            raise r.fail("cohort_size", f"must not exceed nmax ({nmax}); got {cohort}")
        printed = r.sub("printed")
        boundaries = tuple(
            PrintedBoundary(
                b.integer("n", minimum=1),
                None if "stop_at" not in b.table else b.integer("stop_at", 0),
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
                evaluable=r.choice("evaluable", ["treated"], "treated"),
                printed_boundaries=boundaries,
                printed_oc=oc,
                scope=r.scope(),
            )
        )
    return tuple(rules)


def _survival(reader: _Reader) -> SurvivalSettings:
    s = reader.sub("survival")
    endpoints = s.texts("endpoints", SURVIVAL_ENDPOINTS)
    unknown = [e for e in endpoints if e not in SURVIVAL_ENDPOINTS]
    if unknown:
        raise s.fail("endpoints", f"unknown endpoint(s) {unknown}; use {SURVIVAL_ENDPOINTS}")
    conf = s.choice("conf_type", ["log-log", "plain", "log"], "log-log")
    landmarks = s.numbers("landmarks_months", ())
    if any(x <= 0 for x in landmarks):
        raise s.fail("landmarks_months", "must be positive")
    return SurvivalSettings(
        endpoints=endpoints,
        conf_type=conf,  # type: ignore[arg-type]
        landmarks_months=landmarks,
        rmst_horizon_months=s.number(
            "rmst_horizon_months", 0.0, None, open_interval=True, required=False
        ),
        subgroups=s.texts("subgroups", ()),
        days_per_month=s.number("days_per_month", 1.0, 31.0, required=False) or 30.4375,
    )


KNOWN_TOP_KEYS = {
    "id",
    "title",
    "short_title",
    "version",
    "phase",
    "design",
    "max_patients",
    "cohorts",
    "arms",
    "dose_levels",
    "closed_by",
    "response",
    "estimates",
    "efficacy",
    "toxicity",
    "reporting",
    "survival",
    "accrual",
    "notes",
}


def parse_protocol(text: str, source: str = "<protocol>") -> Protocol:
    """Parse and validate protocol TOML text; ``source`` names the file in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProtocolError(source, "<file>", f"is not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - KNOWN_TOP_KEYS)
    if unknown:
        raise ProtocolError(source, unknown[0], "is not a known protocol key")
    top = _Reader(source, raw)
    trial_id = top.text("id")
    if not all(ch.isalnum() or ch in "-_." for ch in trial_id):
        raise top.fail("id", "may hold only letters, digits, '-', '_' and '.'")
    response = _response(top)
    reporting = top.sub("reporting", required=True)
    accrual = top.sub("accrual")
    protocol = Protocol(
        id=trial_id,
        title=top.text("title"),
        short_title=top.text("short_title", trial_id),
        version=top.text("version"),
        phase=top.text("phase"),
        design=top.choice("design", ["single_arm", "multi_cohort", "randomized"]),  # type: ignore[arg-type]
        max_patients=top.integer("max_patients", minimum=1) if "max_patients" in raw else None,
        cohorts=_units(top, "cohorts"),
        arms=_units(top, "arms"),
        dose_levels=_units(top, "dose_levels"),
        closed_by=top.texts("closed_by", ()),
        response=response,
        estimates=_estimates(top),
        efficacy=_efficacy(top),
        toxicity=_toxicity(top),
        reporting=ReportingSettings(
            summary_every=reporting.integer("summary_every", minimum=1),
            summary_population=reporting.choice("summary_population", ["treated"], "treated"),
        ),
        survival=_survival(top),
        accrual=AccrualSettings(
            planned_per_month=accrual.number(
                "planned_per_month", 0.0, None, open_interval=True, required=False
            )
        ),
        source=source,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )
    for rule in protocol.efficacy:
        if (
            isinstance(rule, SimonRule)
            and protocol.max_patients is not None
            and rule.n > protocol.max_patients
        ):
            raise ProtocolError(
                source, "efficacy.n", f"exceeds max_patients ({protocol.max_patients})"
            )
    return protocol


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
