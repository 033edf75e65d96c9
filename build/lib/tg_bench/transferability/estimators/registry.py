"""`Estimator`: one transferability estimator as a record (built from the `estimator` entry of a
`tg_bench/conf/baseline/*.yaml`), and `score`, which feeds it the model output it needs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from tg_bench.errors import UserInputError
from tg_bench.transferability.estimators.validation import check_source_probs

Needs = Literal["features", "source_probs", "source_labels"]


@dataclass(frozen=True)
class Estimator:
    """One transferability estimator.

    fn: called as fn(<input named by needs>, labels, ...) -> float (a config gives it as `_partial_: true`,
        with any option of the estimator beside it).
    needs: "features" (N, D) penultimate features; "source_probs" (N, C_s) probabilities of the model's own
        classification head; "source_labels" (N,) argmax of that head.
    metric: the `TransferabilityMethod.<metric>` member name that keys the estimator's rows in
        `transferability_score_records.csv` (`LOG_ME`, `REG_H_SCORE`, ...).
    paper: authors, year, venue and title.
    """

    fn: Callable[..., float]
    needs: Needs
    metric: str
    paper: str

    def __post_init__(self) -> None:
        if self.needs not in get_args(Needs):
            raise ValueError(f"needs must be one of {', '.join(get_args(Needs))}, got {self.needs!r}")
        if not callable(self.fn):
            raise TypeError(f"fn must be callable, got {type(self.fn).__name__}")

    @property
    def seeded(self) -> bool:
        """Whether fn takes a `seed` (it subsamples or initialises randomly)."""
        return "seed" in inspect.signature(self.fn).parameters

    @property
    def needs_head(self) -> bool:
        """Whether the model's own classification head is needed (LEEP, NCE)."""
        return self.needs != "features"


def score(
    estimator: Estimator,
    *,
    features: np.ndarray | None = None,
    source_probs: np.ndarray | None = None,
    labels: np.ndarray,
    seed: int = 0,
) -> float:
    """Score one model on one target with `estimator`; returns a float.

    features: (N, D) penultimate features; source_probs: (N, C_s) probabilities of the model's own head (NCE uses
    their argmax as source labels); labels: (N,) target labels. Only the input the estimator needs is required;
    a missing one raises UserInputError. `seed` reaches estimators that subsample or initialise randomly.
    """
    if estimator.needs == "features":
        if features is None:
            raise UserInputError(
                f"{estimator.metric} needs the model's penultimate features (an (N, D) array); none were given"
            )
        first = features
    else:
        if source_probs is None:
            raise UserInputError(
                f"{estimator.metric} needs the model's source-class probabilities; this model has no classification "
                "head (or its logits were not extracted before the head was replaced)"
            )
        first = source_probs
        if estimator.needs == "source_labels":
            first = np.argmax(check_source_probs(source_probs), axis=1)
    kwargs = {"seed": seed} if estimator.seeded else {}
    return float(estimator.fn(first, labels, **kwargs))
