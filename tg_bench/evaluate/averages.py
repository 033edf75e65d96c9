"""The one average over targets: weighted (the paper's `average`, weights max - mean accuracy) or plain.

Every average over targets in the package (a run's `average` and `mean` rows, the aggregated tables, the
recommend path's evaluation) is this function, so they agree to the last bit and share one NaN rule.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike


def weighted_average(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    """sum(values * weights) / sum(weights); with `weights` None the plain mean, sum(values) / len(values).

    values, weights: 1-d, same length (one entry per target; weights max - mean ground-truth accuracy).
    NaN rule: NaN in any value or weight, no values, or weights summing to 0 give NaN; the caller decides what
    a NaN average means (`add_averages` drops the row, the aggregated tables keep it as NaN).
    Sums are exact (`math.fsum`: the correctly rounded sum), so the result does not depend on the order a BLAS
    dot product or a SIMD reduction adds in, which differs between CPUs (numerics=portable). Infinities follow
    IEEE arithmetic (+inf with -inf gives NaN).
    """
    v = np.asarray(values, dtype=float)
    if v.ndim != 1:
        raise ValueError(f"values must be 1-d, got shape {v.shape}")
    if v.size == 0 or np.isnan(v).any():
        return math.nan
    if weights is None:
        return _exact_sum(v) / v.size
    w = np.asarray(weights, dtype=float)
    if w.shape != v.shape:
        raise ValueError(f"values and weights differ in shape: {v.shape} and {w.shape}")
    if np.isnan(w).any():
        return math.nan
    total = _exact_sum(w)
    if total == 0:
        return math.nan
    return _exact_sum(v * w) / total


def _exact_sum(x: np.ndarray) -> float:
    """`math.fsum` of `x`; where fsum raises instead (+inf with -inf, an intermediate overflow) numpy's IEEE
    sum, NaN or +-inf, so that a degenerate average is a value the caller can test, not an exception."""
    try:
        return math.fsum(x)
    except (ValueError, OverflowError):
        with np.errstate(invalid="ignore", over="ignore"):  # the NaN or inf is the answer, not a mishap
            return float(np.sum(x))
