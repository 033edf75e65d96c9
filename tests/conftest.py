"""Shared fixtures: the published metadata root, the project's real `tg_bench/conf/` (composed, or one entry built), and
synthetic zoos written in the published layout to a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import DictConfig, OmegaConf

from tg_bench.build import build_protocol, instantiate_checked
from tg_bench.catalog import compose_config, entry
from tg_bench.data.zoo import ZooData, ZooSpec, load_zoo
from tg_bench.embed.base import Embedder
from tg_bench.predict.regressors import RegressorFactory
from tg_bench.task.method import HeldOutTarget, Method
from tg_bench.task.protocol import Protocol

#: the checkout (README, pyproject.toml); the package itself may be installed elsewhere
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow end-to-end tests first: with `-n 2` (README) a long test started last would run alone at the
    end while the other worker idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def isolated_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty results store (`paths.store_dir`, inherited by the CLI's subprocesses), so
    that no test passes on another's finished units and nothing is written into the project."""
    store = tmp_path_factory.mktemp("store")
    monkeypatch.setenv("TG_BENCH_STORE", str(store))
    return store


def published_root() -> Path | None:
    env = os.environ.get("TG_BENCH_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(PROJECT_ROOT.parent / "shared" / "transfergraph-metadata")
    for candidate in candidates:
        if (candidate / "image_classification" / "records.csv").is_file():
            return candidate.resolve()
    return None


@pytest.fixture(scope="session")
def metadata_root() -> Path:
    root = published_root()
    if root is None:
        pytest.skip("published metadata not found: set TG_BENCH_DATA")
    return root


def config(overrides: Sequence[str] = (), name: str = "config") -> DictConfig:
    """The project's real `tg_bench/conf/` composed with `overrides`, as `tg-bench run` (or `score`) would; a run's
    targets are evaluated in this process (`n_jobs=1`) unless an override says otherwise, since starting
    worker processes costs more than the tests' small runs gain."""
    defaults = ["n_jobs=1"] if name == "config" else []
    return compose_config([*defaults, *overrides], config_name=name)


def zoo_spec(zoo: str, **changes: object) -> ZooSpec:
    """`tg_bench/conf/zoo/<zoo>.yaml` as a `ZooSpec`, with `changes` (targets, distance_file, ...) applied."""
    return replace(ZooSpec.from_config(entry("zoo", zoo)), **changes)


def image_spec() -> ZooSpec:
    return zoo_spec("image")


def text_spec() -> ZooSpec:
    return zoo_spec("text")


def load_protocol(name: str) -> Protocol:
    """`tg_bench/conf/protocol/<name>.yaml`."""
    return build_protocol(entry("protocol", name))


def embedder_config(key: str, protocol: str = "paper", **settings: object) -> DictConfig:
    """`tg_bench/conf/embedder/<key>.yaml`, resolved under `protocol`, with `settings` changed: each by its dotted path
    in the file (`epochs` for node2vec, `settings.epochs` or `encoder.out_channels` for the GNNs)."""
    cfg = config([f"embedder=[{key}]", f"protocol={protocol}"])
    node = cfg.transfergraph.embedders[key]
    for setting, value in settings.items():
        OmegaConf.update(node, setting, value, merge=False)
    return node


def embedder(key: str, protocol: str = "paper", **settings: object) -> Embedder:
    """The embedder of `tg_bench/conf/embedder/<key>.yaml` under `protocol`, with `settings` changed."""
    return instantiate_checked(embedder_config(key, protocol, **settings), f"embedder {key}")


def embedder_settings(key: str, protocol: str = "paper", **settings: object) -> dict:
    """The constructor arguments `tg_bench/conf/embedder/<key>.yaml` gives, resolved, without `_target_` and `name`."""
    node = OmegaConf.to_container(embedder_config(key, protocol, **settings), resolve=True)
    return {k: v for k, v in node.items() if k not in {"_target_", "name", "display"}}


def predictor(key: str, **params: object) -> RegressorFactory:
    """The regressor factory of `tg_bench/conf/predictor/<key>.yaml` with `params` changed."""
    node = config([f"predictor=[{key}]"]).transfergraph.predictors[key]
    for param, value in params.items():
        node[param] = value
    return instantiate_checked(node, f"predictor {key}")


def baseline(key: str) -> Method:
    """The method of `tg_bench/conf/baseline/<key>.yaml`."""
    return instantiate_checked(config([f"baseline=[{key}]"]).baseline[key], f"baseline {key}")


def held_out(zoo: ZooData, target: str, protocol: str = "clean", seed: int = 0) -> HeldOutTarget:
    """The leave-one-dataset-out task of `target` under `tg_bench/conf/protocol/<protocol>.yaml`."""
    return HeldOutTarget(zoo=zoo, target=target, protocol=load_protocol(protocol), seed=seed)


def write_zoo(
    root: Path,
    spec: ZooSpec,
    *,
    records: pd.DataFrame,
    models: pd.DataFrame,
    features: pd.DataFrame,
    scores: pd.DataFrame,
    distances: pd.DataFrame,
) -> ZooSpec:
    """Write a zoo's five metadata files under `root` in the published layout (`spec.folder`, the published
    column names), so that `load_zoo(spec, root)` reads them as it reads the authors'."""
    folder = root / spec.folder
    folder.mkdir(parents=True, exist_ok=True)
    records.to_csv(folder / "records.csv")
    models.to_csv(folder / "model_config_dataset.csv")
    features.to_csv(folder / "target_dataset_features.csv", index=False)
    scores.to_csv(folder / "transferability_score_records.csv")
    distances.to_csv(folder / spec.distance_file)
    return spec


SYNTH_MODELS = ("m1", "m2", "m3", "m4")
SYNTH_DATASETS = ("tA", "tB", "src")


def write_text_zoo(root: Path, records: list[dict] | None = None) -> ZooSpec:
    """A 4-model text-style zoo with LoRA rows, a re-run, a tie and a junk row, laid out like the metadata.

    Ground truth on tA by construction:
      m1: full 0.80, LoRA 0.90           -> paper drops m1 (best run is LoRA); clean keeps 0.80
      m2: full 0.70 and a full re-run 0.75 -> 0.75 under both
      m3: full 0.60 and LoRA 0.60 (tie, full row first in file) -> paper keeps the full row: 0.60
      m4: LoRA 0.50 only                  -> absent under both
    """
    rows = records or [
        {"model": "m1", "finetuned_dataset": "tA", "eval_accuracy": 0.80, "peft_method": None},
        {"model": "m1", "finetuned_dataset": "tA", "eval_accuracy": 0.90, "peft_method": "lora"},
        {"model": "m2", "finetuned_dataset": "tA", "eval_accuracy": 0.70, "peft_method": None},
        {"model": "m2", "finetuned_dataset": "tA", "eval_accuracy": 0.75, "peft_method": None},
        {"model": "m3", "finetuned_dataset": "tA", "eval_accuracy": 0.60, "peft_method": None},
        {"model": "m3", "finetuned_dataset": "tA", "eval_accuracy": 0.60, "peft_method": "lora"},
        {"model": "m4", "finetuned_dataset": "tA", "eval_accuracy": 0.50, "peft_method": "lor"},
        {"model": "m1", "finetuned_dataset": "tB", "eval_accuracy": 0.90, "peft_method": None},
        {"model": "m2", "finetuned_dataset": "tB", "eval_accuracy": 0.50, "peft_method": None},
        {"model": "m3", "finetuned_dataset": "tB", "eval_accuracy": 0.70, "peft_method": None},
        {"model": "m4", "finetuned_dataset": "tB", "eval_accuracy": 0.60, "peft_method": None},
        {"model": "1.0", "finetuned_dataset": "0.1", "eval_accuracy": None, "peft_method": None},
    ]
    frame = pd.DataFrame(rows)
    frame["train_runtime"] = np.arange(len(frame), dtype=float) * 10 + 100
    frame["hub_token"] = "hf_SECRET_TOKEN_MUST_NOT_LEAK"
    scores = [
        {
            "model": model,
            "target_dataset": target,
            "metric": f"TransferabilityMethod.{metric}",
            "score": float(i) + (0.5 if metric == "REG_H_SCORE" else 0.0),
        }
        for metric in ("LOG_ME", "REG_H_SCORE")
        for target in ("tA", "tB")
        for i, model in enumerate(SYNTH_MODELS)
    ]
    return write_zoo(
        root,
        zoo_spec("text", targets=("tA", "tB"), excluded_datasets=()),
        records=frame,
        models=pd.DataFrame(
            {
                "model": list(SYNTH_MODELS),
                "architectures": ["BertForSequenceClassification"] * 4,
                "number_of_labels": [2] * 4,
                "labels": ["['a', 'b']"] * 4,
                "model_type": ["bert", "bert", "roberta", "roberta"],
                "number_of_parameters": [1e8, 1e8, 1.2e8, 1.2e8],
                "memory_consumption": [1] * 4,
                "dataset": ["src", "src", "tB", "src"],
                "accuracy": [0.9, None, 0.3, 0.8],
            }
        ),
        features=pd.DataFrame(
            {"finetune_dataset": ["tA", "tB", "src"], "size": [100, 200, 300], "number_of_classes": [2, 3, 4]}
        ),
        scores=pd.DataFrame(scores),
        distances=pd.DataFrame(
            [[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]],
            index=list(SYNTH_DATASETS),
            columns=list(SYNTH_DATASETS),
        ),
    )


@pytest.fixture
def synthetic_text_zoo(tmp_path: Path) -> tuple[Path, ZooSpec]:
    return tmp_path, write_text_zoo(tmp_path)


@pytest.fixture
def three_dataset_zoo(tmp_path: Path) -> ZooData:
    """Records on tA (the target), tB (distance 1 from tA) and src (distance 2); one run per pair."""
    accuracies = {
        "tA": {"m1": 0.8, "m2": 0.7, "m3": 0.6, "m4": 0.5},
        "tB": {"m1": 0.9, "m2": 0.5, "m3": 0.7, "m4": 0.6},  # normalised: 1, 0, .5, .25
        "src": {"m1": 0.2, "m2": 0.6, "m3": 0.4},  # normalised: 0, 1, .5; m4 has no record
    }
    rows = [
        {"model": m, "finetuned_dataset": d, "eval_accuracy": a, "peft_method": None}
        for d, by_model in accuracies.items()
        for m, a in by_model.items()
    ]
    spec = write_text_zoo(tmp_path, rows)
    return load_zoo(spec, tmp_path)
