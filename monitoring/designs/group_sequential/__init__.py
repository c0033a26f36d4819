"""Group-sequential designs with Lan–DeMets spending (see docs/methods.md)."""
