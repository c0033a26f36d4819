"""Estimates of rates: intervals, the predictive probability of success, table proportions.

- ``rates``: a rate x/n with its Beta-posterior credible and Clopper-Pearson exact
  intervals, and the exact predictive probability that a Simon design ends in success.
- ``proportions``: the cells of a table over one denominator, each with those intervals,
  computed once per distinct count.
"""

from monitoring.estimates.proportions import ProportionMaker
from monitoring.estimates.rates import (
    BetaPrior,
    Interval,
    IntervalMethod,
    PredictiveProbability,
    RateEstimate,
    clopper_pearson,
    credible_interval,
    predictive_probability,
    rate_estimate,
)

__all__ = [
    "BetaPrior",
    "Interval",
    "IntervalMethod",
    "PredictiveProbability",
    "ProportionMaker",
    "RateEstimate",
    "clopper_pearson",
    "credible_interval",
    "predictive_probability",
    "rate_estimate",
]
