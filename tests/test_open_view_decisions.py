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

import pandas as pd
import pytest

from monitoring.analysis.access import View, as_seen
from monitoring.cli.status_output import decision_json, status_json
from monitoring.data_dictionary import TrialData
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.disclosure import Disclosure
from monitoring.protocol import Protocol, Unit, bundled_protocol, load_protocol
from monitoring.reports.content import ReportStamp, build_report
from monitoring.reports.decisions_section import toxicity_numbers
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
    # the crossing probabilities per look: in the closed report only
    assert "crossing probabilities at each look" in closed
    assert "crossing probabilities at each look" not in opened


def test_crossing_probabilities_per_look_in_status_json_and_the_closed_report() -> None:
    """Each look's crossing probabilities are those of the design recomputed at the observed
    fractions (``LookResult.design``): in ``status --json``'s looks and the closed report's
    table; the open view's card carries no look."""
    from monitoring.reports.decisions_section import crossing_table
    from monitoring.rules.group_sequential import SequentialDecision

    compared = next(d for d in STATUS.decisions if d.kind == "group_sequential")
    detail = compared.detail
    assert isinstance(detail, SequentialDecision)
    assert detail.looks
    looks = decision_json(compared)["looks"]
    table = crossing_table(compared)
    for look, row, json_look in zip(detail.looks, table.rows, looks, strict=True):
        r = look.result
        design_look = r.design.looks[r.look - 1]
        assert design_look.fraction == r.fraction
        assert json_look["efficacy_h0"] == design_look.efficacy_h0
        assert json_look["efficacy_h1"] == design_look.efficacy_h1
        assert json_look["futility_h1"] == design_look.futility_h1
        assert row[2:4] == (design_look.efficacy_h0, design_look.efficacy_h1)
    # over a whole recomputed design the efficacy probabilities under H0 spend alpha
    latest = detail.looks[-1].result.design
    assert sum(lk.efficacy_h0 for lk in latest.looks) == pytest.approx(0.025, abs=1e-9)
    seen = as_seen(STATUS, View.OPEN)
    withheld = next(d for d in seen.decisions if d.kind == "group_sequential")
    assert "looks" not in decision_json(withheld)


def _arm_scoped() -> tuple[Protocol, TrialData]:
    """The default trial run as two arms, its Simon and toxicity rules scoped to arm B, the
    arm closed (``closed_by = ["arm"]``): seed 003's futility and toxicity-stop scenarios as
    arms A and B, so the arm-B rules decide on arm B's patients only."""
    default = load_protocol(bundled_protocol("ino-lowdose-ph2"))
    simon, tox = default.efficacy[0], default.toxicity[0]
    protocol = replace(
        default,
        max_patients=2 * (default.max_patients or 0),
        arms=(Unit("A", "Control"), Unit("B", "Experimental")),
        closed_by=("arm",),
        efficacy=(replace(simon, id="remission-B", scope={"arm": "B"}),),
        toxicity=(replace(tox, id="vod-B", scope={"arm": "B"}),),
    )
    parts = []
    for arm, scenario, seed in (("A", "futility", 5), ("B", "toxicity_stop", 6)):
        data = generate(default, scenario, seed=seed)
        frames = []
        for frame in (data.patients, data.responses, data.adverse_events):
            out = frame.copy()
            out["patient_id"] = f"{arm}-" + out["patient_id"].astype(str)
            frames.append(out)
        frames[0]["arm"] = arm
        parts.append(frames)
    joined = TrialData(*(pd.concat(list(f), ignore_index=True) for f in zip(*parts, strict=True)))
    return protocol, joined


def test_the_open_view_holds_no_typed_decision_of_an_arm_scoped_rule() -> None:
    """With the first Simon rule and the first toxicity rule scoped to a closed arm, the open
    view's status carries neither typed decision (no efficacy, predictive probability or
    toxicity numbers, no first-rule columns in the log), and ``status --json`` shows none;
    the closed view keeps them all."""
    protocol, data = _arm_scoped()
    status = trial_status(protocol, derive(data, protocol))
    assert status.efficacy is not None
    assert status.primary_toxicity is not None
    assert any(look.toxicity_state is not None for look in status.looks)
    seen = as_seen(status, View.OPEN)
    assert seen.withheld_rules == {"remission-B", "vod-B"}
    assert seen.efficacy is None
    assert seen.predictive is None
    assert seen.toxicity == ()
    assert seen.primary_toxicity is None
    assert seen.toxicity_rules() == ()
    for look in seen.looks:
        assert look.efficacy_state is None
        assert (look.toxicity_events, look.toxicity_boundary, look.toxicity_state) == (
            None,
            None,
            None,
        )
    payload = status_json(seen)
    assert payload["efficacy"] is None
    assert payload["toxicity"] is None
    assert payload["predictive_probability"] is None
    shown = status_json(status)
    assert shown["toxicity"]["events"] == status.primary_toxicity.events
    # the OPEN report prints no toxicity numbers table for the withheld rule
    assert toxicity_numbers(seen).rows == ()
    assert len(toxicity_numbers(status).rows) == 1
