"""End-to-end check that every graph embedder carries real model-dataset structure into the predictions.

Planted design. A synthetic zoo in the published text layout has 40 models and 8 fine-tune datasets split into two
planted communities A and B (20 models and 4 datasets each; membership alternates with the index, so names and
file order carry nothing). All models have identical metadata (architecture, model_type, source dataset,
model-card accuracy, parameter count) and all datasets identical features (size, classes) and the same distance
to the shared source dataset, so the metadata-only regressor has nothing to separate the models with. The
accuracy of model m on dataset d is 0.8 + noise when m and d share a community and 0.4 + noise otherwise (seeded
Gaussian noise, sd 0.03). The distance matrix puts datasets of one community close (about 0.1) and the two
communities far apart (about 1.0), so a held-out target keeps similarity edges to its own community.

The only route from a model to its accuracy on a held-out target is therefore the graph: the model's accuracy
edges to the other datasets of its community, and the target's similarity edges to those datasets. A graph
embedding that carries this structure lets the regressor rank the target's own community first (Pearson near 1).

Control: the same zoo with each dataset's accuracies permuted across models (seeded), which keeps every dataset's
accuracy distribution but destroys the model-dataset structure, so nothing can be learnt (Pearson near 0).

Each case runs the `clean` protocol with two leave-one-dataset-out targets (one per community) and averages the
per-target Pearson correlation of predicted scores with true accuracies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.evaluate.ground_truth import ground_truth
from tg_bench.evaluate.protocol import Protocol
from tg_bench.evaluate.scoring import score_target
from tg_bench.predict.transfergraph import TransferGraph

CONF = Path(__file__).resolve().parents[1] / "conf"
FOLDER = "sequence_classification"
DISTANCE_FILE = "corr_domain_similarity_planted.csv"
N_MODELS = 40
N_DATASETS = 8
SOURCE = "src"
MODELS = tuple(f"model_{i:02d}" for i in range(N_MODELS))
DATASETS = tuple(f"ds{i}" for i in range(N_DATASETS))
#: community of model i / dataset j: i % 2, j % 2 (A = 0, B = 1)
TARGETS = ("ds0", "ds1")  # ds0 in A, ds1 in B

PROTOCOL = Protocol("clean")
SEED = 0
PREDICTORS = {
    "rf": {"kind": "rf", "params": {"n_estimators": 100, "max_depth": 5, "max_features": "sqrt", "n_jobs": 1}}
}

#: small, fast training on the 49-node graph (the YAML defaults are sized for the published zoos)
FAST_PARAMS = {
    "node2vec": {"dim": 32, "epochs": 15},
    "node2vec_plus": {"dim": 32, "epochs": 15},
    "sage": {"hidden_channels": 32, "out_channels": 32, "epochs": 15, "steps_per_epoch": 4},
    "gat": {"hidden_channels": 32, "out_channels": 32, "epochs": 15, "steps_per_epoch": 4},
}
GRAPH_EMBEDDERS = tuple(FAST_PARAMS)

#: acceptance thresholds (mean Pearson over the two targets); see the module docstring
MIN_PLANTED = 0.6
MIN_GAP = 0.4
MAX_METADATA_ONLY = 0.3


def write_planted_zoo(root: Path, *, shuffled: bool = False, seed: int = 0) -> ZooSpec:
    """Write the planted two-community zoo (or its shuffled control) under `root` in the published layout."""
    rng = np.random.default_rng(seed)
    model_group = np.arange(N_MODELS) % 2
    dataset_group = np.arange(N_DATASETS) % 2
    same = model_group[:, None] == dataset_group[None, :]
    accuracy = np.where(same, 0.8, 0.4) + rng.normal(0.0, 0.03, size=same.shape)
    if shuffled:
        permute = np.random.default_rng(seed + 1)
        accuracy = np.stack([permute.permutation(accuracy[:, j]) for j in range(N_DATASETS)], axis=1)

    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    records = pd.DataFrame(
        {
            "model": np.repeat(MODELS, N_DATASETS),
            "finetuned_dataset": np.tile(DATASETS, N_MODELS),
            "eval_accuracy": accuracy.reshape(-1),
        }
    )
    records["peft_method"] = None
    records["train_runtime"] = 100.0
    records.to_csv(folder / "records.csv")
    pd.DataFrame(
        {
            "model": list(MODELS),
            "architectures": ["BertForSequenceClassification"] * N_MODELS,
            "number_of_labels": [2] * N_MODELS,
            "labels": ["['a', 'b']"] * N_MODELS,
            "model_type": ["bert"] * N_MODELS,
            "number_of_parameters": [1e8] * N_MODELS,
            "memory_consumption": [1] * N_MODELS,
            "dataset": [SOURCE] * N_MODELS,
            "accuracy": [0.9] * N_MODELS,
        }
    ).to_csv(folder / "model_config_dataset.csv")
    names = [*DATASETS, SOURCE]
    pd.DataFrame({"finetune_dataset": names, "size": 1000, "number_of_classes": 2}).to_csv(
        folder / "target_dataset_features.csv", index=False
    )
    pd.DataFrame(
        {
            "model": np.repeat(MODELS, N_DATASETS),
            "target_dataset": np.tile(DATASETS, N_MODELS),
            "metric": "TransferabilityMethod.LOG_ME",
            "score": 0.0,
        }
    ).to_csv(folder / "transferability_score_records.csv")
    group = np.append(dataset_group, -1)  # the source dataset is equally far from both communities
    n = len(names)
    base = np.where(group[:, None] == group[None, :], 0.1, 1.0)
    base[(group[:, None] == -1) | (group[None, :] == -1)] = 0.55
    # jitter everything but the cross-community pairs, which all tie at the largest distance: min-max scaling
    # maps them to similarity 0, which the graph builder drops, so similarity edges stay within a community
    jitter = np.random.default_rng(seed + 2).uniform(0.0, 0.05, size=(n, n)) * (base < 1.0)
    distance = base + np.triu(jitter, 1) + np.triu(jitter, 1).T
    np.fill_diagonal(distance, 0.0)
    pd.DataFrame(distance, index=names, columns=names).to_csv(folder / DISTANCE_FILE)
    return ZooSpec(
        name="text",
        folder=FOLDER,
        distance_file=DISTANCE_FILE,
        source_dataset_column="dataset",
        targets=TARGETS,
    )


def embedder_config(kind: str) -> dict:
    """The embedder's YAML defaults with the fast training parameters of this module."""
    cfg = yaml.safe_load((CONF / "embedder" / f"{kind}.yaml").read_text())
    cfg["params"] = {**(cfg.get("params") or {}), **FAST_PARAMS.get(kind, {})}
    return cfg


