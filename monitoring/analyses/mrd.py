"""MRD tables read from the imported MRD results (``mrd_results``: date, method, value,
threshold), not from the response table's ``mrd_negative`` flag.

- ``mrd_rule_rates``: the MRD-negativity rate of each ``mrd_response`` rule on its treated
  patients, responder and non-responder as the rule decides them
  (``monitoring.derive.detail_dates``: the rule's own dates, so the rate and the rule agree);
- ``mrd_listing``: every MRD result per patient, with the threshold it is read against;
- ``responder_mrd_flags``: per patient, any MRD result and any negative one (the treatment
  summary's "MRD negative among responders").

Definitions: docs/methods.md, "MRD results and rates".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from monitoring.analyses.response import ResponseRate, RuleRates
from monitoring.derive import Derivation
from monitoring.derive.detail_dates import NEVER, detail_dates
from monitoring.derive.grouping import any_row, codes
from monitoring.derive.scope import in_scope
from monitoring.estimates import ProportionMaker
from monitoring.protocol import MrdMethod, MrdRule, Protocol
from monitoring.vocabulary import scope_words

DEFAULT_METHOD: MrdMethod = "flow"
DEFAULT_THRESHOLD_PCT = 0.01  # 10^-4, "MRD negative" by flow in COG and St. Jude protocols


def mrd_rules(protocol: Protocol) -> tuple[MrdRule, ...]:
    return tuple(r for r in protocol.efficacy if isinstance(r, MrdRule))


def mrd_rule_rates(derived: Derivation, protocol: Protocol) -> tuple[RuleRates, ...]:
    """The MRD-negativity rate of each ``mrd_response`` rule among its treated patients (a
    non-responder once the window passed or treatment ended; the others pending) and among
    those whose outcome is known, with credible and exact intervals."""
    rules = mrd_rules(protocol)
    if not rules:
        return ()
    dates = detail_dates(derived, protocol)
    patients = derived.patients
    cut = pd.Timestamp(derived.cutoff).value
    make = ProportionMaker(protocol.estimates.response_prior, protocol.estimates.credible_level)
    out = []
    for rule in rules:
        mine = patients["treated"].to_numpy(bool) & in_scope(patients, rule.scope)
        responded = dates.mrd_negative[rule.id][mine] != NEVER
        failed = (dates.mrd_failed[rule.id][mine] <= cut) & ~responded
        known = responded | failed
        title = f"MRD negative ({rule.method} < {rule.threshold_pct:g} %)"
        rate = ResponseRate(
            title=title,
            categories=(),
            treated=int(mine.sum()),
            pending=int((~known).sum()),
            among_treated=make(title, int(responded.sum()), int(mine.sum())),
            among_evaluable=make(title, int(responded.sum()), int(known.sum())),
        )
        where = scope_words(rule.scope, protocol)
        note = (
            f"Treated patients{' of ' + where if where else ''} at the cut-off "
            f"{derived.cutoff.isoformat()}. MRD negative: a {rule.method} sample below "
            f"{rule.threshold_pct:g} % within {rule.within_days} days of the first dose, as "
            f"the rule counts it; a non-responder once the window has passed or treatment "
            f"ended without one; the others are pending. {make.note}"
        )
        out.append(RuleRates(rule.id, "MRD-negativity rate", note, (rate,)))
    return tuple(out)


@dataclass(frozen=True)
class MrdResult:
    """One MRD result: ``threshold_pct`` the threshold it is read against (``assay_pct`` the
    assay's own reporting threshold, None if not given); negative = value below it."""

    patient_id: str
    sample_date: date
    method: str
    timepoint: str | None
    value_pct: float
    assay_pct: float | None
    threshold_pct: float
    negative: bool


@dataclass(frozen=True)
class MrdListing:
    title: str
    note: str
    rows: tuple[MrdResult, ...]


def _thresholds(results: pd.DataFrame, protocol: Protocol) -> npt.NDArray[np.float64]:
    """The threshold each result is read against: the protocol's MRD rule threshold for the
    rule's method; otherwise the assay's reporting threshold, else 0.01 %."""
    assay = results["threshold_pct"].astype(float).to_numpy(np.float64)
    out = np.where(np.isnan(assay), DEFAULT_THRESHOLD_PCT, assay)
    for rule in reversed(mrd_rules(protocol)):
        out = np.where((results["method"] == rule.method).to_numpy(bool), rule.threshold_pct, out)
    return out


def _negative(results: pd.DataFrame, protocol: Protocol) -> npt.NDArray[np.bool_]:
    value = results["value_pct"].astype(float).to_numpy(np.float64)
    return value < _thresholds(results, protocol)


def mrd_listing(derived: Derivation, protocol: Protocol) -> MrdListing | None:
    """Every MRD result by the cut-off, by patient then date (None when there are none)."""
    results = derived.data.mrd_results
    if results.empty:
        return None
    ordered = results.sort_values(["patient_id", "sample_date", "method"], kind="stable")
    thresholds = _thresholds(ordered, protocol)
    negative = _negative(ordered, protocol)
    rows = tuple(
        MrdResult(
            patient_id=str(pid),
            sample_date=pd.Timestamp(day).date(),
            method=str(method),
            timepoint=None if pd.isna(point) or not str(point) else str(point),
            value_pct=float(value),
            assay_pct=None if pd.isna(assay) else float(assay),
            threshold_pct=float(threshold),
            negative=bool(neg),
        )
        for pid, day, method, point, value, assay, threshold, neg in zip(
            ordered["patient_id"],
            ordered["sample_date"],
            ordered["method"],
            ordered["timepoint"],
            ordered["value_pct"],
            ordered["threshold_pct"],
            thresholds,
            negative,
            strict=True,
        )
    )
    rules = "; ".join(
        f"{r.method} < {r.threshold_pct:g} % (rule {r.id})" for r in mrd_rules(protocol)
    )
    note = (
        f"MRD results by the cut-off {derived.cutoff.isoformat()}. Negative = value below the "
        f"threshold shown: "
        + (f"the protocol's, {rules}; for another method " if rules else "")
        + f"the assay's reporting threshold (else {DEFAULT_THRESHOLD_PCT:g} %)."
    )
    return MrdListing("MRD results per patient", note, rows)


def responder_mrd_flags(
    derived: Derivation, protocol: Protocol
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], str]:
    """Per row of the derived patient frame: any MRD result, any negative one, and where
    they come from. With MRD results imported: the results by the protocol's MRD method
    (its first MRD rule's, else flow), negative as in ``mrd_listing``; otherwise the
    response table's ``mrd_negative`` flag at any assessment."""
    size = len(derived.patients)
    results = derived.data.mrd_results
    if results.empty:
        responses = derived.data.responses
        where = codes(derived.patients["patient_id"], responses["patient_id"])
        assessed = responses["mrd_negative"].notna().to_numpy(bool)
        negative = (responses["mrd_negative"] == "Y").to_numpy(bool)
        source = "the response table's mrd_negative flag at any assessment"
        return any_row(where, size, assessed), any_row(where, size, negative), source
    rules = mrd_rules(protocol)
    method = rules[0].method if rules else DEFAULT_METHOD
    where = codes(derived.patients["patient_id"], results["patient_id"])
    by_method = (results["method"] == method).to_numpy(bool)
    negative = by_method & _negative(results, protocol)
    threshold = (
        f"{rules[0].threshold_pct:g} % (the protocol's MRD rule)"
        if rules
        else f"the assay's reporting threshold (else {DEFAULT_THRESHOLD_PCT:g} %)"
    )
    source = f"MRD results by {method}, negative below {threshold}, any sample"
    return any_row(where, size, by_method), any_row(where, size, negative), source
