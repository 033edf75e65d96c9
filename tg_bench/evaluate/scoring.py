"""Scoring a method's predictions on one target, and averaging over targets."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from tg_bench.evaluate.averages import weighted_average
from tg_bench.evaluate.metrics import DEFAULT_KS, compute_metrics
from tg_bench.task.protocol import Protocol

AVERAGE = "average"  # weighted by max - mean accuracy of each target, as the paper's `average` column
MEAN = "mean"  # plain mean over targets


def replace_non_finite(score: pd.Series, protocol: Protocol) -> pd.Series:
    """Make every score finite.

    `protocol.non_finite` "doubled": +inf -> 2 * max finite, -inf and NaN -> 2 * min finite (the authors' rule;
    note that 2 * min lands mid-range for positive scores). "clamped": +inf -> max finite, -inf -> min finite,
    and a model the method could not score (NaN) gets the median score, so that a missing score neither rewards
    nor sinks the method.
    """
    values = score.astype(float).to_numpy(copy=True)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return pd.Series(np.zeros_like(values), index=score.index)
    if protocol.non_finite == "doubled":
        high, low, missing = 2 * finite.max(), 2 * finite.min(), 2 * finite.min()
    else:
        high, low, missing = finite.max(), finite.min(), float(np.median(finite))
    values[np.isposinf(values)] = high
    values[np.isneginf(values)] = low
    values[np.isnan(values)] = missing
    return pd.Series(values, index=score.index)


def join_predictions(predictions: pd.DataFrame, truth: pd.DataFrame, protocol: Protocol) -> pd.DataFrame:
    """Align predictions (`model`, `score`) with ground truth (`model`, `accuracy`).

    `protocol.one_row_per_model`: one row per ground-truth model; a model the method did not score gets NaN,
    then `replace_non_finite`'s fill. Otherwise (the paper) an inner join on model, keeping duplicated
    prediction rows and the predictions' row order.
    Returns columns `model`, `score`, `accuracy`.
    """
    if protocol.one_row_per_model:
        per_model = predictions.groupby("model", sort=False)["score"].mean()
        joined = truth.assign(score=truth["model"].map(per_model))
    else:
        joined = predictions[["model", "score"]].merge(truth, on="model", how="inner")
    joined = joined[["model", "score", "accuracy"]].reset_index(drop=True)
    joined["score"] = replace_non_finite(joined["score"], protocol)
    return joined


def score_target(
    predictions: pd.DataFrame, truth: pd.DataFrame, protocol: Protocol, ks: Sequence[int] = DEFAULT_KS
) -> dict[str, float]:
    """All metrics of one method on one target."""
    joined = join_predictions(predictions, truth, protocol)
    if len(joined) < 2:
        return {}
    return compute_metrics(joined["accuracy"].to_numpy(), joined["score"].to_numpy(), ks)


def add_averages(metrics: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Append `average` (weighted) and `mean` (plain) rows per (method, metric, seed).

    metrics: long frame with columns `method`, `target`, `metric`, `value`, `seed`.
    weights: target -> weight (max - mean accuracy).
    Both are `weighted_average` (exact sums). A method missing a target (or NaN there) gets no average for that
    metric, as the paper drops such rows: a NaN average (`weighted_average`'s NaN rule) is dropped, not kept.
    """
    per_target = metrics[~metrics["target"].isin([AVERAGE, MEAN])]
    w = weights.to_numpy(dtype=float)
    rows = []
    for (method, metric, seed), group in per_target.groupby(["method", "metric", "seed"], sort=False):
        # a target the method has no row for is NaN here, and so is the average
        v = group.set_index("target")["value"].reindex(weights.index).to_numpy(dtype=float)
        weighted = weighted_average(v, w)
        if math.isnan(weighted):
            continue
        rows.append({"method": method, "target": AVERAGE, "metric": metric, "value": weighted, "seed": seed})
        rows.append({"method": method, "target": MEAN, "metric": metric, "value": weighted_average(v), "seed": seed})
    return pd.concat([per_target, pd.DataFrame(rows, columns=per_target.columns)], ignore_index=True)
