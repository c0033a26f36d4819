"""The open view never sees a decision that compares arms (``access.as_seen``).

The AALL1732 example closes its results by arm (``closed_by = ["arm"]``) and monitors EFS
with a group-sequential comparison of the arms: a PI's status, and the OPEN report whoever
makes it, must carry that rule's card withheld, with no number from it; the DSMB's status
is the status itself.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from monitoring.analysis.access import View, as_seen
from monitoring.cli.status_output import decision_json
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.disclosure import Disclosure
from monitoring.protocol import bundled_protocol, load_protocol
from monitoring.reports.content import ReportStamp, build_report
from monitoring.reports.document import Paragraph, ReportDocument, Table, VersionLabel
from monitoring.status import trial_status
from monitoring.verdict import verdict

PROTOCOL = load_protocol(bundled_protocol("aall1732-randomized"))
STATUS = trial_status(PROTOCOL, derive(generate(PROTOCOL, "on_track", seed=0), PROTOCOL))


def test_the_closed_view_sees_everything() -> None:
    assert as_seen(STATUS, View.CLOSED) is STATUS


def test_the_open_view_sees_the_comparison_withheld_and_no_number_from_it() -> None:
    assert "arm" in PROTOCOL.closed_by
    compared = [d for d in STATUS.decisions if d.kind == "group_sequential"]
    assert compared, "the example protocol monitors a comparison of arms"
    seen = as_seen(STATUS, View.OPEN)
    for d in seen.decisions:
        if d.kind != "group_sequential":
            continue
        assert d.state is Disclosure.CLOSED
        assert d.evidence == ()
        assert d.key_facts == ()
        assert d.detail is None
        assert d.crossing is None
        assert d.next_look is None
        payload = json.dumps(decision_json(d))
        for original in compared:
            for fact in original.evidence:
                if any(ch.isdigit() for ch in fact.value):
                    assert fact.value not in payload
    for look in seen.looks:
        for entry in look.entries:
            if entry.rule_id in {d.rule_id for d in compared}:
                assert entry.counts == "closed"
    # The open view's verdict cannot be driven by the withheld comparison.
    assert verdict(seen).code not in {d.rule_id for d in compared}


def _texts(doc: ReportDocument) -> str:
    parts = []
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(block.text)
            elif isinstance(block, Table):
                parts.append(block.title)
                parts.extend(str(cell) for row in block.rows for cell in row)
    return "\n".join(parts)


def test_the_open_report_withholds_the_comparison_whoever_makes_it() -> None:
    """Even with ``decisions`` in the open report's sections, the OPEN version prints the
    comparison of arms withheld; the CLOSED version prints its numbers."""
    protocol = replace(
        PROTOCOL,
        reporting=replace(PROTOCOL.reporting, open_sections=("verdict", "decisions")),
    )
    data = generate(PROTOCOL, "on_track", seed=0)
    status = trial_status(protocol, derive(data, protocol))
    derivation = derive(data, protocol, status.cutoff)
    stamp = ReportStamp(datetime(2026, 1, 5, 9, 0, tzinfo=UTC), "Trial statistician")
    closed = _texts(build_report(status, derivation, stamp=stamp, version=VersionLabel.CLOSED))
    opened = _texts(build_report(status, derivation, stamp=stamp, version=VersionLabel.OPEN))
    compared = next(d for d in status.decisions if d.kind == "group_sequential")
    numbers = [f.value for f in compared.evidence if any(ch.isdigit() for ch in f.value)]
    assert numbers
    assert compared.sentence in closed
    assert compared.sentence not in opened
    assert "closed view only" in opened
