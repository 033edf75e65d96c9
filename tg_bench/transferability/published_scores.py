"""LogME and Reg-H-Score as published in `transferability_score_records.csv`."""

from __future__ import annotations

import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.evaluate.ground_truth import candidate_models
from tg_bench.evaluate.protocol import Protocol
from tg_bench.method import Method


class PublishedScore(Method):
    """Raw published score of `metric` (`LogME` or `Reg-H-Score`) for each model on the target.

    Paper protocol: the score rows are inner-joined with the candidate rows, so models without a score are left
    out and dtd's duplicated score rows stay duplicated (this reproduces the published baseline rows).
    Clean protocol: one score per model (duplicates averaged); a model without a score gets the median score.
    """

    def __init__(self, metric: str, name: str | None = None) -> None:
        self.metric = metric
        self.name = name or metric

    def _rows(self, zoo: ZooData, target: str) -> pd.DataFrame:
        scores = zoo.scores
        if self.metric not in set(scores["metric"]):
            raise UserInputError(
                f"no scores for metric {self.metric!r} (available: {', '.join(sorted(set(scores['metric'])))}); "
                "compute them with `tg-bench score baseline=<name> update_zoo=true`",
                path=zoo.files.get("scores"),
                column="metric",
            )
        return scores.loc[(scores["metric"] == self.metric) & (scores["target"] == target), ["model", "score"]]

    def score_models(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.Series:
        return self._rows(zoo, target).groupby("model")["score"].mean()

    def predict(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.DataFrame:
        if protocol.one_row_per_model:
            return super().predict(zoo, target, protocol, seed)
        candidates = candidate_models(zoo, target, protocol)
        return candidates.merge(self._rows(zoo, target), on="model", how="inner")
