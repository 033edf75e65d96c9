"""The guided prior: the zoo prior over the training datasets whose accuracies the target's transferability
scores resemble."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.stacking.standardise import standardised
from tg_bench.task.history import normalised_table, weighted_mean
from tg_bench.task.inner import pearson_columns
from tg_bench.task.method import HeldOutTarget, Method


class GuidedPrior(Method):
    """Score = a model's weighted mean normalised accuracy over the training datasets, each dataset weighted by
    max(0, r)^power, r the Pearson correlation over the zoo's models between the dataset's normalised
    accuracies and `guide`'s scores on the target (LogME, say).

    A transferability score is a noisy estimate of how the models rank on the target; a training dataset on
    which the models ranked the way the score says is taken as evidence of what fine-tuning on the target will
    look like, and its measured accuracies (not the noisy score) are what the method returns. `power` sharpens
    the weights towards the best-matching datasets (0: the zoo prior). Each model's weights are renormalised
    over the datasets it has records on. Reads `guide`'s scores on the target and the other datasets' records,
    never the target's records. When no dataset correlates positively, the zoo prior, with a warning.
    """

    def __init__(self, name: str, guide: Method, power: float = 4.0) -> None:
        if not isinstance(guide, Method):
            raise UserInputError(f"baseline {name}: guide must be a method (a config with _target_), not {guide!r}")
        if not np.isfinite(power) or power < 0:
            raise UserInputError(f"baseline {name}: power must be a finite number >= 0, not {power!r}")
        self.name, self.guide, self.power = name, guide, float(power)

    @property
    def stochastic(self) -> bool:
        return self.guide.stochastic

    def scores_needed(self) -> tuple[str, ...]:
        return self.guide.scores_needed()

    def distances_needed(self) -> bool:
        return self.guide.distances_needed()

    def dataset_weights(self, task: HeldOutTarget, table: pd.DataFrame) -> pd.Series:
        """Weight per column of `table` (models x training datasets, normalised accuracy), summing to 1."""
        guide = standardised(self.guide.score_models(task), table.index)
        columns = np.column_stack([standardised(table[dataset], table.index) for dataset in table.columns])
        correlation = pd.Series(pearson_columns(columns, guide.to_numpy()), index=table.columns)
        weights = correlation.replace(-np.inf, 0.0).clip(lower=0.0) ** self.power
        if not weights.sum() > 0:
            warnings.warn(
                f"{self.name}: no training dataset correlates with {self.guide.name} on {task.target!r}; "
                "using the plain zoo prior",
                stacklevel=2,
            )
            weights = pd.Series(1.0, index=table.columns)
        return weights / weights.sum()

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        table = normalised_table(task.zoo, task.target, task.protocol)
        return weighted_mean(table, self.dataset_weights(task, table))
