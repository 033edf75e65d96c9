"""The records that cross module boundaries in `tg_bench.extract`: what to load, and what came out.

`DatasetSpec` and `ModelSpec` are plain, hashable descriptions (they make the cache key); `Extraction` holds
the arrays the transferability estimators read (method.md section 7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from tg_bench.errors import UserInputError

Library = Literal["auto", "transformers", "timm"]
Pooling = Literal["mean", "cls", "pooler"]
Modality = Literal["text", "image"]

LIBRARIES: tuple[str, ...] = get_args(Library)
POOLINGS: tuple[str, ...] = get_args(Pooling)


@dataclass(frozen=True)
class DatasetSpec:
    """One split of a dataset and the columns to read.

    `path_or_id` is a local folder written by `Dataset.save_to_disk` / `DatasetDict.save_to_disk` (read with
    `datasets.load_from_disk`; a saved single `Dataset` is taken as the split itself), else a hub id read with
    `datasets.load_dataset(path_or_id, config, split=split)`. One input column holds images or text; two
    text columns are a sentence pair. `max_samples` keeps a seeded random subset (in dataset order).
    """

    name: str
    path_or_id: str
    config: str | None = None
    split: str = "train"
    input_columns: tuple[str, ...] = ("text",)
    label_column: str = "label"
    max_samples: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        # a list from a YAML config would make the spec unhashable and the cache key order-sensitive anyway
        columns = (self.input_columns,) if isinstance(self.input_columns, str) else tuple(self.input_columns)
        object.__setattr__(self, "input_columns", columns)
        if not columns or not all(isinstance(c, str) and c for c in columns):
            raise UserInputError(f"dataset {self.name!r}: input_columns must name one or two columns, got {columns}")
        if len(columns) > 2:
            raise UserInputError(f"dataset {self.name!r}: at most two input columns (a text pair), got {columns}")
        if self.max_samples is not None and (isinstance(self.max_samples, bool) or self.max_samples < 1):
            raise UserInputError(f"dataset {self.name!r}: max_samples must be a positive integer or None")

    @classmethod
    def from_fields(
        cls, name: str, fields: Mapping, *, max_samples: int | None = None, seed: int = 0, hint: str = ""
    ) -> DatasetSpec:
        """From a config node's `path`, `config`, `split`, `input_columns`, `label_column` (missing split: train,
        label column: label). UserInputError naming the missing field, followed by `hint`, when `path` or
        `input_columns` is not set."""
        for key in ("path", "input_columns"):
            if fields.get(key) in (None, "", []):
                raise UserInputError(f"dataset.{key} is not set for {name!r}{hint}")
        return cls(
            name=name,
            path_or_id=str(fields["path"]),
            config=None if fields.get("config") is None else str(fields["config"]),
            split=str(fields.get("split") or "train"),
            input_columns=tuple(str(c) for c in fields["input_columns"]),
            label_column=str(fields.get("label_column") or "label"),
            max_samples=max_samples,
            seed=seed,
        )


@dataclass(frozen=True)
class ModelSpec:
    """A pre-trained model to extract from.

    `path_or_id`: a local folder (transformers `save_pretrained`, or timm `save_for_hf` / `push_to_hub`
    layout), a local timm checkpoint file (then `architecture` names the timm model), a timm model name
    (`resnet50.a1_in1k`, `hf-hub:timm/...`) or a transformers hub id. `pooling` applies to text models and to
    image models without a classification head; an image classifier's features are always the input of its
    classification layer (the pre-logits vector).
    """

    name: str
    path_or_id: str
    library: Library = "auto"
    pooling: Pooling = "mean"
    architecture: str | None = None

    def __post_init__(self) -> None:
        if self.library not in LIBRARIES:
            raise UserInputError(f"model {self.name!r}: library must be one of {LIBRARIES}, got {self.library!r}")
        if self.pooling not in POOLINGS:
            raise UserInputError(f"model {self.name!r}: pooling must be one of {POOLINGS}, got {self.pooling!r}")

    @classmethod
    def local_or_named(
        cls, name: str, root: Path | None, library: Library = "auto", pooling: Pooling = "mean"
    ) -> ModelSpec:
        """Model `name` from `<root>/<name>` when that exists (a local copy of a zoo model), else by its name (a
        hub id or timm name)."""
        local = root / name if root is not None and (root / name).exists() else None
        return cls(name=name, path_or_id=str(local or name), library=library, pooling=pooling)


@dataclass(frozen=True, eq=False)
class Extraction:
    """A model's outputs on one dataset split.

    features: (N, D) float32, the penultimate representation.
    labels: (N,) int64, the target labels (non-negative class indices).
    source_logits: (N, C_s) float32 from the model's original classification head, or None when it has none.
    seconds: wall-clock seconds to load the model and run it over the data (the data loading excluded).
    """

    features: np.ndarray
    labels: np.ndarray
    source_logits: np.ndarray | None
    model: str
    dataset: str
    split: str
    n_samples: int
    seconds: float

    def __post_init__(self) -> None:
        n = self.n_samples
        if self.features.ndim != 2 or self.features.shape[0] != n:
            raise ValueError(f"features must be (N={n}, D), got {self.features.shape}")
        if self.labels.shape != (n,):
            raise ValueError(f"labels must be (N={n},), got {self.labels.shape}")
        if self.source_logits is not None and (self.source_logits.ndim != 2 or self.source_logits.shape[0] != n):
            raise ValueError(f"source_logits must be (N={n}, C_s), got {self.source_logits.shape}")
