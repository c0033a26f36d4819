"""``design audit``: seed 003's designs against their exact characteristics (SPEC 3.1, 3.2)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.cli import main
from monitoring.designs.audit import audit_protocol
from monitoring.protocol import load_protocol
from tests.conftest import PROTOCOL_DIR

DEFAULT = PROTOCOL_DIR / "ino-lowdose-ph2.toml"
ROOT = Path(__file__).resolve().parent.parent


def test_seed_003_audit_flags_printed_power_and_the_nominal_error_rates() -> None:
    """SPEC 3.1: the protocol prints power 78.3%; the exact value is 0.7853."""
    audit = audit_protocol(load_protocol(DEFAULT))
    assert audit.flagged
    (simon,) = audit.simon
    assert round(simon.exact.power, 4) == 0.7853
    flagged = [f.message for f in simon.findings if f.flagged]
    assert any("power 0.783" in m and "0.7853" in m for m in flagged)
    assert any("not the optimal design for alpha = 0.1, beta = 0.2" in m for m in flagged)
    # Table 3 and Table 4 of the protocol are reproduced: the toxicity audit matches.
    (tox,) = audit.toxicity
    assert tox.matches


def test_design_audit_command_prints_findings_and_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["design", "audit", "--protocol", str(DEFAULT)]) == 0
    text = capsys.readouterr().out
    assert "6/18, 20/48" in text
    assert "! Printed power 0.783 differs" in text
    assert main(["design", "audit", "--protocol", str(DEFAULT), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["simon"][0]["exact"]["n1"] == 18
    assert data["toxicity"][0]["rule_id"] == "vod"


def test_design_audit_refuses_a_bad_protocol_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT.read_text().replace("p1 = 0.50", "p1 = 0.20"), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "monitoring", "design", "audit", "--protocol", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2
    assert "efficacy[0].p1" in done.stderr
    assert str(bad) in done.stderr
    assert done.stderr.count("\n") == 1
