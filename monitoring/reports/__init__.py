"""Report documents: a format-neutral model and one writer per format (PDF, DOCX, XLSX)."""
