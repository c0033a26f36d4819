"""Report section "Decisions": every rule's decision, the numbers behind it, then the
monitoring log.

Every sentence is the rule's own read-aloud explanation (``monitoring.rules``); the tables
beside them print the counts and thresholds the decision was taken from.
"""

from __future__ import annotations

from collections.abc import Callable

from monitoring import vocabulary
from monitoring.monitoring_log import log_rows, log_rules
from monitoring.protocol import ToxicityRule
from monitoring.reports.blocks import REPORT_STATUS, optional_int, quantity_table, text
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Paragraph,
    ParagraphStyle,
    Section,
    Table,
)
from monitoring.rules.efficacy import EfficacyDecision
from monitoring.rules.group_sequential import LOOK_WORDS, SequentialDecision
from monitoring.rules.interface import RuleDecision
from monitoring.rules.toxicity import ToxicityDecision
from monitoring.status import TrialStatus


def efficacy_numbers(d: EfficacyDecision, design: str = "Simon two-stage rule") -> Table:
    """Stage-1 and overall counts beside the Simon thresholds they are compared with;
    ``design`` names the design (:func:`monitoring.vocabulary.simon_design`)."""
    columns = (
        Column("Quantity"),
        Column(f"Stage 1 (first {d.n1} treated)", ColumnKind.INTEGER),
        Column(f"Overall (up to {d.n} treated)", ColumnKind.INTEGER),
    )
    rows = (
        ("Treated patients counted", d.stage1.total, d.overall.total),
        ("Responders", d.stage1.responders, d.overall.responders),
        ("Non-responders", d.stage1.non_responders, d.overall.non_responders),
        ("Pending", d.stage1.pending, d.overall.pending),
        ("Places not yet treated", d.stage1_open, d.final_open),
        ("Responders needed (target)", d.stage1_target, d.final_target),
        ("More responders still needed", d.stage1_needed, d.final_needed),
        ("Most responders still reachable", d.stage1_best, d.final_best),
    )
    return Table(
        "Efficacy decision: the numbers behind it",
        columns,
        rows,
        note=(
            f"{design}. Continue to stage 2 when more than r1 = {d.r1} of the "
            f"first n1 = {d.n1} respond; the final criterion is met when more than r = {d.r} "
            f"of n = {d.n} respond. Stage-1 decision: {vocabulary.title(d.stage1_state)}."
        ),
        sheet_name="Efficacy decision",
    )


TOXICITY_COLUMNS = (
    Column("Rule"),
    Column("Evaluable", ColumnKind.INTEGER),
    Column("Events", ColumnKind.INTEGER),
    Column("Pr(p > threshold | data)", ColumnKind.NUMBER, 4),
    Column("Last look", ColumnKind.INTEGER),
    Column("Events at last look", ColumnKind.INTEGER),
    Column("Boundary at last look", ColumnKind.INTEGER),
    Column("Next look", ColumnKind.INTEGER),
    Column("Boundary at next look", ColumnKind.INTEGER),
    Column("More events to cross", ColumnKind.INTEGER),
)


def _toxicity_row(rule: ToxicityRule, d: ToxicityDecision) -> tuple[CellValue, ...]:
    return (
        rule.label,
        d.evaluable,
        d.events,
        d.posterior_prob,
        optional_int(d.last_look),
        optional_int(d.events_at_last_look),
        optional_int(d.boundary_at_last_look),
        optional_int(d.next_look),
        optional_int(d.boundary_next_look),
        optional_int(d.events_to_cross_next),
    )


def _rule_note(rule: ToxicityRule) -> str:
    return (
        f"{rule.label}: stop at a look if Pr(p > {rule.threshold:g} | data) > {rule.confidence:g} "
        f"under the Beta({rule.prior_a:g}, {rule.prior_b:g}) prior (Thall, Simon & Estey 1995)."
    )


