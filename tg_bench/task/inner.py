"""Inner leave-one-dataset-out tasks: choosing a method's settings on the training datasets alone, and the
Pearson correlation each candidate setting reaches on an inner task.

A method that tunes itself for a held-out target (the stacked prior's blend, the nested k-NN prior's k and
temperature) scores each of the zoo's other benchmark targets as if it were held out, from a copy of the zoo
that has none of the outer target's records, and keeps the settings with the best weighted-average Pearson
there; the outer target's records reach neither the choice nor the inner scores.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.task.ground_truth import ground_truth, target_weight
from tg_bench.task.method import HeldOutTarget

#: inner targets with fewer models with ground truth than this are skipped (a Pearson of 2 points is +-1)
MIN_INNER_MODELS = 3


@dataclass(frozen=True)
class InnerTask:
    """One inner target: its task, its ground truth (columns `model`, `accuracy`) and its benchmark weight."""

    task: HeldOutTarget
    truth: pd.DataFrame
    weight: float

    @property
    def models(self) -> pd.Index:
        return pd.Index(self.truth["model"])

    @property
    def accuracy(self) -> np.ndarray:
        """(n_models,) ground-truth accuracies in `models` order."""
        return self.truth["accuracy"].to_numpy()


def inner_tasks(task: HeldOutTarget) -> Iterator[InnerTask]:
    """Each benchmark target of `task.zoo` but `task.target`, held out from the zoo without any of the outer
    target's records, under the same protocol and seed; targets with too little ground truth are skipped."""
    inner_zoo = task.zoo.without_records_of(task.target)
    for inner in task.zoo.targets:
        if inner == task.target:
            continue
        truth = ground_truth(inner_zoo, inner, task.protocol)
        if len(truth) < MIN_INNER_MODELS:
            continue
        yield InnerTask(HeldOutTarget(inner_zoo, inner, task.protocol, task.seed), truth, target_weight(truth))


def pearson_columns(blends: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of `blends` (n_models, n_blends) with `truth` (n_models,); -inf
    for a constant column."""
    centred = blends - blends.mean(axis=0)
    target = truth - truth.mean()
    norms = np.linalg.norm(centred, axis=0) * np.linalg.norm(target)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = centred.T @ target / norms
    return np.where(norms > 0, r, -np.inf)
