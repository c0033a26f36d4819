"""One overall verdict of a trial at a cut-off: the most severe decision or alert wins.

Every rule's decision and every alert the DSMB must not miss is a :class:`Finding` with its
severity (``monitoring.vocabulary``), words and the numbers that decide it. The verdict is
the most severe finding; on a tie the rules' decisions come first (toxicity, then efficacy),
then the alerts. Alerts are computed from the data, never typed in:

- patients enrolled after the day a stopping boundary was crossed (``monitoring.rules.
  crossing``), severity STOP;
- accrual beyond the protocol's maximum (``max_patients``, else the largest rule size),
  severity STOP;
- a scheduled look whose efficacy/toxicity summary is not generated, severity ATTENTION
  (the severity of the "Summary due" state).

The Overview page, the first section of every report and ``status`` print this one object.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from monitoring import vocabulary
from monitoring.protocol import EfficacyRule, Protocol, SimonRule
from monitoring.rules.interface import RuleDecision
from monitoring.status import ScheduledLook, TrialStatus
from monitoring.summary_state import SummaryState
from monitoring.vocabulary import Severity

LISTED_IDS = 12  # patient ids named in an alert sentence before "and N more"


@dataclass(frozen=True)
class Finding:
    """One decision or alert: what it is (``code``: a rule id or an alert code), whose it
    is in words (``source``), its severity, title, one plain sentence and the evidence."""

    code: str
    source: str
    severity: Severity
    title: str
    sentence: str
    evidence: tuple[str, ...] = ()
    patients: tuple[str, ...] = ()
    scope: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """The trial's overall verdict. ``rule`` names what drives it (a rule's name, an
    alert's title, or "every rule" when all are OK); ``evidence`` the deciding numbers."""

    severity: Severity
    title: str
    sentence: str
    rule: str
    code: str | None
    evidence: tuple[str, ...]
    decisions: tuple[Finding, ...]
    alerts: tuple[Finding, ...]

    @property
    def headline(self) -> str:
        """ "Attention — Summary due", "STOP for toxicity": the level, then the title
        unless the title already starts with it."""
        word = self.severity.word
        if self.title.casefold().startswith(word.casefold()):
            return self.title
        return f"{word} — {self.title}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def _finding(d: RuleDecision) -> Finding:
    return Finding(
        d.rule_id, d.name, d.severity, d.headline, d.sentence, d.key_facts, scope=d.scope
    )


def decisions(status: TrialStatus) -> tuple[Finding, ...]:
    """Each rule's decision as a finding, in the order of ``TrialStatus.decisions``
    (efficacy rules first, then toxicity rules)."""
    return tuple(_finding(d) for d in status.decisions)


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:LISTED_IDS])
    more = len(ids) - LISTED_IDS
    return f"{shown} and {more:,} more" if more > 0 else shown


def enrolled_after_stop(status: TrialStatus) -> tuple[Finding, ...]:
    """Alert 1: patients enrolled after the day a stopping boundary was crossed."""
    rules = {r.id: r for r in status.protocol.rules}
    out = []
    for decision in status.decisions:
        crossing = decision.crossing
        if crossing is None or not crossing.enrolled_after:
            continue
        ids = crossing.enrolled_after
        toxic = not isinstance(rules[decision.rule_id], EfficacyRule)
        kind = "toxicity" if toxic else "efficacy"
        verb = "was" if len(ids) == 1 else "were"
        stratum = vocabulary.stratum_words(decision.scope)
        whose = f"{stratum}'s {kind}" if stratum else f"the {kind}"
        of = f" of {stratum}" if stratum else ""
        sentence = (
            f"{_plural(len(ids), 'patient')}{of} ({_ids(ids)}) {verb} enrolled after "
            f"{crossing.crossed_on.isoformat()}, the day {whose} stopping boundary was crossed."
        )
        out.append(
            Finding(
                "enrolled_after_stop",
                "Enrolled after a stop",
                Severity.STOP,
                "Patients enrolled after a stop",
                sentence,
                (f"Boundary crossed on {crossing.crossed_on.isoformat()}",),
                ids,
                decision.scope,
            )
        )
    return tuple(out)


def maximum_patients(protocol: Protocol) -> int:
    """The protocol's maximum accrual: ``max_patients``, else the largest rule size."""
    if protocol.max_patients:
        return protocol.max_patients
    sizes = [r.n for r in protocol.efficacy if isinstance(r, SimonRule)]
    sizes += [r.nmax for r in protocol.toxicity]
    return max(sizes, default=0)


