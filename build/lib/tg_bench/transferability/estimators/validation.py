"""Boundary checks shared by every estimator: shapes, finiteness, labels and probabilities.

Each check returns a clean float64 / int64 array or raises `UserInputError` with a message naming the problem,
so the estimators themselves never see NaN, ragged labels or a single class.
"""

from __future__ import annotations

import numpy as np

from tg_bench.errors import UserInputError

# Source probabilities come from a softmax stored in float32 by most extractors: rows drift from 1 by ~1e-6.
# Anything further off is not a probability vector (logits passed by mistake, a truncated head).
PROB_SUM_TOLERANCE = 1e-3


def check_features(features: object, *, name: str = "features") -> np.ndarray:
    """Features as a C-contiguous float64 array of shape (N, D), every value finite."""
    array = np.asarray(features)
    if array.ndim != 2:
        raise UserInputError(f"{name} must be a 2-D array (N samples, D dimensions); got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise UserInputError(f"{name} is empty: shape {array.shape}")
    if not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise UserInputError(f"{name} must be numeric; got dtype {array.dtype}")
    array = np.ascontiguousarray(array, dtype=np.float64)
    _check_finite_rows(array, name)
    return array


def _check_finite_rows(array: np.ndarray, name: str) -> None:
    # A row sum is finite iff every entry is, except for overflow; the exact per-entry test (an N x D boolean
    # temporary) only runs when the cheap test fails.
    if np.isfinite(array.sum(axis=1)).all():
        return
    bad_rows = ~np.isfinite(array).all(axis=1)
    n_bad = int(bad_rows.sum())
    if n_bad:
        first = np.flatnonzero(bad_rows)[:5].tolist()
        raise UserInputError(
            f"{name} has NaN or infinite values in {n_bad} of {array.shape[0]} rows (first rows: {first}); "
            "drop or re-extract those samples"
        )


def _class_indices(values: object, n_samples: int, name: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(classes (K,), inverse (N,) int64): `values` checked to be N finite `what` and mapped in sorted order."""
    array = np.asarray(values)
    if array.ndim != 1:
        raise UserInputError(f"{name} must be a 1-D array of N {what}; got shape {array.shape}")
    if array.shape[0] != n_samples:
        raise UserInputError(f"{name} has {array.shape[0]} entries but there are {n_samples} samples")
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise UserInputError(f"{name} has {int((~np.isfinite(array)).sum())} NaN or infinite entries")
    try:
        classes, inverse = np.unique(array, return_inverse=True)
    except TypeError as error:
        raise UserInputError(f"{name} cannot be sorted into classes (mixed types?): {error}") from error
    return classes, inverse.reshape(-1).astype(np.int64)


def check_labels(labels: object, n_samples: int, *, name: str = "labels") -> tuple[np.ndarray, int]:
    """Labels remapped to 0..C-1 (int64, shape (N,)) and the number of classes C (at least 2).

    Any hashable, sortable labels are accepted (strings, {3, 7, 9}); they are mapped in sorted order.
    """
    classes, inverse = _class_indices(labels, n_samples, name, "class labels")
    if classes.shape[0] < 2:
        raise UserInputError(
            f"{name} has a single class ({classes[0]!r}); a transferability score needs at least 2 classes"
        )
    return inverse, int(classes.shape[0])


def check_source_labels(source_labels: object, n_samples: int) -> tuple[np.ndarray, int]:
    """Source-class ids (argmax of the source head) remapped to 0..Z-1 and the number Z of distinct ones.

    Unlike target labels a single source class is allowed: it just carries no information about Y.
    """
    classes, inverse = _class_indices(source_labels, n_samples, "source_labels", "source-class ids")
    return inverse, int(classes.shape[0])


def check_source_probs(source_probs: object) -> np.ndarray:
    """Source-class probabilities as float64 (N, C_s): non-negative, rows renormalised to sum to exactly 1."""
    probs = check_features(source_probs, name="source_probs")
    n_negative = int((probs < 0).any(axis=1).sum())
    if n_negative:
        raise UserInputError(
            f"source_probs has negative entries in {n_negative} rows; pass softmax probabilities, not logits"
        )
    sums = probs.sum(axis=1)
    off = np.abs(sums - 1.0) > PROB_SUM_TOLERANCE
    if off.any():
        first = np.flatnonzero(off)[:5].tolist()
        raise UserInputError(
            f"source_probs rows must sum to 1; {int(off.sum())} of {probs.shape[0]} rows are off by more than "
            f"{PROB_SUM_TOLERANCE} (first rows: {first}, sums {np.round(sums[first], 4).tolist()}); "
            "pass softmax probabilities, not logits"
        )
    return probs / sums[:, None]


def check_features_labels(features: object, labels: object) -> tuple[np.ndarray, np.ndarray, int]:
    """`check_features` then `check_labels` against its N: (features, labels 0..C-1, C)."""
    array = check_features(features)
    classes, n_classes = check_labels(labels, array.shape[0])
    return array, classes, n_classes


def check_positive_int(value: object, name: str) -> int:
    """A strictly positive int parameter (PCA dimensions, sample caps)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise UserInputError(f"{name} must be a positive integer; got {value!r}")
    return int(value)
