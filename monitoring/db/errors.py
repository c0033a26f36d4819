"""Errors of the data layer that the user can fix (exit status 2 at the command line)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


class DataInputError(ValueError):
    """Bad input to the data layer: unknown trial, bad URL, refused correction, ..."""


@contextmanager
def concurrent_change_refused() -> Iterator[None]:
    """Turn a uniqueness clash (two writers changing the same rows at once) into a clear error.

    The transaction is already rolled back when this is raised, so nothing was changed.
    """
    try:
        yield
    except sa.exc.IntegrityError as exc:
        raise DataInputError(
            "another change to the same rows was written at the same time; nothing was "
            "changed, run the command again"
        ) from exc
