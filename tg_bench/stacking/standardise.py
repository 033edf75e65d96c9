"""Putting methods' scores on one scale so that they can be compared and blended."""

from __future__ import annotations

import numpy as np
import pandas as pd


def standardised(scores: pd.Series, models: pd.Index, reference: pd.Index | None = None) -> pd.Series:
    """`scores` reindexed to `models`, z-scored with the mean and standard deviation of the scores of
    `reference` (default: `models` themselves).

    A fixed `reference` makes a model's z-score independent of which other models are scored with it (the
    stacked prior: the held-out target's models must not set the scale). A model without a finite score gets
    0 (the average model); a constant or empty reference gives 0 everywhere, so such a method adds nothing to a
    blend. Returns a float series indexed by `models`.
    """

    def finite(index: pd.Index) -> pd.Series:
        values = pd.to_numeric(scores.reindex(index), errors="coerce").astype(float)
        return values.where(np.isfinite(values))

    values = finite(models)
    base = values if reference is None else finite(reference)
    spread = base.std()
    if base.notna().sum() < 2 or not np.isfinite(spread) or spread == 0:
        return pd.Series(0.0, index=models)
    return ((values - base.mean()) / spread).fillna(0.0)
