"""The interface every ranking method implements: graph methods and baselines alike."""

from __future__ import annotations

import abc

import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.ground_truth import candidate_models
from tg_bench.evaluate.protocol import Protocol


class Method(abc.ABC):
    """Scores every candidate model of a held-out target without looking at the target's fine-tuning results."""

    #: the name in output tables; the paper's names where the paper has the method
    name: str

    @abc.abstractmethod
    def score_models(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.Series:
        """Score per model (index: model name; NaN allowed for a model the method cannot score)."""

    def predict(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.DataFrame:
        """Predictions for the target's candidate rows: columns `model`, `score`, in candidate order."""
        candidates = candidate_models(zoo, target, protocol)
        scores = self.score_models(zoo, target, protocol, seed)
        return candidates.assign(score=candidates["model"].map(scores).astype(float))
