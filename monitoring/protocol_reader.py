"""Strict, typed reading of a protocol's TOML tables against a declared key schema.

Every table of a protocol file is read through a :class:`TableReader` that knows the table's
keys: a key the schema does not declare is refused with its full path (``efficacy[0].p00``)
and the nearest known key, never ignored. Allowed values of a choice come from the
``Literal`` annotations of the protocol dataclasses (:func:`literal_values`), so the reader,
the dataclasses and ``docs/protocol.md`` (checked by tests/test_docs.py) share one list.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from monitoring.errors import InputError


class ProtocolError(InputError, ValueError):
    """A protocol file that cannot be used: names the file, the key and the problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"{source}: key '{key}': {problem}")


def literal_values(tp: Any) -> tuple[str, ...]:
    """The values of the ``Literal`` in a type (also inside ``X | None`` and ``tuple[X, ...]``)."""
    if get_origin(tp) is Literal:
        return tuple(str(v) for v in get_args(tp))
    values: tuple[str, ...] = ()
    if get_origin(tp) in (Union, types.UnionType, tuple):
        for arg in get_args(tp):
            if arg is not type(None) and arg is not Ellipsis:
                values += literal_values(arg)
    return values


def field_choices(cls: type, name: str) -> tuple[str, ...]:
    """Allowed values of a dataclass field annotated with a ``Literal``."""
    values = literal_values(get_type_hints(cls)[name])
    assert values, f"{cls.__name__}.{name} is not annotated with a Literal"
    return values


