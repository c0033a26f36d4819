"""The error raised for parameters or data that do not describe a dose-finding design."""

from __future__ import annotations

from monitoring.errors import InputError


class DoseFindingError(InputError, ValueError):
    """A design parameter out of range or per-dose data that cannot occur (the message
    names the value and the rule it broke)."""
