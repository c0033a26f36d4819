"""Documentation is checked by tests: every protocol key in a shipped file is documented."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_FILES = sorted((ROOT / "monitoring" / "protocols").rglob("*.toml"))


def _keys(table: dict[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and key not in {"scope"}:
            yield from _keys(value, f"{dotted}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            if key in {"cohorts", "arms", "dose_levels", "boundaries", "oc"}:
                yield dotted
            else:
                for item in value:
                    yield from _keys(item, f"{dotted}.")
        else:
            yield dotted


def test_every_protocol_key_is_documented() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    missing = set()
    for path in PROTOCOL_FILES:
        for dotted in _keys(tomllib.loads(path.read_text(encoding="utf-8"))):
            leaf = dotted.split(".")[-1]
            nested = ".".join(dotted.split(".")[-2:])
            if f"`{leaf}`" not in doc and f"`{nested}`" not in doc and nested not in doc:
                missing.add(dotted)
    assert not missing, f"undocumented protocol keys in docs/protocol.md: {sorted(missing)}"
