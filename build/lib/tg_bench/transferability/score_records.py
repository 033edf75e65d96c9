"""Transferability score rows in the published `transferability_score_records.csv` layout, written or merged.

Rows written here are read back by `tg_bench.data.zoo.load_zoo` like the authors' own, so newly computed
scores flow into graph runs (`graph=with_transferability`) and baseline comparison (`baseline=leep`, ...)
unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from tg_bench.atomic_write import write_atomic
from tg_bench.errors import UserInputError

#: the published file's columns (image zoo order), then ours: the two timed stages and the sample count
PUBLISHED_COLUMNS = (
    "model_name",
    "dataset_path",
    "dataset_name",
    "task_type",
    "batch_size",
    "metric",
    "model",
    "target_dataset",
    "runtime",
    "score",
)
TIMING_COLUMNS = ("extract_seconds", "score_seconds", "n_samples")
#: rows with the same key replace each other when merged into a zoo's file
KEY = ("model", "target_dataset", "metric")
METRIC_PREFIX = "TransferabilityMethod."
TASK_PREFIX = "TaskType."


@dataclass(frozen=True)
class ScoreRecord:
    """One (model, target dataset, estimator) score.

    metric: the estimator's enum member name as published (`LOG_ME`, `LEEP`, ...). runtime: seconds spent on
    this model for this estimator: its share of the feature extraction plus the estimator call.
    """

    model: str
    target_dataset: str
    metric: str
    score: float
    dataset_path: str
    dataset_name: str
    task_type: str
    batch_size: int
    extract_seconds: float
    score_seconds: float
    n_samples: int

    @property
    def runtime(self) -> float:
        return self.extract_seconds + self.score_seconds


def task_type(zoo_folder: str) -> str:
    """`image_classification` -> `TaskType.IMAGE_CLASSIFICATION` (the published spelling)."""
    return f"{TASK_PREFIX}{zoo_folder.upper()}"


def records_frame(records: Sequence[ScoreRecord]) -> pd.DataFrame:
    """(len(records), 13) frame in the published column order plus the timing columns."""
    rows = []
    for record in records:
        row = asdict(record)
        row["metric"] = f"{METRIC_PREFIX}{record.metric}"
        row["model_name"] = record.model
        row["runtime"] = record.runtime
        rows.append(row)
    return pd.DataFrame(rows, columns=[*PUBLISHED_COLUMNS, *TIMING_COLUMNS])


def write_score_records(path: Path, records: Sequence[ScoreRecord]) -> Path:
    """Write `records` to `path` as the published file is written (with an unnamed leading index column)."""
    frame = records_frame(records)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda handle: frame.to_csv(handle, float_format="%.10g"))
    return path


def merge_score_records(path: Path, records: Sequence[ScoreRecord]) -> tuple[int, int]:
    """Merge `records` into an existing score file: rows with the same (model, target_dataset, metric) are
    replaced, the rest appended; every other column and row of the file is kept. Returns (rows removed, rows
    written)."""
    if not path.is_file():
        raise UserInputError("score file to update does not exist", path=path)
    existing = pd.read_csv(path, index_col=0)
    missing = [column for column in KEY if column not in existing.columns]
    if missing:
        raise UserInputError(f"cannot merge scores: missing column(s) {', '.join(missing)}", path=path)
    new = records_frame(records)
    new_keys = pd.MultiIndex.from_frame(new[list(KEY)].astype(str))
    old_keys = pd.MultiIndex.from_frame(existing[list(KEY)].astype(str))
    replaced = old_keys.isin(new_keys)
    merged = pd.concat([existing.loc[~replaced], new], ignore_index=True)
    write_atomic(path, lambda handle: merged.to_csv(handle, float_format="%.10g"))
    return int(replaced.sum()), len(new)
