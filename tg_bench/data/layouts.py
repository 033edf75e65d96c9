"""The two file layouts a zoo can come in, behind one interface (`ZooLayout`): where each of a zoo's tables lives
and how it is read into the columns `ZooData` documents.

- `AuthorsLayout`: transfergraph-metadata's folders (the `image` and `text` zoos), file names and columns as
  published, known errors included;
- `TidyLayout`: docs/zoo_format.md, a folder of small CSV files with plain column names (the package's
  `classic10`, a zoo of one's own).

`tg_bench.data.zoo.load_zoo` assembles a `ZooData` from either the same way; the published result tables are
read through the same interface (`ZooLayout.published`).
"""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from tg_bench.data.spec import AUTHORS, TIDY, ZooSpec
from tg_bench.data.tables import read_table, rename_checked, to_numeric_column
from tg_bench.errors import UserInputError
from tg_bench.paths import data_root

#: the package's own tidy zoos (`tg_bench/zoos/<name>`)
PACKAGE_ZOOS = Path(__file__).resolve().parents[1] / "zoos"
#: the columns of `ZooLayout.published`
PUBLISHED_COLUMNS = ["method", "target", "published"]


class ZooLayout(ABC):
    """Where a layout keeps a zoo's tables and how it spells them.

    published_leave_one_out: whether the published tables hold leave-one-dataset-out results of the paper's
        pipeline (compared under the paper protocol only), or each method's correlation with a dataset's
        fine-tuned accuracies over the whole table (a transferability benchmark's rows: any protocol).
    """

    name: ClassVar[str]
    published_leave_one_out: ClassVar[bool]

    @abstractmethod
    def locate(self, spec: ZooSpec, root: str | Path | None) -> tuple[ZooSpec, Path]:
        """`spec` as loaded (its `folder` the zoo folder's name) and the path `root` with `root / folder` the
        zoo's folder."""

    @abstractmethod
    def files(self, spec: ZooSpec, root: Path) -> dict[str, Path]:
        """The zoo's files present in its folder (`root / spec.folder`, as `locate` gives them), keyed by the
        names `ZooData.files` uses (`TIDY_FILES`' keys); a missing required file is a user error."""

    @abstractmethod
    def models(self, path: Path, spec: ZooSpec) -> pd.DataFrame:
        """Columns `model`, `architecture`, `model_type`, `source_dataset`, `source_accuracy`, `n_parameters`."""

    @abstractmethod
    def records(self, path: Path, model_names: set[str]) -> pd.DataFrame:
        """Columns `row`, `model`, `dataset`, `accuracy` (fraction), `train_runtime` (s), `kind`."""

    @abstractmethod
    def dataset_features(self, path: Path) -> pd.DataFrame:
        """Columns `dataset`, `size`, `n_classes`."""

    @abstractmethod
    def scores(self, path: Path) -> pd.DataFrame:
        """Columns `metric`, `model`, `target`, `score` (`load_scores`)."""

    def distances(self, path: Path) -> pd.DataFrame:
        """Square matrix indexed and labelled by dataset name, read alike in both layouts."""
        matrix = read_table(path, required=[], index_col=0)
        # the first column's header is free ("", "dataset"): the names are the matrix's labels, not a column
        matrix.index = matrix.index.astype(str).rename(None)
        matrix.columns = matrix.columns.astype(str)
        for column in matrix.columns:
            matrix[column] = to_numeric_column(matrix[column], path=path, column=column)
        if list(matrix.index) != list(matrix.columns):
            raise UserInputError("distance matrix must have the same dataset names as rows and columns", path=path)
        return matrix

    @abstractmethod
    def published_path(self, folder: Path, metric: str, ratio: float = 1.0) -> Path:
        """Where the published table of `metric` at model ratio `ratio` would be."""

    @abstractmethod
    def published(self, folder: Path, metric: str, ratio: float = 1.0) -> pd.DataFrame | None:
        """The published values of `metric` at model ratio `ratio` as a long frame (`PUBLISHED_COLUMNS`, NaN
        where nothing is published); None when there is no such table."""

    def published_metrics(self, folder: Path) -> tuple[str, ...]:
        """The metrics with a published table at model ratio 1."""
        candidates = ("pearson", "kendall", "w-kendall", "spearman")
        return tuple(metric for metric in candidates if self.published_path(folder, metric).is_file())