def mean_pearson(zoo: ZooData, kind: str, seed: int = SEED) -> tuple[float, list[float]]:
    """Mean over the zoo's targets of the Pearson correlation of one TransferGraph (kind, rf) variant."""
    (variant,) = TransferGraph(
        graph={"name": "paper"}, embedders={kind: embedder_config(kind)}, predictors=PREDICTORS
    ).variants()
    values = []
    for target in zoo.targets:
        predictions = variant.predict(zoo, target, PROTOCOL, seed)
        metrics = score_target(predictions, ground_truth(zoo, target, PROTOCOL), PROTOCOL)
        values.append(metrics["pearson"])
    return float(np.mean(values)), values


@pytest.fixture(scope="module")
def planted_zoo(tmp_path_factory: pytest.TempPathFactory) -> ZooData:
    root = tmp_path_factory.mktemp("planted")
    return load_zoo(write_planted_zoo(root), root)


@pytest.fixture(scope="module")
def shuffled_zoo(tmp_path_factory: pytest.TempPathFactory) -> ZooData:
    root = tmp_path_factory.mktemp("shuffled")
    return load_zoo(write_planted_zoo(root, shuffled=True), root)


def test_planted_zoo_has_the_planted_structure(planted_zoo: ZooData, shuffled_zoo: ZooData) -> None:
    """The fixture itself: identical metadata, and the structure present in the planted zoo only."""
    assert planted_zoo.models.drop(columns="model").nunique().max() == 1
    for zoo, expected in ((planted_zoo, True), (shuffled_zoo, False)):
        for target in TARGETS:
            truth = ground_truth(zoo, target, PROTOCOL)
            group = truth["model"].str[-2:].astype(int) % 2
            own = int(target[-1]) % 2
            gap = truth.loc[group == own, "accuracy"].mean() - truth.loc[group != own, "accuracy"].mean()
            assert bool(gap > 0.3) is expected, (target, gap)


@pytest.mark.parametrize("kind", GRAPH_EMBEDDERS)
def test_embedder_recovers_planted_structure(kind: str, planted_zoo: ZooData, shuffled_zoo: ZooData) -> None:
    planted, planted_per_target = mean_pearson(planted_zoo, kind)
    control, control_per_target = mean_pearson(shuffled_zoo, kind)
    detail = f"{kind}: planted {planted_per_target} (mean {planted:.3f}), control {control_per_target}"
    assert planted > MIN_PLANTED, detail
    assert planted - control > MIN_GAP, detail


def test_metadata_only_cannot_recover_planted_structure(planted_zoo: ZooData) -> None:
    """With identical metadata every target row has the same features, so predictions are constant and Pearson is
    NaN (a constant score has no correlation); anything else must at least not look like structure."""
    _, per_target = mean_pearson(planted_zoo, "none")
    for value in per_target:
        assert np.isnan(value) or value <= MAX_METADATA_ONLY, per_target
    assert all(np.isnan(value) for value in per_target), per_target
