"""Architecture rules that keep the code honest.

- No trial-specific number of the default protocol appears as a literal in the library:
  those numbers come from the protocol file (SPEC 2).
- The library never imports Streamlit; pages never import statistics or database code.
- Front ends never import each other: dashboard/ and pages/ never import monitoring.cli.
- Front ends never import each other: dashboard/ and pages/ never import monitoring.cli.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "monitoring").rglob("*.py"))
# The demo generator's simulation settings (ages, cycle days, probabilities of synthetic
# events) are not protocol design numbers; its scenarios take n1, r1, n, r from the protocol.
DESIGN_CODE = [p for p in LIBRARY if "demo" not in p.relative_to(ROOT).parts]

# Seed 003's design numbers that are distinctive enough to flag (SPEC 3.1, 3.2):
# n1, n, p0, posterior cut-off, prior b, printed alpha/power/PET/EN, success count.
TRIAL_NUMBERS = {18, 48, 21, 0.35, 0.92, 1.6, 0.113, 0.783, 0.549, 31.5, 0.1127, 0.7853}


def _literals(path: Path) -> list[tuple[int, float]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
            and node.value in TRIAL_NUMBERS
        ):
            found.append((node.lineno, node.value))
    return found


def test_no_trial_number_in_library_code() -> None:
    offenders = {str(p.relative_to(ROOT)): hits for p in DESIGN_CODE if (hits := _literals(p))}
    assert not offenders, (
        f"trial numbers typed into code (take them from the protocol): {offenders}"
    )


def test_library_does_not_import_streamlit() -> None:
    for path in LIBRARY:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.split(".")[0] == "streamlit" for n in names), path


def test_pages_do_not_import_statistics_or_database_code() -> None:
    forbidden = {"scipy", "numpy", "lifelines", "sqlalchemy"}
    for path in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                mods = [node.module]
            else:
                continue
            bad = [m for m in mods if m.split(".")[0] in forbidden]
            assert not bad, f"{path.name} imports {bad}: pages call the library and draw"


def _imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports (``import a.b``, ``from a.b import c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
    return found


def test_dashboard_and_pages_do_not_import_the_command_line() -> None:
    """Front ends never import each other: the dashboard reaches the library through
    ``monitoring.analysis`` (reports included), never through ``monitoring.cli``."""
    front = sorted((ROOT / "dashboard").rglob("*.py")) + sorted((ROOT / "pages").glob("*.py"))
    front.append(ROOT / "app.py")
    offenders = {
        str(p.relative_to(ROOT)): bad
        for p in front
        if (bad := [m for m in _imported_modules(p) if m.split(".")[:2] == ["monitoring", "cli"]])
    }
    assert not offenders, f"front ends importing the command line: {offenders}"


def test_the_library_below_the_command_line_does_not_import_it() -> None:
    """``monitoring.analysis`` and the modules under it serve every front end: none
    imports ``monitoring.cli`` (``python -m monitoring``, its entry point, aside)."""
    entry = ROOT / "monitoring" / "__main__.py"
    library = [p for p in LIBRARY if "cli" not in p.relative_to(ROOT).parts and p != entry]
    offenders = [
        str(p.relative_to(ROOT))
        for p in library
        if any(m.split(".")[:2] == ["monitoring", "cli"] for m in _imported_modules(p))
    ]
    assert not offenders, offenders
