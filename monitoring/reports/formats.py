"""The report file formats: a module of its own, so that the command line can offer them
without loading the writers (about 0.3 s of imports a ``status`` does not need)."""

from __future__ import annotations

import enum


class ReportFormat(enum.Enum):
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
