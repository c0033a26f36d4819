"""Errors of the data layer that the user can fix (exit status 2 at the command line)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from monitoring.errors import DataInputError as DataInputError  # one of the input-error family


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
