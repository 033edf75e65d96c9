"""The nested k-NN prior: the k-NN prior with its k and temperature chosen per target on the other targets."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tg_bench.baselines.knn_prior import KnnPrior
from tg_bench.errors import UserInputError
from tg_bench.task.inner import inner_tasks, pearson_columns
from tg_bench.task.method import HeldOutTarget, Method

log = logging.getLogger(__name__)


class NestedKnnPrior(Method):
    """The k-NN prior (`tg_bench.baselines.knn_prior.KnnPrior`, exponential weighting) whose `k` and `tau` are
    chosen for each held-out target by an inner leave-one-dataset-out over the zoo's other targets
    (`tg_bench.task.inner`), the pair with the highest weighted-average Pearson there; ties go to the
    first pair of `ks` x `taus` in order. The outer target's records reach neither the choice nor the scores.

    ks: candidate numbers of nearest datasets (null: every dataset with a distance). taus: candidate
    temperatures (0: the datasets kept count alike). The pair chosen per target is logged and kept in `chosen`.
    """

    def distances_needed(self) -> bool:
        return True  # the target's distance row weights the training datasets

    def __init__(self, name: str, ks: Sequence[int | None], taus: Sequence[float]) -> None:
        if not ks or not taus:
            raise UserInputError(f"baseline {name}: ks and taus need at least one candidate each")
        self.name = name
        self.candidates = [
            KnnPrior(name, k=None if k is None else int(k), weighting="exponential", tau=float(tau))
            for k, tau in itertools.product(ks, taus)
        ]
        self.chosen: dict[str, tuple[int | None, float]] = {}

    def choose(self, task: HeldOutTarget) -> KnnPrior:
        """The candidate with the best weighted-average Pearson over the inner tasks of `task`."""
        total, weight_sum = np.zeros(len(self.candidates)), 0.0
        for inner in inner_tasks(task):
            scores = np.column_stack(
                [candidate.score_models(inner.task).reindex(inner.models).to_numpy() for candidate in self.candidates]
            )
            # a model a candidate cannot score (no record on a kept dataset) counts as the average
            scores = np.where(np.isfinite(scores), scores, np.nanmean(scores, axis=0, keepdims=True))
            total += inner.weight * np.nan_to_num(pearson_columns(scores, inner.accuracy), nan=-1.0, neginf=-1.0)
            weight_sum += inner.weight
        if weight_sum == 0:
            raise UserInputError(
                f"baseline {self.name}: no other target of zoo '{task.zoo.name}' has ground truth to choose k and "
                f"tau for {task.target!r}"
            )
        return self.candidates[int(np.argmax(total))]

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        best = self.choose(task)
        self.chosen[task.target] = (best.k, best.tau)
        log.info("%s on %s: k=%s, tau=%s", self.name, task.target, best.k, best.tau)
        return best.score_models(task)
