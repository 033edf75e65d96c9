"""Rankings that ignore the target entirely: by model size and by the model card's source accuracy
(docs/method.md section 13). Any method that reads the target has to beat them to be worth its cost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tg_bench.task.method import HeldOutTarget, Method


class ModelSize(Method):
    """Score = log of the model's parameter count (bigger first); NaN where the config has no count."""

    def __init__(self, name: str) -> None:
        self.name = name

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        models = task.zoo.models.set_index("model")
        counts = pd.to_numeric(models["n_parameters"], errors="coerce").astype(float)
        return np.log(counts.where(counts > 0))


class SourceAccuracy(Method):
    """Score = the accuracy the model card reports on the model's source dataset; NaN where none is published."""

    def __init__(self, name: str) -> None:
        self.name = name

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        models = task.zoo.models.set_index("model")
        return pd.to_numeric(models["source_accuracy"], errors="coerce").astype(float)
