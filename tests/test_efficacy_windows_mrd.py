"""Efficacy by cycle window and from MRD results: the Simon rule's ``within_cycles`` (seed 000,
CR/CRi after one cycle), the secondary windows, the MRD-negativity rate and listing (seed
002), HSCT and MRD among responders (seeds 000 and 001).

Expected numbers are read off hand-written rows by the rule each test names, or are the
demo's own counts plus the one row a test adds (the seed 000 on_track demo has 15 responders
among the 18 patients of cohort 1's Simon cohort; the review that asked for ``within_cycles``
found a CR first reached in cycle 2 raised them to 16). Intervals are not re-derived here:
``monitoring.estimates`` is checked against R in tests/test_estimates*.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
from derive_frames import frame, response, trial

from monitoring.analyses.efficacy_extras import efficacy_extras
from monitoring.analyses.mrd import mrd_listing, mrd_rule_rates, responder_mrd_flags
from monitoring.analyses.response import rule_posterior, window_rates
from monitoring.analyses.treatment import secondary_rates, treatment_summary
from monitoring.data_dictionary import MRD_RESULTS, RESPONSES, TrialData
from monitoring.demo import generate
from monitoring.derive import derive, derive_patients
from monitoring.derive.looks import look_dates, simon_counts
from monitoring.protocol import (
    Protocol,
    ProtocolError,
    SimonRule,
    bundled_protocol,
    load_protocol,
    parse_protocol,
)
from monitoring.reports.efficacy_section import efficacy_section
from monitoring.rules.efficacy import EfficacyDecision
from monitoring.status import trial_status
from tests.conftest import PROTOCOL_DIR

PEDS = load_protocol(bundled_protocol("peds-ino-two-cohorts"))
PH1B2 = load_protocol(bundled_protocol("ino-liposomal-vcr-ph1b2"))
MRD = load_protocol(bundled_protocol("mrd-ino-ph2"))
DEFAULT = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")


def _simon(protocol: Protocol) -> SimonRule:
    rule = protocol.simon
    assert rule is not None
    return rule


def _with_rule(protocol: Protocol, **changes: object) -> Protocol:
    """The protocol with its first Simon rule changed."""
    efficacy = tuple(
        dataclasses.replace(r, **changes) if r is protocol.simon else r  # type: ignore[arg-type]
        for r in protocol.efficacy
    )
    return dataclasses.replace(protocol, efficacy=efficacy)


# --- the protocol key ----------------------------------------------------------------------


def test_peds_protocol_counts_cr_cri_after_one_cycle_and_shows_two() -> None:
    rule = _simon(PEDS)
    assert (rule.within_cycles, rule.secondary_within_cycles) == (1, (2,))
    assert _simon(DEFAULT).within_cycles is None  # the default trial counts any cycle
    assert PEDS.response.secondary_rates == ("mrd_responders",)
    assert PH1B2.response.secondary_rates == ("hsct", "mrd_responders")
    assert DEFAULT.response.secondary_rates == ()


SIMON_TAIL = "r = 20\n"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (SIMON_TAIL, SIMON_TAIL + "within_cycles = 0\n", "efficacy[0].within_cycles", ">= 1"),
        (SIMON_TAIL, SIMON_TAIL + "within_cycles = 1.5\n", "efficacy[0].within_cycles", "integer"),
        (
            'endpoint = "remission"',
            'endpoint = "hematologic_response"\nwithin_cycles = 1',
            "efficacy[0].within_cycles",
            "endpoint 'remission' only",
        ),
        (
            SIMON_TAIL,
            SIMON_TAIL + "secondary_within_cycles = [2, 2]\n",
            "efficacy[0].secondary_within_cycles",
            "must not repeat",
        ),
        (
            SIMON_TAIL,
            SIMON_TAIL + "secondary_within_cycles = [0]\n",
            "efficacy[0].secondary_within_cycles[0]",
            ">= 1",
        ),
        (
            "nonresponse_after_cycle = 2",
            'nonresponse_after_cycle = 2\nsecondary_rates = ["hsct", "os"]',
            "response.secondary_rates",
            "unknown value",
        ),
    ],
)
def test_bad_windows_and_secondary_rates_are_refused(
    old: str, new: str, key: str, problem: str
) -> None:
    text = (PROTOCOL_DIR / "ino-lowdose-ph2.toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ProtocolError) as info:
        parse_protocol(text.replace(old, new, 1), "bad.toml")
    assert info.value.key == key
    assert problem in info.value.problem


# --- within_cycles on hand-made rows -------------------------------------------------------


def _p(pid: str) -> dict[str, object]:
    return {"patient_id": pid, "enrollment_date": "2024-01-02", "first_dose_date": "2024-01-05"}


HAND = trial(
    [
        _p("A1"),  # CR in cycle 1: a response within 1 and within 2 cycles
        _p("A2"),  # NR in cycle 1, CR in cycle 2: within 2 only
        _p("A3"),  # NR in cycle 1, no later assessment: non-responder (cycle >= 1)
        _p("A4"),  # not yet assessed: pending
        {**_p("A5"), "off_treatment_date": "2024-01-20"},  # off, never assessed
    ],
    [
        response("A1", "2024-02-01", 1, "CR"),
        response("A2", "2024-02-01", 1, "NR"),
        response("A2", "2024-03-01", 2, "CR"),
        response("A3", "2024-02-01", 1, "NR"),
    ],
)


def _hand_protocol(within: int | None) -> Protocol:
    """Seed 000 with its Simon rule on every patient (no cohort in the hand rows)."""
    return _with_rule(PEDS, scope={}, within_cycles=within, secondary_within_cycles=(2,))


def test_a_remission_first_in_cycle_2_is_a_non_response_within_one_cycle() -> None:
    frame_1 = derive_patients(HAND, _hand_protocol(1)).set_index("patient_id")
    assert frame_1["simon_status"].to_dict() == {
        "A1": "responder",
        "A2": "non_responder",  # CR in cycle 2: outside the window
        "A3": "non_responder",
        "A4": "pending",
        "A5": "non_responder",
    }
    assert frame_1.loc["A2", "status"] == "responder"  # the trial's status still counts it
    anytime = derive_patients(HAND, _hand_protocol(None)).set_index("patient_id")
    assert (anytime["simon_status"] == anytime["status"]).all()


def test_window_rates_count_each_window_on_the_rules_patients() -> None:
    derived = derive(HAND, _hand_protocol(1))
    (rates,) = window_rates(derived, _hand_protocol(1))
    one, two = rates.rates
    assert one.title == "CR + CRi within 1 cycle, the rule's endpoint"
    assert two.title == "CR + CRi within 2 cycles"
    # within 1: A1 responds; A2, A3, A5 non-responders; A4 pending -> 1/5 treated, 1/4 known
    assert (one.among_treated.x, one.among_treated.n, one.among_evaluable.n) == (1, 5, 4)
    # within 2: A1 and A2 respond; A3 (NR in cycle 1 >= nonresponse_after_cycle 1) and A5 not
    assert (two.among_treated.x, two.among_treated.n, two.among_evaluable.n) == (2, 5, 4)


def test_the_rule_and_the_look_dates_count_alike_on_every_day() -> None:
    protocol = _hand_protocol(1)
    full = derive(HAND, protocol)
    dates = look_dates(full, protocol)
    for day in ("2024-01-10", "2024-01-20", "2024-02-01", "2024-02-15", "2024-03-01"):
        at = date.fromisoformat(day)
        reference = derive(HAND, protocol, at)
        assert simon_counts(dates, _simon(protocol), at).cohort == reference.simon_cohort, day


# --- within_cycles on the seed 000 demo -----------------------------------------------------


def _peds_with_cycle2_cr() -> TrialData:
    """The seed 000 on_track demo plus a CR in cycle 2 for P029 (cohort 1, in the Simon
    cohort, NR in cycle 1, alive)."""
    data = generate(PEDS, "on_track", seed=0)
    added = frame(RESPONSES, [response("P029", "2023-07-20", 2, "CR")])
    responses = pd.concat([data.responses, added], ignore_index=True)
    return dataclasses.replace(data, responses=responses)


def _rule_decision(protocol: Protocol, data: TrialData) -> EfficacyDecision:
    status = trial_status(protocol, derive(data, protocol))
    detail = next(d.detail for d in status.decisions if d.rule_id == "c1-crcri")
    assert isinstance(detail, EfficacyDecision)
    return detail


def test_seed_000_rule_does_not_count_a_cr_first_reached_in_cycle_2() -> None:
    data = _peds_with_cycle2_cr()
    before = _rule_decision(PEDS, generate(PEDS, "on_track", seed=0)).overall
    after = _rule_decision(PEDS, data).overall
    assert (before.responders, before.non_responders) == (15, 3)
    assert (after.responders, after.non_responders) == (15, 3)  # P029 stays a non-responder
    anytime = _rule_decision(_with_rule(PEDS, within_cycles=None), data).overall
    assert anytime.responders == 16  # what the rule counted before within_cycles
    derived = derive(data, PEDS)
    assert derived.simon_cohort == after  # derivation and the rule's look dates agree
    (rates,) = window_rates(derived, PEDS)
    one, two = rates.rates
    assert two.among_treated.x == one.among_treated.x + 1  # P029 within two cycles


# --- MRD ------------------------------------------------------------------------------------


def _mrd_rows(rows: list[tuple[str, str, str, float, float | None]]) -> pd.DataFrame:
    return frame(
        MRD_RESULTS,
        [
            {"patient_id": p, "sample_date": d, "method": m, "value_pct": v, "threshold_pct": t}
            for p, d, m, v, t in rows
        ],
    )


def test_responders_mrd_comes_from_the_results_not_the_flag() -> None:
    """Seed 000 (no MRD rule): flow results, negative below the assay's threshold (0.01 %
    when the row gives none); the response table's flag is ignored once results exist."""
    base = trial(
        [_p("R1"), _p("R2"), _p("R3")],
        [
            {**response("R1", "2024-02-01", 1, "CR"), "mrd_negative": "N"},
            {**response("R2", "2024-02-01", 1, "CR"), "mrd_negative": "Y"},
            {**response("R3", "2024-02-01", 1, "CRi"), "mrd_negative": "Y"},
        ],
    )
    derived = derive(base, PEDS)
    flags = treatment_summary(derived, PEDS)
    assert (flags.mrd_negative_responders.x, flags.mrd_negative_responders.n) == (2, 3)
    results = _mrd_rows(
        [
            ("R1", "2024-02-01", "flow", 0.0, 0.01),  # undetectable: negative
            ("R2", "2024-02-01", "flow", 0.02, 0.01),  # 0.02 >= 0.01: positive
            ("R2", "2024-02-02", "PCR", 0.0, 0.001),  # not flow: not read
            ("R3", "2024-02-01", "flow", 0.005, None),  # below the 0.01 % default
        ]
    )
    with_results = derive(dataclasses.replace(base, mrd_results=results), PEDS)
    summary = treatment_summary(with_results, PEDS)
    assert (summary.mrd_negative_responders.x, summary.mrd_negative_responders.n) == (2, 3)
    assessed, negative, source = responder_mrd_flags(with_results, PEDS)
    assert negative.tolist() == [True, False, True]
    assert assessed.tolist() == [True, True, True]
    assert source.startswith("MRD results by flow")
    extra = secondary_rates(summary, with_results, PEDS)
    assert extra is not None
    assert [r.label for r in extra.rates] == ["MRD negative, responders"]