def metric_member(raw: str) -> str:
    """`TransferabilityMethod.LOG_ME` -> `LOG_ME`: the estimator's enum member, how every score is keyed (the
    baseline configs map it to the method's name, e.g. `LogME`)."""
    return str(raw).split(".")[-1]


def load_scores(path: Path, target_column: str = "target_dataset") -> pd.DataFrame:
    """A `transferability_score_records.csv` (published or written by `tg-bench score`; a tidy zoo's
    `scores.csv` names the target column `dataset`) as columns `metric` (the enum member: LOG_ME,
    REG_H_SCORE, LEEP, ...), `model`, `target`, `score`."""
    raw = read_table(path, required=["model", target_column, "metric", "score"], numeric=["score"])
    return pd.DataFrame(
        {
            "metric": raw["metric"].astype(str).map(metric_member).astype("string"),
            "model": raw["model"].astype("string"),
            "target": raw[target_column].astype("string"),
            "score": raw["score"],
        }
    )


def _kinds(model: pd.Series, full: np.ndarray, model_names: set[str]) -> pd.Series:
    """`full` | `lora` per record, `junk` where the model is not in the model table."""
    known = model.isin(model_names).to_numpy()
    return pd.Series(np.where(known, np.where(full, "full", "lora"), "junk"), index=model.index, dtype="string")


class AuthorsLayout(ZooLayout):
    """transfergraph-metadata's `<zoo folder>/` under the metadata root: records.csv, model_config_dataset.csv,
    target_dataset_features.csv, transferability_score_records.csv, the distance file the zoo config names, and
    `result_analysis/` (the paper's leave-one-out tables), all required but the last."""

    name = AUTHORS
    published_leave_one_out = True

    def locate(self, spec: ZooSpec, root: str | Path | None) -> tuple[ZooSpec, Path]:
        return spec, data_root(root)

    def files(self, spec: ZooSpec, root: Path) -> dict[str, Path]:
        files = zoo_files(spec, root)
        missing = [path for path in files.values() if not Path(path).is_file()]
        if missing:
            raise UserInputError(
                f"file not found ({len(missing)} of the zoo's {len(files)} files missing: the metadata root is "
                "incomplete; `tg-bench fetch` completes it, resuming, or set TG_BENCH_DATA to a complete copy)",
                path=missing[0],
            )
        return files

    def models(self, path: Path, spec: ZooSpec) -> pd.DataFrame:
        source = spec.source_dataset_column
        raw = read_table(
            path,
            required=["model", "architectures", "model_type", "number_of_parameters", "accuracy", source],
            numeric=["number_of_parameters", "accuracy"],
        )
        if raw["model"].duplicated().any():
            duplicate = raw.loc[raw["model"].duplicated(), "model"].iloc[0]
            raise UserInputError(f"model {duplicate!r} appears more than once", path=path, column="model")
        return pd.DataFrame(
            {
                "model": raw["model"].astype("string"),
                "architecture": raw["architectures"].map(_parse_architecture).astype("string"),
                "model_type": raw["model_type"].astype("string"),
                "source_dataset": raw[source].astype("string"),
                "source_accuracy": raw["accuracy"],
                "n_parameters": raw["number_of_parameters"],
            }
        )

    def records(self, path: Path, model_names: set[str]) -> pd.DataFrame:
        raw = read_table(path, required=["model", "finetuned_dataset", "eval_accuracy"])
        records = pd.DataFrame(
            {
                "row": np.arange(len(raw)),
                "model": raw["model"].astype("string"),
                "dataset": raw["finetuned_dataset"].astype("string"),
                "accuracy": to_numeric_column(raw["eval_accuracy"], path=path, column="eval_accuracy"),
            }
        )
        runtime = raw["train_runtime"] if "train_runtime" in raw.columns else pd.Series(np.nan, index=raw.index)
        records["train_runtime"] = to_numeric_column(runtime, path=path, column="train_runtime")
        full = np.ones(len(raw), dtype=bool)
        if "peft_method" in raw.columns:
            peft = raw["peft_method"].astype("string").str.strip()
            full = (peft.isna() | (peft == "")).to_numpy()
        records["kind"] = _kinds(records["model"], full, model_names)
        if "peft_method" in raw.columns:
            records["peft_method"] = raw["peft_method"].astype("string")
        return records

    def dataset_features(self, path: Path) -> pd.DataFrame:
        raw = read_table(
            path, required=["finetune_dataset", "size", "number_of_classes"], numeric=["size", "number_of_classes"]
        )
        return rename_checked(raw, {"finetune_dataset": "dataset", "size": "size", "number_of_classes": "n_classes"})

    def scores(self, path: Path) -> pd.DataFrame:
        return load_scores(path)

    def published_path(self, folder: Path, metric: str, ratio: float = 1.0) -> Path:
        name = f"{metric}_correlation.csv"
        return folder / "result_analysis" / (name if ratio == 1.0 else f"model_ratio_{ratio:g}/{name}")

    def published(self, folder: Path, metric: str, ratio: float = 1.0) -> pd.DataFrame | None:
        """The paper's table: methods as rows (first column), targets and `average` as columns; a cell that is
        not a number counts as not published (the authors' tables have such cells)."""
        path = self.published_path(folder, metric, ratio)
        if not path.is_file():
            return None
        table = read_table(path, required=["average"], index_col=0).apply(pd.to_numeric, errors="coerce")
        long = table.rename_axis("method").reset_index()
        return long.melt(id_vars="method", var_name="target", value_name="published")


