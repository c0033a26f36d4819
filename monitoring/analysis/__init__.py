"""The use-case layer: a trial source, a cut, and the analysis every front end asks.

``open_analysis(source, cut)`` reads one trial at one cut in one snapshot and derives it
once; the command line, the dashboard and the report writers are adapters over it.
"""

from monitoring.analysis.analysis import Analysis, open_analysis, status_of
from monitoring.analysis.cut import Cut
from monitoring.analysis.database import DatabaseSource
from monitoring.analysis.demo import DemoSource
from monitoring.analysis.source import TrialEntry, TrialSource
from monitoring.analysis.state import Reading, TrialState

__all__ = [
    "Analysis",
    "Cut",
    "DatabaseSource",
    "DemoSource",
    "Reading",
    "TrialEntry",
    "TrialSource",
    "TrialState",
    "open_analysis",
    "status_of",
]