def beyond_maximum(status: TrialStatus) -> tuple[Finding, ...]:
    """Alert 2: more patients enrolled than the protocol's maximum."""
    limit = maximum_patients(status.protocol)
    if limit <= 0 or status.enrolled <= limit:
        return ()
    extra = status.enrolled - limit
    sentence = (
        f"{status.enrolled:,} patients are enrolled and {status.treated:,} treated on a "
        f"protocol whose maximum is {limit:,}: {extra:,} beyond it, outside the monitoring "
        "plan."
    )
    evidence = (f"Enrolled {status.enrolled:,}, treated {status.treated:,}, maximum {limit:,}",)
    return (
        Finding(
            "beyond_maximum",
            "Accrual beyond the maximum",
            Severity.STOP,
            "Accrual beyond the protocol's maximum",
            sentence,
            evidence,
        ),
    )


def _look_text(look: ScheduledLook) -> str:
    return f"look {look.number} ({look.evaluable} evaluable patients, reached {look.reached_on})"


def summaries_due(status: TrialStatus) -> tuple[Finding, ...]:
    """Alert 3: reached looks whose efficacy/toxicity summary is not generated."""
    due = [look for look in status.looks if look.summary is SummaryState.DUE]
    if not due:
        return ()
    if len(due) == 1:
        sentence = f"The efficacy/toxicity summary of {_look_text(due[0])} is not generated."
    else:
        listed = "; ".join(_look_text(look) for look in due)
        sentence = (
            f"The efficacy/toxicity summaries of {len(due)} looks are not generated: {listed}."
        )
    words = vocabulary.words(SummaryState.DUE)
    evidence = tuple(
        f"Look {look.number}: {(status.cutoff - look.reached_on).days} days since it was reached"
        for look in due
        if look.reached_on is not None
    )
    return (Finding("summary_due", "Summary due", words.severity, words.title, sentence, evidence),)


def alerts(status: TrialStatus) -> tuple[Finding, ...]:
    """Every alert, in the order the verdict breaks ties."""
    return (*enrolled_after_stop(status), *beyond_maximum(status), *summaries_due(status))


def _stops(title: str) -> str:
    """ "stops for futility" from a stop state's title ("STOP for futility")."""
    if title.casefold().startswith("stop "):
        return f"stops {title[5:]}"
    return f"stops: {title[:1].lower()}{title[1:]}"


def stratum_title(status: TrialStatus, top: Finding, found: Sequence[Finding]) -> str:
    """The verdict's title when only rules restricted to a stratum stop: the stratum that
    stops and what the protocol's other strata of the same kind do ("Cohort 1 stops for
    futility; cohort 2 continues")."""
    stratum = vocabulary.stratum_words(top.scope)
    parts = [f"{stratum[:1].upper()}{stratum[1:]} {_stops(top.title)}"]
    if len(top.scope) == 1:
        ((column, value),) = top.scope.items()
        units = {
            "cohort": status.protocol.cohorts,
            "arm": status.protocol.arms,
            "dose_level": status.protocol.dose_levels,
        }.get(column, ())
        for unit in units:
            if unit.id == value:
                continue
            other = {column: unit.id}
            stop = next(
                (f for f in found if f.severity is Severity.STOP and dict(f.scope) == other),
                None,
            )
            words = vocabulary.stratum_words(other)
            parts.append(f"{words} {_stops(stop.title)}" if stop else f"{words} continues")
    return "; ".join(parts)


def verdict(status: TrialStatus) -> Verdict:
    """The most severe decision or alert; decisions before alerts on a tie, and among
    stops, a rule on every patient (the trial stops) before one restricted to a stratum
    (only that stratum stops: the title names it and what the other strata do)."""
    found, raised = decisions(status), alerts(status)
    toxicity = {d.rule_id for d in status.toxicity_decisions}
    ranked = [*sorted(found, key=lambda f: f.code not in toxicity), *raised]
    top = max(ranked, key=lambda f: f.severity, default=None)
    if top is not None and top.scope and top.severity is Severity.STOP:
        top = next((f for f in ranked if f.severity is Severity.STOP and not f.scope), top)
    if top is None or top.severity is Severity.OK:
        return Verdict(
            Severity.OK,
            "Continue",
            "No rule asks for action and nothing is due: the trial continues.",
            "every rule",
            None,
            tuple(f"{f.source}: {f.title}" for f in found),
            found,
            raised,
        )
    title = top.title
    if top.severity is Severity.STOP and top.scope and top in found:
        title = stratum_title(status, top, found)
    return Verdict(
        top.severity, title, top.sentence, top.source, top.code, top.evidence, found, raised
    )
