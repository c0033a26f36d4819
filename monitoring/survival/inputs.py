"""Validation of survival inputs: one place that turns array-likes into clean numpy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ArrayLike = npt.ArrayLike
A = TypeVar("A", bound=np.ndarray[Any, Any])


def frozen(array: A) -> A:
    """Mark an array read-only so a frozen result cannot be changed through it."""
    array.setflags(write=False)
    return array


def time_event(time: ArrayLike, event: ArrayLike) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Times (finite, >= 0, days from the origin) and event indicators (0/1 or bool).

    Raises ValueError naming the argument and the rule it broke.
    """
    t = np.asarray(time, dtype=np.float64)
    e_raw = np.asarray(event)
    if t.ndim != 1 or e_raw.ndim != 1:
        raise ValueError("time and event must be one-dimensional")
    if t.shape != e_raw.shape:
        raise ValueError(f"time has {t.size} values but event has {e_raw.size}")
    if not np.all(np.isfinite(t)):
        raise ValueError("time must be finite (no NaN or infinity)")
    if t.size and t.min() < 0:
        raise ValueError("time must be >= 0 (days from the origin)")
    if e_raw.dtype != np.bool_:
        e_num = e_raw.astype(np.float64)
        if not np.all((e_num == 0) | (e_num == 1)):
            raise ValueError("event must be 0/1 or boolean (1 = event, 0 = censored)")
        return t, e_num == 1
    return t, e_raw


def conf_level(level: float) -> float:
    """A confidence level strictly between 0 and 1."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"conf_level {level} must lie strictly between 0 and 1")
    return float(level)


def conf_type_name(value: str, allowed: Sequence[str]) -> str:
    """A confidence-interval transform among ``allowed``, refused with the list otherwise."""
    if value not in allowed:
        raise ValueError(f"conf_type {value!r} must be one of {', '.join(allowed)}")
    return value


def groups(group: ArrayLike, n: int) -> tuple[tuple[str, ...], IntArray]:
    """Group labels sorted as R sorts factor levels of a vector, and each subject's code.

    Numbers sort numerically and whole floats are labelled as integers ("1", not "1.0", as
    a pandas column with missing values would give); missing values are refused.
    """
    g = np.asarray(group)
    if g.ndim != 1 or g.size != n:
        raise ValueError(f"group must be one-dimensional with {n} values")
    values: list[object] = g.tolist()
    if any(v is None or (isinstance(v, float) and v != v) for v in values):
        raise ValueError("group has missing values; drop or recode them first")
    levels, codes = np.unique(g, return_inverse=True)
    return tuple(_label(x) for x in levels.tolist()), codes.astype(np.int64)


def _label(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
