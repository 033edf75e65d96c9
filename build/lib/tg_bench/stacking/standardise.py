"""Putting methods' scores on one scale so that they can be compared and blended."""

from __future__ import annotations

import numpy as np
import pandas as pd


def standardised(scores: pd.Series, models: pd.Index) -> pd.Series:
    """`scores` reindexed to `models` and z-scored over them (mean 0, standard deviation 1).

    A model without a finite score gets 0 (the average model); a constant or empty score gives 0 everywhere,
    so such a method adds nothing to a blend. Returns a float series indexed by `models`.
    """
    values = pd.to_numeric(scores.reindex(models), errors="coerce").astype(float)
    values = values.where(np.isfinite(values))
    spread = values.std()
    if values.notna().sum() < 2 or not np.isfinite(spread) or spread == 0:
        return pd.Series(0.0, index=models)
    return ((values - values.mean()) / spread).fillna(0.0)


def pearson_columns(blends: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of `blends` (n_models, n_blends) with `truth` (n_models,); -inf
    for a constant column."""
    centred = blends - blends.mean(axis=0)
    target = truth - truth.mean()
    norms = np.linalg.norm(centred, axis=0) * np.linalg.norm(target)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = centred.T @ target / norms
    return np.where(norms > 0, r, -np.inf)
