"""Size limits of an import: checked before and while reading, so memory stays bounded.

A file larger than ``max_file_bytes`` is refused before it is opened (for a workbook: the
uncompressed size of its parts); a CSV record longer than ``max_row_bytes`` is refused as
soon as that many bytes are read; a cell longer than ``max_cell_chars`` is refused by
validation. ``MONITORING_IMPORT_MAX_MB`` changes the file limit (megabytes, 10^6 bytes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from monitoring.db.errors import DataInputError

MAX_MB_VARIABLE = "MONITORING_IMPORT_MAX_MB"
DEFAULT_MAX_MB = 100
MEGABYTE = 1_000_000


@dataclass(frozen=True)
class ImportLimits:
    """How much one import may read; see the module docstring."""

    max_file_bytes: int = DEFAULT_MAX_MB * MEGABYTE
    max_row_bytes: int = 1_000_000
    max_cell_chars: int = 10_000
    max_problems_per_file: int = 50

    @classmethod
    def from_environment(cls) -> ImportLimits:
        """Defaults, with the file limit from ``MONITORING_IMPORT_MAX_MB`` when it is set."""
        text = os.environ.get(MAX_MB_VARIABLE, "").strip()
        if not text:
            return cls()
        try:
            megabytes = float(text)
        except ValueError:
            megabytes = -1.0
        if not megabytes > 0:
            raise DataInputError(f"{MAX_MB_VARIABLE}='{text}' must be a positive number")
        return cls(max_file_bytes=int(megabytes * MEGABYTE))

    def file_size_problem(self, size: int) -> str | None:
        """The message refusing a file of ``size`` bytes, or ``None`` when it is allowed."""
        if size <= self.max_file_bytes:
            return None
        return (
            f"is {size / MEGABYTE:,.1f} MB; the limit is {self.max_file_bytes / MEGABYTE:,.0f} "
            f"MB per file (set {MAX_MB_VARIABLE} to change it)"
        )