def test_seed_001_secondary_rates_show_hsct_then_mrd() -> None:
    derived = derive(generate(PH1B2, "on_track", seed=0), PH1B2)
    summary = treatment_summary(derived, PH1B2)
    extra = secondary_rates(summary, derived, PH1B2)
    assert extra is not None
    assert extra.rates == (
        summary.hsct_responders,
        summary.hsct_treated,
        summary.mrd_negative_responders,
    )
    assert secondary_rates(summary, derived, DEFAULT) is None


def test_seed_002_mrd_rate_equals_the_rules_count_and_lists_every_result() -> None:
    data = generate(MRD, "on_track", seed=0)
    derived = derive(data, MRD)
    status = trial_status(MRD, derived)
    decision = next(d.detail for d in status.decisions if d.rule_id == "mrd-negativity")
    assert isinstance(decision, EfficacyDecision)
    (rates,) = mrd_rule_rates(derived, MRD)
    (rate,) = rates.rates
    # every treated patient is within the rule's n = 32, so the rate is the rule's count
    assert rate.treated == decision.treated
    assert rate.among_treated.x == decision.overall.responders
    assert rate.among_evaluable.n == decision.overall.responders + decision.overall.non_responders
    listing = mrd_listing(derived, MRD)
    assert listing is not None
    assert len(listing.rows) == len(data.mrd_results)
    for row in listing.rows:
        assert row.threshold_pct == 0.01  # the rule's threshold for flow
        assert row.negative == (row.value_pct < 0.01)


