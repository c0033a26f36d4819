"""Bad command lines: exit status 2 with one line on stderr (SPEC 6)."""

from __future__ import annotations

import pytest

from monitoring.cli import main


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["design", "toxicity", "--prior-a", "0.4"], "required: --prior-b"),
        (
            [
                "design",
                "toxicity",
                "--prior-a",
                "-1",
                "--prior-b",
                "1.6",
                "--threshold",
                "0.2",
                "--confidence",
                "0.92",
                "--cohort",
                "8",
                "--nmax",
                "48",
            ],
            "must be positive",
        ),
        (
            [
                "design",
                "toxicity",
                "--prior-a",
                "0.4",
                "--prior-b",
                "1.6",
                "--threshold",
                "0.2",
                "--confidence",
                "0.92",
                "--cohort",
                "8",
                "--nmax",
                "1",
            ],
            "--nmax",
        ),
        (
            ["design", "simon", "--p0", "0.5", "--p1", "0.3", "--alpha", "0.1", "--beta", "0.2"],
            "must exceed --p0",
        ),
        (
            ["design", "simon", "--p0", "0.3", "--p1", "0.5", "--alpha", "1.5", "--beta", "0.2"],
            "--alpha",
        ),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as stop:
        code = int(stop.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert fragment in err
    assert err.count("\n") == 1, err
