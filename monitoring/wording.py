"""Counts in words: "1 event", "2 events", "1 patient", "12 deaths".

The one helper that makes a number and its noun agree wherever a report, a listing title or
a note puts a count in a sentence (a plural that is not the noun plus "s" is given).
"""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``count`` and ``noun`` agreeing in number, thousands separated: "1 event",
    "1,204 events", "0 events"; ``plural`` when the plural is not ``noun + "s"``."""
    many = plural if plural is not None else f"{noun}s"
    return f"{count:,} {noun if count == 1 else many}"
