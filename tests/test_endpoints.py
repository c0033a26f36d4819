"""Survival per endpoint from the derivations, overall and by subgroup, against R.

The trial below gives OS times (days from first dose) and status
time   = 5, 8, 12, 20, 25, 3, 7, 9, 15, 16, 30
status = 1, 0,  1,  1,  0, 1, 1, 0,  1,  1,  0
sex    = F, F,  F,  F,  F, M, M, M,  M,  M,  M
site   = A, B,  C,  A,  B, C, A, B,  C,  A,  B
plus one treated patient without sex (day 10, censored) who is left out of the sex
subgroups.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import numpy as np
import pytest

from monitoring.analyses.endpoints import endpoint_analysis, protocol_subgroups, survival_analyses
from monitoring.demo import generate
from monitoring.derive import derive
from monitoring.protocol import load_protocol
from monitoring.survival import log_rank, summarize_endpoint
from tests.conftest import PROTOCOL_DIR
from tests.derive_frames import trial

PROTOCOL = load_protocol(PROTOCOL_DIR / "ino-lowdose-ph2.toml")
START = date(2024, 1, 1)
TIMES = [5, 8, 12, 20, 25, 3, 7, 9, 15, 16, 30]
STATUS = [1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0]
SEX = ["F"] * 5 + ["M"] * 6
SITE = ["A", "B", "C", "A", "B", "C", "A", "B", "C", "A", "B"]


def _day(days: int) -> str:
    return (START + timedelta(days=days)).isoformat()


def _patients() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for i, (t, s, sex, site) in enumerate(zip(TIMES, STATUS, SEX, SITE, strict=True)):
        end = {"death_date": _day(t)} if s else {"last_contact_date": _day(t)}
        rows.append(
            {
                "patient_id": f"S{i:02d}",
                "enrollment_date": _day(0),
                "first_dose_date": _day(0),
                "sex": sex,
                "site": site,
                **end,
            }
        )
    rows.append(
        {
            "patient_id": "S99",
            "enrollment_date": _day(0),
            "first_dose_date": _day(0),
            "site": "A",
            "last_contact_date": _day(10),
        }
    )
    return rows


DERIVED = derive(trial(_patients()), PROTOCOL)


def test_log_rank_by_sex_equals_r_survdiff() -> None:
    """R 4.2.2, survival 3.5-3:
    survdiff(Surv(time, status) ~ sex)
          N Observed Expected (O-E)^2/E (O-E)^2/V
    sex=F 5        3     3.47    0.0626     0.127
    sex=M 6        4     3.53    0.0614     0.127
    s$exp = 3.46565656565657 3.53434343434343; s$chisq = 0.12702236986574;
    pchisq(s$chisq, 1, lower.tail = FALSE) = 0.721539548334118.
    Tolerance 1e-12: the same sums in double precision."""
    analysis = endpoint_analysis(DERIVED, PROTOCOL.survival, "OS", by="sex")
    test = analysis.log_rank
    assert test is not None
    assert test.groups == ("F", "M")
    assert test.n.tolist() == [5, 6]
    assert test.observed.tolist() == [3, 4]
    np.testing.assert_allclose(test.expected, [3.46565656565657, 3.53434343434343], atol=1e-12)
    assert test.chisq == pytest.approx(0.12702236986574, abs=1e-12)
    assert test.p_value == pytest.approx(0.721539548334118, abs=1e-12)
    assert test.df == 1
    assert analysis.missing_group == 1
    assert analysis.overall.fit.n == 12


def test_log_rank_by_site_three_groups_equals_r() -> None:
    """Three groups. On the 11 patients of the module docstring (without S99), R 4.2.2:
    s <- survdiff(Surv(time, status) ~ site); s$exp = 2.66363636363636 3.10808080808081
    1.22828282828283; s$chisq = 6.8591945906243; pchisq(s$chisq, 2, lower.tail = FALSE)
    = 0.0323999857722463 (tolerance 1e-12, same sums in double precision). With S99 (site
    A, censored day 10) the analysis equals ``log_rank`` on the same derived records."""
    analysis = endpoint_analysis(DERIVED, PROTOCOL.survival, "OS", by="site")
    records = DERIVED.time_to_event("OS", by="site")
    direct = log_rank(records.time, records.event, records.groups)
    assert analysis.log_rank is not None
    assert analysis.log_rank.chisq == pytest.approx(direct.chisq, abs=1e-12)
    assert analysis.log_rank.df == 2
    eleven = derive(trial(_patients()[:-1]), PROTOCOL)
    test = endpoint_analysis(eleven, PROTOCOL.survival, "OS", by="site").log_rank
    assert test is not None
    np.testing.assert_allclose(
        test.expected, [2.66363636363636, 3.10808080808081, 1.22828282828283], atol=1e-12
    )
    assert test.chisq == pytest.approx(6.8591945906243, abs=1e-12)
    assert test.p_value == pytest.approx(0.0323999857722463, abs=1e-12)


def test_subgroup_fits_match_r_medians() -> None:
    """R: summary(survfit(Surv(time, status) ~ sex, conf.type = "log-log"))$table (the
    protocol's conf_type): median F 20 (0.95LCL 5, 0.95UCL NA), M 15 (3, NA)."""
    analysis = endpoint_analysis(DERIVED, PROTOCOL.survival, "OS", by="sex")
    medians = {g.label: g.survival.fit.median for g in analysis.groups}
    assert (medians["F"].time, medians["F"].lower, medians["F"].upper) == (20, 5, None)
    assert (medians["M"].time, medians["M"].lower, medians["M"].upper) == (15, 3, None)


def test_overall_equals_summarize_endpoint_on_the_derived_records() -> None:
    records = DERIVED.time_to_event("PFS")
    analysis = endpoint_analysis(DERIVED, PROTOCOL.survival, "PFS")
    direct = summarize_endpoint("PFS", records.time, records.event, PROTOCOL.survival)
    assert analysis.by is None
    assert analysis.log_rank is None
    assert analysis.groups == ()
    np.testing.assert_array_equal(analysis.overall.fit.survival, direct.fit.survival)
    assert analysis.overall.km_json() == direct.km_json()


def test_every_protocol_endpoint_in_order_and_conf_type_from_settings() -> None:
    data = generate(PROTOCOL, "on_track", 0)
    derived = derive(data, PROTOCOL)
    plain = dataclasses.replace(PROTOCOL.survival, conf_type="plain")
    analyses = survival_analyses(derived, plain)
    assert [a.endpoint for a in analyses.endpoints] == list(PROTOCOL.survival.endpoints)
    assert all(a.overall.fit.conf_type.value == "plain" for a in analyses.endpoints)
    assert analyses.endpoint("DoR1").overall.fit.n == derived.overall.responders
    with pytest.raises(KeyError, match="no endpoint 'XYZ'"):
        analyses.endpoint("XYZ")


def test_a_single_group_has_no_log_rank_and_unknown_columns_are_refused() -> None:
    one = derive(trial([p for p in _patients() if p.get("sex") == "F"]), PROTOCOL)
    analysis = endpoint_analysis(one, PROTOCOL.survival, "OS", by="sex")
    assert [g.label for g in analysis.groups] == ["F"]
    assert analysis.log_rank is None
    with pytest.raises(ValueError, match="unknown grouping column"):
        endpoint_analysis(DERIVED, PROTOCOL.survival, "OS", by="colour")


def test_protocol_subgroups_split_by_each_listed_column() -> None:
    """Seed 003's protocol lists salvage_line, sex and site; on this trial salvage_line is
    missing for everyone (no group, no test), sex has two groups, site three."""
    analyses = protocol_subgroups(DERIVED, PROTOCOL.survival, "OS")
    assert [a.by for a in analyses] == list(PROTOCOL.survival.subgroups)
    by = {a.by: a for a in analyses}
    assert by["salvage_line"].groups == ()
    assert by["salvage_line"].missing_group == 12
    assert by["salvage_line"].log_rank is None
    assert [g.label for g in by["sex"].groups] == ["F", "M"]
    assert [g.label for g in by["site"].groups] == ["A", "B", "C"]
