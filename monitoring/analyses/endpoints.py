"""Survival of each protocol endpoint from the derivations, overall and by subgroup.

For each endpoint the records come from ``Derivation.time_to_event`` (SPEC 4) and the
summary from ``monitoring.survival.summarize_endpoint`` with the protocol's ``[survival]``
settings. With ``by`` (any column of the derived patient frame, e.g. a protocol subgroup,
cohort, arm or dose level) there is one fit per group, in R's factor-level order, and the
log-rank test across groups (R's ``survdiff``); patients whose group value is missing are
left out of the subgroup fits and of the test, and counted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from monitoring.derive import Derivation, TimeToEvent
from monitoring.protocol import SurvivalSettings
from monitoring.survival import (
    EndpointSurvival,
    LogRankResult,
    log_rank,
    summarize_endpoint,
)
from monitoring.survival.inputs import groups as group_codes


@dataclass(frozen=True, eq=False)
class GroupSurvival:
    """The summary of one subgroup (``label`` as R prints the factor level)."""

    label: str
    survival: EndpointSurvival


@dataclass(frozen=True, eq=False)
class EndpointAnalysis:
    """One endpoint: all patients of its population, and the subgroups when asked.

    ``log_rank`` is None without ``by`` or with fewer than two non-missing groups;
    ``missing_group`` counts the patients without a value of ``by``.
    """

    endpoint: str
    overall: EndpointSurvival
    by: str | None
    groups: tuple[GroupSurvival, ...]
    missing_group: int
    log_rank: LogRankResult | None


@dataclass(frozen=True, eq=False)
class SurvivalAnalyses:
    """Every requested endpoint, in the protocol's order."""

    note: str
    endpoints: tuple[EndpointAnalysis, ...]

    def endpoint(self, name: str) -> EndpointAnalysis:
        for analysis in self.endpoints:
            if analysis.endpoint == name:
                return analysis
        known = ", ".join(a.endpoint for a in self.endpoints)
        raise KeyError(f"no endpoint {name!r}; analysed: {known}")


def _subgroups(
    records: TimeToEvent, settings: SurvivalSettings, conf_level: float
) -> tuple[tuple[GroupSurvival, ...], int, LogRankResult | None]:
    assert records.groups is not None
    present = np.asarray([g is not None for g in records.groups.tolist()], dtype=bool)
    values = records.groups[present]
    time, event = records.time[present], records.event[present]
    if values.size == 0:
        return (), int((~present).sum()), None
    labels, codes = group_codes(values, values.size)
    fits = tuple(
        GroupSurvival(
            label,
            summarize_endpoint(
                records.endpoint.value, time[codes == i], event[codes == i], settings, conf_level
            ),
        )
        for i, label in enumerate(labels)
    )
    test = log_rank(time, event, codes) if len(labels) > 1 else None
    if test is not None:
        test = dataclasses.replace(test, groups=labels)
    return fits, int((~present).sum()), test


def endpoint_analysis(
    derived: Derivation,
    settings: SurvivalSettings,
    endpoint: str,
    by: str | None = None,
    conf_level: float = 0.95,
) -> EndpointAnalysis:
    """Kaplan-Meier summary of ``endpoint`` at the cut-off, overall and by ``by``."""
    records = derived.time_to_event(endpoint, by)
    name = records.endpoint.value
    overall = summarize_endpoint(name, records.time, records.event, settings, conf_level)
    if by is None:
        return EndpointAnalysis(name, overall, None, (), 0, None)
    fits, missing, test = _subgroups(records, settings, conf_level)
    return EndpointAnalysis(name, overall, by, fits, missing, test)


def survival_analyses(
    derived: Derivation,
    settings: SurvivalSettings,
    by: str | None = None,
    endpoints: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> SurvivalAnalyses:
    """Every endpoint of ``settings.endpoints`` (or those named) at the cut-off.

    The CI transform is ``settings.conf_type``; pass
    ``dataclasses.replace(settings, conf_type=...)`` to change it.
    """
    names = tuple(settings.endpoints if endpoints is None else endpoints)
    note = (
        f"Cut-off {derived.cutoff.isoformat()}; times in days from the origin; "
        f"{conf_level * 100:g}% CI, {settings.conf_type} transform (Greenwood variance)."
    )
    return SurvivalAnalyses(
        note=note,
        endpoints=tuple(endpoint_analysis(derived, settings, e, by, conf_level) for e in names),
    )


def protocol_subgroups(
    derived: Derivation, settings: SurvivalSettings, endpoint: str, conf_level: float = 0.95
) -> tuple[EndpointAnalysis, ...]:
    """``endpoint`` split by each column the protocol lists in ``survival.subgroups``."""
    return tuple(
        endpoint_analysis(derived, settings, endpoint, column, conf_level)
        for column in settings.subgroups
    )
