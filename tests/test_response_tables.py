"""Response rates, best overall response and the treatment summary on hand-checked tables.

Every expected count below is a hand count of the patient table written in the test; the
intervals are those of ``monitoring.estimates.rate_estimate`` and one is spot-checked
against R's ``qbeta`` / ``binom.test``.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analyses.response import NOT_ASSESSED, response_tables
from monitoring.analyses.treatment import distribution, treatment_summary
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.estimates import BetaPrior, rate_estimate
from monitoring.protocol import Protocol, load_protocol
from tests.conftest import PROTOCOL_DIR
from tests.derive_frames import response, trial

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")


def _patient(pid: str, dose: str | None, **kw: object) -> dict[str, object]:
    return {"patient_id": pid, "enrollment_date": "2024-01-01", "first_dose_date": dose, **kw}


# P01 PR then CR; P02 NR then CRi; P03 PR then NR (non-responder after cycle 2); P04 NR in
# cycle 1 only (pending); P05 treated, never assessed (pending); P06 PD, off treatment
# (non-responder); P07 never treated; P08 CRp.
RESPONSE_TRIAL = trial(
    [
        _patient("P01", "2024-01-02", sex="F"),
        _patient("P02", "2024-01-03", sex="F"),
        _patient("P03", "2024-01-04", sex="F"),
        _patient("P04", "2024-01-05", sex="M"),
        _patient("P05", "2024-01-06", sex="M"),
        _patient("P06", "2024-01-07", sex="M", off_treatment_date="2024-02-01"),
        _patient("P07", None, sex="M"),
        _patient("P08", "2024-01-08"),
    ],
    [
        response("P01", "2024-01-30", 1, "PR"),
        response("P01", "2024-02-28", 2, "CR"),
        response("P02", "2024-01-30", 1, "NR"),
        response("P02", "2024-02-28", 2, "CRi"),
        response("P03", "2024-01-30", 1, "PR"),
        response("P03", "2024-02-28", 2, "NR"),
        response("P04", "2024-02-28", 1, "NR"),
        response("P06", "2024-01-30", 1, "PD"),
        response("P08", "2024-01-30", 1, "CRp"),
    ],
)


def _jeffreys(x: int, n: int, label: str = "x") -> object:
    return rate_estimate(label, x, n, BetaPrior(0.5, 0.5), 0.95)


def test_remission_and_response_rates_use_treated_patients_and_count_pending() -> None:
    """Hand count: 7 treated (P07 untreated); remission P01, P02, P08 = 3; response adds
    P03 (PR) = 4; pending P04, P05 = 2, so 5 are evaluable."""
    tables = response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL)
    remission, resp = tables.overall.remission, tables.overall.response
    assert (remission.treated, remission.pending) == (7, 2)
    assert (remission.among_treated.x, remission.among_treated.n) == (3, 7)
    assert (remission.among_evaluable.x, remission.among_evaluable.n) == (3, 5)
    assert (resp.among_treated.x, resp.among_treated.n) == (4, 7)
    assert (resp.among_evaluable.x, resp.among_evaluable.n) == (4, 5)
    assert remission.title == "Hematologic remission (CR + CRp + CRi)"
    assert resp.title == "Hematologic response (CR + CRp + CRi + PR)"
    expected = _jeffreys(3, 7, remission.title)
    assert remission.among_treated == expected
    assert "Beta(0.5, 0.5)" in tables.note
    assert "Pending patients stay in the denominator" in tables.note


def test_remission_interval_matches_r() -> None:
    """R 4.2: qbeta(c(0.025, 0.975), 3 + 0.5, 4 + 0.5) = 0.138864219104890 0.765498750747906;
    binom.test(3, 7)$conf.int = 0.0989882784425079 0.8159484323599170. Tolerance 1e-12:
    scipy and R invert the same incomplete beta function to double precision."""
    rate = response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL).overall.remission
    est = rate.among_treated
    assert est.credible.low == pytest.approx(0.138864219104890, abs=1e-12)
    assert est.credible.high == pytest.approx(0.765498750747906, abs=1e-12)
    assert est.exact.low == pytest.approx(0.0989882784425079, abs=1e-12)
    assert est.exact.high == pytest.approx(0.8159484323599170, abs=1e-12)


def test_best_response_lists_every_category_in_protocol_order_with_zero_counts() -> None:
    """Hand count of best responses: CR P01, CRp P08, CRi P02, PR P03, NR P04, PD P06,
    NE none, not assessed P05."""
    table = response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL).overall.best_response
    assert [r.category for r in table.rows] == [*PROTOCOL.response.categories, NOT_ASSESSED]
    assert [r.estimate.x for r in table.rows] == [1, 1, 1, 1, 1, 1, 0, 1]
    assert {r.estimate.n for r in table.rows} == {7}
    assert table.rows[6].estimate == _jeffreys(0, 7, "NE")
    assert "N = 7" in table.title


def test_subgroups_split_the_treated_patients_with_missing_values_last() -> None:
    """By sex: F = P01, P02, P03 (2 remissions); M = P04, P05, P06 (none; P07 untreated);
    P08 has no sex recorded."""
    tables = response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL, by="sex")
    assert [g.group for g in tables.groups] == ["F", "M", "(missing)"]
    assert [g.treated for g in tables.groups] == [3, 3, 1]
    assert [g.remission.among_treated.x for g in tables.groups] == [2, 0, 1]
    assert [g.pending for g in tables.groups] == [0, 2, 0]


def test_unknown_subgroup_column_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown subgroup column 'colour'"):
        response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL, by="colour")


def test_a_pending_patient_who_remits_raises_the_rate_among_treated() -> None:
    """At the 2024-02-27 cut-off P01 (CR on 02-28) and P02 (CRi on 02-28) are not yet in
    remission: 1 of 7 (P08); at the full cut-off 3 of 7."""
    early = response_tables(derive(RESPONSE_TRIAL, PROTOCOL, date(2024, 2, 27)), PROTOCOL)
    late = response_tables(derive(RESPONSE_TRIAL, PROTOCOL), PROTOCOL)
    assert early.overall.remission.among_treated.x == 1
    assert late.overall.remission.among_treated.x == 3
    assert early.overall.remission.among_treated.n == late.overall.remission.among_treated.n


def _prefix_counts(protocol: Protocol, categories: tuple[str, ...]) -> bool:
    return protocol.response.categories[: len(categories)] == categories


@settings(max_examples=12, derandomize=True, deadline=None)
@given(
    scenario=st.sampled_from(["on_track", "futility", "toxicity_stop", "early_success"]),
    seed=st.integers(0, 3),
    days_before_end=st.integers(0, 200),
)
def test_rates_agree_with_best_response_and_counts_add_up(
    scenario: str, seed: int, days_before_end: int
) -> None:
    """Invariants: best-response counts sum to the treated patients; remission and response
    categories lead the protocol order, so their counts are sums of best-response rows; the
    rate among treated never exceeds the rate among evaluable."""
    data = generate(PROTOCOL, scenario, seed)
    full = derive(data, PROTOCOL)
    cutoff = date.fromordinal(full.cutoff.toordinal() - days_before_end)
    tables = response_tables(derive(data, PROTOCOL, cutoff), PROTOCOL).overall
    counts = {r.category: r.estimate.x for r in tables.best_response.rows}
    assert sum(counts.values()) == tables.treated
    for rate in (tables.remission, tables.response):
        assert _prefix_counts(PROTOCOL, rate.categories)
        assert rate.among_treated.x == sum(counts[c] for c in rate.categories)
        assert rate.among_treated.n == tables.treated
        if rate.among_evaluable.n:
            assert rate.among_treated.x / max(rate.among_treated.n, 1) <= (
                rate.among_evaluable.x / rate.among_evaluable.n
            )


# Treatment summary: T1 off treatment after 31 days, CR with MRD negativity, HSCT; T2 dead
# on day 11; T3 on treatment, CRi without MRD result, last contact 2024-02-29; T4 on
# treatment, not yet assessed, last contact 2024-02-10; T5 never treated.
TREATMENT_TRIAL = trial(
    [
        _patient("T1", "2024-01-01", off_treatment_date="2024-01-31", hsct_date="2024-03-01"),
        _patient("T2", "2024-01-01", death_date="2024-01-11"),
        _patient("T3", "2024-01-01", last_contact_date="2024-02-29"),
        _patient("T4", "2024-02-01", last_contact_date="2024-02-10"),
        _patient("T5", None),
    ],
    [
        {**response("T1", "2024-01-20", 1, "CR"), "mrd_negative": "N"},
        {**response("T1", "2024-01-30", 2, "CR"), "mrd_negative": "Y"},
        {**response("T2", "2024-01-10", 1, "NR"), "mrd_negative": "N"},
        response("T3", "2024-01-25", 1, "CRi"),
    ],
)


def test_treatment_summary_durations_cycles_hsct_and_mrd() -> None:
    """Durations (both days counted): T1 Jan 1-31 = 31, T2 Jan 1-11 = 11, T3 Jan 1-Feb 29
    = 60, T4 Feb 1-10 = 10. R: quantile(c(31, 11, 60, 10)) = 10.00 10.75 21.00 38.25 60.00.
    Cycles 2, 1, 1, 1 (T4 not assessed: 1). Responders T1, T3: HSCT 1/2, MRD negative 1/2
    (T3 has no MRD result); HSCT 1/4 of treated."""
    summary = treatment_summary(derive(TREATMENT_TRIAL, PROTOCOL), PROTOCOL)
    assert (summary.treated, summary.on_treatment, summary.responders) == (4, 2, 2)
    d = summary.duration_days
    assert (d.n, d.minimum, d.q1, d.median, d.q3, d.maximum) == (4, 10, 10.75, 21, 38.25, 60)
    assert [(c.cycles, c.patients) for c in summary.cycle_distribution] == [(1, 3), (2, 1)]
    assert summary.cycles.median == 1
    prior = BetaPrior(*PROTOCOL.estimates.response_prior)
    assert summary.hsct_responders == rate_estimate("HSCT, responders", 1, 2, prior, 0.95)
    assert (summary.hsct_treated.x, summary.hsct_treated.n) == (1, 4)
    assert summary.mrd_assessed_responders == 1
    assert (summary.mrd_negative_responders.x, summary.mrd_negative_responders.n) == (1, 2)


def test_treatment_summary_at_an_earlier_cutoff_forgets_later_records() -> None:
    """Cut at 2024-01-25: T1's MRD negativity (01-30), HSCT and off-treatment date are
    unknown, so T1 is on treatment (last record 01-20 + 1 = 20 days)."""
    summary = treatment_summary(derive(TREATMENT_TRIAL, PROTOCOL, date(2024, 1, 25)), PROTOCOL)
    assert summary.treated == 3  # T4's first dose (02-01) is after the cut-off
    assert summary.mrd_negative_responders.x == 0
    assert summary.hsct_responders.x == 0
    assert summary.on_treatment == 2


def test_distribution_of_nothing_has_no_values() -> None:
    empty = distribution([])
    assert empty.n == 0
    assert empty.median is None
