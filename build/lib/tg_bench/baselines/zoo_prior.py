"""The zoo prior: how good a model was, on average, on the other datasets of the zoo."""

from __future__ import annotations

import pandas as pd

from tg_bench.task.history import training_records
from tg_bench.task.method import HeldOutTarget, Method


class ZooPrior(Method):
    """Score = the model's mean normalised accuracy over the other datasets' training records
    (`tg_bench.task.history.training_records`); NaN for a model without records."""

    def __init__(self, name: str) -> None:
        self.name = name

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        history = training_records(task.zoo, task.target, task.protocol)
        return history.groupby("model")["normalised"].mean()
