"""The ``km --json`` contract of SPEC 6.1 as a frozen dataclass (field names = JSON keys).

Serialise with ``monitoring.cli.common.to_jsonable``; values that do not exist (a median not
reached, an undefined confidence limit) are None, never NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from monitoring.survival.inputs import FloatArray
from monitoring.survival.kaplan_meier import KaplanMeierResult


@dataclass(frozen=True)
class KmJson:
    """Exactly the keys of SPEC 6.1 ``km --json``: rows are the fit's distinct times."""

    endpoint: str
    n: int
    events: int
    median: float | None
    median_ci: tuple[float | None, float | None]
    times: tuple[float, ...]
    survival: tuple[float | None, ...]
    ci_lower: tuple[float | None, ...]
    ci_upper: tuple[float | None, ...]
    at_risk: tuple[int, ...]


def _values(values: FloatArray) -> tuple[float | None, ...]:
    """Floats, None where the value does not exist (NaN) or is infinite."""
    return tuple(v if math.isfinite(v) else None for v in values.tolist())


def km_json(fit: KaplanMeierResult, endpoint: str) -> KmJson:
    """The contract for one endpoint from a fit (times ascending, right-continuous steps)."""
    return KmJson(
        endpoint=endpoint,
        n=fit.n,
        events=fit.events,
        median=fit.median.time,
        median_ci=(fit.median.lower, fit.median.upper),
        times=tuple(fit.time.tolist()),
        survival=_values(fit.survival),
        ci_lower=_values(fit.lower),
        ci_upper=_values(fit.upper),
        at_risk=tuple(fit.n_risk.tolist()),
    )
