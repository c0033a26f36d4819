"""Adverse-event tables and safety listings on a hand-checked trial.

Expected counts are hand counts of the tables written below; intervals are those of
``monitoring.estimates.rate_estimate`` (one spot-checked against R).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitoring.analyses.safety import AeSubset, AeTable, RowLevel, ae_tables
from monitoring.analyses.safety_listings import AeOutcome, safety_listings
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.estimates import BetaPrior, rate_estimate
from monitoring.protocol import load_protocol
from tests.conftest import PROTOCOL_DIR
from tests.derive_frames import ae, trial

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
GI = "Gastrointestinal disorders"
HEP = "Hepatobiliary disorders"
INF = "Infections and infestations"


def _patient(pid: str, dose: str | None, **kw: object) -> dict[str, object]:
    return {"patient_id": pid, "enrollment_date": "2024-01-01", "first_dose_date": dose, **kw}


# P1: nausea grades 1 and 3 (worst 3), vomiting grade 2 serious; P2: nausea 2 related,
# fatal sepsis (grade 5, serious); P3: related VOD grade 3, serious, unresolved; P4: no AE;
# P5: nausea grade 1 twice (related), VOD grade 2 unrelated; P6: never treated (nausea 4,
# serious, excluded from the tables but listed).
SAFETY_TRIAL = trial(
    [
        _patient("P1", "2024-01-01"),
        _patient("P2", "2024-01-01", death_date="2024-02-10", death_cause="Sepsis"),
        _patient("P3", "2024-01-05"),
        _patient("P4", "2024-01-05"),
        _patient("P5", "2024-01-10"),
        _patient("P6", None, death_date="2024-03-01", death_cause="Progressive disease"),
    ],
    adverse_events=[
        ae("P1", "Nausea", "2024-01-03", 1, "unrelated", category=GI),
        ae("P1", "Nausea", "2024-01-20", 3, "unlikely", category=GI),
        ae(
            "P1",
            "Vomiting",
            "2024-01-04",
            2,
            "unrelated",
            category=GI,
            serious="Y",
            resolution_date="2024-01-09",
        ),
        ae("P2", "Nausea", "2024-01-02", 2, "possible", category=GI, serious="N"),
        ae("P2", "Sepsis", "2024-02-01", 5, "unlikely", category=INF, serious="Y"),
        ae("P3", "VOD", "2024-01-25", 3, "probable", category=HEP, serious="Y"),
        ae("P5", "Nausea", "2024-01-11", 1, "definite", category=GI),
        ae("P5", "Nausea", "2024-01-15", 1, "definite", category=GI),
        ae("P5", "Veno-occlusive disease", "2024-01-20", 2, "unrelated", category=HEP),
        ae("P6", "Nausea", "2024-01-02", 4, "unrelated", category=GI, serious="Y"),
    ],
)
DERIVED = derive(SAFETY_TRIAL, PROTOCOL)


def _rows(table: AeTable) -> list[tuple[str | None, str | None, list[int]]]:
    return [(r.category, r.term, [c.x for c in r.cells]) for r in table.rows]


def test_all_adverse_events_by_worst_grade_counted_once_per_patient() -> None:
    """Population 5 treated (P6 untreated). Bands: any, 1-2, 3-4, 5. Worst grades:
    any AE P1 3, P2 5, P3 3, P5 2 (1-2: P5; 3-4: P1, P3; 5: P2); GI P1 3, P2 2, P5 1;
    Hepatobiliary P3 3, P5 2; Infections P2 5; Nausea P1 3, P2 2, P5 1 (twice, counted
    once). Categories by frequency, ties by name."""
    table = ae_tables(DERIVED, PROTOCOL).table(AeSubset.ALL)
    assert table.population == 5
    assert _rows(table) == [
        (None, None, [4, 1, 2, 1]),
        (GI, None, [3, 2, 1, 0]),
        (GI, "Nausea", [3, 2, 1, 0]),
        (GI, "Vomiting", [1, 1, 0, 0]),
        (HEP, None, [2, 1, 1, 0]),
        (HEP, "VOD", [1, 0, 1, 0]),
        (HEP, "Veno-occlusive disease", [1, 1, 0, 0]),
        (INF, None, [1, 0, 0, 1]),
        (INF, "Sepsis", [1, 0, 0, 1]),
    ]
    assert [r.level for r in table.rows[:3]] == [RowLevel.ANY, RowLevel.CATEGORY, RowLevel.TERM]


def test_bands_partition_the_patients_of_each_row() -> None:
    for table in ae_tables(DERIVED, PROTOCOL).tables:
        for row in table.rows:
            assert row.patients == sum(c.x for c in row.cells[1:])


def test_serious_subset_uses_the_worst_serious_event() -> None:
    """Serious = Y: P1 vomiting 2, P2 sepsis 5, P3 VOD 3 (P6 untreated). P1's grade-3
    nausea is not serious, so P1 is grade 1-2 here. Categories of one patient each, by
    name."""
    table = ae_tables(DERIVED, PROTOCOL).table(AeSubset.SERIOUS)
    assert _rows(table) == [
        (None, None, [3, 1, 1, 1]),
        (GI, None, [1, 1, 0, 0]),
        (GI, "Vomiting", [1, 1, 0, 0]),
        (HEP, None, [1, 0, 1, 0]),
        (HEP, "VOD", [1, 0, 1, 0]),
        (INF, None, [1, 0, 0, 1]),
        (INF, "Sepsis", [1, 0, 0, 1]),
    ]


def test_related_subset_is_possible_probable_or_definite() -> None:
    """Related: P2 nausea 2 (possible), P3 VOD 3 (probable), P5 nausea 1 x2 (definite)."""
    table = ae_tables(DERIVED, PROTOCOL).table(AeSubset.RELATED)
    assert _rows(table) == [
        (None, None, [3, 2, 1, 0]),
        (GI, None, [2, 2, 0, 0]),
        (GI, "Nausea", [2, 2, 0, 0]),
        (HEP, None, [1, 0, 1, 0]),
        (HEP, "VOD", [1, 0, 1, 0]),
    ]


def test_cells_carry_the_protocol_ae_prior_intervals() -> None:
    """The GI any-grade cell is 3 of 5 under the protocol's AE prior; R 4.2:
    qbeta(c(0.025, 0.975), 3 + 0.5, 2 + 0.5) = 0.209416664076005 0.905609672655656 and
    binom.test(3, 5)$conf.int = 0.146632799634673 0.947255049473683 (tolerance 1e-12: both
    invert the same incomplete beta function in double precision)."""
    tables = ae_tables(DERIVED, PROTOCOL)
    cell = tables.table(AeSubset.ALL).rows[1].cells[0]
    prior = BetaPrior(*PROTOCOL.estimates.ae_prior)
    assert cell == rate_estimate(cell.label, 3, 5, prior, PROTOCOL.estimates.credible_level)
    assert cell.credible.low == pytest.approx(0.209416664076005, abs=1e-12)
    assert cell.credible.high == pytest.approx(0.905609672655656, abs=1e-12)
    assert cell.exact.low == pytest.approx(0.146632799634673, abs=1e-12)
    assert cell.exact.high == pytest.approx(0.947255049473683, abs=1e-12)
    assert "Beta(0.5, 0.5)" in tables.table(AeSubset.ALL).note


def test_death_listing_gives_days_from_first_dose() -> None:
    """P2: first dose 01-01, death 02-10 = day 40; P6 never treated: no day."""
    deaths = safety_listings(DERIVED, PROTOCOL).deaths.rows
    assert [(d.patient_id, d.death_date, d.days_from_first_dose, d.cause) for d in deaths] == [
        ("P2", date(2024, 2, 10), 40, "Sepsis"),
        ("P6", date(2024, 3, 1), None, "Progressive disease"),
    ]


def test_sae_listing_rows_and_outcomes() -> None:
    """Serious events by patient then onset: P1 vomiting resolved (day 3), P2 sepsis fatal
    (grade 5, day 31), P3 VOD ongoing (day 20), P6 nausea (untreated, no day)."""
    listing = safety_listings(DERIVED, PROTOCOL).serious
    rows = [(r.patient_id, r.term, r.grade, r.onset_day, r.outcome) for r in listing.rows]
    assert rows == [
        ("P1", "Vomiting", 2, 3, AeOutcome.RESOLVED),
        ("P2", "Sepsis", 5, 31, AeOutcome.FATAL),
        ("P3", "VOD", 3, 20, AeOutcome.ONGOING),
        ("P6", "Nausea", 4, None, AeOutcome.ONGOING),
    ]
    assert listing.rows[0].resolution_date == date(2024, 1, 9)
    assert len(listing) == 4


def test_resolution_after_the_cutoff_is_ongoing() -> None:
    """At the 2024-01-08 cut-off P1's vomiting (resolved 01-09) is ongoing."""
    listing = safety_listings(derive(SAFETY_TRIAL, PROTOCOL, date(2024, 1, 8)), PROTOCOL)
    assert [(r.term, r.outcome) for r in listing.serious.rows] == [
        ("Vomiting", AeOutcome.ONGOING),
        ("Nausea", AeOutcome.ONGOING),
    ]


