"""The open view never sees a decision that compares arms (``access.as_seen``).

The AALL1732 example closes its results by arm (``closed_by = ["arm"]``) and monitors EFS
with a group-sequential comparison of the arms: a PI's status must carry that rule's card,
withheld, with no number from it; the DSMB's status is the status itself.
"""

from __future__ import annotations

import json

from monitoring.analysis.access import View, as_seen
from monitoring.cli.monitor import decision_json
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.disclosure import Disclosure
from monitoring.protocol import bundled_protocol, load_protocol
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
