"""The built wheel works on its own: installed into a fresh virtual environment outside the
repository, run from another folder with no PYTHONPATH, it finds its bundled protocols
(package data) and runs ``demo``, ``status``, ``report`` and ``trial add`` by name.

The wheel is built from a copy of the sources in ``tmp_path`` (nothing is written into the
checkout) with the project's own build backend, without network: no build isolation, no
index. The new environment sees the dependencies of the shared ``.venv`` through a ``.pth``
line (a plain path line: the ``.pth`` files in that folder, among them the editable install
pointing at a checkout, are not run), so only the wheel itself is new.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.waits import HANG_GUARD

SOURCES = ("pyproject.toml", "README.md", "monitoring", "dashboard")


def _run(args: list[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_GUARD, check=False
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), "."],
        cwd=source,
    )
    (wheel,) = wheels.glob("trial_monitoring-*.whl")
    return wheel


def _fresh_environment(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=tmp_path,
        ).strip()
    )
    (site / "shared-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    # --force-reinstall: the shared environment seen through the .pth line holds the same
    # version (the checkout's editable install), which pip would otherwise take as installed.
    install = [*pip, "install", "--no-deps", "--no-index", "--force-reinstall", "--quiet"]
    _run([*install, str(wheel)], cwd=tmp_path)
    return python


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    tmp_path = tmp_path_factory.mktemp("install")
    python = _fresh_environment(tmp_path, _build_wheel(tmp_path))
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "home").mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(elsewhere / "home")}
    return python, elsewhere, env


def test_the_installed_package_is_the_wheel_not_the_checkout(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    python, elsewhere, env = installed
    code = (
        "import monitoring, sys; from monitoring.protocol import bundled_protocol_files as b; "
        "print(monitoring.__file__); print(*[f.name for f in b()]); print(sys.prefix)"
    )
    module, names, prefix = _run([str(python), "-c", code], cwd=elsewhere, env=env).splitlines()
    venv = python.parent.parent
    assert Path(module).is_relative_to(venv)
    assert not Path(module).resolve().is_relative_to(ROOT.resolve())
    assert Path(prefix) == venv
    # the protocols under monitoring/protocols/ of the checkout, shipped as package data
    assert names.split() == [
        "ino-lowdose-ph2.toml",
        "aall1732-randomized.toml",
        "ino-liposomal-vcr-ph1b2.toml",
        "mrd-ino-ph2.toml",
        "peds-ino-two-cohorts.toml",
        "pharmaverseadam.toml",
    ]


def test_demo_status_report_and_trial_add_run_from_the_installed_wheel(
    installed: tuple[Path, Path, dict[str, str]],
) -> None:
    python, elsewhere, env = installed
    m = [str(python), "-m", "monitoring"]
    db = elsewhere / "trial.sqlite"
    assert "created demo trial ino-lowdose-ph2" in _run(
        [*m, "demo", "--db", str(db)], cwd=elsewhere, env=env
    )
    status = subprocess.run(
        [*m, "status", "--db", str(db)],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    # exit 3 is "a summary is due" (docs/cli.md): the on_track demo has looks without one
    assert status.returncode in (0, 3), status.stderr
    assert "Efficacy:" in status.stdout
    assert "Toxicity:" in status.stdout
    pdf = elsewhere / "report.pdf"
    _run(
        [*m, "report", "--db", str(db), "--format", "pdf", "--out", str(pdf)],
        cwd=elsewhere,
        env=env,
    )
    assert pdf.read_bytes().startswith(b"%PDF")
    other = elsewhere / "other.sqlite"
    added = _run(
        [*m, "trial", "add", "--db", str(other), "--protocol", "mrd-ino-ph2"],
        cwd=elsewhere,
        env=env,
    )
    assert added.startswith("registered trial mrd-ino-ph2")
    listed = _run([*m, "trial", "list", "--db", str(other)], cwd=elsewhere, env=env)
    assert "mrd-ino-ph2" in listed
