"""The interface every ranking method implements, graph methods and baselines alike.

A researcher's own method is a `Method` subclass plus a config file whose `_target_` names it (README, "Your
own method").
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.task.ground_truth import candidate_models
from tg_bench.task.protocol import Protocol


@dataclass(frozen=True)
class HeldOutTarget:
    """One leave-one-dataset-out task: rank `zoo`'s models for `target` without its fine-tuning results.

    seed: the run's seed; every stochastic step of a method takes it.
    models: the models to rank when the target has no fine-tuning records at all (a new dataset,
        `tg_bench.recommend`); None (a benchmark target): the models its ground truth has.
    """

    zoo: ZooData
    target: str
    protocol: Protocol
    seed: int
    models: tuple[str, ...] | None = None

    def candidates(self) -> pd.DataFrame:
        """The rows to score: one column `model` (`models` when given, else
        `tg_bench.task.ground_truth.candidate_models`)."""
        if self.models is not None:
            return pd.DataFrame({"model": list(self.models)})
        return candidate_models(self.zoo, self.target, self.protocol)


class MethodFamily(abc.ABC):
    """What the leave-one-dataset-out loop runs: one or more named methods that predict a target together
    (TransferGraph's variants share each embedder's graph and embeddings per target)."""

    @property
    @abc.abstractmethod
    def names(self) -> tuple[str, ...]:
        """The methods' names in output tables, in the order `predictions` yields them."""

    @abc.abstractmethod
    def predictions(self, task: HeldOutTarget) -> Iterator[tuple[str, pd.DataFrame]]:
        """(name, predictions) per method: columns `model`, `score`, one row per candidate row."""

    def stage_seconds(self) -> dict[str, float]:
        """Wall seconds per pipeline stage (graph, embedding, ...) summed over the targets so far."""
        return {}

    #: whether its predictions depend on the run's seed (a deterministic method needs one seed, not five)
    stochastic: bool = False

    def scores_needed(self) -> tuple[str, ...]:
        """The transferability-score metrics (`ZooData.scores`' `metric`, e.g. LOG_ME) it reads on the held-out
        target itself: a run checks, before any work, that the zoo has them for every target it holds out."""
        return ()

    def distances_needed(self) -> bool:
        """Whether it reads the distances between the held-out target and other datasets (`ZooData.distances`):
        a run checks, before any work, that the zoo has a distance row for every target it holds out."""
        return False


class Method(MethodFamily):
    """One ranking method: scores every candidate model of a held-out target without looking at the target's
    fine-tuning results. Subclasses set `name` and implement `score_models`."""

    #: the name in output tables; the paper's names where the paper has the method
    name: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,)

    @abc.abstractmethod
    def score_models(self, task: HeldOutTarget) -> pd.Series:
        """Score per model (index: model name; higher = better; NaN for a model the method cannot score)."""

    def predict(self, task: HeldOutTarget) -> pd.DataFrame:
        """Predictions for the target's candidate rows: columns `model`, `score`, in candidate order."""
        candidates = task.candidates()
        scores = self.score_models(task)
        return candidates.assign(score=candidates["model"].map(scores).astype(float))

    def predictions(self, task: HeldOutTarget) -> Iterator[tuple[str, pd.DataFrame]]:
        yield self.name, self.predict(task)
