"""Shared fixtures: the published metadata root, and small synthetic zoos written to a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tg_bench.data.zoo import ZooSpec

PROJECT_ROOT = Path(__file__).resolve().parents[1]


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


IMAGE_TARGETS = (
    "cifar100",
    "caltech101",
    "dtd",
    "flowers",
    "pets",
    "smallnorb_label_elevation",
    "stanfordcars",
    "svhn",
)
TEXT_TARGETS = (
    "glue/sst2",
    "glue/cola",
    "rotten_tomatoes",
    "tweet_eval/sentiment",
    "tweet_eval/emotion",
    "tweet_eval/irony",
    "tweet_eval/hate",
    "tweet_eval/offensive",
)


def image_spec(targets=IMAGE_TARGETS) -> ZooSpec:
    return ZooSpec(
        name="image",
        folder="image_classification",
        distance_file="corr_domain_similarity_google_vit_base_patch16_224_imagenet.csv",
        source_dataset_column="labels",
        targets=tuple(targets),
    )


def text_spec(targets=TEXT_TARGETS) -> ZooSpec:
    return ZooSpec(
        name="text",
        folder="sequence_classification",
        distance_file="corr_domain_similarity_EleutherAI_gpt-neo-125m_gpt.csv",
        source_dataset_column="dataset",
        targets=tuple(targets),
        excluded_datasets=("dbpedia_14",),
    )


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
    folder = root / "sequence_classification"
    folder.mkdir(parents=True, exist_ok=True)
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
    frame.to_csv(folder / "records.csv")
    pd.DataFrame(
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
    ).to_csv(folder / "model_config_dataset.csv")
    pd.DataFrame(
        {"finetune_dataset": ["tA", "tB", "src"], "size": [100, 200, 300], "number_of_classes": [2, 3, 4]}
    ).to_csv(folder / "target_dataset_features.csv", index=False)
    scores = []
    for metric in ("LOG_ME", "REG_H_SCORE"):
        for target in ("tA", "tB"):
            for i, model in enumerate(SYNTH_MODELS):
                scores.append(
                    {
                        "model": model,
                        "target_dataset": target,
                        "metric": f"TransferabilityMethod.{metric}",
                        "score": float(i) + (0.5 if metric == "REG_H_SCORE" else 0.0),
                    }
                )
    pd.DataFrame(scores).to_csv(folder / "transferability_score_records.csv")
    distance = pd.DataFrame(
        [[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]],
        index=list(SYNTH_DATASETS),
        columns=list(SYNTH_DATASETS),
    )
    distance.to_csv(folder / "corr_domain_similarity_EleutherAI_gpt-neo-125m_gpt.csv")
    return ZooSpec(
        name="text",
        folder="sequence_classification",
        distance_file="corr_domain_similarity_EleutherAI_gpt-neo-125m_gpt.csv",
        source_dataset_column="dataset",
        targets=("tA", "tB"),
    )


@pytest.fixture
def synthetic_text_zoo(tmp_path: Path) -> tuple[Path, ZooSpec]:
    return tmp_path, write_text_zoo(tmp_path)
