"""Display series built from derivations: the data behind each dashboard and report chart.

Each module turns a :class:`~monitoring.derive.Derivation` (and the protocol) into a frozen
dataclass a chart in :mod:`monitoring.charts` draws, so pages and reports never compute.
"""

from monitoring.series.courses import CourseEvent, PatientCourse, SwimmerData, patient_courses
from monitoring.series.enrolment import EnrolmentSeries, enrolment_series
from monitoring.series.responders import ResponderPath, responder_path
from monitoring.series.survival import SurvivalCurve, SurvivalView, survival_view
from monitoring.series.toxicity import ToxicityLookPoint, ToxicityPath, toxicity_path

__all__ = [
    "CourseEvent",
    "EnrolmentSeries",
    "PatientCourse",
    "ResponderPath",
    "SurvivalCurve",
    "SurvivalView",
    "SwimmerData",
    "ToxicityLookPoint",
    "ToxicityPath",
    "enrolment_series",
    "patient_courses",
    "responder_path",
    "survival_view",
    "toxicity_path",
]
