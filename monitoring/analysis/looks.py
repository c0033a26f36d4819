"""Which scheduled look a request names: the report of a look, a sign-off."""

from __future__ import annotations

from monitoring.errors import DataInputError, LookNotReachedError
from monitoring.status import ScheduledLook, TrialStatus


def resolve_look(status: TrialStatus, look: int | None) -> ScheduledLook | None:
    """The scheduled look at ``look`` evaluable patients, or the latest one reached.

    A look that is not scheduled, or not reached by the status' cut-off, is refused.
    """
    reached = [lk for lk in status.looks if lk.reached]
    if look is None:
        return reached[-1] if reached else None
    for candidate in status.looks:
        if candidate.evaluable == look:
            if not candidate.reached:
                raise LookNotReachedError(look)
            return candidate
    every = status.protocol.reporting.summary_every
    raise DataInputError(f"no scheduled look at {look} evaluable patients (looks every {every})")