def toxicity_numbers(status: TrialStatus) -> Table:
    """Per toxicity rule: events, posterior probability and the boundaries around now.

    Boundaries are "stop if events >= boundary"; empty where no look or no boundary exists.
    """
    pairs = status.toxicity_rules()
    rules = [r for r, _ in pairs]
    rows = tuple(_toxicity_row(r, d) for r, d in pairs)
    return Table(
        "Toxicity decisions: the numbers behind them",
        TOXICITY_COLUMNS,
        rows,
        note=" ".join(_rule_note(r) for r in rules)
        + " Boundaries: stop if the events among the first n patients reach the number shown.",
        sheet_name="Toxicity decisions",
    )


def _signed(by: str | None, recommendation: str | None) -> str | None:
    """Who signed off, and the recommendation recorded with it: "dsmb (continue)"."""
    if by is None:
        return None
    return f"{by} ({recommendation})" if recommendation else by


def monitoring_log_table(status: TrialStatus) -> Table:
    """Every scheduled look with each rule's decision and counts on its day (a column per
    rule, ``monitoring.monitoring_log``) and its summary's state."""
    columns = (
        Column("Look", ColumnKind.INTEGER),
        Column("Evaluable", ColumnKind.INTEGER),
        Column("Reached on", ColumnKind.DATE),
        *(Column(name) for name in log_rules(status)),
        Column("Summary"),
        Column("Generated", ColumnKind.DATE),
        Column("Signed off by"),
    )
    rows = tuple(
        (
            r.number,
            r.evaluable,
            r.reached_on,
            *(cell or None for cell in r.cells),
            r.summary,
            r.generated_on,
            _signed(r.signed_off_by, r.recommendation),
        )
        for r in log_rows(status)
    )
    return Table(
        "Monitoring log: scheduled looks to date",
        columns,
        rows,
        note=(
            f"A look every {status.protocol.reporting.summary_every} evaluable (treated) "
            "patients; counts and decisions are those of the data cut on the day the look "
            "was reached. Toxicity events are among the first patients of the look; R, NR: "
            "responders, non-responders."
        ),
        sheet_name="Monitoring log",
    )


def rule_paragraph(decision: RuleDecision) -> Paragraph:
    """The rule's name and sentence, coloured by its severity, its headline beside it; a
    stop adds the numbers that decided it."""
    sentence = f"{decision.name}. {decision.sentence}"
    if decision.stopped and decision.key_facts:
        sentence += f" {decision.key_facts[0]}."
    return Paragraph(
        sentence, ParagraphStyle.DECISION, REPORT_STATUS[decision.severity], decision.headline
    )


def facts_table(decision: RuleDecision) -> Table:
    """A rule's evidence as a label/value table (any kind)."""
    return quantity_table(
        f"{decision.name}: the numbers behind the decision",
        [(f.label, f.value) for f in decision.facts()],
        ColumnKind.TEXT,
        sheet_name=f"Rule {decision.rule_id}",
    )


def _simon_detail(status: TrialStatus, decision: RuleDecision) -> list[Block]:
    detail = decision.detail
    assert isinstance(detail, EfficacyDecision)
    design = next(f.value for f in decision.evidence if f.label.startswith("Design"))
    return [efficacy_numbers(detail, design)]


