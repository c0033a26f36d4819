"""The one family of errors the user can fix: bad protocol files, data files and arguments.

Every error of this family carries a message that says what to change (file, row, column or
key where known). The command line maps exactly this family to exit status 2 with that one
line; any other exception is a bug and exits 1 with its traceback, so a defect is never
reported as bad input. Members: :class:`DataInputError` (data, database, requests about
them), ``monitoring.protocol.ProtocolError``, the design errors of ``monitoring.designs`` and
``monitoring.cli.common.CliError`` (arguments).
"""

from __future__ import annotations

from datetime import datetime


class InputError(Exception):
    """Input the user can correct; the message names the file, row, column or key."""


class DataInputError(InputError, ValueError):
    """Bad input about the data: unknown trial, bad URL, refused correction, a breakdown
    column the data lack, a look not reached yet, ... (also a ``ValueError``, as before)."""


class UnknownTrialError(DataInputError):
    """The trial named is not in the source (the message lists those that are)."""

    def __init__(self, trial_id: str, known: tuple[str, ...] | None = None) -> None:
        listed = "" if known is None else f" (registered: {', '.join(known) or 'none'})"
        super().__init__(f"no trial '{trial_id}' in the database{listed}")
        self.trial_id = trial_id


class NoDataYetError(DataInputError):
    """The trial is registered but holds no patient data (as known on the time asked for)."""

    def __init__(self, trial_id: str, as_known_on: datetime | None = None) -> None:
        from monitoring.awaiting_data import no_data_message  # the one wording (no cycle)

        known_on = None if as_known_on is None else as_known_on.isoformat(timespec="seconds")
        super().__init__(no_data_message(trial_id, known_on))
        self.trial_id = trial_id


class LookNotReachedError(DataInputError):
    """A look asked for (report, sign-off) that the data have not reached by the cut-off."""

    def __init__(self, look: int) -> None:
        super().__init__(f"the look at {look} evaluable patients is not reached yet")
        self.look = look
