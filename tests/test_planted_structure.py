"""End-to-end check that every graph embedder carries real model-dataset structure into the predictions.

Planted design. A synthetic zoo in the published text layout has 40 models and 8 fine-tune datasets split into two
planted communities A and B (20 models and 4 datasets each; membership alternates with the index, so names and
file order carry nothing). All models have identical metadata (architecture, model_type, source dataset,
model-card accuracy, parameter count) and all datasets identical features (size, classes) and the same distance
to the shared source dataset, so the metadata-only regressor has nothing to tell the models apart with. The
accuracy of model m on dataset d is 0.8 + noise when m and d share a community and 0.4 + noise otherwise (seeded
Gaussian noise, sd 0.03). In the distance matrix datasets of one community are close (0.10-0.15) and every
cross-community pair ties at the largest distance (1.0), which min-max scaling turns into similarity 0, and the
graph builder drops: a held-out target keeps similarity edges to its own community only. (With jittered
cross-community distances every pair gets an edge and uniform node2vec walks, which ignore weights, cannot see
the target's community at all: planted Pearson then comes out near -0.9 for node2vec, see below.)

The only route from a model to its accuracy on a held-out target is therefore the graph: the model's accuracy
edges to the other datasets of its community, and the target's similarity edges to those datasets. An embedding
that carries this structure lets the regressor rank the target's own community first (Pearson near +1).

Reading the numbers: an embedding that says nothing about the target leaves the regressor with each model's
mean over the training datasets, and leaving one target out makes that mean anti-correlated with the target's
accuracy (the target's community has one good training dataset fewer), so "no information" shows up as a
strongly negative Pearson, not 0.

Control: the same zoo with each dataset's accuracies permuted across models (seeded), which keeps every dataset's
accuracy distribution but destroys the model-dataset structure (Pearson around -0.2 for this permutation: the
chance correlation of the target's accuracies with the models' means over the other datasets).

Each case runs the `clean` protocol with two leave-one-dataset-out targets (one per community) for three
pipeline seeds, and checks the mean and the worst (seed, target) Pearson of predicted scores with true accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import baseline, embedder, load_protocol, predictor, write_zoo, zoo_spec

from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.evaluate.lodo import evaluate_methods
from tg_bench.evaluate.scoring import score_target
from tg_bench.graph.build import GraphConfig
from tg_bench.predict.transfergraph import TransferGraph
from tg_bench.task.ground_truth import ground_truth
from tg_bench.task.method import HeldOutTarget

DISTANCE_FILE = "corr_domain_similarity_planted.csv"
N_MODELS = 40
N_DATASETS = 8
SOURCE = "src"
MODELS = tuple(f"model_{i:02d}" for i in range(N_MODELS))
DATASETS = tuple(f"ds{i}" for i in range(N_DATASETS))
#: community of model i / dataset j: i % 2, j % 2 (A = 0, B = 1)
TARGETS = ("ds0", "ds1")  # ds0 in A, ds1 in B

PROTOCOL = "clean"
#: pipeline seeds (graph features, embedder, regressor); averaging over three keeps the verdict off a seed lottery
SEEDS = (0, 1, 2)

#: overrides of the YAML defaults. node2vec keeps its defaults: on this 49-node graph one batch of 64 start
#: nodes is the whole graph, so an epoch is a single optimiser step and a fit takes about half a second; cut to
#: 15-30 epochs it is under-trained and the planted Pearson swings between -0.95 and +0.8 with the seed. The
#: GNNs get a small budget (60 full-batch steps instead of 1000, 32 dimensions), about 0.3 s a fit.
EMBEDDER_PARAMS: dict[str, dict] = {
    "node2vec": {},
    "node2vec_plus": {},
    "sage": {
        "encoder.hidden_channels": 32,
        "encoder.out_channels": 32,
        "settings.epochs": 15,
        "settings.steps_per_epoch": 4,
    },
    "gat": {
        "encoder.hidden_channels": 32,
        "encoder.out_channels": 32,
        "settings.epochs": 15,
        "settings.steps_per_epoch": 4,
    },
}

#: embedders that do not pass yet; strict, so a fix shows up as XPASS and the marker must go. Empty since the
#: clean protocol's GNN switches (`inductive_datasets`, `normalize` in tg_bench.embed.link_settings): trained on
#: the full graph, the held-out target (similarity edges only) came out at half the training datasets' norm and
#: some (seed, target) pairs were inverted (Pearson about -0.7 .. -1).
KNOWN_FAILURES: dict[str, str] = {}

#: acceptance thresholds on Pearson: mean over seeds x targets, planted minus control, and every single
#: (seed, target) of the planted zoo (an inverted target is a failure even when the others average it away)
MIN_PLANTED = 0.8
MIN_GAP = 0.5
MIN_EACH = 0.3
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

    records = pd.DataFrame(
        {
            "model": np.repeat(MODELS, N_DATASETS),
            "finetuned_dataset": np.tile(DATASETS, N_MODELS),
            "eval_accuracy": accuracy.reshape(-1),
        }
    )
    records["peft_method"] = None
    records["train_runtime"] = 100.0
    names = [*DATASETS, SOURCE]
    group = np.append(dataset_group, -1)  # the source dataset is equally far from both communities
    n = len(names)
    base = np.where(group[:, None] == group[None, :], 0.1, 1.0)
    base[(group[:, None] == -1) | (group[None, :] == -1)] = 0.55
    # jitter everything but the cross-community pairs, which all tie at the largest distance: min-max scaling
    # maps them to similarity 0, which the graph builder drops, so similarity edges stay within a community
    jitter = np.random.default_rng(seed + 2).uniform(0.0, 0.05, size=(n, n)) * (base < 1.0)
    distance = base + np.triu(jitter, 1) + np.triu(jitter, 1).T
    np.fill_diagonal(distance, 0.0)
    return write_zoo(
        root,
        zoo_spec("text", distance_file=DISTANCE_FILE, targets=TARGETS, excluded_datasets=()),
        records=records,
        models=pd.DataFrame(
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
        ),
        features=pd.DataFrame({"finetune_dataset": names, "size": 1000, "number_of_classes": 2}),
        scores=pd.DataFrame(
            {
                "model": np.repeat(MODELS, N_DATASETS),
                "target_dataset": np.tile(DATASETS, N_MODELS),
                "metric": "TransferabilityMethod.LOG_ME",
                "score": 0.0,
            }
        ),
        distances=pd.DataFrame(distance, index=names, columns=names),
    )


def pearsons(zoo: ZooData, kind: str, seeds: tuple[int, ...] = SEEDS) -> np.ndarray:
    """Pearson correlation of the TransferGraph (kind, rf) variant per (seed, target): shape (seeds, targets)."""
    protocol = load_protocol(PROTOCOL)
    values = np.full((len(seeds), len(zoo.targets)), np.nan)
    for i, seed in enumerate(seeds):
        method = TransferGraph(
            "paper", GraphConfig(), {kind: embedder(kind, PROTOCOL, **EMBEDDER_PARAMS.get(kind, {}))},
            {"rf": predictor("rf")},
        )  # fmt: skip
        for j, target in enumerate(zoo.targets):
            ((_, predictions),) = method.predictions(HeldOutTarget(zoo, target, protocol, seed))
            truth = ground_truth(zoo, target, protocol)
            values[i, j] = score_target(predictions, truth, protocol)["pearson"]
    return values


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
            truth = ground_truth(zoo, target, load_protocol(PROTOCOL))
            group = truth["model"].str[-2:].astype(int) % 2
            own = int(target[-1]) % 2
            gap = truth.loc[group == own, "accuracy"].mean() - truth.loc[group != own, "accuracy"].mean()
            assert bool(gap > 0.3) is expected, (target, gap)


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(kind, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[kind]))
        if kind in KNOWN_FAILURES
        else kind
        for kind in EMBEDDER_PARAMS
    ],
)
def test_embedder_recovers_planted_structure(kind: str, planted_zoo: ZooData, shuffled_zoo: ZooData) -> None:
    planted = pearsons(planted_zoo, kind)
    control = pearsons(shuffled_zoo, kind)
    detail = (
        f"{kind}: planted mean {planted.mean():+.3f} per (seed, target) {np.round(planted, 2).tolist()}; "
        f"control mean {control.mean():+.3f} {np.round(control, 2).tolist()}"
    )
    assert planted.mean() > MIN_PLANTED, detail
    assert planted.mean() - control.mean() > MIN_GAP, detail
    assert planted.min() > MIN_EACH, detail


def test_metadata_only_cannot_recover_planted_structure(planted_zoo: ZooData) -> None:
    """With identical metadata every target row has the same features, so predictions are constant and Pearson is
    NaN (a constant score has no correlation); anything else must at least not look like structure."""
    values = pearsons(planted_zoo, "none", seeds=(0,))
    assert not np.any(values > MAX_METADATA_ONLY), values
    assert np.isnan(values).all(), values


@pytest.mark.parametrize("numerics", ["portable", "native"])
def test_worker_processes_give_byte_identical_results(planted_zoo: ZooData, numerics: str) -> None:
    """The same config and seed give the same metrics and predictions with targets in worker processes
    (`n_jobs=2`) as with `n_jobs=1`, down to the last bit, in both numerics modes: targets are independent and
    seeded, and every worker of a mode starts with the same threads (and, portable, the same pinned kernels).
    Under `portable` this process is not pinned, so even `n_jobs=1` computes in a (pinned) worker."""
    dtype = "float64" if numerics == "portable" else "float32"
    small = {
        "encoder.hidden_channels": 16,
        "encoder.out_channels": 16,
        "settings.epochs": 3,
        "settings.steps_per_epoch": 2,
        "settings.dtype": dtype,
    }
    method = TransferGraph(
        "paper",
        GraphConfig(),
        {
            "node2vec": embedder("node2vec", PROTOCOL, epochs=5, dtype=dtype),
            "sage": embedder("sage", PROTOCOL, **small),
        },
        {"lr": predictor("lr"), "xgb": predictor("xgb", n_estimators=20)},
    )
    runs = [
        evaluate_methods(
            planted_zoo, [method, baseline("zoo_prior"), baseline("random")], load_protocol(PROTOCOL),
            list(TARGETS), seed=3, progress=False, n_jobs=n_jobs, numerics=numerics,
        )
        for n_jobs in (1, 2)
    ]  # fmt: skip
    first, second = runs
    pd.testing.assert_frame_equal(first.metrics, second.metrics, check_exact=True)
    pd.testing.assert_frame_equal(first.predictions, second.predictions, check_exact=True)
    assert first.metrics.to_csv(index=False) == second.metrics.to_csv(index=False)
    assert first.kernels["pinned"] == second.kernels["pinned"] == (numerics == "portable")
    if numerics == "portable":  # the pins reached the libraries, not only the environment
        assert first.kernels["torch_cpu_capability"] == "AVX2"
        assert {lib["architecture"] for lib in first.kernels["libraries"] if lib["internal_api"] == "openblas"} == {
            "Haswell"
        }
    assert {"embedding", "regression"} <= set(second.timer.seconds)
