"""Response rates and the best-overall-response table (SPEC 3.3; seed 003 analysis plan).

The denominator of every proportion is the treated patients (received any dose by the
cut-off). Patients still pending (SPEC 4) stay in it and count as not (yet) responding, so
the rate is a lower bound that can only rise as they resolve; each rate also gives the
estimate among evaluable patients (status known), the one the status page shows. Intervals
come from ``monitoring.estimates.rate_estimate`` (docs/methods.md, "Response and
adverse-event tables").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.derive import Derivation, ResponseStatus
from monitoring.derive.patients import status_within_cycles
from monitoring.derive.scope import in_scope
from monitoring.errors import DataInputError
from monitoring.estimates import ProportionMaker, RateEstimate
from monitoring.protocol import Protocol, SimonRule
from monitoring.rules.efficacy import EfficacyDecision
from monitoring.vocabulary import scope_words
from monitoring.wording import counted

NOT_ASSESSED = "not assessed"
MISSING_GROUP = "(missing)"


@dataclass(frozen=True)
class ResponseRate:
    """One responder definition: x of the treated patients, and x of the evaluable ones.

    ``evaluable`` = treated patients whose status is known or who already meet the
    definition (the status page's denominator); ``pending`` = treated, status pending.
    """

    title: str
    categories: tuple[str, ...]
    treated: int
    pending: int
    among_treated: RateEstimate
    among_evaluable: RateEstimate


@dataclass(frozen=True)
class BestResponseRow:
    """One best-response category (or "not assessed") with its count among treated."""

    category: str
    estimate: RateEstimate


@dataclass(frozen=True)
class BestResponseTable:
    """Best overall response of treated patients, every category in protocol order."""

    title: str
    note: str
    treated: int
    rows: tuple[BestResponseRow, ...]


@dataclass(frozen=True)
class ResponseSummary:
    """Rates and best-response table of one group of treated patients (all if ``group`` is
    None)."""

    group: str | None
    treated: int
    pending: int
    remission: ResponseRate
    response: ResponseRate
    best_response: BestResponseTable


@dataclass(frozen=True)
class ResponseTables:
    """The summary of all treated patients, and one per value of ``by`` when asked."""

    by: str | None
    overall: ResponseSummary
    groups: tuple[ResponseSummary, ...]
    note: str


def _rate(
    make: ProportionMaker,
    title: str,
    categories: tuple[str, ...],
    meets: npt.NDArray[np.bool_],
    known: npt.NDArray[np.bool_],
) -> ResponseRate:
    x = int(meets.sum())
    treated = int(meets.size)
    evaluable = int((known | meets).sum())
    return ResponseRate(
        title=title,
        categories=categories,
        treated=treated,
        pending=int((~known).sum()),
        among_treated=make(title, x, treated),
        among_evaluable=make(title, x, evaluable),
    )


def _definition_title(name: str, categories: tuple[str, ...]) -> str:
    return f"{name} ({' + '.join(categories)})"


def _best_response(
    make: ProportionMaker, best: pd.Series, categories: tuple[str, ...], note: str
) -> BestResponseTable:
    counts = best.fillna(NOT_ASSESSED).value_counts()
    treated = len(best)
    rows = tuple(
        BestResponseRow(c, make(c, int(counts.get(c, 0)), treated))
        for c in (*categories, NOT_ASSESSED)
    )
    title = f"Best overall response, treated patients (N = {treated})"
    return BestResponseTable(title=title, note=note, treated=treated, rows=rows)


def _summary(
    make: ProportionMaker, protocol: Protocol, treated: pd.DataFrame, group: str | None
) -> ResponseSummary:
    definition = protocol.response
    status = treated["status"].to_numpy(object)
    known = status != ResponseStatus.PENDING.value
    remitted = treated["first_remission_date"].notna().to_numpy(bool)
    responded = treated["first_response_date"].notna().to_numpy(bool)
    note = (
        f"Best response = first category in protocol order observed at any assessment; "
        f"'{NOT_ASSESSED}' = treated without any assessment. {make.note}"
    )
    return ResponseSummary(
        group=group,
        treated=len(treated),
        pending=int((~known).sum()),
        remission=_rate(
            make,
            _definition_title(
                definition.remission_label or "Hematologic remission", definition.remission
            ),
            definition.remission,
            remitted,
            known,
        ),
        response=_rate(
            make,
            _definition_title(
                definition.response_label or "Hematologic response",
                definition.hematologic_response,
            ),
            definition.hematologic_response,
            responded,
            known,
        ),
        best_response=_best_response(make, treated["best_response"], definition.categories, note),
    )


def group_labels(values: pd.Series) -> pd.Series:
    """Group labels as text (whole numbers without '.0'), missing as ``MISSING_GROUP``."""
    labels = values.astype(object).map(
        lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else str(v),
        na_action="ignore",
    )
    return labels.where(values.notna(), MISSING_GROUP)


def _label_key(label: str) -> tuple[int, float, str]:
    if label == MISSING_GROUP:
        return (2, 0.0, label)
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def sorted_labels(labels: Iterable[str]) -> list[str]:
    """Numbers in numeric order, then text, then the missing group."""
    return sorted(labels, key=_label_key)


def response_tables(
    derived: Derivation, protocol: Protocol, by: str | None = None
) -> ResponseTables:
    """Remission and response rates and best response of the treated patients at the
    cut-off, optionally also for each value of the patient column ``by``."""
    patients = derived.patients
    if by is not None and by not in patients.columns:
        raise DataInputError(f"unknown subgroup column '{by}'; use a column of the patient frame")
    treated = patients.loc[patients["treated"].to_numpy(bool)]
    make = ProportionMaker(protocol.estimates.response_prior, protocol.estimates.credible_level)
    groups: tuple[ResponseSummary, ...] = ()
    if by is not None:
        labels = group_labels(treated[by])
        frames = {str(k): v for k, v in treated.groupby(labels.to_numpy(object), sort=False)}
        groups = tuple(
            _summary(make, protocol, frames[label], label) for label in sorted_labels(frames)
        )
    note = (
        f"Denominator: treated patients (received any dose by the cut-off "
        f"{derived.cutoff.isoformat()}). Pending patients stay in the denominator and count "
        f"as not (yet) responding; 'among evaluable' leaves them out. {make.note}"
    )
    return ResponseTables(
        by=by, overall=_summary(make, protocol, treated, None), groups=groups, note=note
    )


@dataclass(frozen=True)
class RuleRates:
    """Rates of one efficacy rule's endpoint on the rule's own patients (its scope, every
    treated patient of it, not only the first n the rule decides on)."""

    rule_id: str
    title: str
    note: str
    rates: tuple[ResponseRate, ...]


def rule_patients(derived: Derivation, rule: SimonRule) -> pd.DataFrame:
    """The treated patients of a rule's scope."""
    patients = derived.patients
    mask = patients["treated"].to_numpy(bool) & in_scope(patients, rule.scope)
    return patients.loc[mask]


def window_rates(derived: Derivation, protocol: Protocol) -> tuple[RuleRates, ...]:
    """For each Simon rule with cycle windows (``within_cycles``, ``secondary_within_cycles``):
    the remission rate within each window, smallest first, on the rule's treated patients.

    Within N cycles, a patient responds with a remission assessed in a cycle <= N and is a
    non-responder without one once off treatment, dead or assessed in a cycle from
    min(``nonresponse_after_cycle``, N + 1) on (``status_within_cycles``, the rule's own
    count); the others are pending.
    """
    make = ProportionMaker(protocol.estimates.response_prior, protocol.estimates.credible_level)
    definition = protocol.response
    out = []
    for rule in protocol.efficacy:
        if not isinstance(rule, SimonRule):
            continue
        windows = sorted({*rule.secondary_within_cycles, *filter(None, [rule.within_cycles])})
        if not windows:
            continue
        treated = rule_patients(derived, rule)
        name = " + ".join(definition.remission)
        rates = []
        for cycles in windows:
            status = status_within_cycles(treated, definition.nonresponse_after_cycle, cycles)
            meets = status == ResponseStatus.RESPONDER.value
            known = status != ResponseStatus.PENDING.value
            primary = ", the rule's endpoint" if cycles == rule.within_cycles else ""
            title = f"{name} within {counted(cycles, 'cycle')}{primary}"
            rates.append(_rate(make, title, definition.remission, meets, known))
        where = scope_words(rule.scope, protocol)
        note = (
            f"Treated patients{' of ' + where if where else ''} at the cut-off "
            f"{derived.cutoff.isoformat()}. Within N cycles: a remission assessed in cycle N "
            f"or earlier; a patient off treatment, dead, or assessed in a later cycle without "
            f"one is a non-responder, the others are pending. {make.note}"
        )
        title = "Remission by number of cycles" + (f": {where}" if where else "")
        out.append(RuleRates(rule.id, title, note, tuple(rates)))
    return tuple(out)


def rule_posterior(rule: SimonRule, decision: EfficacyDecision, protocol: Protocol) -> RateEstimate:
    """The rate a Simon rule decides on, as the rule counts it: responders among the
    responders and non-responders of its own patients (its scope, its first n, its endpoint
    and cycle window), under the protocol's response prior. The posterior a rule's chart
    draws against p0 and p1; for a rule on every patient it is the trial's rate."""
    make = ProportionMaker(protocol.estimates.response_prior, protocol.estimates.credible_level)
    counts = decision.overall
    where = scope_words(rule.scope, protocol)
    window = f" within {counted(rule.within_cycles, 'cycle')}" if rule.within_cycles else ""
    title = f"{rule.endpoint.replace('_', ' ').capitalize()}{window}" + (
        f", {where}" if where else ""
    )
    return make(title, counts.responders, counts.responders + counts.non_responders)
