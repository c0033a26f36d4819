"""Report section "Decisions": efficacy and toxicity decisions first, then the monitoring log.

Every sentence is the rule's own read-aloud explanation (``monitoring.rules``); the tables
beside them print the counts and thresholds the decision was taken from.
"""

from __future__ import annotations

from monitoring import vocabulary
from monitoring.protocol import ToxicityRule
from monitoring.reports.blocks import decision_paragraph, optional_int, text
from monitoring.reports.document import Block, CellValue, Column, ColumnKind, Section, Table
from monitoring.rules.efficacy import EfficacyDecision
from monitoring.rules.thall_simon_estey import deciding_look, deciding_numbers
from monitoring.rules.toxicity import ToxicityDecision
from monitoring.status import ScheduledLook, TrialStatus


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
    rules = status.protocol.toxicity
    rows = tuple(_toxicity_row(r, d) for r, d in zip(rules, status.toxicity, strict=True))
    return Table(
        "Toxicity decisions: the numbers behind them",
        TOXICITY_COLUMNS,
        rows,
        note=" ".join(_rule_note(r) for r in rules)
        + " Boundaries: stop if the events among the first n patients reach the number shown.",
        sheet_name="Toxicity decisions",
    )


def _log_row(look: ScheduledLook) -> tuple[CellValue, ...]:
    record = look.record
    return (
        look.number,
        look.evaluable,
        look.reached_on,
        vocabulary.title(look.efficacy_state, "") or None,
        look.responders,
        look.non_responders,
        look.pending,
        look.toxicity_events,
        look.toxicity_boundary,
        vocabulary.title(look.toxicity_state, "") or None,
        vocabulary.title(look.summary),
        record.generated_at.date() if record and record.generated_at else None,
        record.signed_off_by if record else None,
    )


LOG_COLUMNS = (
    Column("Look", ColumnKind.INTEGER),
    Column("Evaluable", ColumnKind.INTEGER),
    Column("Reached on", ColumnKind.DATE),
    Column("Efficacy"),
    Column("Resp.", ColumnKind.INTEGER),
    Column("Non-resp.", ColumnKind.INTEGER),
    Column("Pending", ColumnKind.INTEGER),
    Column("Tox. events", ColumnKind.INTEGER),
    Column("Tox. boundary", ColumnKind.INTEGER),
    Column("Toxicity"),
    Column("Summary"),
    Column("Generated", ColumnKind.DATE),
    Column("Signed off by"),
)


def monitoring_log_table(status: TrialStatus) -> Table:
    """Every scheduled look with the decisions of its day and its summary's state."""
    rows = tuple(_log_row(look) for look in status.looks)
    return Table(
        "Monitoring log: scheduled looks to date",
        LOG_COLUMNS,
        rows,
        note=(
            f"A look every {status.protocol.reporting.summary_every} evaluable (treated) "
            "patients; counts and decisions are those of the data cut on the day the look "
            "was reached. Toxicity events are among the first patients of the look."
        ),
        sheet_name="Monitoring log",
    )


def decisions_section(status: TrialStatus) -> Section:
    """Efficacy decision, each toxicity decision, then the monitoring log."""
    blocks: list[Block] = []
    simon = status.protocol.simon
    if status.efficacy is not None and simon is not None:
        name = vocabulary.rule_name(simon, status.protocol)
        blocks.append(
            decision_paragraph(status.efficacy.state, f"{name}. {status.efficacy.explanation}")
        )
        blocks.append(efficacy_numbers(status.efficacy, vocabulary.simon_design(simon)))
    else:
        blocks.append(text("The protocol has no Simon two-stage efficacy rule."))
    for rule, decision in zip(status.protocol.toxicity, status.toxicity, strict=True):
        name = vocabulary.rule_name(rule)
        stop = deciding_look(decision)
        deciding = f" Deciding look: {deciding_numbers(rule, stop)}." if stop else ""
        blocks.append(
            decision_paragraph(decision.decision, f"{name}. {decision.explanation}{deciding}")
        )
    if status.toxicity:
        blocks.append(toxicity_numbers(status))
    blocks.append(monitoring_log_table(status))
    return Section("Decisions", tuple(blocks))
