"""What a method may learn from for a held-out target: every other dataset's fine-tuning records, normalised.

The one definition shared by the graph, the regressor's training table and the zoo prior, so that they agree
on which records count and how accuracy is scaled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData, best_runs
from tg_bench.task.protocol import Protocol


def min_max(values: pd.Series) -> pd.Series:
    """Min-max scale to [0, 1]. A constant group (one record, or every model equally good) maps to 1: each of
    its members is the best one known there."""
    low, high = values.min(), values.max()
    if not np.isfinite(high - low) or high == low:
        return pd.Series(1.0, index=values.index)
    return (values - low) / (high - low)


def training_records(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """Full fine-tuning records of every dataset but the target and the zoo's excluded ones, with accuracy
    min-max normalised per dataset (`min_max`).

    `protocol.typed_models_only` keeps models with a `model_type`; `broken_datasets_dropped` leaves out the
    zoo's broken datasets; `one_row_per_model` keeps the best run per (model, dataset). Rows stay in file order.
    Returns the zoo's record columns (`row`, `model`, `dataset`, `accuracy`, `train_runtime`, ...) plus
    `normalised`, with a fresh 0..n-1 index.
    """
    records = zoo.full_records()
    records = records[(records["dataset"] != target) & ~records["dataset"].isin(zoo.spec.excluded_datasets)]
    if protocol.typed_models_only:
        records = records[records["model"].isin(zoo.typed_models())]
    if protocol.broken_datasets_dropped:
        records = records[~records["dataset"].isin(zoo.broken_datasets())]
    if protocol.one_row_per_model:
        records = best_runs(records, by=["model", "dataset"]).sort_values("row")
    normalised = records.groupby("dataset")["accuracy"].transform(min_max)
    return records.assign(normalised=normalised).reset_index(drop=True)


def normalised_table(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """`training_records` as a table: models (rows, sorted) x training datasets (columns, sorted), the mean
    `normalised` accuracy of a model's records there, NaN where it has none."""
    history = training_records(zoo, target, protocol)
    return history.pivot_table(index="model", columns="dataset", values="normalised", aggfunc="mean")


def weighted_mean(table: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Per model (row of `table`, models x datasets), the mean of its values weighted by `weights` (one per
    column), the weights renormalised over the datasets it has values on; NaN for a model with none there."""
    weighted = table.fillna(0.0).mul(weights, axis=1).sum(axis=1)
    total = table.notna().mul(weights, axis=1).sum(axis=1)
    return (weighted / total.where(total > 0)).astype(float)
