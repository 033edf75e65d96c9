"""A dataset outside the zoo, described by what a method can use: its distances to the zoo's datasets and,
optionally, transferability scores of the zoo's models on it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.data.tables import read_table
from tg_bench.data.zoo import ZooData, load_scores
from tg_bench.errors import UserInputError


@dataclass(frozen=True)
class NewDataset:
    """name: the dataset's name in the ranking (not a dataset of the zoo with records).
    distances: zoo dataset -> distance to the new dataset, on the scale of the zoo's distance matrix.
    scores: rows `metric` (LOG_ME, ...), `model`, `score` of transferability estimators on the new dataset
        (what `tg-bench score` writes), empty when none were computed.
    size: training examples; n_classes: classes. TransferGraph's feature table has both as dataset features
        (NaN, imputed by the regressor, when not given); the priors do not read them.
    """

    name: str
    distances: dict[str, float]
    scores: tuple[tuple[str, str, float], ...] = field(default=())
    size: float | None = None
    n_classes: float | None = None

    def __post_init__(self) -> None:
        for key in ("size", "n_classes"):
            value = getattr(self, key)
            if value is not None and not (np.isfinite(value) and value >= 1):
                raise UserInputError(f"dataset.{key} must be a number >= 1 (or null), not {value!r}")


def read_distances(distances_file: str | Path) -> dict[str, float]:
    """A CSV with columns `dataset`, `distance` (one row per zoo dataset measured against) as a dict."""
    path = Path(distances_file)
    table = read_table(path, required=["dataset", "distance"], numeric=["distance"])
    duplicated = sorted(set(table.loc[table["dataset"].duplicated(), "dataset"].astype(str)))
    if duplicated:
        raise UserInputError(f"dataset(s) listed twice: {', '.join(duplicated)}", path=path, column="dataset")
    if table["distance"].isna().any() or (table["distance"] < 0).any():
        raise UserInputError("every distance must be a number >= 0", path=path, column="distance")
    return dict(zip(table["dataset"].astype(str), table["distance"].astype(float), strict=True))


def read_scores(name: str, scores_file: str | Path) -> tuple[tuple[str, str, float], ...]:
    """The rows of a `transferability_score_records.csv` (published layout) whose `target_dataset` is `name`,
    as (metric, model, score)."""
    scores = load_scores(Path(scores_file))
    mine = scores[scores["target"] == name]
    if mine.empty:
        raise UserInputError(f"no score rows for {name!r}", path=scores_file, column="target_dataset")
    return tuple(zip(mine["metric"].astype(str), mine["model"].astype(str), mine["score"].astype(float), strict=True))


def with_new_dataset(zoo: ZooData, new: NewDataset, where: str | Path | None = None) -> ZooData:
    """`zoo` with `new` added as a dataset without records: a row and column in the distance matrix (its
    distances; NaN where none was given; 0 to itself) and its score rows. `where`: the file the distances
    came from, for error messages."""
    if new.name in set(zoo.records["dataset"]):
        raise UserInputError(
            f"{new.name!r} is a dataset of zoo '{zoo.name}' with fine-tuning records: evaluate it with "
            "`tg-bench run target=...`, or give the new dataset another name",
            path=where,
        )
    known = list(zoo.distances.index)
    unknown = sorted(set(new.distances) - set(known))
    if unknown:
        hints = [
            f"{name} (did you mean {close[0]}?)" if (close := difflib.get_close_matches(name, known, n=1)) else name
            for name in unknown
        ]
        raise UserInputError(
            f"dataset(s) not in zoo '{zoo.name}''s distance matrix: {', '.join(hints)}; its {len(known)} datasets "
            f"are the header of {zoo.files.get('distances', 'its distance file')}",
            path=where,
            column="dataset",
        )
    if not new.distances:
        raise UserInputError("no distances given: the new dataset must be placed among the zoo's datasets", path=where)
    row = pd.Series(new.distances, dtype=float).reindex(known)
    distances = zoo.distances.copy()
    distances[new.name] = row
    distances.loc[new.name] = pd.concat([row, pd.Series({new.name: 0.0})])
    added = pd.DataFrame(list(new.scores), columns=["metric", "model", "score"])
    added = added.assign(target=new.name)[["metric", "model", "target", "score"]].astype(
        {"metric": "string", "model": "string", "target": "string", "score": float}
    )
    scores = pd.concat([zoo.scores, added], ignore_index=True) if len(added) else zoo.scores
    features = zoo.dataset_features
    if new.size is not None or new.n_classes is not None:
        row = pd.DataFrame({"dataset": [new.name], "size": [new.size], "n_classes": [new.n_classes]})
        kept = features[features["dataset"] != new.name]
        features = pd.concat([kept, row.astype(kept.dtypes.to_dict())], ignore_index=True)
    return replace(zoo, distances=distances.astype(float), scores=scores, dataset_features=features)


def nearest_datasets(zoo: ZooData, name: str, with_records: set[str], count: int) -> list[str]:
    """The `count` datasets with records (`with_records`) nearest to `name` in the zoo's distance matrix,
    nearest first (ties by name)."""
    row = zoo.distances.loc[name].drop(name).astype(float)
    row = row[row.index.isin(with_records) & np.isfinite(row)]
    return list(row.sort_index().sort_values(kind="stable").index[:count])
