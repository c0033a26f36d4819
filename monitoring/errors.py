"""The one family of errors the user can fix: bad protocol files, data files and arguments.

Every error of this family carries a message that says what to change (file, row, column or
key where known). The command line maps exactly this family to exit status 2 with that one
line; any other exception is a bug and exits 1 with its traceback, so a defect is never
reported as bad input. Members: :class:`DataInputError` (data, database, requests about
them), ``monitoring.protocol.ProtocolError``, the design errors of ``monitoring.designs`` and
``monitoring.cli.common.CliError`` (arguments).
"""

from __future__ import annotations


class InputError(Exception):
    """Input the user can correct; the message names the file, row, column or key."""


class DataInputError(InputError, ValueError):
    """Bad input about the data: unknown trial, bad URL, refused correction, a breakdown
    column the data lack, a look not reached yet, ... (also a ``ValueError``, as before)."""