@dataclass(frozen=True)
class Key:
    """A value key; ``choices`` holds the allowed values when the field is a typed Literal."""

    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table and its keys, in documentation order."""

    keys: Mapping[str, Node]


@dataclass(frozen=True)
class Tables:
    """A list of tables of one shape (``cohorts = [{id, label}, ...]``)."""

    item: Table


@dataclass(frozen=True)
class RuleTables:
    """A list of rule tables (``[[efficacy]]``) whose shape is chosen by their ``rule`` key.

    ``evaluated`` names the kinds this version evaluates; the others are parsed (so their
    keys and values are checked) and then refused by the protocol loader.
    """

    kinds: Mapping[str, Table]
    evaluated: frozenset[str] = field(default_factory=frozenset)


Node = Key | Table | Tables | RuleTables
KEY = Key()
T = TypeVar("T")


def unknown_key_problem(name: str, known: Sequence[str]) -> str:
    """'unknown key (did you mean ...?); known keys: ...' for a key the schema lacks."""
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key{hint}; known keys: {', '.join(known)}"


class TableReader:
    """Typed access to one TOML table; every failure names the file and the full key path."""

    def __init__(
        self, source: str, table: Mapping[str, Any], schema: Table, prefix: str = ""
    ) -> None:
        self.source = source
        self.table = table
        self.schema = schema
        self.prefix = prefix
        for name in table:
            if name not in schema.keys:
                raise self.fail(name, unknown_key_problem(name, list(schema.keys)))

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, problem: str) -> ProtocolError:
        return ProtocolError(self.source, self.key(name), problem)

    def has(self, name: str) -> bool:
        assert name in self.schema.keys, f"'{self.key(name)}' is not in the protocol schema"
        return name in self.table

    def _get(self, name: str, kind: type[T] | tuple[type, ...], required: bool) -> Any:
        if not self.has(name):
            if required:
                raise self.fail(name, "is required but missing")
            return None
        value = self.table[name]
        if isinstance(value, bool) and kind is not bool:
            raise self.fail(name, f"must be {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise self.fail(name, f"must be {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def _choices(self, name: str) -> tuple[str, ...]:
        node = self.schema.keys[name]
        assert isinstance(node, Key), f"'{self.key(name)}' is not a value key"
        assert node.choices, f"'{self.key(name)}' is not a choice"
        return node.choices

    def text(self, name: str, default: str | None = None) -> str:
        value = self._get(name, str, default is None)
        if value is None:
            assert default is not None
            return default
        if not value.strip():
            raise self.fail(name, "must not be empty")
        return str(value)

    def optional_text(self, name: str) -> str | None:
        """A string that may be absent or empty (free text)."""
        value = self._get(name, str, False)
        return None if value is None else str(value)

    def choice(self, name: str, default: str | None = None) -> str:
        """One of the values the schema allows for ``name`` (from the field's Literal)."""
        options = self._choices(name)
        value = self.text(name, default)
        if value not in options:
            raise self.fail(name, f"must be one of {', '.join(options)}; got '{value}'")
        return value

    def choice_list(self, name: str, default: Sequence[str] | None = None) -> tuple[str, ...]:
        """A list whose every item is one of the values the schema allows."""
        options = self._choices(name)
        values = self.texts(name, default)
        unknown = [v for v in values if v not in options]
        if unknown:
            raise self.fail(name, f"unknown value(s) {unknown}; use {', '.join(options)}")
        return values

    def integer(self, name: str, minimum: int | None = None, default: int | None = None) -> int:
        value = self._get(name, int, default is None)
        if value is None:
            assert default is not None
            return default
        if minimum is not None and value < minimum:
            raise self.fail(name, f"must be >= {minimum}; got {value}")
        return int(value)

    def optional_integer(self, name: str, minimum: int | None = None) -> int | None:
        """A whole number that may be absent (None), at least ``minimum`` when given."""
        if not self.has(name):
            return None
        return self.integer(name, minimum)

    def number(
        self,
        name: str,
        low: float | None = None,
        high: float | None = None,
        *,
        open_interval: bool = False,
        required: bool = True,
    ) -> float | None:
        value = self._get(name, (int, float), required)
        if value is None:
            return None
        value = float(value)
        if open_interval:
            if (low is not None and value <= low) or (high is not None and value >= high):
                raise self.fail(name, f"{_range_words(low, high, strict=True)}; got {value}")
        elif (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(name, f"{_range_words(low, high, strict=False)}; got {value}")
        return value

    def required_number(
        self,
        name: str,
        low: float | None = None,
        high: float | None = None,
        *,
        open_interval: bool = False,
    ) -> float:
        value = self.number(name, low, high, open_interval=open_interval)
        assert value is not None
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self._get(name, bool, False)
        return default if value is None else bool(value)

    def texts(self, name: str, default: Sequence[str] | None = None) -> tuple[str, ...]:
        value = self._get(name, list, default is None)
        if value is None:
            assert default is not None
            return tuple(default)
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(f"{name}[{i}]", "must be a non-empty string")
        return tuple(value)

    def numbers(self, name: str, default: Sequence[float] | None = None) -> tuple[float, ...]:
        value = self._get(name, list, default is None)
        if value is None:
            assert default is not None
            return tuple(default)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int | float):
                raise self.fail(f"{name}[{i}]", "must be a number")
            out.append(float(item))
        return tuple(out)

    def integers(self, name: str, minimum: int | None = None) -> tuple[int, ...]:
        """A list of whole numbers, each at least ``minimum`` (absent: empty)."""
        value = self._get(name, list, False) or []
        for i, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, int):
                raise self.fail(f"{name}[{i}]", "must be a whole number")
            if minimum is not None and item < minimum:
                raise self.fail(f"{name}[{i}]", f"must be >= {minimum}; got {item}")
        return tuple(int(v) for v in value)

    def number_lists(self, name: str) -> tuple[tuple[float, ...], ...]:
        """A list of lists of numbers (absent: empty)."""
        value = self._get(name, list, False) or []
        out = []
        for i, row in enumerate(value):
            if not isinstance(row, list):
                raise self.fail(f"{name}[{i}]", "must be a list of numbers")
            numbers = []
            for j, item in enumerate(row):
                if isinstance(item, bool) or not isinstance(item, int | float):
                    raise self.fail(f"{name}[{i}][{j}]", "must be a number")
                numbers.append(float(item))
            out.append(tuple(numbers))
        return tuple(out)

    def sub(self, name: str, required: bool = False) -> TableReader:
        node = self.schema.keys.get(name)
        assert isinstance(node, Table), f"'{self.key(name)}' is not a table in the schema"
        value = self._get(name, dict, required)
        return TableReader(self.source, value or {}, node, f"{self.key(name)}.")

    def _items(self, name: str) -> list[tuple[str, dict[str, Any]]]:
        value = self._get(name, list, False) or []
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise self.fail(f"{name}[{i}]", "must be a table")
            items.append((f"{self.key(name)}[{i}].", item))
        return items

    def subs(self, name: str) -> list[TableReader]:
        node = self.schema.keys.get(name)
        assert isinstance(node, Tables), f"'{self.key(name)}' is not a list of tables"
        return [TableReader(self.source, t, node.item, p) for p, t in self._items(name)]

    def rules(self, name: str) -> list[tuple[str, TableReader]]:
        """The rule tables under ``name`` with their kind; an unknown kind is refused."""
        node = self.schema.keys.get(name)
        assert isinstance(node, RuleTables), f"'{self.key(name)}' is not a list of rules"
        out = []
        for prefix, item in self._items(name):
            kind = item.get("rule")
            if not isinstance(kind, str) or kind not in node.kinds:
                got = "nothing" if kind is None else repr(kind)
                raise ProtocolError(
                    self.source,
                    f"{prefix}rule",
                    f"must be one of {', '.join(node.kinds)}; got {got}",
                )
            out.append((kind, TableReader(self.source, item, node.kinds[kind], prefix)))
        return out


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "a table",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if set(kinds) == {int, float}:
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _range_words(low: float | None, high: float | None, *, strict: bool) -> str:
    """The allowed range in words, with only the bounds that exist ("must be more than 0")."""
    if low is not None and high is not None:
        return (
            f"must lie strictly between {low} and {high}"
            if strict
            else f"must lie in [{low}, {high}]"
        )
    if low is not None:
        return f"must be more than {low}" if strict else f"must be at least {low}"
    return f"must be less than {high}" if strict else f"must be at most {high}"
