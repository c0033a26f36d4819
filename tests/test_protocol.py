"""Protocol files: the shipped ones load; bad ones are refused naming file, key and problem."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from monitoring.protocol import (
    GroupSequentialRule,
    ProtocolError,
    SimonRule,
    bundled_protocol,
    bundled_protocol_files,
    load_protocol,
    parse_protocol,
)
from tests.conftest import PROTOCOL_DIR, ROOT

DEFAULT = PROTOCOL_DIR / "ino-lowdose-ph2.toml"


def test_default_protocol_holds_seed_003_section_11() -> None:
    """Numbers from seed 003, section 11 (Simon design, VOD rule, reporting every 8)."""
    p = load_protocol(DEFAULT)
    simon = p.simon
    assert isinstance(simon, SimonRule)
    assert (simon.p0, simon.p1, simon.n1, simon.r1, simon.n, simon.r) == (0.35, 0.5, 18, 6, 48, 20)
    tox = p.primary_toxicity
    assert tox is not None
    assert (tox.prior_a, tox.prior_b, tox.threshold, tox.confidence) == (0.4, 1.6, 0.2, 0.92)
    assert tox.looks == (8, 16, 24, 32, 40, 48)
    assert [b.stop_at for b in tox.printed_boundaries] == [4, 6, 8, 11, 12]
    assert p.reporting.summary_every == 8
    assert p.response.remission == ("CR", "CRp", "CRi")
    assert len(p.digest) == 64


def test_every_shipped_protocol_loads() -> None:
    files = bundled_protocol_files()
    names = [f.name for f in files]
    assert names[0] == "ino-lowdose-ph2.toml"  # the default trial first, then the examples
    assert len(names) == len(set(names)) == 6  # seeds 000-004 and the CDISC pilot sample
    for file in files:
        assert load_protocol(file).source == str(file)
    assert load_protocol(bundled_protocol("mrd-ino-ph2")).id == "mrd-ino-ph2"


def test_an_unknown_bundled_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(ProtocolError, match="ino-lowdose-ph2"):
        bundled_protocol("no-such-trial")


def test_the_protocols_exist_once_in_the_repository() -> None:
    """One copy: the package's ``monitoring/protocols/``, read as package data. No other
    file in the checkout (``data/`` included) carries a bundled protocol's name or bytes,
    so nothing can drift from what an installed package ships; the checkout's files are the
    ones the package reads. ``data/protocols`` is a link to that folder, not a copy.
    ``data/mappings/`` holds mapping files, named as the protocol they go with."""
    link = ROOT / "data" / "protocols"
    assert link.is_symlink()
    assert link.resolve() == PROTOCOL_DIR.resolve()
    bundled = list(PROTOCOL_DIR.rglob("*.toml"))
    names = {p.name for p in bundled}
    contents = {p.read_bytes() for p in bundled}
    assert len(names) == len(contents) == len(bundled) == 6
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d != "build"]
        here = Path(folder)
        if here == PROTOCOL_DIR or PROTOCOL_DIR in here.parents:
            continue
        for name in (n for n in files if n.endswith(".toml")):
            assert name not in names or here == ROOT / "data" / "mappings", here / name
            assert (here / name).read_bytes() not in contents, here / name
    assert {f.name for f in bundled_protocol_files()} == names
    assert all(
        Path(str(f)).resolve().parent.is_relative_to(PROTOCOL_DIR) for f in bundled_protocol_files()
    )


def _mutated(old: str, new: str) -> str:
    text = DEFAULT.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("p1 = 0.50", "p1 = 0.30", "efficacy[0].p1", "must exceed p0"),
        ("prior_a = 0.4", "prior_a = -0.4", "toxicity[0].prior_a", "must be more than 0.0"),
        ("confidence = 0.92", 'confidence = "high"', "toxicity[0].confidence", "must be a number"),
        ("r1 = 6", "r1 = 19", "efficacy[0].r1", "smaller than n1"),
        (
            'attributions = ["possible"',
            'attributions = ["maybe"',
            "toxicity[0].attributions",
            "unknown value(s) ['maybe']",
        ),
        ("summary_every = 8", "summary_every = 0", "reporting.summary_every", ">= 1"),
        ('id = "ino-lowdose-ph2"', 'idx = "ino-lowdose-ph2"', "idx", "did you mean 'id'"),
        (
            'remission = ["CR", "CRp", "CRi"]',
            'remission = ["CR", "MCR"]',
            "response.remission",
            "not in response.categories",
        ),
    ],
)
def test_bad_value_is_refused_naming_file_key_and_problem(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(_mutated(old, new), encoding="utf-8")
    with pytest.raises(ProtocolError) as info:
        load_protocol(bad)
    assert info.value.source == str(bad)
    assert info.value.key == key
    assert problem in info.value.problem
    assert str(bad) in str(info.value)


def test_response_labels_and_ae_grading_are_read_with_their_defaults() -> None:
    """Absent: the blood-cancer words and CTCAE; given, as written; empty, refused."""
    default = load_protocol(DEFAULT)
    assert (default.response.remission_label, default.response.response_label) == (None, None)
    assert default.reporting.ae_grading == "CTCAE"
    text = _mutated(
        "nonresponse_after_cycle = ",
        'remission_label = "Complete response"\nresponse_label = "Objective response"\n'
        "nonresponse_after_cycle = ",
    ).replace("summary_every = 8", 'summary_every = 8\nae_grading = "severity"')
    labelled = parse_protocol(text, "x.toml")
    assert labelled.response.remission_label == "Complete response"
    assert labelled.response.response_label == "Objective response"
    assert labelled.reporting.ae_grading == "severity"
    with pytest.raises(ProtocolError, match=r"response\.remission_label.*must not be empty"):
        parse_protocol(text.replace('"Complete response"', '" "'), "x.toml")


def test_missing_required_key_and_broken_toml(tmp_path: Path) -> None:
    with pytest.raises(ProtocolError, match=r"efficacy\[0\]\.n1.*required"):
        parse_protocol(_mutated("n1 = 18\n", ""), "x.toml")
    with pytest.raises(ProtocolError, match="not valid TOML"):
        parse_protocol("id = ", "broken.toml")
    with pytest.raises(ProtocolError, match="cannot be read"):
        load_protocol(tmp_path / "absent.toml")


def test_protocol_is_frozen() -> None:
    p = load_protocol(DEFAULT)
    with pytest.raises(AttributeError):
        p.id = "other"  # type: ignore[misc]


EXAMPLES = sorted((PROTOCOL_DIR / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_schema_expresses_the_other_seed_protocols(path: Path) -> None:
    """Seeds 000 (cohorts, dose levels), 002 (n = 32) and 004 (arms, group sequential)."""
    p = load_protocol(path)
    assert p.id == path.stem
    assert p.simon is None or p.simon.n <= (p.max_patients or p.simon.n)


def test_examples_cover_cohorts_dose_levels_and_arms() -> None:
    loaded = [load_protocol(p) for p in EXAMPLES]
    assert any(p.cohorts and p.dose_levels for p in loaded)
    randomized = [p for p in loaded if p.design == "randomized"]
    assert randomized
    assert randomized[0].closed_by == ("arm",)
    (rule,) = randomized[0].efficacy  # its group-sequential comparison of arms B and A
    assert isinstance(rule, GroupSequentialRule)
    assert (rule.experimental_arm, rule.control_arm) == ("B", "A")
    assert len(EXAMPLES) >= 3
