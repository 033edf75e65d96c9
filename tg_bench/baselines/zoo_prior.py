"""The zoo prior: how good a model was, on average, on the other datasets of the zoo."""

from __future__ import annotations

from typing import Literal

import pandas as pd
from scipy.special import logit

from tg_bench.errors import UserInputError
from tg_bench.task.history import training_records
from tg_bench.task.method import HeldOutTarget, Method

SCALES = ("min_max", "logit")
#: accuracies are clipped to [LOGIT_EPSILON, 1 - LOGIT_EPSILON] before the logit (a perfect or null run is finite)
LOGIT_EPSILON = 1e-3


def logit_scores(history: pd.DataFrame) -> pd.Series:
    """Each record's accuracy on a logit scale, z-scored within its dataset (a dataset whose records are all
    equal, or a single record, gives 0: the average). Rows of `history` (columns `dataset`, `accuracy`)."""
    logits = pd.Series(logit(history["accuracy"].clip(LOGIT_EPSILON, 1 - LOGIT_EPSILON)), index=history.index)
    grouped = logits.groupby(history["dataset"])
    spread = grouped.transform("std")
    centred = logits - grouped.transform("mean")
    return (centred / spread.where(spread > 0)).fillna(0.0)


class ZooPrior(Method):
    """Score = the model's mean normalised accuracy over the other datasets' training records
    (`tg_bench.task.history.training_records`); NaN for a model without records.

    scale: how a dataset's accuracies are put on one scale before the mean: `min_max` (the paper's
        normalisation to [0, 1] per dataset) or `logit` (`logit_scores`: z-scores of the logits, so that the
        differences near 100 % accuracy, where most of a zoo's models sit, are not squeezed and one poor run
        does not set a dataset's range).
    """

    def __init__(self, name: str, scale: Literal["min_max", "logit"] = "min_max") -> None:
        if scale not in SCALES:
            raise UserInputError(f"baseline {name}: scale must be one of {', '.join(SCALES)}, not {scale!r}")
        self.name, self.scale = name, scale

    def score_models(self, task: HeldOutTarget) -> pd.Series:
        history = training_records(task.zoo, task.target, task.protocol)
        values = history["normalised"] if self.scale == "min_max" else logit_scores(history)
        return values.groupby(history["model"]).mean()