def test_monitored_toxicity_listing_keeps_related_vod_only() -> None:
    """VOD of P3 (probable) is the monitored toxicity; P5's VOD is unrelated."""
    (listing,) = safety_listings(DERIVED, PROTOCOL).monitored
    assert [(r.patient_id, r.term, r.onset_day) for r in listing.rows] == [("P3", "VOD", 20)]
    assert PROTOCOL.toxicity[0].label in listing.title


@settings(max_examples=8, derandomize=True, deadline=None)
@given(
    scenario=st.sampled_from(["on_track", "toxicity_stop", "early_success"]),
    seed=st.integers(0, 3),
)
def test_category_counts_bound_their_terms_and_monitored_listing_matches_the_rule(
    scenario: str, seed: int
) -> None:
    """Invariants: a category has at least as many patients as its most frequent term and at
    most the sum of its terms; the any-AE row bounds every category; the monitored listing
    holds the patients the toxicity rule counts."""
    derived = derive(generate(PROTOCOL, scenario, seed), PROTOCOL)
    for table in ae_tables(derived, PROTOCOL).tables:
        top = table.rows[0].patients
        categories = [r for r in table.rows if r.level is RowLevel.CATEGORY]
        for cat in categories:
            terms = [
                r.patients
                for r in table.rows
                if r.level is RowLevel.TERM and r.category == cat.category
            ]
            assert max(terms) <= cat.patients <= sum(terms) <= top * len(terms)
            assert cat.patients <= top
        counts = [c.patients for c in categories]
        assert counts == sorted(counts, reverse=True)
    (listing,) = safety_listings(derived, PROTOCOL).monitored
    treated = set(derived.treated_order)
    assert {p for p in listing.patient_id if p in treated} == {
        p
        for p, hit in zip(
            derived.toxicity[0].patient_ids, derived.toxicity[0].outcomes, strict=True
        )
        if hit
    }


def test_a_trial_without_treated_patients_gives_empty_tables() -> None:
    """One enrolled patient, no dose, no AE: every count is 0 of 0 and nothing fails."""
    derived = derive(trial([_patient("Z1", None)]), PROTOCOL)
    tables = ae_tables(derived, PROTOCOL)
    assert tables.population == 0
    for table in tables.tables:
        assert [(r.level, r.patients, r.cells[0].n) for r in table.rows] == [(RowLevel.ANY, 0, 0)]
    listings = safety_listings(derived, PROTOCOL)
    assert listings.deaths.rows == ()
    assert len(listings.serious) == 0


def test_related_attributions_can_be_chosen() -> None:
    """With only 'definite' as related: P5's two grade-1 nauseas, one patient."""
    table = ae_tables(DERIVED, PROTOCOL, related=("definite",)).table(AeSubset.RELATED)
    assert _rows(table) == [
        (None, None, [1, 1, 0, 0]),
        (GI, None, [1, 1, 0, 0]),
        (GI, "Nausea", [1, 1, 0, 0]),
    ]
    assert "attribution definite" in table.title
