"""Report section "Methods": designs, priors, definitions, derivation rules and what the
design audits (``monitoring.designs.audit.audit_protocol``: Simon and toxicity) found when
the protocol's printed figures were recomputed exactly."""

from __future__ import annotations

from monitoring import vocabulary
from monitoring.awaiting_data import rule_outlines
from monitoring.designs.audit import ProtocolAudit, audit_protocol
from monitoring.designs.simon_audit import SimonAudit
from monitoring.protocol import Protocol, SimonRule, ToxicityRule
from monitoring.reports.blocks import note, text
from monitoring.reports.document import (
    Block,
    CellValue,
    Column,
    ColumnKind,
    Paragraph,
    Section,
    Table,
)
from monitoring.wording import counted


def _codes(codes: tuple[str, ...]) -> str:
    return ", ".join(codes)


def simon_design(protocol: Protocol, rule: SimonRule, audit: SimonAudit) -> Paragraph:
    """The Simon rule in words; called optimal or minimax only where the audit says so."""
    return text(
        f"{vocabulary.rule_name(rule, protocol)}. {vocabulary.simon_design(rule, audit)} "
        "(exact binomial error rates). The Simon (1989) two-stage design tests "
        f"p0 = {rule.p0:g} against p1 = {rule.p1:g}: stage 1 treats "
        f"n1 = {counted(rule.n1, 'patient')} "
        f"and stops for futility if {rule.r1} or fewer respond; otherwise up to n = {rule.n} "
        f"are treated and the treatment is worth further study if more than r = {rule.r} "
        "respond. Decisions are taken as soon as they are certain (deterministic "
        "curtailment); the stage-1 cohort is the first n1 treated patients by "
        f"{rule.stage1_order.replace('_', ' ')}, then patient id."
        + (
            " Accrual is suspended after stage 1 until its outcome is known."
            if rule.suspend_accrual_after_stage1
            else ""
        )
    )


def toxicity_design(rule: ToxicityRule) -> Paragraph:
    return text(
        f"{vocabulary.rule_name(rule)}. Thall, Simon & Estey (1995) Bayesian monitoring: with the "
        f"Beta({rule.prior_a:g}, {rule.prior_b:g}) prior, the trial stops at a look if "
        f"Pr(p > {rule.threshold:g} | data) > {rule.confidence:g}; looks after every "
        f"{rule.cohort_size} evaluable patients up to {rule.nmax}. Monitored terms: "
        f"{_codes(rule.terms)}; attribution {_codes(rule.attributions)}; grade >= "
        f"{rule.min_grade}. Evaluable: {rule.evaluable} (received any dose)."
    )


def priors(protocol: Protocol) -> Paragraph:
    s = protocol.estimates
    return text(
        f"Estimates: rates with the {s.credible_level:.0%} equal-tailed credible interval of "
        f"the Beta posterior under the Beta({s.response_prior[0]:g}, {s.response_prior[1]:g}) "
        f"prior, beside the exact Clopper–Pearson interval; adverse-event proportions under "
        f"the Beta({s.ae_prior[0]:g}, {s.ae_prior[1]:g}) prior. The predictive probability "
        "of success is exact (beta-binomial, Lee & Liu 2008)."
    )


def definitions(protocol: Protocol) -> Paragraph:
    r = protocol.response
    # the protocol's own names of the two sets beside the words the rules use
    remission = "remission" + (f" ({r.remission_label})" if r.remission_label else "")
    response = "hematologic response" + (f" ({r.response_label})" if r.response_label else "")
    return text(
        f"Definitions: {remission} = best response in {{{_codes(r.remission)}}}; "
        f"{response} = {{{_codes(r.hematologic_response)}}}. A treated patient is a responder "
        "once any assessment shows remission; a non-responder when off treatment or dead "
        f"without remission, or without remission by the end of cycle "
        f"{r.nonresponse_after_cycle}; otherwise pending."
    )


def derivation_rules(protocol: Protocol) -> Paragraph:
    s = protocol.survival
    return text(
        "Derivations: records dated after the data cut-off are ignored and follow-up is "
        "censored at it; the data are those known on the 'as known on' time. Times in days "
        "from first dose (OS, PFS, EFS), first response (DoR) or first remission (DoR1); "
        "events: death (OS), progression/relapse or death (PFS, DoR, DoR1), and for EFS also "
        "second malignancy, with no remission by the end of the response cycle counted as an "
        f"event at day 0. Kaplan–Meier with {s.conf_type} confidence intervals "
        "(Greenwood), as R's survival package; landmarks at "
        f"{', '.join(f'{m:g}' for m in s.landmarks_months)} months of "
        f"{s.days_per_month:g} days."
    )


