"""The dose-escalation view of a dose-finding or de-escalation rule: per level, the next
cohort, the path of dose levels over time and the operating characteristics of the design.

Built from the rule's decision (``monitoring.rules.dose_finding.DoseDecision``, the card's
detail) and its protocol entry, so the Safety page and the report draw the same numbers. The
operating characteristics are those of the protocol's design for its ``oc_scenarios``: exact
by enumeration for 3+3, by simulation for BOIN (10,000 trials, seed 6, with the Monte Carlo
standard error), computed once per design in a process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from monitoring.designs.dose_finding import (
    OperatingCharacteristics,
    boin_oc,
    three_plus_three_oc,
)
from monitoring.protocol import DeescalationRule, DoseFindingRule, Protocol
from monitoring.rules.dose_finding import DoseDecision, PathPoint, boin_design
from monitoring.rules.interface import RuleDecision
from monitoring.status import TrialStatus

OC_TRIALS = 10_000
OC_SEED = 6


@dataclass(frozen=True)
class DoseEscalationView:
    """What the dose-escalation view shows for one rule."""

    rule_id: str
    name: str
    method: str
    levels: tuple[str, ...]
    decision: DoseDecision
    headline: str
    next_cohort: str
    oc: tuple[OperatingCharacteristics, ...]

    @property
    def path(self) -> tuple[PathPoint, ...]:
        return self.decision.path

    @property
    def levels_by_dose(self) -> tuple[str, ...]:
        """Every protocol level, lowest dose first (the path chart's axis, bottom up)."""
        return levels_by_dose(self.levels)


def levels_by_dose(levels: tuple[str, ...]) -> tuple[str, ...]:
    """``levels`` ordered by dose, lowest first: numeric levels by value (-2, -1, 1, 2:
    the protocol may list them in the order they are used, 1, -1, -2); a level that is not
    a number keeps its protocol position after the numeric ones."""

    def key(item: tuple[int, str]) -> tuple[int, float]:
        position, level = item
        try:
            return (0, float(level))
        except ValueError:
            return (1, float(position))

    return tuple(level for _, level in sorted(enumerate(levels), key=key))


@lru_cache(maxsize=32)
def _oc(
    method: str,
    target: float,
    ncohort: int,
    cohort_size: int,
    phi: tuple[float | None, float | None],
    start: int,
    rates: tuple[float, ...],
) -> OperatingCharacteristics:
    if method == "3+3":
        return three_plus_three_oc(rates, start=start)
    rule = DoseFindingRule(
        "oc", "oc", "boin", ("",), "", target, cohort_size, ncohort, 1, "", {}, phi[0], phi[1]
    )
    return boin_oc(boin_design(rule), rates, trials=OC_TRIALS, seed=OC_SEED, start=start)


def operating_characteristics(rule: DoseFindingRule) -> tuple[OperatingCharacteristics, ...]:
    """The design's operating characteristics for each of the protocol's scenarios."""
    start = rule.levels.index(rule.start)
    return tuple(
        _oc(
            rule.method,
            rule.target,
            rule.ncohort,
            rule.cohort_size,
            (rule.phi1, rule.phi2),
            start,
            tuple(rates),
        )
        for rates in rule.oc_scenarios
    )


def dose_escalation_views(status: TrialStatus) -> tuple[DoseEscalationView, ...]:
    """One view per dose-finding or de-escalation rule of the protocol, in protocol order."""
    by_id: dict[str, RuleDecision] = {d.rule_id: d for d in status.decisions}
    out = []
    for rule in status.protocol.dose_finding:
        decision = by_id.get(rule.id)
        if decision is None or not isinstance(decision.detail, DoseDecision):
            continue  # withheld from this view
        d = decision.detail
        nxt = (
            f"Dose level {d.next_level}: {d.reason}"
            if d.next_level is not None
            else f"{decision.headline}: {d.reason}"
        )
        out.append(
            DoseEscalationView(
                rule_id=rule.id,
                name=decision.name,
                method=d.method,
                levels=rule.levels,
                decision=d,
                headline=decision.headline,
                next_cohort=nxt,
                oc=operating_characteristics(rule) if isinstance(rule, DoseFindingRule) else (),
            )
        )
    return tuple(out)


def dose_level_frame(view: DoseEscalationView) -> pd.DataFrame:
    """Patients, DLTs, the state of each level and the design's last decision there, with
    its reason (the view's table)."""
    rows = []
    isotonic = view.decision.isotonic
    for i, h in enumerate(view.decision.levels):
        rate = f"{h.dlts / h.evaluable:.2f}" if h.evaluable else "—"
        row = {
            "Dose level": h.level,
            "Label": h.label,
            "Treated": len(h.patients),
            "Evaluable": h.evaluable,
            "DLTs": h.dlts,
            "Decision": h.decision or "not used",
            "DLT rate": rate,
            "In DLT window": h.in_window,
            "Status": (
                ("eliminated" if view.method == "BOIN" else "closed")
                if h.eliminated
                else "current"
                if h.level == view.decision.current
                else ""
            ),
        }
        if isotonic:
            value = isotonic[i]
            row["Isotonic estimate"] = "—" if value is None else f"{value:.3f}"
        row["Reason"] = h.reason
        rows.append(row)
    return pd.DataFrame(rows)


def oc_frame(view: DoseEscalationView, protocol: Protocol) -> pd.DataFrame:
    """Per scenario and level: true DLT rate, probability of selecting it, mean patients and
    DLTs there (BOIN: ± the Monte Carlo standard error of the selection probability)."""
    rule = next(r for r in protocol.dose_finding if r.id == view.rule_id)
    assert not isinstance(rule, DeescalationRule)
    rows = []
    for k, oc in enumerate(view.oc, start=1):
        for i, level in enumerate(rule.levels):
            se = "" if oc.select_se is None else f" ± {oc.select_se[i]:.3f}"
            rows.append(
                {
                    "Scenario": k,
                    "Dose level": level,
                    "True DLT rate": f"{oc.true_rates[i]:.2f}",
                    "Selected as MTD": f"{oc.select[i]:.3f}{se}",
                    "Patients (mean)": f"{oc.patients[i]:.2f}",
                    "DLTs (mean)": f"{oc.dlts[i]:.2f}",
                }
            )
        rows.append(
            {
                "Scenario": k,
                "Dose level": "none",
                "True DLT rate": "",
                "Selected as MTD": f"{oc.no_selection:.3f}",
                "Patients (mean)": f"{oc.total_patients:.1f} in all",
                "DLTs (mean)": f"{oc.total_dlts:.1f} in all",
            }
        )
    return pd.DataFrame(rows)


def oc_note(view: DoseEscalationView) -> str:
    """How the operating characteristics were obtained."""
    if not view.oc:
        return "The protocol gives no scenario of true DLT rates."
    oc = view.oc[0]
    if oc.method == "simulation":
        return (
            f"{view.method}: {oc.trials:,} simulated trials per scenario (seed {oc.seed}); "
            "± is the Monte Carlo standard error of the selection probability."
        )
    return f"{view.method}: exact, by enumeration of every outcome."
