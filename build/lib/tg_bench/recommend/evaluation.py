"""How good the recommend path's picks are: every benchmark target of a zoo in turn becomes a new dataset
(its records removed, its published distances and scores kept), is ranked by `recommend`, and the top k are
compared with its true fine-tuned accuracies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.metrics import rel_k
from tg_bench.recommend.new_dataset import NewDataset
from tg_bench.recommend.ranking import recommend
from tg_bench.task.ground_truth import ground_truth, target_weight
from tg_bench.task.method import MethodFamily
from tg_bench.task.protocol import Protocol


def as_new_dataset(zoo: ZooData, target: str) -> tuple[ZooData, NewDataset]:
    """`zoo` without any record of `target`, and `target` as a new dataset: its row of the published distance
    matrix, its published transferability scores, size and class count, what a user would compute or know for
    a dataset of their own."""
    on_target = zoo.scores["target"] == target
    without = replace(
        zoo.without_records_of(target),
        distances=zoo.distances.drop(index=target, columns=target),
        scores=zoo.scores[~on_target],
    )
    row = zoo.distances.loc[target].drop(target).dropna()
    scores = zoo.scores[on_target]
    rows = tuple(
        zip(scores["metric"].astype(str), scores["model"].astype(str), scores["score"].astype(float), strict=True)
    )
    features = zoo.dataset_features.drop_duplicates("dataset").set_index("dataset")
    size, n_classes = (
        (float(features.at[target, "size"]), float(features.at[target, "n_classes"]))
        if target in features.index
        else (None, None)
    )
    return without, NewDataset(target, {str(k): float(v) for k, v in row.items()}, rows, size, n_classes)


def relative_at_k(ranking: pd.DataFrame, truth: pd.DataFrame, ks: Sequence[int]) -> dict[int, float]:
    """rel@k (`evaluate.metrics.rel_k`) of the ranking's order, over the models present in both tables: the
    best true accuracy among the k best-ranked, over the best true accuracy of all."""
    joined = ranking[["rank", "model"]].merge(truth, on="model", how="inner")
    accuracy, order = joined["accuracy"].to_numpy(), -joined["rank"].to_numpy(dtype=float)
    return {k: rel_k(accuracy, order, k) for k in ks}


def leave_one_dataset_out(
    zoo: ZooData,
    methods: Mapping[str, MethodFamily],
    protocol: Protocol,
    seeds: Sequence[int] = (0,),
    ks: Sequence[int] = (1, 3, 5),
    progress: bool = True,
) -> pd.DataFrame:
    """rel@k and regret@k = 1 - rel@k per method and target, plus the weighted average over targets (weights
    max - mean accuracy, as the benchmark's). Returns columns `method`, `target`, `metric`, `value`."""
    rows = []
    steps = [(name, target) for name in methods for target in zoo.targets]
    for name, target in tqdm(steps, desc=f"recommend LODO {zoo.name}", disable=not progress):
        reduced, new = as_new_dataset(zoo, target)
        ranking = recommend(reduced, new, methods[name], protocol, seeds)
        truth = ground_truth(zoo, target, protocol)
        weight = target_weight(truth)
        for k, value in relative_at_k(ranking, truth, ks).items():
            rows += [
                (name, target, f"rel@{k}", value, weight),
                (name, target, f"regret@{k}", 1.0 - value, weight),
            ]
    table = pd.DataFrame(rows, columns=["method", "target", "metric", "value", "weight"])
    averages = (
        table.groupby(["method", "metric"], sort=False)
        .apply(lambda g: np.average(g["value"], weights=g["weight"]), include_groups=False)
        .rename("value")
        .reset_index()
        .assign(target="average")
    )
    return pd.concat([table.drop(columns="weight"), averages], ignore_index=True)[
        ["method", "target", "metric", "value"]
    ]