def _parse_architecture(value: object) -> str | float:
    """The authors' config stores either a class name or a Python list literal of class names; keep the first."""
    if not isinstance(value, str):
        return np.nan
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return str(parsed[0]) if parsed else np.nan
    return text


def zoo_files(spec: ZooSpec, root: Path) -> dict[str, Path]:
    """The authors' layout: where each of the zoo's tables is under the metadata root `root`."""
    folder = root / spec.folder
    return {
        "records": folder / "records.csv",
        "model_config": folder / "model_config_dataset.csv",
        "dataset_features": folder / "target_dataset_features.csv",
        "scores": folder / "transferability_score_records.csv",
        "distances": folder / spec.distance_file,
    }


#: the files of a tidy zoo folder (docs/zoo_format.md), by the names `ZooData.files` uses
TIDY_FILES = {
    "model_config": "models.csv",
    "records": "records.csv",
    "dataset_features": "datasets.csv",
    "scores": "scores.csv",
    "distances": "distances.csv",
}


def zoo_folder(spec: ZooSpec) -> Path:
    """The folder of a tidy zoo: `spec.path`, a package zoo's name (`classic10`) or a path."""
    if not spec.path:
        raise UserInputError(f"zoo '{spec.name}': layout {TIDY} needs zoo.path, the zoo's folder")
    given = Path(spec.path).expanduser()
    folder = PACKAGE_ZOOS / given if not given.is_absolute() and (PACKAGE_ZOOS / given).is_dir() else given
    if not folder.is_dir():
        raise UserInputError(f"zoo '{spec.name}': no such folder", path=folder)
    return folder