def simon_audit_table(audit: SimonAudit, rule: SimonRule, number: int = 1) -> Table:
    """The protocol's printed Simon characteristics beside the exact ones."""
    exact, printed = audit.exact, rule.printed
    rows: tuple[tuple[CellValue, ...], ...] = (
        ("alpha", printed.alpha, exact.alpha),
        ("power", printed.power, exact.power),
        ("PET(p0)", printed.pet0, exact.pet0),
        ("EN(p0)", printed.en0, exact.en0),
    )
    return Table(
        f"Design audit: Simon rule {exact.label()}, printed versus exact",
        (
            Column("Characteristic"),
            Column("Printed", ColumnKind.NUMBER, 3),
            Column("Exact", ColumnKind.NUMBER, 4),
        ),
        rows,
        note=f"Exact binomial characteristics of {exact.r1}/{exact.n1}, {exact.r}/{exact.n} "
        f"at p0 = {exact.p0:g}, p1 = {exact.p1:g} (Simon 1989).",
        sheet_name=f"Simon audit {number}",
    )


def _finding(message: str, flagged: bool) -> Paragraph:
    return note(f"Difference: {message}") if flagged else text(message)


def _simon_rules(protocol: Protocol) -> list[SimonRule]:
    return [r for r in protocol.efficacy if isinstance(r, SimonRule)]


def audit_blocks(protocol: Protocol, audit: ProtocolAudit) -> list[Block]:
    """Protocol-versus-exact findings of the Simon and toxicity design audits."""
    blocks: list[Block] = []
    simon_rules = _simon_rules(protocol)
    for number, (rule, simon) in enumerate(zip(simon_rules, audit.simon, strict=True), 1):
        blocks.append(simon_audit_table(simon, rule, number))
        blocks.extend(_finding(f.message, f.flagged) for f in simon.findings)
    for tox_rule, tox in zip(protocol.toxicity, audit.toxicity, strict=True):
        verdict = "reproduced" if tox.matches else "NOT all reproduced"
        name = vocabulary.rule_name(tox_rule)
        blocks.append(note(f"Audit of the rule {name}: printed figures {verdict}."))
        blocks.extend(text(finding) for finding in tox.findings)
    return blocks


def outline_paragraphs(protocol: Protocol) -> list[Paragraph]:
    """The rules of the kinds the Simon and toxicity paragraphs do not cover (dose finding,
    de-escalation, MRD response, ...), one sentence each as the Design page gives them."""
    covered = {r.id for r in _simon_rules(protocol)} | {r.id for r in protocol.toxicity}
    return [
        text(f"{o.label}. {o.sentence}")
        for o in rule_outlines(protocol, assumptions=False)
        if o.id not in covered
    ]


def assumption_blocks(protocol: Protocol) -> list[Block]:
    """Every number the protocol file marks as assumed (``assumption = "..."``), rule by
    rule: the registry record is silent there, so the report says so (none: nothing)."""
    assumed = protocol.assumptions()
    if not assumed:
        return []
    rules = {r.id: r for r in protocol.rules}
    blocks: list[Block] = [
        note(
            f"Assumed numbers: {len(assumed)} of {len(protocol.rules)} rules use numbers the "
            "trial's documents do not give; the protocol file marks them as assumed "
            "(docs/methods.md argues each with its source)."
        )
    ]
    blocks.extend(
        text(f"ASSUMED — {vocabulary.rule_name(rules[rule_id], protocol)}: {what}")
        for rule_id, _label, what in assumed
    )
    return blocks


def methods_section(protocol: Protocol) -> Section:
    """The methods section (follows the listings on their last page)."""
    audit = audit_protocol(protocol)
    blocks: list[Block] = []
    for rule, simon in zip(_simon_rules(protocol), audit.simon, strict=True):
        blocks.append(simon_design(protocol, rule, simon))
    blocks.extend(toxicity_design(rule) for rule in protocol.toxicity)
    blocks.extend(outline_paragraphs(protocol))
    blocks.extend(assumption_blocks(protocol))
    blocks += [priors(protocol), definitions(protocol), derivation_rules(protocol)]
    blocks.extend(audit_blocks(protocol, audit))
    return Section("Methods", tuple(blocks))
