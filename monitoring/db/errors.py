"""Errors of the data layer that the user can fix (exit status 2 at the command line)."""

from __future__ import annotations


class DataInputError(ValueError):
    """Bad input to the data layer: unknown trial, bad URL, refused correction, ..."""
