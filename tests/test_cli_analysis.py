"""``km`` and ``tables`` commands on an SQLite database holding the on_track demo trial.

The database is built through the CLI (``trial add`` then ``import`` of the demo extract),
and every number printed must equal the library's result on the same demo tables.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from monitoring.analyses.endpoints import endpoint_analysis
from monitoring.analyses.response import response_tables
from monitoring.analyses.safety import AeSubset, ae_tables
from monitoring.cli import main
from monitoring.demo import generate, write_tables
from monitoring.derive import apply_cutoff, derive
from monitoring.protocol import DEFAULT_TRIAL_ID, bundled_protocols, load_protocol
from monitoring.status import trial_status

PROTOCOL_FILE = bundled_protocols()[DEFAULT_TRIAL_ID]
PROTOCOL = load_protocol(PROTOCOL_FILE)
DATA = generate(PROTOCOL, "on_track", 0)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("analysis")
    url = str(root / "trial.db")
    files = write_tables(DATA, root / "extract")
    assert main(["trial", "add", "--db", url, "--protocol", str(PROTOCOL_FILE)]) == 0
    assert main(["import", "--db", url, *map(str, files)]) == 0
    return url


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(argv) == 0
    payload: dict[str, object] = json.loads(capsys.readouterr().out)
    return payload


def test_km_json_has_the_spec_keys_and_the_library_values(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = _json(capsys, ["km", "--db", db, "--endpoint", "OS", "--json"])
    expected = endpoint_analysis(derive(DATA, PROTOCOL), PROTOCOL.survival, "OS").overall
    spec_keys = {"endpoint", "n", "events", "median", "median_ci", "times", "survival"}
    assert spec_keys | {"ci_lower", "ci_upper", "at_risk"} <= set(payload)
    km = expected.km_json()
    assert payload["n"] == km.n
    assert payload["events"] == km.events
    assert payload["times"] == list(km.times)
    assert payload["survival"] == list(km.survival)
    assert payload["at_risk"] == list(km.at_risk)
    assert payload["conf_type"] == PROTOCOL.survival.conf_type
    assert payload["cutoff"] == derive(DATA, PROTOCOL).cutoff.isoformat()


def test_km_by_sex_gives_one_object_per_group_and_the_log_rank_test(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = _json(capsys, ["km", "--db", db, "--endpoint", "PFS", "--by", "sex", "--json"])
    analysis = endpoint_analysis(derive(DATA, PROTOCOL), PROTOCOL.survival, "PFS", by="sex")
    groups = payload["groups"]
    assert isinstance(groups, list)
    assert [g["group"] for g in groups] == [g.label for g in analysis.groups]
    assert [g["n"] for g in groups] == [g.survival.fit.n for g in analysis.groups]
    test = payload["log_rank"]
    assert isinstance(test, dict)
    assert analysis.log_rank is not None
    assert test["chisq"] == pytest.approx(analysis.log_rank.chisq, rel=1e-12)
    assert test["df"] == analysis.log_rank.df


def test_km_conf_type_and_cutoff_are_applied(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    full = derive(DATA, PROTOCOL)
    cutoff = date.fromordinal(full.cutoff.toordinal() - 60)
    argv = ["km", "--db", db, "--endpoint", "OS", "--conf-type", "plain", "--json"]
    payload = _json(capsys, [*argv, "--cutoff", cutoff.isoformat()])
    assert payload["conf_type"] == "plain"
    assert payload["n"] == derive(DATA, PROTOCOL, cutoff).time_to_event("OS").n
    assert payload["cutoff"] == cutoff.isoformat()


def test_tables_json_equals_the_library(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    payload = _json(capsys, ["tables", "--db", db, "--json"])
    derived = derive(DATA, PROTOCOL)
    rates = response_tables(derived, PROTOCOL).overall
    response = payload["response"]
    assert isinstance(response, dict)
    remission = response["overall"]["rates"][0]["among_treated"]
    assert (remission["x"], remission["n"]) == (
        rates.remission.among_treated.x,
        rates.remission.among_treated.n,
    )
    assert remission["credible"] == [
        rates.remission.among_treated.credible.low,
        rates.remission.among_treated.credible.high,
    ]
    assert remission["prior"] == "Beta(0.5, 0.5)"
    categories = [r["category"] for r in response["overall"]["best_response"]["rows"]]
    assert categories == [*PROTOCOL.response.categories, "not assessed"]
    ae = payload["adverse_events"]
    assert isinstance(ae, list)
    assert [t["subset"] for t in ae] == ["all", "serious", "related"]
    expected = ae_tables(derived, PROTOCOL).table(AeSubset.ALL)
    assert [r["cells"][0]["x"] for r in ae[0]["rows"]] == [r.patients for r in expected.rows]
    assert {"deaths", "serious", "monitored"} <= set(payload["listings"])  # type: ignore[arg-type]


def test_tables_text_is_readable(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["tables", "--db", db]) == 0
    out = capsys.readouterr().out
    for heading in ("RESPONSE", "Hematologic remission (CR + CRp + CRi)", "ADVERSE EVENTS"):
        assert heading in out
    assert "Best overall response" in out
    assert "Treatment summary" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["km", "--endpoint", "OS", "--by", "colour"], "unknown grouping column 'colour'"),
        (["km", "--endpoint", "OS", "--trial", "nope"], "no trial 'nope'"),
        (["tables", "--by", "colour"], "unknown subgroup column 'colour'"),
        (["tables", "--as-known-on", "2000-01-01"], "has no patient data known on 2000-01-01"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    db: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    capsys.readouterr()
    assert main([argv[0], "--db", db, *argv[1:]]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1


def test_unknown_endpoint_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["km", "--db", db, "--endpoint", "TTP"])
    assert exit_.value.code == 2


def test_as_known_on_a_past_look_reads_that_extract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo command imports one extract a week after each look was reached; as known
    on that day the tables count the patients treated by the look (library: derive on the
    data cut at the look's date)."""
    url = str(tmp_path / "demo.db")
    assert main(["demo", "--db", url]) == 0
    look = trial_status(PROTOCOL, derive(DATA, PROTOCOL)).looks[0]
    assert look.reached_on is not None
    known = date.fromordinal(look.reached_on.toordinal() + 8).isoformat()
    payload = _json(capsys, ["tables", "--db", url, "--as-known-on", known, "--json"])
    expected = derive(apply_cutoff(DATA, look.reached_on), PROTOCOL)
    assert payload["treated"] == expected.evaluable.treated
    assert payload["cutoff"] == expected.cutoff.isoformat()
    latest = _json(capsys, ["tables", "--db", url, "--json"])
    assert latest["treated"] == derive(DATA, PROTOCOL).evaluable.treated
