"""Laboratory values: CTCAE grading from the versioned table shipped with the package
(``monitoring/labs/ctcae_v5.toml``). The analyses (shift tables, hepatotoxicity, SOS/VOD
cases) are in ``monitoring.analyses.labs``."""

from monitoring.labs.ctcae import (
    CTCAE_TABLE,
    Criterion,
    CtcaeTable,
    ctcae_table,
    grade_values,
)

__all__ = ["CTCAE_TABLE", "Criterion", "CtcaeTable", "ctcae_table", "grade_values"]
