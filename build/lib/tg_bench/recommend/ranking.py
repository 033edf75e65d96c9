"""Ranking a zoo's models for a new dataset with one method, over seeds, with the evidence behind each pick."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.recommend.new_dataset import NewDataset, nearest_datasets, with_new_dataset
from tg_bench.task.history import normalised_table
from tg_bench.task.method import HeldOutTarget, MethodFamily
from tg_bench.task.protocol import Protocol

RANKING_COLUMNS = ["rank", "model", "score", "score_std", "nearest_records"]


def recommend(
    zoo: ZooData,
    new: NewDataset,
    method: MethodFamily,
    protocol: Protocol,
    seeds: Sequence[int] = (0,),
    nearest: int = 3,
    where: str | None = None,
    name: str | None = None,
) -> pd.DataFrame:
    """Rank every model of `zoo` with a fine-tuning record on another dataset (under `protocol`'s rules) for
    `new`, best first.

    `method` (a baseline, or a TransferGraph family: `new` joins its graph as a dataset node without accuracy
    edges) predicts the new dataset once per seed as a held-out target without records (`HeldOutTarget` with
    `models`); `name` picks one of the family's methods (default: its only one). `score` is the mean over seeds
    and `score_std` their spread (0 for a deterministic method; NaN with one seed). `nearest_records`: the
    model's normalised accuracy on the `nearest` datasets nearest to `new` (`dataset=value; ...`, `-` where it
    has no record), the evidence a prior-based pick rests on. Models the method cannot score (NaN in every
    seed) come last. Returns columns RANKING_COLUMNS, plus one column per transferability metric of `new.scores`.
    """
    if name is None:
        if len(method.names) != 1:
            raise UserInputError(f"choose one of the family's methods: {', '.join(method.names)}")
        name = method.names[0]
    elif name not in method.names:
        raise UserInputError(f"method {name!r} is not one of {', '.join(method.names)}")
    if not seeds:
        raise UserInputError("seeds: empty list; give at least one seed")
    augmented = with_new_dataset(zoo, new, where)
    normalised = normalised_table(augmented, new.name, protocol)
    models = [str(model) for model in normalised.index]
    runs = []
    for seed in seeds:
        task = HeldOutTarget(augmented, new.name, protocol, int(seed), models=tuple(models))
        predicted = dict(method.predictions(task))[name]
        by_model = predicted.groupby("model", sort=False)["score"].mean()
        scores = pd.to_numeric(by_model.reindex(models), errors="coerce").astype(float)
        runs.append(scores.where(np.isfinite(scores)))
    table = pd.concat(runs, axis=1)
    ranking = pd.DataFrame(
        {"model": models, "score": table.mean(axis=1).to_numpy(), "score_std": table.std(axis=1, ddof=1).to_numpy()}
    )
    ranking = ranking.sort_values(["score", "model"], ascending=[False, True], na_position="last", kind="stable")
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    close = nearest_datasets(augmented, new.name, set(normalised.columns), nearest)
    ranking["nearest_records"] = [
        "; ".join(f"{d}={normalised.at[m, d]:.2f}" if pd.notna(normalised.at[m, d]) else f"{d}=-" for d in close)
        for m in ranking["model"]
    ]
    if new.scores:
        estimated = pd.DataFrame(list(new.scores), columns=["metric", "model", "score"])
        by_metric = estimated.pivot_table(index="model", columns="metric", values="score", aggfunc="mean")
        for metric in by_metric.columns:
            ranking[metric] = ranking["model"].map(by_metric[metric])
    return ranking.reset_index(drop=True)
