"""Graph construction from a zoo with one target held out (docs/method.md section 3)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tg_bench.data.zoo import ZooData
from tg_bench.errors import UserInputError
from tg_bench.graph.zoo_graph import EdgeType, NodeKind, ZooGraph
from tg_bench.task.history import min_max, training_records
from tg_bench.task.protocol import Protocol

#: the score file's enum member of the scores behind transferability edges
LOGME_METRIC = "LOG_ME"


@dataclass(frozen=True)
class GraphConfig:
    """Which edges and node features the graph has (the `graph` config group).

    accuracy_edges: model -> fine-tune dataset edges from the records (normalised accuracy > positive_threshold).
    source_edges: model -> its source dataset, from the model-card accuracy.
    similarity_edges: dataset - dataset edges, weight = min-max normalised (1 - distance).
    transferability_edges: model -> dataset edges from the LogME z-score of the published scores.
    distance_threshold: keep similarity edges only between datasets at most this far apart (None: all pairs,
        as the authors' code, which ignores its own threshold).
    feature_dim: width of node features for the GNNs (classical MDS of the distance matrix for datasets,
        seeded uniform random vectors for models).
    """

    accuracy_edges: bool = True
    source_edges: bool = True
    similarity_edges: bool = True
    transferability_edges: bool = False
    positive_threshold: float = 0.5
    negative_threshold: float = 0.5
    distance_threshold: float | None = None
    feature_dim: int = 128

    @classmethod
    def from_config(cls, cfg) -> GraphConfig:
        if cfg is None:
            return cls()
        known = set(cls.__dataclass_fields__)
        values = {k: v for k, v in dict(cfg).items() if k != "name"}
        unknown = set(values) - known
        if unknown:
            raise UserInputError(
                f"graph: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
            )
        return cls(**values)

    def __post_init__(self) -> None:
        for key in ("positive_threshold", "negative_threshold"):
            value = getattr(self, key)
            if not 0.0 <= value <= 1.0:
                raise UserInputError(
                    f"graph.{key}: {value} lies outside [0, 1], the range of min-max normalised accuracy"
                )
        if self.negative_threshold > self.positive_threshold:
            raise UserInputError(
                f"graph.negative_threshold ({self.negative_threshold}) is above graph.positive_threshold "
                f"({self.positive_threshold}): a pair would be an edge and a known-poor pair at once"
            )
        if self.feature_dim < 1:
            raise UserInputError(f"graph.feature_dim must be >= 1, got {self.feature_dim}")


def source_records(zoo: ZooData) -> pd.DataFrame:
    """One row per model linking it to its source dataset; model-card accuracy (NaN -> column mean) normalised
    within each source dataset. Columns `model`, `dataset`, `normalised`."""
    models = zoo.models.dropna(subset=["source_dataset"])
    accuracy = models["source_accuracy"].fillna(zoo.models["source_accuracy"].mean())
    normalised = accuracy.groupby(models["source_dataset"]).transform(min_max)
    return pd.DataFrame({"model": models["model"], "dataset": models["source_dataset"], "normalised": normalised})


def classical_mds(distances: np.ndarray, dim: int) -> np.ndarray:
    """Classical (Torgerson) MDS: coordinates whose Euclidean distances match `distances` (n, n) best.

    Returns (n, dim) float32, zero-padded when dim exceeds the number of positive eigenvalues. Written here
    because scikit-learn only offers the iterative SMACOF variant, which is seed-dependent and slower.
    """
    n = distances.shape[0]
    centring = np.eye(n) - np.ones((n, n)) / n
    gram = -0.5 * centring @ (distances**2) @ centring
    eigenvalues, eigenvectors = np.linalg.eigh(gram)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    keep = min(dim, int((eigenvalues > 1e-12).sum()))
    coords = np.zeros((n, dim), dtype=np.float32)
    coords[:, :keep] = eigenvectors[:, :keep] * np.sqrt(eigenvalues[:keep])
    return coords


def logme_zscores(zoo: ZooData) -> pd.DataFrame:
    """LogME z-scored within each target. Columns `model`, `dataset`, `z`."""
    rows = zoo.scores[zoo.scores["metric"] == LOGME_METRIC]
    logme = rows.groupby(["model", "target"], as_index=False)["score"].mean()
    z = logme.groupby("target")["score"].transform(lambda s: (s - s.mean()) / (s.std(ddof=0) or 1.0))
    return pd.DataFrame({"model": logme["model"], "dataset": logme["target"], "z": z})


def build_graph(
    zoo: ZooData, target: str, protocol: Protocol, config: GraphConfig, *, directed: bool, seed: int = 0
) -> ZooGraph:
    """The zoo graph with the target's accuracy edges removed (the target stays as a node)."""
    train = training_records(zoo, target, protocol)
    sources = source_records(zoo) if config.source_edges else train.iloc[:0][["model", "dataset", "normalised"]]
    links = pd.concat([train[["model", "dataset", "normalised"]], sources], ignore_index=True)

    distance_names = list(zoo.distances.index)
    mentioned = set(train["dataset"]) | set(sources["dataset"]) | {target}
    datasets = [d for d in distance_names if d in mentioned]
    models = list(zoo.models["model"])
    names = tuple(models + datasets)
    index = {name: i for i, name in enumerate(names)}
    kinds = np.array([NodeKind.MODEL] * len(models) + [NodeKind.DATASET] * len(datasets), dtype=np.int8)

    links = links[links["dataset"].isin(index) & links["model"].isin(index)]
    sources_idx = links["model"].map(index).to_numpy()
    dest_idx = links["dataset"].map(index).to_numpy()
    weight = links["normalised"].to_numpy(dtype=float)
    positive = weight > config.positive_threshold
    negative = weight <= config.negative_threshold

    edges, weights, types = [], [], []
    if config.accuracy_edges:
        edges.append(np.stack([sources_idx[positive], dest_idx[positive]]))
        weights.append(weight[positive])
        types.append(np.full(int(positive.sum()), EdgeType.ACCURACY, dtype=np.int8))

    if config.similarity_edges and len(datasets) > 1:
        sub = zoo.distances.loc[datasets, datasets].to_numpy(dtype=float)
        upper_i, upper_j = np.triu_indices(len(datasets), k=1)
        distance = sub[upper_i, upper_j]
        similarity = 1.0 - distance
        # nan-aware: a new dataset (tg_bench.recommend) may lack distances to some datasets; a pair without a
        # distance gets no edge (NaN > 0 is False)
        low, high = np.nanmin(similarity), np.nanmax(similarity)
        span = high - low
        scaled = (similarity - low) / span if span > 0 else np.where(np.isnan(similarity), np.nan, 1.0)
        keep = scaled > 0  # the farthest pair gets weight 0: no edge
        if config.distance_threshold is not None:
            keep &= distance <= config.distance_threshold
        offset = len(models)
        edges.append(np.stack([upper_i[keep] + offset, upper_j[keep] + offset]))
        weights.append(scaled[keep])
        types.append(np.full(int(keep.sum()), EdgeType.SIMILARITY, dtype=np.int8))

    if config.transferability_edges:
        z = logme_zscores(zoo)
        z = z[z["dataset"].isin(index) & z["model"].isin(index) & (z["z"] > 0)]
        edges.append(np.stack([z["model"].map(index).to_numpy(), z["dataset"].map(index).to_numpy()]))
        weights.append(1.0 / (1.0 + np.exp(-z["z"].to_numpy(dtype=float))))
        types.append(np.full(len(z), EdgeType.TRANSFERABILITY, dtype=np.int8))

    if edges:
        edge_index = np.concatenate(edges, axis=1).astype(np.int64)
        edge_weight = np.concatenate(weights).astype(np.float64)
        edge_type = np.concatenate(types).astype(np.int8)
    else:
        edge_index, edge_weight, edge_type = np.zeros((2, 0), np.int64), np.zeros(0), np.zeros(0, np.int8)

    features = _node_features(zoo, datasets, len(models), config.feature_dim, seed)
    return ZooGraph(
        node_names=names,
        node_kind=kinds,
        edge_index=edge_index,
        edge_weight=edge_weight,
        edge_type=edge_type,
        negative_pairs=np.stack([sources_idx[negative], dest_idx[negative]]).astype(np.int64),
        node_features=features,
        directed=directed,
    )


def _node_features(zoo: ZooData, datasets: list[str], n_models: int, dim: int, seed: int) -> np.ndarray:
    """Datasets: classical MDS of the published distance matrix, scaled to unit max-norm (the 768-d embeddings
    the distances came from are not published). Models: seeded uniform random vectors, as the paper."""
    distances = zoo.distances.loc[datasets, datasets].to_numpy(dtype=float)
    # a pair without a distance (a new dataset measured against some datasets only) counts as the farthest pair
    distances = np.where(np.isnan(distances), np.nanmax(distances), distances)
    coords = classical_mds(distances, dim)
    scale = np.abs(coords).max() or 1.0
    rng = np.random.default_rng(seed)
    model_features = rng.random((n_models, dim), dtype=np.float32)
    return np.concatenate([model_features, coords / scale]).astype(np.float32)
