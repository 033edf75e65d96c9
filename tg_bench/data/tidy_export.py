"""Write a loaded zoo in the tidy layout (docs/zoo_format.md): the authors' zoos as a folder one can extend with
one's own models and datasets, and the proof that both layouts read the same zoo alike (tests/test_zoo_folder.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tg_bench.atomic_write import write_atomic
from tg_bench.data.layouts import TIDY_FILES
from tg_bench.data.zoo import ZooData

#: the columns written to models.csv (`ZooData.models`' own names)
MODEL_COLUMNS = ["model", "architecture", "model_type", "source_dataset", "source_accuracy", "n_parameters"]


def tidy_tables(zoo: ZooData) -> dict[str, pd.DataFrame]:
    """`zoo`'s tables as the tidy layout's files (file name -> frame), rows in the zoo's order: records with
    `peft_method` where the zoo has it, scores with their `dataset` column, the distance matrix with its names
    as first column. Published result tables are not tables of the zoo's data: not written."""
    records = zoo.records[["model", "dataset", "accuracy", "train_runtime"]].copy()
    if "peft_method" in zoo.records:
        records["peft_method"] = zoo.records["peft_method"]
    tables = {
        TIDY_FILES["model_config"]: zoo.models[MODEL_COLUMNS],
        TIDY_FILES["records"]: records,
        TIDY_FILES["dataset_features"]: zoo.dataset_features[["dataset", "size", "n_classes"]],
        TIDY_FILES["scores"]: zoo.scores.rename(columns={"target": "dataset"})[["model", "dataset", "metric", "score"]],
    }
    if not zoo.distances.empty:
        tables[TIDY_FILES["distances"]] = zoo.distances.rename_axis("dataset").reset_index()
    return tables


def write_tidy_zoo(zoo: ZooData, folder: str | Path) -> list[Path]:
    """Write `tidy_tables(zoo)` into `folder` (each file atomically); the paths written. Floats are written
    with Python's shortest round-trip repr, so reading the folder back gives the same values."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tidy_tables(zoo).items():
        path = folder / name
        write_atomic(path, lambda handle, frame=frame: frame.to_csv(handle, index=False))
        written.append(path)
    return written