def boundary_table(decision: RuleDecision) -> Table:
    """A group-sequential rule's looks so far: events, observed information fraction, the
    efficacy boundary recomputed at it, nominal p, cumulative alpha spent, observed z and
    the look's decision."""
    detail = decision.detail
    assert isinstance(detail, SequentialDecision)
    columns = (
        Column("Look"),
        Column("Day", ColumnKind.DATE),
        Column("Events", ColumnKind.INTEGER),
        Column("Fraction", ColumnKind.NUMBER, 3),
        Column("Efficacy z", ColumnKind.NUMBER, 3),
        Column("Futility z", ColumnKind.NUMBER, 3),
        Column("Nominal p", ColumnKind.NUMBER, 5),
        Column("Alpha spent", ColumnKind.NUMBER, 5),
        Column("Observed z", ColumnKind.NUMBER, 3),
        Column("Decision"),
    )
    rows = tuple(
        (
            str(r.look) + (" (final)" if r.final else ""),
            look.day,
            int(r.events),
            r.fraction,
            r.z_efficacy,
            r.z_futility,
            r.nominal_p_efficacy,
            r.alpha_spent,
            r.z,
            LOOK_WORDS[r.decision],
        )
        for look in detail.looks
        for r in (look.result,)
    )
    return Table(
        f"{decision.name}: boundaries at the observed information fractions",
        columns,
        rows,
        note=(
            f"Event-driven looks at {', '.join(str(m) for m in detail.thresholds)} of "
            f"{detail.planned_events:.1f} planned events; boundaries recomputed at the "
            "observed fractions (one-sided; futility non-binding). Observed z: log-rank, "
            "positive favours the experimental arm. No look reached yet when empty."
        ),
        sheet_name=f"Rule {decision.rule_id} looks",
    )


def crossing_table(decision: RuleDecision) -> Table:
    """A group-sequential rule's looks so far with the probabilities of first crossing each
    bound there, in the design recomputed at the observed fractions (rpact's rejection and
    futility probabilities per stage)."""
    detail = decision.detail
    assert isinstance(detail, SequentialDecision)
    columns = (
        Column("Look"),
        Column("Fraction", ColumnKind.NUMBER, 3),
        Column("Efficacy, under H0", ColumnKind.NUMBER, 5),
        Column("Efficacy, under H1", ColumnKind.NUMBER, 4),
        Column("Futility, under H0", ColumnKind.NUMBER, 4),
        Column("Futility, under H1", ColumnKind.NUMBER, 4),
    )
    rows = tuple(
        (
            str(r.look) + (" (final)" if r.final else ""),
            r.fraction,
            r.crossing.efficacy_h0,
            r.crossing.efficacy_h1,
            None if r.z_futility is None else r.crossing.futility_h0,
            None if r.z_futility is None else r.crossing.futility_h1,
        )
        for look in detail.looks
        for r in (look.result,)
    )
    return Table(
        f"{decision.name}: crossing probabilities at each look",
        columns,
        rows,
        note=(
            "Probability of first crossing the bound at this look, in the design recomputed "
            "at the observed fractions (later looks at their planned fractions): efficacy "
            "under H0 ignoring the non-binding futility bounds (these sum to alpha over all "
            "looks), under H1 (the design hazard ratio) and futility under H0 and H1 with "
            "both bounds as stops. Empty: no futility bound at the look."
        ),
        sheet_name=f"Rule {decision.rule_id} crossing",
    )


def _group_sequential_detail(status: TrialStatus, decision: RuleDecision) -> list[Block]:
    return [facts_table(decision), boundary_table(decision), crossing_table(decision)]


def _no_detail(status: TrialStatus, decision: RuleDecision) -> list[Block]:
    """Toxicity rules share one table after every decision (``toxicity_numbers``)."""
    return []


# Kinds with a report table of their own; any other kind prints its evidence table.
KIND_DETAIL: dict[str, Callable[[TrialStatus, RuleDecision], list[Block]]] = {
    "simon_two_stage": _simon_detail,
    "thall_simon_estey": _no_detail,
    "group_sequential": _group_sequential_detail,
}


def decisions_section(status: TrialStatus) -> Section:
    """Every rule's decision (efficacy rules, then toxicity rules), the numbers behind each,
    then the monitoring log."""
    blocks: list[Block] = []
    if not status.decisions:
        blocks.append(text("The protocol has no stopping rule."))
    for decision in status.decisions:
        blocks.append(rule_paragraph(decision))
        if decision.detail is None:  # withheld from the open view: no numbers to print
            continue
        detail = KIND_DETAIL.get(decision.kind)
        blocks.extend(detail(status, decision) if detail else [facts_table(decision)])
    if status.toxicity:
        blocks.append(toxicity_numbers(status))
    blocks.append(monitoring_log_table(status))
    return Section("Decisions", tuple(blocks))
