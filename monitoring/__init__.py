"""Interim monitoring of phase II oncology trials: designs, stopping rules, estimates, data."""

__version__ = "0.1.0"
