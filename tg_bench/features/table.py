"""Feature table of docs/method.md section 5, with the clean protocol's fixes of section 6."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.graph.zoo_graph import ZooGraph
from tg_bench.task.ground_truth import ground_truth, paper_target_records
from tg_bench.task.history import training_records
from tg_bench.task.protocol import Protocol

CATEGORICAL = ("architecture", "model_type", "source_dataset")


@dataclass(frozen=True)
class FeatureTables:
    """train: (n_train, n_features) features of other datasets' records; y: (n_train,) normalised accuracy.
    test: (n_test, n_features) features of the target's rows; test_models: (n_test,) model of each test row.
    """

    train: pd.DataFrame
    y: np.ndarray
    test: pd.DataFrame
    test_models: list[str]


def target_rows(zoo: ZooData, target: str, protocol: Protocol, models: Sequence[str] | None = None) -> pd.DataFrame:
    """The rows to predict: one row per ground-truth model under `protocol.one_row_per_model`; otherwise (the
    paper) the target's full records of typed models (with their `train_runtime`), in file order. `models`: a
    target without records (a new dataset, `HeldOutTarget.models`): one row per given model, no runtime."""
    if models is not None:
        return pd.DataFrame({"model": list(models), "dataset": target, "train_runtime": np.nan})
    if protocol.one_row_per_model:
        truth = ground_truth(zoo, target, protocol)
        return pd.DataFrame({"model": truth["model"], "dataset": target, "train_runtime": np.nan})
    return paper_target_records(zoo, target)[["model", "dataset", "train_runtime"]]


def source_distance(zoo: ZooData, rows: pd.DataFrame, sources: pd.Series) -> pd.Series:
    """distance(model's source dataset, row's dataset) / max of the source's distance row; NaN when unknown."""
    matrix = zoo.distances
    known = set(matrix.index)
    row_max = matrix.max(axis=1)
    values = [
        matrix.at[s, d] / row_max[s] if (s in known and d in known and row_max[s] > 0) else np.nan
        for s, d in zip(sources, rows["dataset"], strict=True)
    ]
    return pd.Series(values, index=rows.index, dtype=float)


def _rows_features(
    zoo: ZooData,
    rows: pd.DataFrame,
    protocol: Protocol,
    embeddings: np.ndarray | None,
    graph: ZooGraph | None,
) -> pd.DataFrame:
    models = zoo.models.set_index("model")
    features = zoo.corrected_features() if protocol.corrected_dataset_features else zoo.dataset_features
    features = features.drop_duplicates("dataset").set_index("dataset")
    frame = pd.DataFrame(index=rows.index)
    for column in CATEGORICAL:
        frame[column] = rows["model"].map(models[column])
    frame["source_accuracy"] = rows["model"].map(models["source_accuracy"])
    frame["n_parameters"] = rows["model"].map(models["n_parameters"])
    if protocol.train_runtime_feature:
        frame["train_runtime"] = rows["train_runtime"].to_numpy()
    frame["size"] = rows["dataset"].map(features["size"])
    frame["n_classes"] = rows["dataset"].map(features["n_classes"])
    distance = source_distance(zoo, rows, frame["source_dataset"])
    if protocol.unknown_distance == "zero":
        frame["distance"] = distance.fillna(0.0)  # the authors' fill: unknown source = "identical"
    else:
        frame["distance"] = distance
        frame["distance_missing"] = distance.isna().astype(float)
    if embeddings is not None and graph is not None:
        index = graph.node_index()
        dim = embeddings.shape[1]
        model_idx = rows["model"].map(index)
        dataset_idx = rows["dataset"].map(index)
        frame = pd.concat(
            [
                frame,
                _lookup(embeddings, model_idx, "m", dim, rows.index),
                _lookup(embeddings, dataset_idx, "d", dim, rows.index),
            ],
            axis=1,
        )
    # plain float64 columns: lookups through string-indexed frames come back as pyarrow doubles
    return frame.astype({c: "float64" for c in frame.columns if c not in CATEGORICAL})


def _lookup(embeddings: np.ndarray, idx: pd.Series, prefix: str, dim: int, index: pd.Index) -> pd.DataFrame:
    """Embedding rows for node indices; NaN rows for names that are not graph nodes."""
    out = np.full((len(idx), dim), np.nan, dtype=np.float32)
    present = idx.notna().to_numpy()
    out[present] = embeddings[idx[present].astype(int).to_numpy()]
    return pd.DataFrame(out, index=index, columns=[f"{prefix}{i}" for i in range(dim)])


def _encode_categories(train: pd.DataFrame, test: pd.DataFrame, zoo: ZooData, protocol: Protocol) -> None:
    """`per_split`: codes fitted separately on train and test (so the same model type gets different codes, the
    authors' bug). `zoo`: one encoding fitted on the zoo's model config."""
    for column in CATEGORICAL:
        if protocol.category_encoding == "per_split":
            train[column] = pd.Categorical(train[column]).codes.astype(float)
            test[column] = pd.Categorical(test[column]).codes.astype(float)
        else:
            categories = sorted(zoo.models[column].dropna().unique())
            for frame in (train, test):
                codes = pd.Categorical(frame[column], categories=categories).codes.astype(float)
                frame[column] = np.where(codes < 0, np.nan, codes)


def feature_tables(
    zoo: ZooData,
    target: str,
    protocol: Protocol,
    embeddings: np.ndarray | None = None,
    graph: ZooGraph | None = None,
    models: Sequence[str] | None = None,
) -> FeatureTables:
    """The regression's training rows (other datasets' records) and the target's rows to predict (`models`: see
    `target_rows`), with `embeddings` (n_nodes, dim) of `graph`'s nodes appended when given."""
    train_rows = training_records(zoo, target, protocol)
    test_rows = target_rows(zoo, target, protocol, models)
    train = _rows_features(zoo, train_rows, protocol, embeddings, graph)
    test = _rows_features(zoo, test_rows, protocol, embeddings, graph)
    _encode_categories(train, test, zoo, protocol)
    # a column no training row knows (a zoo without dataset sizes or distances, e.g. classic10) teaches nothing,
    # and scikit-learn's histogram binning fails on it; the two TransferGraph zoos have none
    unknown = [column for column in train.columns if train[column].isna().all()]
    train, test = train.drop(columns=unknown), test.drop(columns=unknown)
    return FeatureTables(
        train=train.reset_index(drop=True),
        y=train_rows["normalised"].to_numpy(dtype=float),
        test=test.reset_index(drop=True),
        test_models=list(test_rows["model"]),
    )
