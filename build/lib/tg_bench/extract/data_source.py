"""Load one dataset split with `datasets`, subsample it deterministically, and hand out inputs and labels.

Inputs stay in the (memory-mapped) Arrow table and are read one batch at a time, so a capped sample of a large
image dataset never sits decoded in memory all at once.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
import numpy as np
from PIL import Image

from tg_bench.errors import UserInputError
from tg_bench.extract.records import DatasetSpec, Modality

_TEXT_DTYPES = ("string", "large_string")


@dataclass(frozen=True, eq=False)
class LoadedSplit:
    """A loaded (and possibly subsampled) split.

    rows: the kept rows, input columns only, in original order.
    labels: (N,) int64 class indices.
    indices: (N,) int64 positions of the kept rows in the full split.
    label_names: class names when the dataset gives them (ClassLabel) or string labels were encoded.
    """

    rows: datasets.Dataset
    input_columns: tuple[str, ...]
    labels: np.ndarray
    indices: np.ndarray
    modality: Modality
    label_names: tuple[str, ...] | None

    def __len__(self) -> int:
        return len(self.labels)

    def batches(self, batch_size: int) -> Iterator[list[list[Any]]]:
        """Yield, per batch of up to `batch_size` rows, one list of values per input column."""
        for start in range(0, len(self), batch_size):
            chunk = self.rows[start : start + batch_size]
            yield [chunk[column] for column in self.input_columns]


def looks_like_path(path_or_id: str) -> bool:
    """True for names that can only mean a local path (absolute, `./`, `../`, `~`), never a hub id."""
    return path_or_id.startswith(("/", "./", "../", "~", ".\\", "..\\")) or Path(path_or_id).is_absolute()


def subsample_indices(n: int, max_samples: int | None, seed: int) -> np.ndarray:
    """(k,) int64 sorted row indices: all n rows, or the first `max_samples` of a seeded permutation."""
    if max_samples is None or max_samples >= n:
        return np.arange(n, dtype=np.int64)
    permutation = np.random.default_rng(seed).permutation(n)
    return np.sort(permutation[:max_samples]).astype(np.int64)


def load_split(spec: DatasetSpec) -> LoadedSplit:
    """Load `spec`'s split, check its columns, subsample it and encode its labels.

    Raises UserInputError for a missing folder or dataset, a missing split, an unknown column, an empty split,
    and labels that are not class labels.
    """
    table = _load_table(spec)
    available = list(table.column_names)
    for column in (*spec.input_columns, spec.label_column):
        if column not in available:
            raise UserInputError(
                f"dataset {spec.name!r} split {spec.split!r} has no such column; available: {', '.join(available)}",
                column=column,
            )
    if len(table) == 0:
        raise UserInputError(f"dataset {spec.name!r} split {spec.split!r} is empty", path=_local_path(spec))
    modality = _modality(table, spec)
    indices = subsample_indices(len(table), spec.max_samples, spec.seed)
    kept = table.select(indices) if len(indices) < len(table) else table
    labels, label_names = encode_labels(kept[spec.label_column], table.features[spec.label_column], spec)
    return LoadedSplit(
        rows=kept.select_columns(list(spec.input_columns)),
        input_columns=spec.input_columns,
        labels=labels,
        indices=indices,
        modality=modality,
        label_names=label_names,
    )


def encode_labels(values: list[Any], feature: Any, spec: DatasetSpec) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """(N,) int64 class indices from a label column, and the class names where known.

    ClassLabel and integer columns keep their indices (they carry the dataset's class numbering); string or
    boolean labels are numbered by sorted value. Negative labels (GLUE marks unlabelled test rows with -1),
    fractional numbers and missing values are rejected, as no classifier was fine-tuned on them.
    """
    column = spec.label_column
    if any(v is None for v in values):
        raise UserInputError(f"dataset {spec.name!r}: label column has missing values", column=column)
    if all(isinstance(v, str) for v in values):
        names = sorted(set(values))
        lookup = {name: i for i, name in enumerate(names)}
        return np.array([lookup[v] for v in values], dtype=np.int64), tuple(names)
    array = np.asarray(values)
    if array.dtype == bool:
        return array.astype(np.int64), ("False", "True")
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.number):
        raise UserInputError(
            f"dataset {spec.name!r}: labels must be class indices or names, got {array.dtype} values", column=column
        )
    fractional = not np.all(np.isfinite(array)) or not np.all(array == np.round(array))
    if not np.issubdtype(array.dtype, np.integer) and fractional:
        raise UserInputError(
            f"dataset {spec.name!r}: labels are fractional (a regression target?), not class indices",
            column=column,
        )
    labels = array.astype(np.int64)
    if labels.min() < 0:
        raise UserInputError(
            f"dataset {spec.name!r} split {spec.split!r}: labels hold negative values ({int(labels.min())}); "
            "-1 marks unlabelled rows (e.g. GLUE test splits), use a labelled split",
            column=column,
        )
    names = tuple(feature.names) if isinstance(feature, datasets.ClassLabel) else None
    return labels, names


def to_rgb(value: Any) -> Image.Image:
    """A PIL RGB image from what an image column holds: a PIL image, a `{"bytes", "path"}` dict, an array, a path."""
    if isinstance(value, Image.Image):
        image = value
    elif isinstance(value, dict) and value.get("bytes") is not None:
        image = Image.open(io.BytesIO(value["bytes"]))
    elif isinstance(value, dict) and value.get("path"):
        image = Image.open(value["path"])
    elif isinstance(value, np.ndarray):
        image = Image.fromarray(value)
    elif isinstance(value, str | Path):
        image = Image.open(value)
    else:
        raise UserInputError(f"cannot read an image from a {type(value).__name__} value")
    return image.convert("RGB")


def _local_path(spec: DatasetSpec) -> Path | None:
    path = Path(spec.path_or_id).expanduser()
    return path if path.exists() or looks_like_path(spec.path_or_id) else None


def _load_table(spec: DatasetSpec) -> datasets.Dataset:
    path = Path(spec.path_or_id).expanduser()
    if path.exists():
        try:
            loaded = datasets.load_from_disk(str(path))
        except FileNotFoundError as error:
            raise UserInputError(
                "not a dataset folder written by Dataset.save_to_disk / DatasetDict.save_to_disk", path=path
            ) from error
        except IndexError as error:
            # datasets 5 saves an empty table as zero shards and then fails to concatenate them on load
            raise UserInputError(
                f"dataset {spec.name!r} is empty (the saved folder holds no rows)", path=path
            ) from error
        if isinstance(loaded, datasets.DatasetDict):
            if spec.split not in loaded:
                raise UserInputError(
                    f"dataset {spec.name!r} has no split {spec.split!r}; available: {', '.join(loaded)}", path=path
                )
            return loaded[spec.split]
        return loaded
    if looks_like_path(spec.path_or_id):
        raise UserInputError(f"dataset folder for {spec.name!r} does not exist", path=path)
    try:
        loaded = datasets.load_dataset(spec.path_or_id, spec.config, split=spec.split)
    except ValueError as error:
        # datasets reports an unknown split (and an unknown config) as ValueError
        raise UserInputError(
            f"cannot load split {spec.split!r} of {spec.path_or_id!r} (config {spec.config!r}): {error}"
        ) from error
    except (OSError, ConnectionError) as error:
        raise UserInputError(
            f"cannot load dataset {spec.path_or_id!r} (config {spec.config!r}) from the hub or its cache: {error}"
        ) from error
    if isinstance(loaded, datasets.DatasetDict | datasets.IterableDataset | datasets.IterableDatasetDict):
        raise UserInputError(f"dataset {spec.path_or_id!r} did not load as one split {spec.split!r}")
    return loaded


def _modality(table: datasets.Dataset, spec: DatasetSpec) -> Modality:
    """Images when the input column is a `datasets.Image` feature (or holds images), text for string columns."""
    kinds = []
    for column in spec.input_columns:
        feature = table.features[column]
        if isinstance(feature, datasets.Image):
            kinds.append("image")
        elif isinstance(feature, datasets.Value) and feature.dtype in _TEXT_DTYPES:
            kinds.append("text")
        else:
            # undeclared features (e.g. a hub loader that kept raw bytes dicts): look at one value
            first = table[0][column]
            if isinstance(first, Image.Image) or (isinstance(first, dict) and "bytes" in first):
                kinds.append("image")
            else:
                raise UserInputError(
                    f"dataset {spec.name!r}: input column holds {feature}, neither text nor images", column=column
                )
    if len(set(kinds)) > 1 or (kinds[0] == "image" and len(kinds) > 1):
        raise UserInputError(
            f"dataset {spec.name!r}: input columns {spec.input_columns} must be one image column or one or two "
            f"text columns, got {kinds}"
        )
    return "image" if kinds[0] == "image" else "text"
