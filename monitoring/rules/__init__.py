"""Interim decisions from counts: pure functions returning typed decisions."""
