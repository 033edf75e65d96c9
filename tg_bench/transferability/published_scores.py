"""A transferability estimator's scores as stored in the zoo's `transferability_score_records.csv` (the
published LogME / Reg-H-Score rows, or rows `tg-bench score update_zoo=true` added)."""

from __future__ import annotations

import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.task.method import HeldOutTarget, Method
from tg_bench.transferability.estimators.registry import Estimator


class PublishedScore(Method):
    """Raw stored score of `estimator` (rows whose `metric` is `estimator.metric`) for each model on the target.

    name: the method's name in output tables (the paper's: `LogME`, `Reg-H-Score`).
    estimator: how the scores are computed from a model's outputs (`tg-bench score` runs it).
    Without `protocol.one_row_per_model` (the paper) the score rows are inner-joined with the candidate rows, so
    models without a score are left out and dtd's duplicated score rows stay duplicated (this reproduces the
    published baseline rows). With it, one score per model (duplicates averaged), and a model without a score
    is scored as the protocol fills non-finite scores.
    """

    def __init__(self, name: str, estimator: Estimator) -> None:
        self.name = name
        self.estimator = estimator

    def scores_needed(self) -> tuple[str, ...]:
        return (self.estimator.metric,)

    def _rows(self, task: HeldOutTarget) -> pd.DataFrame:
        scores = task.zoo.scores
        metric = self.estimator.metric
        if metric not in set(scores["metric"]):
            raise UserInputError(
                f"no scores for metric {metric!r} (available: {', '.join(sorted(set(scores['metric'])))}); "
                "compute them with `tg-bench score baseline=<name> update_zoo=true`",
                path=task.zoo.files.get("scores"),
                column="metric",
            )
        return scores.loc[(scores["metric"] == metric) & (scores["target"] == task.target), ["model", "score"]]

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        return self._rows(task).groupby("model")["score"].mean()

    def predict(self, task: HeldOutTarget) -> pd.DataFrame:
        if task.protocol.one_row_per_model:
            return super().predict(task)
        return task.candidates().merge(self._rows(task), on="model", how="inner")
