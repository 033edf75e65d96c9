"""The k-NN prior: the zoo prior restricted to, and weighted by, the datasets nearest to the target."""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.task.history import normalised_table, weighted_mean
from tg_bench.task.method import HeldOutTarget, Method

WEIGHTINGS = ("uniform", "exponential")


class KnnPrior(Method):
    """Score = a model's weighted mean normalised accuracy over the `k` training datasets nearest to the target
    in the zoo's distance matrix (all of them with `k=None`).

    weighting: `uniform` (each kept dataset counts the same: with `k=None` this is the zoo prior over the
        datasets that have a distance) or `exponential` (weight exp(-tau * d / d_max), d the dataset's distance
        to the target and d_max the target's largest distance to any other dataset of the matrix, so the scale
        is the target's own; tau = 4 makes a dataset that far count e^-4 = 1.8 % of an identical one).
    Each model's weights are renormalised over the datasets it has records on; a model with none there is NaN
    (filled by the protocol). Training datasets without a distance to the target are left out; when the target
    has no distance to any of them, every training dataset counts alike (the zoo prior), with a warning.
    Only the distance matrix and the other datasets' records are read, never the target's records.
    """

    def distances_needed(self) -> bool:
        return True  # the target's distance row weights the training datasets

    def __init__(
        self,
        name: str,
        k: int | None = None,
        weighting: Literal["uniform", "exponential"] = "exponential",
        tau: float = 4.0,
    ) -> None:
        if weighting not in WEIGHTINGS:
            raise UserInputError(
                f"baseline {name}: weighting must be one of {', '.join(WEIGHTINGS)}, not {weighting!r}"
            )
        if k is not None and (isinstance(k, bool) or int(k) != k or k < 1):
            raise UserInputError(f"baseline {name}: k must be a positive integer or null (every dataset), not {k!r}")
        if not np.isfinite(tau) or tau < 0:
            raise UserInputError(f"baseline {name}: tau must be a finite number >= 0, not {tau!r}")
        self.name, self.k, self.weighting, self.tau = name, None if k is None else int(k), weighting, float(tau)

    def dataset_weights(self, task: HeldOutTarget, datasets: pd.Index) -> pd.Series:
        """Weight of each training dataset in `datasets` (0 for those not kept), summing to 1."""
        distances = task.zoo.distances
        if task.target in distances.index:
            row = distances.loc[task.target].astype(float).drop(task.target, errors="ignore")
        else:
            row = pd.Series(dtype=float)
        known = row.reindex(datasets).dropna()
        if known.empty:
            warnings.warn(
                f"{self.name}: {task.target!r} has no distance to any training dataset; using the plain zoo prior",
                stacklevel=2,
            )
            return pd.Series(1.0 / len(datasets), index=datasets)
        # stable sort by distance, then name: ties are broken the same way on every run
        nearest = known.sort_index().sort_values(kind="stable")
        if self.k is not None:
            nearest = nearest.iloc[: self.k]
        if self.weighting == "uniform":
            weights = pd.Series(1.0, index=nearest.index)
        else:
            scale = float(row.max()) or 1.0
            weights = np.exp(-self.tau * nearest / scale)
        return (weights / weights.sum()).reindex(datasets, fill_value=0.0)

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        table = normalised_table(task.zoo, task.target, task.protocol)
        return weighted_mean(table, self.dataset_weights(task, table.columns))
