"""Strict protocol files: a misspelt key at any level, a wrong choice or a rule kind this
version does not evaluate is refused with the full key path, by the loader and by the CLI
(exit 2, one line, database unchanged). Each case mutates the shipped default protocol
(data/protocols/ino-lowdose-ph2.toml) in one place; the expected paths are where that place
lies in the file, the expected choices are the Literals of monitoring/protocol.py."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
import sqlalchemy as sa

from monitoring.cli import main
from monitoring.db.engine import open_database
from monitoring.protocol import ProtocolError, load_protocol, parse_protocol
from monitoring.protocol_reader import literal_values
from tests.conftest import PROTOCOL_DIR
from tests.db_support import database_fingerprint

DEFAULT = PROTOCOL_DIR / "ino-lowdose-ph2.toml"
RANDOMIZED = PROTOCOL_DIR / "examples" / "aall1732-randomized.toml"


def _mutated(old: str, new: str, path: Path = DEFAULT) -> str:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


# (old text, new text, full key path, a fragment of the problem)
MISSPELT = [
    ('phase = "II"', 'phsae = "II"', "phsae", "did you mean 'phase'"),
    (
        "nonresponse_after_cycle = 2",
        "nonresponse_after_cycles = 2",
        "response.nonresponse_after_cycles",
        "did you mean 'nonresponse_after_cycle'",
    ),
    ("ae_prior = [0.5", "ae_priors = [0.5", "estimates.ae_priors", "did you mean 'ae_prior'"),
    (
        "suspend_accrual_after_stage1 = true",
        "suspend_accrual_after_stage_1 = true",
        "efficacy[0].suspend_accrual_after_stage_1",
        "did you mean 'suspend_accrual_after_stage1'",
    ),
    (
        "r = 20\n",
        "r = 20\nlandmark_months = [6]\n",
        "efficacy[0].landmark_months",
        "known keys: id,",
    ),
    ("pet0 = 0.549", "pet_0 = 0.549", "efficacy[0].printed.pet_0", "did you mean 'pet0'"),
    ("r = 20\n", 'r = 20\nscope = { cohrt = "1" }\n', "efficacy[0].scope.cohrt", "'cohort'"),
    ("min_grade = 1", "min_grades = 1", "toxicity[0].min_grades", "did you mean 'min_grade'"),
    (
        "{ n = 16, stop_at = 6 }",
        "{ n = 16, stop_a = 6 }",
        "toxicity[0].printed.boundaries[1].stop_a",
        "did you mean 'stop_at'",
    ),
    ("mean_n = 47.7", "mean = 47.7", "toxicity[0].printed.oc[0].mean", "known keys: rate,"),
    (
        'summary_population = "treated"',
        'summary_populations = "treated"',
        "reporting.summary_populations",
        "did you mean 'summary_population'",
    ),
    (
        "landmarks_months = [6",
        "landmark_months = [6",
        "survival.landmark_months",
        "did you mean 'landmarks_months'",
    ),
    (
        "planned_per_month = 2.0",
        "planned_per_months = 2.0",
        "accrual.planned_per_months",
        "did you mean 'planned_per_month'",
    ),
    (
        "max_patients = 48\n",
        'max_patients = 48\ncohorts = [{ id = "1", label = "One", size = 3 }]\n',
        "cohorts[0].size",
        "known keys: id, label",
    ),
]

WRONG_CHOICES = [
    ('design = "single_arm"', 'design = "single-arm"', "design", "single_arm, multi_cohort"),
    (
        'stage1_order = "first_dose_date"',
        'stage1_order = "first_dose"',
        "efficacy[0].stage1_order",
        "must be one of first_dose_date, enrollment_date; got 'first_dose'",
    ),
    ('design_type = "optimal"', 'design_type = "best"', "efficacy[0].design_type", "minimax"),
    ('endpoint = "remission"', 'endpoint = "CR"', "efficacy[0].endpoint", "mrd_negativity"),
    ('evaluable = "treated"', 'evaluable = "enrolled"', "toxicity[0].evaluable", "treated"),
    ('conf_type = "log-log"', 'conf_type = "loglog"', "survival.conf_type", "log-log, plain, log"),
    ('"DoR", "DoR1"]', '"DoR", "TTR"]', "survival.endpoints", "unknown value(s) ['TTR']"),
]

RULE_KINDS = [
    (
        'rule = "simon_two_stage"',
        'rule = "simon"',
        "efficacy[0].rule",
        "must be one of simon_two_stage, group_sequential, mrd_response; got 'simon'",
    ),
    ('rule = "simon_two_stage"\n', "", "efficacy[0].rule", "got nothing"),
    (
        'rule = "thall_simon_estey"',
        'rule = "bayesian"',
        "toxicity[0].rule",
        "must be one of thall_simon_estey; got 'bayesian'",
    ),
    (
        "r = 20\n",
        'r = 20\nscope = { cohort = "1" }\n',
        "efficacy[0].scope.cohort",
        "'1' is not a cohort id of this protocol (none declared)",
    ),
]
CASES = MISSPELT + WRONG_CHOICES + RULE_KINDS


@pytest.mark.parametrize(("old", "new", "key", "problem"), CASES, ids=[c[2] for c in CASES])
def test_refused_with_the_full_key_path(old: str, new: str, key: str, problem: str) -> None:
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_mutated(old, new), "bad.toml")
    assert (info.value.key, info.value.source) == (key, "bad.toml")
    assert problem in info.value.problem


def test_unknown_key_lists_the_known_keys_of_its_table() -> None:
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_mutated("pet0 = 0.549", "pet_0 = 0.549"), "bad.toml")
    assert info.value.problem == (
        "unknown key (did you mean 'pet0'?); known keys: alpha, power, pet0, en0"
    )


def _bad_group_sequential() -> str:
    """The AALL1732 example with its group-sequential rule naming an arm it lacks."""
    text = RANDOMIZED.read_text(encoding="utf-8")
    assert 'experimental_arm = "B"' in text
    return text.replace('experimental_arm = "B"', 'experimental_arm = "C"')


def test_group_sequential_is_evaluated_and_its_values_checked() -> None:
    protocol = parse_protocol(RANDOMIZED.read_text(encoding="utf-8"), "aall.toml")
    assert [type(r).__name__ for r in protocol.efficacy] == ["GroupSequentialRule"]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(_bad_group_sequential(), "aall.toml")
    assert info.value.key == "efficacy[0].experimental_arm"
    assert "'C' is not an arm id of this protocol (A, B)" in info.value.problem
    with pytest.raises(ProtocolError, match=r"efficacy\[0\]\.efficacy_spending"):
        parse_protocol(
            RANDOMIZED.read_text(encoding="utf-8").replace('"obrien_fleming"', '"obf"'),
            "aall.toml",
        )


def test_a_second_simon_rule_is_kept_and_rule_ids_must_be_unique() -> None:
    """Any number of Simon rules is evaluated (monitoring/rules/registry.py), each under its
    own id: a repeated id is refused naming the second rule's key."""
    text = DEFAULT.read_text(encoding="utf-8")
    start, end = text.index("[[efficacy]]"), text.index("[[toxicity]]")
    block = text[start:end]
    two = parse_protocol(
        text[:end] + block.replace('id = "remission"', 'id = "remission-2"') + text[end:],
        "two.toml",
    )
    assert [r.id for r in two.efficacy] == ["remission", "remission-2"]
    with pytest.raises(ProtocolError) as info:
        parse_protocol(text[:end] + block + text[end:], "same.toml")
    assert info.value.key == "efficacy[1].id"
    assert "'remission' is used by another rule" in info.value.problem


