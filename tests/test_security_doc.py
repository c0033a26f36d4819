"""docs/security.md names, for each threat, the test that covers it: those tests must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT / "docs" / "security.md"
# `test_module.py::test_name`, or `::test_name` for the module named just before.
REFERENCE = re.compile(r"`((?:test_\w+\.py)?::\w+)`")


def _references() -> list[tuple[str, str]]:
    module = ""
    found = []
    for token in REFERENCE.findall(SECURITY.read_text(encoding="utf-8")):
        named, test = token.split("::")
        module = named or module
        found.append((module, test))
    return found


def test_security_doc_names_tests() -> None:
    # The threat tables of issue 11 (input, concurrency, tampering, exports, backups) name
    # more than forty tests; far fewer means the parsing above no longer reads the tables.
    assert len(_references()) >= 40


def test_every_test_named_in_the_security_doc_exists() -> None:
    missing = []
    for module, test in _references():
        path = ROOT / "tests" / module
        source = path.read_text(encoding="utf-8") if path.is_file() else ""
        if not re.search(rf"^\s*def {test}\(", source, flags=re.M):
            missing.append(f"{module}::{test}")
    assert not missing, f"docs/security.md names tests that do not exist: {missing}"
