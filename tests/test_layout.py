"""The repository's layout stays documented and portable.

- Every module and package directly under ``monitoring/`` is named in the README's "Layout"
  section (the module map), so a new or renamed module cannot go unmentioned.
- Docs, docstrings, benchmarks and scripts carry repository-relative paths only: no path of
  one machine's checkout or home directory.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|home|Users|root)/")


def _layout_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1]
    return section.split("\n## ", 1)[0]


def test_every_top_level_library_module_is_in_the_readme_module_map() -> None:
    section = _layout_section()
    names = [
        f"`{p.name}/`" if p.is_dir() else f"`{p.name}`"
        for p in sorted((ROOT / "monitoring").iterdir())
        if (p.is_dir() and (p / "__init__.py").is_file())
        or (p.suffix == ".py" and not p.name.startswith("__"))
    ]
    missing = [name for name in names if name not in section and name != "`analysis/`"]
    assert "`monitoring/analysis/`" in section
    assert not missing, f"modules missing from the README's Layout section: {missing}"


def test_docs_and_code_carry_no_machine_specific_absolute_path() -> None:
    folders = ["docs", "benchmarks", "scripts", "monitoring", "dashboard", "pages"]
    files = [ROOT / "README.md", ROOT / "app.py"]
    for folder in folders:
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in {".py", ".md", ".sh"}]
    offenders = {
        str(p.relative_to(ROOT)): line_no
        for p in files
        for line_no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_PATH.search(line)
    }
    assert not offenders, f"absolute paths of one machine (use repository-relative): {offenders}"
