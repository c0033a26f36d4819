"""The marks of the canonical text of a row, shared by the data digest computed in memory
(``monitoring.provenance``) and in the database (``monitoring.db.digest``); docs/methods.md,
"Data digest"."""

LENGTH_MARK = ":"
"""Between a value's length and its text."""
MISSING = LENGTH_MARK
"""A missing value in the canonical form: no length, no text."""
LINE_END = "\n"
"""Ends every row's line."""
