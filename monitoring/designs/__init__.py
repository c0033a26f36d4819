"""Exact design mathematics: Simon two-stage and Bayesian toxicity monitoring."""