def test_mrd_rate_on_hand_rows_counts_the_window_and_pending() -> None:
    """Rule window 56 days from the first dose (2024-01-05, so up to 2024-03-01)."""
    patients = [_p("M1"), _p("M2"), _p("M3")]
    results = _mrd_rows(
        [
            ("M1", "2024-02-01", "flow", 0.005, 0.01),  # negative on day 27: responder
            ("M2", "2024-03-20", "flow", 0.0, 0.01),  # negative on day 75: too late
        ]
    )
    data = dataclasses.replace(trial(patients), mrd_results=results)
    (rates,) = mrd_rule_rates(derive(data, MRD, date(2024, 3, 25)), MRD)
    (rate,) = rates.rates
    # M1 responder; M2, M3 past the window without a negative sample: non-responders
    assert (rate.among_treated.x, rate.among_treated.n, rate.among_evaluable.n) == (1, 3, 3)
    (early,) = mrd_rule_rates(derive(data, MRD, date(2024, 2, 10)), MRD)
    # on 2024-02-10: M1 responder, M2 and M3 still inside the window: pending
    assert (early.rates[0].among_evaluable.n, early.rates[0].pending) == (1, 2)


def test_default_trial_shows_nothing_new() -> None:
    data = generate(DEFAULT, "on_track", seed=0)
    derived = derive(data, DEFAULT)
    extras = efficacy_extras(derived, DEFAULT)
    assert (extras.rule_rates, extras.secondary, extras.mrd_listing) == ((), None, None)
    section = efficacy_section(trial_status(DEFAULT, derived), derived, ())
    titles = [getattr(b, "title", "") for b in section.blocks]
    assert not any("MRD" in t or "cycles" in t or "Transplant" in t for t in titles)


