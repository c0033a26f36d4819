"""Valid, unique worksheet names (Excel: at most 31 characters, none of []:*?/\\).

Excel also refuses a name that starts or ends with an apostrophe, compares names without
regard to case, and reserves "History".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MAX_LENGTH = 31
_INVALID = re.compile(r"[\[\]:*?/\\]")
_RESERVED = frozenset({"history"})


_BOUNDARY = " -"  # a name is cut after a word: before a space or a hyphen
_TRAILING = " -,;:.('"  # left off the end of a cut name


def _cut(name: str, limit: int) -> str:
    """``name`` in at most ``limit`` characters, cut at the end of a word ("Treatment
    received against", not "... against assi"); cut mid-word only when the last word
    boundary would keep less than half of ``limit``."""
    if len(name) <= limit:
        return name
    if name[limit] in _BOUNDARY:
        return name[:limit].rstrip(_TRAILING)
    at = max(name.rfind(c, 0, limit) for c in _BOUNDARY)
    if at < limit // 2:
        return name[:limit]
    return name[:at].rstrip(_TRAILING)


def clean_sheet_name(proposal: str, fallback: str = "Sheet") -> str:
    """``proposal`` with forbidden characters replaced by "-" and cut at a word to 31
    characters."""
    name = _cut(_INVALID.sub("-", " ".join(proposal.split())), MAX_LENGTH).strip().strip("'")
    return name or fallback


def unique_sheet_names(proposals: Sequence[str], taken: Iterable[str] = ()) -> tuple[str, ...]:
    """One valid name per proposal, unique (case-insensitive) among themselves and ``taken``."""
    used = {t.casefold() for t in taken} | _RESERVED
    names = []
    for number, proposal in enumerate(proposals, start=1):
        base = clean_sheet_name(proposal, fallback=f"Table {number}")
        name, copy = base, 1
        while name.casefold() in used:
            copy += 1
            suffix = f" ({copy})"
            name = _cut(base, MAX_LENGTH - len(suffix)).rstrip().strip("'") + suffix
        used.add(name.casefold())
        names.append(name)
    return tuple(names)
