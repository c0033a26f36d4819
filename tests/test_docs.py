"""Documentation is checked by tests: docs/protocol.md against the protocol loader."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from monitoring.protocol import EVALUATED_RULE_KINDS, SCHEMA
from monitoring.protocol_reader import Key, Node, RuleTables, Table, Tables

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


# docs/protocol.md against the loader's schema (monitoring.protocol.SCHEMA): the key tables
# must list exactly the keys the loader accepts, the item keys of every list of tables and
# every allowed value of every choice (the values come from the dataclasses' Literals).

Section = tuple[str, ...]


def _doc_sections() -> dict[Section, list[str]]:
    """Table rows of docs/protocol.md by section: () for "Top level", ("response",) for
    `[response]`, ("efficacy", "simon_two_stage") for `[[efficacy]]` rule `simon_two_stage`."""
    sections: dict[Section, list[str]] = {}
    current: Section | None = None
    for line in (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            tokens = [t.strip("[]") for t in re.findall(r"`([^`]+)`", line)]
            current = tuple(tokens) if tokens else (() if line == "## Top level" else None)
            if current is not None:
                sections[current] = []
        elif current is not None and line.startswith("| `"):
            sections[current].append(line)
    return sections


def _row_names(row: str) -> list[str]:
    return re.findall(r"`([^`]+)`", row.split("|")[1])


def _expected(table: Table, prefix: str = "", top: bool = False) -> dict[str, Node]:
    """Documented name -> schema node: nested tables flattened (`printed.alpha`)."""
    out: dict[str, Node] = {}
    for name, node in table.keys.items():
        if isinstance(node, Table) and not top:
            out.update(_expected(node, f"{prefix}{name}."))
        elif isinstance(node, Key | Tables):
            out[f"{prefix}{name}"] = node
    return out


def _schema_sections() -> dict[Section, dict[str, Node]]:
    sections: dict[Section, dict[str, Node]] = {(): _expected(SCHEMA, top=True)}
    for name, node in SCHEMA.keys.items():
        if isinstance(node, Table):
            sections[(name,)] = _expected(node)
        elif isinstance(node, RuleTables):
            for kind, table in node.kinds.items():
                sections[(name, kind)] = _expected(table)
    return sections


def test_protocol_doc_lists_exactly_the_keys_the_loader_accepts() -> None:
    docs = _doc_sections()
    for section, expected in _schema_sections().items():
        assert section in docs, f"docs/protocol.md has no section for {section}"
        documented = [name for row in docs[section] for name in _row_names(row)]
        assert sorted(documented) == sorted(expected), section


def test_protocol_doc_lists_item_keys_choices_and_rule_kinds() -> None:
    docs = _doc_sections()
    for section, expected in _schema_sections().items():
        rows = {name: row for row in docs[section] for name in _row_names(row)}
        for name, node in expected.items():
            row = rows[name]
            if isinstance(node, Tables):
                braces = re.findall(r"\{([a-z0-9_, ]+)\}", row)
                assert [set(b.split(", ")) for b in braces] == [set(node.item.keys)], name
            elif isinstance(node, Key):
                missing = [c for c in node.choices if f"`{c}`" not in row]
                assert not missing, f"{section} {name}: choices {missing} not documented"
        if len(section) == 2:  # a rule section names its own kind in the `rule` row
            assert f"`{section[1]}`" in rows["rule"]


def test_protocol_doc_marks_the_kinds_this_version_evaluates() -> None:
    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    for name, node in SCHEMA.keys.items():
        if isinstance(node, RuleTables):
            for kind in node.kinds:
                row = next(r for r in doc.splitlines() if r.startswith(f"| `{kind}` |"))
                verdict = "| yes" if kind in EVALUATED_RULE_KINDS else "| no"
                assert verdict in row, (name, kind)