def test_report_sections_appear_where_their_data_apply() -> None:
    derived = derive(generate(MRD, "on_track", seed=0), MRD)
    section = efficacy_section(trial_status(MRD, derived), derived, ())
    titles = [getattr(b, "title", "") for b in section.blocks]
    assert "MRD-negativity rate" in titles
    assert any(t.startswith("MRD results per patient (") for t in titles)
    peds = derive(generate(PEDS, "on_track", seed=0), PEDS)
    titles = [
        getattr(b, "title", "") for b in efficacy_section(trial_status(PEDS, peds), peds, ()).blocks
    ]
    assert any(t.lower().startswith("remission by number of cycles: cohort 1") for t in titles)
    assert "Transplant and MRD among responders" in titles


def test_a_rules_posterior_is_its_own_count_not_the_trials() -> None:
    """The Efficacy page's posterior chart of a Simon rule: for the default trial (every
    patient, no window, fewer treated than n) it is the trial's remission rate; for seed
    000's cohort-1 rule it is the rule's own responders among its decided patients (cohort
    1, CR/CRi within one cycle), not the trial-wide rate it showed before."""
    derived = derive(generate(DEFAULT, "on_track", seed=0), DEFAULT)
    status = trial_status(DEFAULT, derived)
    assert DEFAULT.simon is not None
    assert isinstance(status.efficacy, EfficacyDecision)
    assert status.efficacy.treated < DEFAULT.simon.n
    own = rule_posterior(DEFAULT.simon, status.efficacy, DEFAULT)
    assert (own.x, own.n) == (status.remission.x, status.remission.n)
    peds = derive(generate(PEDS, "on_track", seed=0), PEDS)
    status = trial_status(PEDS, peds)
    rule, decision = PEDS.simon, status.efficacy
    assert rule is not None
    assert isinstance(decision, EfficacyDecision)
    own = rule_posterior(rule, decision, PEDS)
    counts = decision.overall
    assert (own.x, own.n) == (counts.responders, counts.responders + counts.non_responders)
    assert (own.x, own.n) != (status.remission.x, status.remission.n)
    assert "cohort 1" in own.label.lower()
    assert "within 1 cycle" in own.label
