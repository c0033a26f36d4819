"""Invariants of the cut-off and derivations, on demo trials at random cut-offs:
past looks are reproducible, later data never change an earlier look, and what is
monotone in time (treated, responders, toxicity outcomes) is monotone."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.demo import Scenario, generate
from monitoring.derive import ResponseStatus, apply_cutoff, derive, latest_date
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol

PROTOCOL = load_protocol(bundled_protocols()[DEFAULT_TRIAL_ID])
DATA = generate(PROTOCOL, Scenario.ON_TRACK, seed=5)
FIRST = DATA.patients["enrollment_date"].min().date()
LAST = latest_date(DATA)
SPAN = (LAST - FIRST).days

days = st.integers(min_value=-5, max_value=SPAN + 5)


def _day(offset: int) -> date:
    return FIRST + timedelta(days=offset)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(days, days)
def test_cutoffs_compose(a: int, b: int) -> None:
    """Cutting at b then at a equals cutting at min(a, b)."""
    twice = apply_cutoff(apply_cutoff(DATA, _day(b)), _day(a))
    once = apply_cutoff(DATA, _day(min(a, b)))
    pd.testing.assert_frame_equal(twice.patients, once.patients)
    pd.testing.assert_frame_equal(twice.responses, once.responses)
    pd.testing.assert_frame_equal(twice.adverse_events, once.adverse_events)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(days, st.integers(min_value=0, max_value=SPAN))
def test_later_data_do_not_change_a_past_look(a: int, extra: int) -> None:
    """The look at cut-off a is the same whether the database stops at a or later."""
    earlier = derive(DATA, PROTOCOL, _day(a))
    later_db = apply_cutoff(DATA, _day(a + extra))
    again = derive(later_db, PROTOCOL, _day(a))
    pd.testing.assert_frame_equal(earlier.patients, again.patients)
    assert earlier.stage1 == again.stage1
    assert earlier.toxicity == again.toxicity


@settings(max_examples=20, deadline=None, derandomize=True)
@given(days, st.integers(min_value=0, max_value=SPAN))
def test_monotone_in_time(a: int, extra: int) -> None:
    """Treated and responders never decrease; the toxicity outcomes at an earlier cut-off
    are a prefix of the later ones, with no event withdrawn."""
    early = derive(DATA, PROTOCOL, _day(a))
    late = derive(DATA, PROTOCOL, _day(a + extra))
    assert late.evaluable.treated >= early.evaluable.treated
    assert late.overall.responders >= early.overall.responders
    assert late.treated_order[: len(early.treated_order)] == early.treated_order
    before = early.toxicity[0].outcomes
    after = late.toxicity[0].outcomes[: len(before)]
    assert all(x <= y for x, y in zip(before, after, strict=True))
    responders = early.patients["status"] == ResponseStatus.RESPONDER.value
    later_status = late.patients.set_index("patient_id")["status"]
    for pid in early.patients.loc[responders, "patient_id"]:
        assert later_status[pid] == ResponseStatus.RESPONDER.value


SMALL = [s for s in Scenario if s is not Scenario.LARGE]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    st.sampled_from(SMALL),
    st.integers(min_value=0, max_value=10_000),
    st.floats(min_value=0.2, max_value=1.0),
)
def test_counts_and_endpoints_are_consistent(scenario: Scenario, seed: int, at: float) -> None:
    """Tallies partition the treated patients; the stage-1 cohort has min(n1, treated);
    every treated patient has one toxicity outcome; per patient EFS <= PFS <= OS in time,
    and a PFS event is an EFS event (EFS adds events, PFS adds death to progression)."""
    data = generate(PROTOCOL, scenario, seed=seed)
    first = data.patients["enrollment_date"].min().date()
    cutoff = first + timedelta(days=int(at * (latest_date(data) - first).days))
    d = derive(data, PROTOCOL, cutoff)
    simon = PROTOCOL.simon
    assert simon is not None
    treated = d.evaluable.treated
    assert d.overall.total == treated == len(d.treated_order) == d.toxicity[0].evaluable
    assert d.stage1.total == min(simon.n1, treated) == len(d.stage1_ids)
    assert d.simon_cohort.total == min(simon.n, treated)
    os_, pfs, efs = (d.time_to_event(e) for e in ("OS", "PFS", "EFS"))
    assert (os_.patient_ids == efs.patient_ids).all()
    assert (os_.time >= 0).all()
    assert (efs.time <= pfs.time).all()
    assert (pfs.time <= os_.time).all()
    assert (efs.event >= pfs.event).all()
    assert (pfs.event >= os_.event).all()
    dor, dor1 = d.time_to_event("DoR"), d.time_to_event("DoR1")
    assert set(dor1.patient_ids) <= set(dor.patient_ids)
    assert (dor.time >= 0).all()
