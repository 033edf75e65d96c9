"""The zoo prior: how good a model was, on average, on the other datasets of the zoo."""

from __future__ import annotations

import pandas as pd

from tg_bench.data.zoo import ZooData, best_runs
from tg_bench.evaluate.protocol import Protocol
from tg_bench.method import Method


def normalised_history(zoo: ZooData, target: str, protocol: Protocol) -> pd.DataFrame:
    """Full fine-tuning records of every dataset but `target` and the zoo's excluded ones.

    Accuracy is min-max normalised per dataset.

    Clean protocol keeps one row per (model, dataset), the best run, and leaves out broken datasets.
    Returns columns `model`, `dataset`, `accuracy`, `normalised`.
    """
    records = zoo.full_records()
    records = records[(records["dataset"] != target) & ~records["dataset"].isin(zoo.spec.excluded_datasets)]
    if protocol.one_row_per_model:
        records = records[~records["dataset"].isin(zoo.broken_datasets())]
        records = best_runs(records, by=["model", "dataset"])
    by_dataset = records.groupby("dataset")["accuracy"]
    low, high = by_dataset.transform("min"), by_dataset.transform("max")
    span = (high - low).where(high > low)
    return records[["model", "dataset", "accuracy"]].assign(normalised=(records["accuracy"] - low) / span)


class ZooPrior(Method):
    """Score = the model's mean normalised accuracy over the other datasets' records (NaN when it has none)."""

    name = "zoo_prior"

    def score_models(self, zoo: ZooData, target: str, protocol: Protocol, seed: int) -> pd.Series:
        return normalised_history(zoo, target, protocol).groupby("model")["normalised"].mean()