def test_a_scope_naming_a_declared_unit_is_kept() -> None:
    """Scopes are evaluated (monitoring/derive/scope.py): a declared cohort id is accepted."""
    units = 'max_patients = 48\ncohorts = [{ id = "1", label = "One" }]\n'
    text = _mutated("max_patients = 48\n", units).replace(
        "r = 20\n", 'r = 20\nscope = { cohort = "1" }\n', 1
    )
    rule = parse_protocol(text, "scoped.toml").simon
    assert rule is not None
    assert rule.scope == {"cohort": "1"}


def test_every_shipped_protocol_still_loads_strictly() -> None:
    """Issue 12: every protocol under data/protocols/ (examples included) is registrable."""
    paths = sorted(PROTOCOL_DIR.rglob("*.toml"))
    assert len(paths) >= 4
    for path in paths:
        assert load_protocol(path).id == path.stem


def test_literal_values_reads_unions_and_tuples() -> None:
    Kind = Literal["a", "b"]
    assert literal_values(Kind) == ("a", "b")
    assert literal_values(Kind | None) == ("a", "b")
    assert literal_values(tuple[Kind, ...]) == ("a", "b")
    assert literal_values(int) == ()


CLI_CASES = [MISSPELT[3], MISSPELT[4], MISSPELT[8], WRONG_CHOICES[1], RULE_KINDS[0]]


@pytest.mark.parametrize(("old", "new", "key", "problem"), CLI_CASES, ids=[c[2] for c in CLI_CASES])
def test_design_audit_refuses_with_exit_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str, problem: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(_mutated(old, new), encoding="utf-8")
    assert main(["design", "audit", "--protocol", str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {bad}: key '{key}': ")
    assert captured.err.count("\n") == 1
    assert problem in captured.err


def test_trial_add_refuses_and_leaves_the_database_unchanged(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trial", "add", "--db", db_url, "--protocol", str(DEFAULT)]) == 0
    engine = open_database(db_url)
    try:
        before = database_fingerprint(engine)
        texts = [_mutated(o, n).replace('id = "ino', 'id = "other-ino') for o, n, *_ in CLI_CASES]
        texts.append(_bad_group_sequential())
        keys = [c[2] for c in CLI_CASES] + ["efficacy[0].experimental_arm"]
        for i, (text, key) in enumerate(zip(texts, keys, strict=True)):
            bad = tmp_path / f"bad{i}.toml"
            bad.write_text(text, encoding="utf-8")
            capsys.readouterr()
            assert main(["trial", "add", "--db", db_url, "--protocol", str(bad)]) == 2
            err = capsys.readouterr().err
            assert err.startswith(f"error: {bad}: key '{key}': ")
            assert err.count("\n") == 1
        assert database_fingerprint(engine) == before
        with engine.connect() as conn:
            trials = conn.execute(sa.text("SELECT id FROM trials")).scalars().all()
        assert trials == ["ino-lowdose-ph2"]
    finally:
        engine.dispose()
