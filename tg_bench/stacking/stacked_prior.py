"""Stacking: a weighted blend of methods, its weights chosen leave-one-dataset-out inside the training datasets."""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
from collections.abc import Mapping
from functools import reduce

import numpy as np
import pandas as pd

from tg_bench.errors import UserInputError
from tg_bench.stacking.standardise import standardised
from tg_bench.task.history import normalised_table
from tg_bench.task.inner import inner_tasks, pearson_columns
from tg_bench.task.method import HeldOutTarget, Method

log = logging.getLogger(__name__)


def weight_grid(components: int, levels: int) -> np.ndarray:
    """Every blend of `components` methods with integer weights 0..`levels`, not all 0, one per direction
    ((1, 1) stands for (2, 2) too), in lexicographic order. Shape (n_blends, components), rows summing to 1."""
    rows = []
    for weights in itertools.product(range(levels + 1), repeat=components):
        if any(weights) and reduce(math.gcd, weights) == 1:
            rows.append(np.asarray(weights, dtype=float) / sum(weights))
    return np.asarray(rows)


def scale_pool(task: HeldOutTarget) -> pd.Index:
    """The models whose scores set each component's scale on `task`: every model with a training record on
    another dataset (under the protocol's rules), sorted, as `tg_bench.recommend` ranks. It depends on the other
    datasets' records only, never on which models were fine-tuned on the held-out target."""
    return pd.Index(normalised_table(task.zoo, task.target, task.protocol).index.astype(str))


class StackedPrior(Method):
    """Score = sum_j w_j z_j, z_j the scores of component method j z-scored over `scale_pool` (so a model's
    score does not depend on which other models the target has records for) and w the blend of
    `weight_grid(len(components), levels)` with the highest weighted-average Pearson correlation (weights:
    max - mean accuracy, as the benchmark's) over the inner tasks.

    Inner tasks: each benchmark target of the zoo other than the held-out one, held out in turn from a copy of
    the zoo that has none of the outer target's records, so the outer target's records reach neither the
    weights nor the components; the components score each inner target exactly as they score an outer one.
    components: name -> method, in blend order (the zoo prior, the k-NN prior, LogME, the guided prior).
    Deterministic when its components are; the weights chosen per target are logged and kept in `chosen`.
    """

    def __init__(self, name: str, components: Mapping[str, Method], levels: int = 4) -> None:
        if not components:
            raise UserInputError(f"baseline {name}: components is empty; name at least one method to blend")
        for key, component in components.items():
            if not isinstance(component, Method):
                raise UserInputError(f"baseline {name}: components.{key} is not a method (a config with _target_)")
        if isinstance(levels, bool) or int(levels) != levels or levels < 1:
            raise UserInputError(f"baseline {name}: levels must be a positive integer, not {levels!r}")
        self.name, self.components, self.levels = name, dict(components), int(levels)
        self.chosen: dict[str, dict[str, float]] = {}

    @property
    def stochastic(self) -> bool:
        return any(component.stochastic for component in self.components.values())

    def scores_needed(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for c in self.components.values() for m in c.scores_needed()))

    def distances_needed(self) -> bool:
        return any(component.distances_needed() for component in self.components.values())

    def standardised_components(self, task: HeldOutTarget, models: pd.Index) -> np.ndarray:
        """Component scores of `models` z-scored over `scale_pool(task)`, shape (len(models), n_components)."""
        pool = scale_pool(task)
        # the components score the pool and the asked models as a new dataset's given models: a component's
        # score of a model depends on that model alone, so adding the pool changes no asked model's score
        scored = dataclasses.replace(task, models=tuple(pool.union(models, sort=False)))
        return np.column_stack(
            [
                standardised(component.score_models(scored), models, reference=pool).to_numpy()
                for component in self.components.values()
            ]
        )

    def choose_weights(self, task: HeldOutTarget) -> np.ndarray:
        """The blend (n_components,) that ranks the inner tasks best; ties go to the first in grid order."""
        grid = weight_grid(len(self.components), self.levels)
        if len(self.components) == 1:
            return grid[0]
        total, weight_sum = np.zeros(len(grid)), 0.0
        for inner in inner_tasks(task):
            scores = self.standardised_components(inner.task, inner.models)
            total += inner.weight * np.nan_to_num(pearson_columns(scores @ grid.T, inner.accuracy), nan=-1.0)
            weight_sum += inner.weight
        if weight_sum == 0:
            raise UserInputError(
                f"baseline {self.name}: no other target of zoo '{task.zoo.name}' has ground truth to fit the "
                f"blend's weights for {task.target!r}"
            )
        return grid[int(np.argmax(total))]

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        weights = self.choose_weights(task)
        self.chosen[task.target] = dict(zip(self.components, weights.round(4).tolist(), strict=True))
        log.info("%s on %s: weights %s", self.name, task.target, self.chosen[task.target])
        models = pd.Index(task.candidates()["model"].unique())
        return pd.Series(self.standardised_components(task, models) @ weights, index=models)
