"""How good the recommend path's picks are: every benchmark target of a zoo in turn becomes a new dataset
(its records removed, its published distances and scores kept), is ranked by `recommend`, and the top k are
compared with its true fine-tuned accuracies."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.evaluate.averages import weighted_average
from tg_bench.evaluate.lodo import evaluate_methods
from tg_bench.recommend.new_dataset import NewDataset
from tg_bench.recommend.ranking import recommend
from tg_bench.task.method import HeldOutTarget, MethodFamily
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


@dataclass(frozen=True)
class RankedAsNewDataset(MethodFamily):
    """One method of the recommend path as a method family of the leave-one-dataset-out loop
    (`tg_bench.evaluate.lodo`): the held-out target becomes a new dataset (`as_new_dataset`) and `method` ranks
    the zoo's models for it with `recommend`, over `seeds`: the ranking averages its own seeds, as
    `tg-bench recommend` does, so the loop's seed (`task.seed`) is not used.

    Predictions: every ranked model with score -rank (shape (n_models,)), the best-ranked scoring highest.
    Ranks are distinct, so the top k of the loop's scoring are the ranking's first k among the target's
    ground-truth models.
    """

    name: str
    method: MethodFamily
    seeds: tuple[int, ...] = (0,)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,)

    def predictions(self, task: HeldOutTarget) -> Iterator[tuple[str, pd.DataFrame]]:
        reduced, new = as_new_dataset(task.zoo, task.target)
        ranking = recommend(reduced, new, self.method, task.protocol, self.seeds)
        yield self.name, pd.DataFrame({"model": ranking["model"], "score": -ranking["rank"].to_numpy(dtype=float)})

    def stage_seconds(self) -> dict[str, float]:
        return self.method.stage_seconds()


def leave_one_dataset_out(
    zoo: ZooData,
    methods: Mapping[str, MethodFamily],
    protocol: Protocol,
    seeds: Sequence[int] = (0,),
    ks: Sequence[int] = (1, 3, 5),
    progress: bool = True,
) -> pd.DataFrame:
    """rel@k and regret@k = 1 - rel@k per method and target, plus the weighted average over targets (weights
    max - mean accuracy; `weighted_average`, as the benchmark's). Returns columns `method`, `target`, `metric`,
    `value`: per method, its targets in the zoo's order (rel@k, regret@k for each k), then per method its
    averages.

    The benchmark's own loop (`evaluate_methods`) runs it, each method a `RankedAsNewDataset`; rel@k is its
    metric of the same name. regret@k is averaged as its own column (not 1 - the average rel@k), so each
    average is `weighted_average` of the rows above it.
    """
    families = [RankedAsNewDataset(name, family, tuple(seeds)) for name, family in methods.items()]
    targets = list(zoo.targets)
    # the seed only labels the loop's rows: each family ranks over `seeds` itself
    result = evaluate_methods(zoo, families, protocol, targets, seed=seeds[0], ks=ks, progress=progress)
    rel = result.metrics.set_index(["method", "target", "metric"])["value"]
    rows = []
    for name in methods:
        for target in targets:
            for k in ks:
                # no row: fewer than 2 of the target's models were ranked (`score_target`), NaN as unscored
                value = float(rel.get((name, target, f"rel@{k}"), math.nan))
                rows += [(name, target, f"rel@{k}", value), (name, target, f"regret@{k}", 1.0 - value)]
    table = pd.DataFrame(rows, columns=["method", "target", "metric", "value"])
    weights = result.weights.reindex(targets).to_numpy(dtype=float)
    averages = [
        (name, "average", metric, weighted_average(group["value"], weights))
        for (name, metric), group in table.groupby(["method", "metric"], sort=False)
    ]
    return pd.concat([table, pd.DataFrame(averages, columns=table.columns)], ignore_index=True)