class TidyLayout(ZooLayout):
    """docs/zoo_format.md: `models.csv` and `records.csv` required; `datasets.csv`, `scores.csv`,
    `distances.csv` and `published/<metric>.csv` optional. Without a `model_type` column every model counts as
    typed (the authors' filter has nothing to filter); a record without a `peft_method` is a full fine-tuning run."""

    name = TIDY
    published_leave_one_out = False

    def locate(self, spec: ZooSpec, root: str | Path | None) -> tuple[ZooSpec, Path]:
        folder = zoo_folder(spec)
        return replace(spec, folder=folder.name), folder.parent

    def files(self, spec: ZooSpec, root: Path) -> dict[str, Path]:
        folder = root / spec.folder
        files = {key: folder / name for key, name in TIDY_FILES.items() if (folder / name).is_file()}
        for key in ("model_config", "records"):
            if key not in files:
                raise UserInputError(f"zoo '{spec.name}': {TIDY_FILES[key]} is required", path=folder / TIDY_FILES[key])
        return files

    def models(self, path: Path, spec: ZooSpec) -> pd.DataFrame:
        raw = read_table(path, required=["model"])
        if raw["model"].duplicated().any():
            duplicate = raw.loc[raw["model"].duplicated(), "model"].iloc[0]
            raise UserInputError(f"model {duplicate!r} appears more than once", path=path, column="model")

        def column(name: str, numeric: bool = False) -> pd.Series:
            if name not in raw:
                return pd.Series(np.nan if numeric else pd.NA, index=raw.index, dtype=float if numeric else "string")
            return to_numeric_column(raw[name], path=path, column=name) if numeric else raw[name].astype("string")

        architecture = column("architecture")
        # without a model_type column every model counts as typed; a given column is read as is (a blank is an
        # untyped model, left out of the paper protocol's training records as the authors' pipeline does)
        model_type = column("model_type") if "model_type" in raw else architecture.fillna("model")
        return pd.DataFrame(
            {
                "model": raw["model"].astype("string"),
                "architecture": architecture,
                "model_type": model_type,
                "source_dataset": column("source_dataset"),
                "source_accuracy": column("source_accuracy", numeric=True),
                "n_parameters": column("n_parameters", numeric=True),
            }
        )

    def records(self, path: Path, model_names: set[str]) -> pd.DataFrame:
        raw = read_table(path, required=["model", "dataset", "accuracy"])
        accuracy = to_numeric_column(raw["accuracy"], path=path, column="accuracy")
        if (accuracy.dropna() > 1).any() or (accuracy.dropna() < 0).any():
            raise UserInputError("accuracy must be a fraction in [0, 1]", path=path, column="accuracy")
        peft = raw["peft_method"].astype("string").str.strip() if "peft_method" in raw else None
        full = np.ones(len(raw), dtype=bool) if peft is None else (peft.isna() | (peft == "")).to_numpy()
        runtime = raw["train_runtime"] if "train_runtime" in raw else pd.Series(np.nan, index=raw.index)
        model = raw["model"].astype("string")
        records = pd.DataFrame(
            {
                "row": np.arange(len(raw)),
                "model": model,
                "dataset": raw["dataset"].astype("string"),
                "accuracy": accuracy,
                "train_runtime": to_numeric_column(runtime, path=path, column="train_runtime"),
                "kind": _kinds(model, full, model_names),
            }
        )
        if peft is not None:
            records["peft_method"] = raw["peft_method"].astype("string")
        return records

    def dataset_features(self, path: Path) -> pd.DataFrame:
        raw = read_table(path, required=["dataset"])
        features = pd.DataFrame({"dataset": raw["dataset"]})
        for column in ("size", "n_classes"):
            values = raw[column] if column in raw else pd.Series(np.nan, index=raw.index)
            features[column] = to_numeric_column(values, path=path, column=column)
        return features

    def scores(self, path: Path) -> pd.DataFrame:
        return load_scores(path, target_column="dataset")

    def published_path(self, folder: Path, metric: str, ratio: float = 1.0) -> Path:
        return folder / "published" / (f"{metric}.csv" if ratio == 1.0 else f"{metric}_ratio_{ratio:g}.csv")

    def published(self, folder: Path, metric: str, ratio: float = 1.0) -> pd.DataFrame | None:
        """`published/<metric>.csv`: a `method` column (tg-bench method names: `LogME`, `zoo_prior`, ...) and
        one column per dataset (optionally `average`); an empty cell is not published, text is an error."""
        path = self.published_path(folder, metric, ratio)
        if not path.is_file():
            return None
        table = read_table(path, required=["method"])
        for column in table.columns.drop("method"):
            table[column] = to_numeric_column(table[column], path=path, column=column)
        table["method"] = table["method"].astype(str)
        return table.melt(id_vars="method", var_name="target", value_name="published")


LAYOUTS: dict[str, ZooLayout] = {layout.name: layout for layout in (AuthorsLayout(), TidyLayout())}


def layout_of(spec: ZooSpec) -> ZooLayout:
    """The layout `spec.layout` names; a user error for an unknown one."""
    if spec.layout not in LAYOUTS:
        raise UserInputError(f"zoo.layout={spec.layout}: no such layout ({', '.join(LAYOUTS)})")
    return LAYOUTS[spec.layout]
