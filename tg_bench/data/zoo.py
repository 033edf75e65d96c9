"""`ZooData`: one zoo's metadata (records, model configs, dataset features, scores, distances), validated and typed.

The published files use different column names per modality; everything downstream sees the normalised columns
documented on `ZooData`. Defects are kept and flagged rather than silently dropped, so that the data-quality report
and the two protocols can each decide what to do with them.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tg_bench.data.tables import read_table, rename_checked, to_numeric_column
from tg_bench.errors import UserInputError
from tg_bench.paths import ZOO_FOLDERS, data_root

#: dataset names in target_dataset_features.csv that are typos of the name used everywhere else
FEATURE_NAME_TYPOS = {"glut/qqp": "glue/qqp"}

#: (dataset, column) -> correct value, for the known copy errors in target_dataset_features.csv
FEATURE_CORRECTIONS: dict[tuple[str, str], float] = {
    ("flowers", "n_classes"): 102,
    ("tweet_eval/offensive", "n_classes"): 2,
    ("tweet_eval/offensive", "size"): 14100,
}

RECORD_KINDS = ("full", "lora", "junk")
#: the layout of docs/zoo_format.md (`ZooSpec.layout`)
TIDY = "tidy"


@dataclass(frozen=True)
class ZooSpec:
    """Where a zoo's files are and what its evaluation targets are (the `zoo` config group)."""

    name: str
    folder: str
    distance_file: str
    source_dataset_column: str
    targets: tuple[str, ...]
    excluded_datasets: tuple[str, ...] = ()
    broken_accuracy_threshold: float = 0.05
    #: `authors` (transfergraph-metadata's files under the metadata root) or `tidy` (docs/zoo_format.md: a folder
    #: of its own, `path`; a relative path is one of the package's zoos, `tg_bench/zoos/<path>`, else the
    #: working directory's)
    layout: str = "authors"
    path: str | None = None

    @classmethod
    def from_config(cls, cfg: object) -> ZooSpec:
        get = cfg.get if hasattr(cfg, "get") else lambda k, d=None: getattr(cfg, k, d)
        return cls(
            name=str(get("name")),
            folder=str(get("folder") or ZOO_FOLDERS.get(str(get("name")), str(get("name")))),
            distance_file=str(get("distance_file")),
            source_dataset_column=str(get("source_dataset_column")),
            targets=tuple(get("targets")),
            excluded_datasets=tuple(get("excluded_datasets", ()) or ()),
            broken_accuracy_threshold=float(get("broken_accuracy_threshold", 0.05)),
            layout=str(get("layout", "authors") or "authors"),
            path=None if get("path", None) is None else str(get("path")),
        )


@dataclass(frozen=True)
class ZooData:
    """A zoo's metadata.

    records: one row per fine-tuning run, in file order. Columns `row` (position in the file), `model`, `dataset`,
        `accuracy` (fraction, NaN when the run has none), `train_runtime` (seconds), `kind` (full | lora | junk).
        Junk rows are those whose model is not in the model config (the text file has 4 such malformed lines).
    models: one row per model of the config. Columns `model`, `architecture`, `model_type` (NaN when missing),
        `source_dataset` (the dataset node the model was trained on), `source_accuracy` (model-card accuracy, NaN
        when not published), `n_parameters`.
    dataset_features: as published (known errors included). Columns `dataset`, `size`, `n_classes`.
    scores: transferability scores, published (plus the overlay's, `load_zoo`). Columns `metric` (LOG_ME |
        REG_H_SCORE, the file's enum members), `model`, `target`, `score`, in file order (dtd has duplicated
        rows, kept).
    distances: square symmetric matrix of Euclidean distances between dataset embeddings, indexed by dataset name.
    """

    spec: ZooSpec
    root: Path
    records: pd.DataFrame
    models: pd.DataFrame
    dataset_features: pd.DataFrame
    scores: pd.DataFrame
    distances: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def targets(self) -> tuple[str, ...]:
        return self.spec.targets

    def full_records(self) -> pd.DataFrame:
        """Full fine-tuning runs with an accuracy (the rows the graph and regressor learn from)."""
        r = self.records
        return r[(r["kind"] == "full") & r["accuracy"].notna()]

    def typed_models(self) -> set[str]:
        """Models with a `model_type` (the authors' pipeline drops the others from graph and regression)."""
        return set(self.models.loc[self.models["model_type"].notna(), "model"])

    def broken_datasets(self) -> list[str]:
        """Datasets whose mean fine-tuned accuracy is below the threshold (food101: 0.017)."""
        means = self.full_records().groupby("dataset")["accuracy"].mean()
        return sorted(means[means < self.spec.broken_accuracy_threshold].index)

    def extended_targets(self, min_models: int = 100) -> tuple[str, ...]:
        """Every dataset that can be held out (`target_set=extended`, docs/method.md 10): full fine-tuning
        records with an accuracy for at least `min_models` models, a row in the distance matrix, neither excluded
        nor broken. The evaluation targets first, in their order, then the others by name."""
        counts = self.full_records().groupby("dataset")["model"].nunique()
        dropped = set(self.spec.excluded_datasets) | set(self.broken_datasets())
        eligible = {
            str(dataset)
            for dataset, count in counts.items()
            if count >= min_models and dataset in self.distances.index and dataset not in dropped
        }
        return tuple(t for t in self.targets if t in eligible) + tuple(sorted(eligible - set(self.targets)))

    def without_records_of(self, dataset: str) -> ZooData:
        """This zoo with every record of `dataset` removed (what a task holding `dataset` out may see)."""
        return replace(self, records=self.records[self.records["dataset"] != dataset])

    def corrected_features(self) -> pd.DataFrame:
        """Dataset features with the known copy errors and name typos fixed (clean protocol)."""
        features = self.dataset_features.copy()
        features["dataset"] = features["dataset"].replace(FEATURE_NAME_TYPOS)
        for (dataset, column), value in FEATURE_CORRECTIONS.items():
            features.loc[features["dataset"] == dataset, column] = value
        return features


def best_runs(records: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """The highest-accuracy row per `by` group; ties go to the row first in the file (pandas `idxmax`).

    Rows without an accuracy are dropped. The result is ordered by accuracy, best first.
    """
    ranked = records.dropna(subset=["accuracy"]).sort_values(["accuracy", "row"], ascending=[False, True])
    return ranked.drop_duplicates(list(by), keep="first")


def _parse_architecture(value: object) -> str | float:
    """The config stores either a class name or a Python list literal of class names; keep the first."""
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


def metric_member(raw: str) -> str:
    """`TransferabilityMethod.LOG_ME` -> `LOG_ME`: the estimator's enum member, how every score is keyed (the
    baseline configs map it to the paper's display name, e.g. `LogME`)."""
    return str(raw).split(".")[-1]


def _load_records(path: Path, model_names: set[str]) -> pd.DataFrame:
    raw = read_table(path, required=["model", "finetuned_dataset", "eval_accuracy"])
    records = pd.DataFrame(
        {
            "row": np.arange(len(raw)),
            "model": raw["model"].astype("string"),
            "dataset": raw["finetuned_dataset"].astype("string"),
            "accuracy": to_numeric_column(raw["eval_accuracy"], path=path, column="eval_accuracy"),
        }
    )
    if "train_runtime" in raw.columns:
        records["train_runtime"] = to_numeric_column(raw["train_runtime"], path=path, column="train_runtime")
    else:
        records["train_runtime"] = np.nan
    if "peft_method" in raw.columns:
        peft = raw["peft_method"].astype("string").str.strip()
        is_full = peft.isna() | (peft == "")
        kind = np.where(is_full, "full", "lora")
    else:
        kind = np.full(len(raw), "full", dtype=object)
    kind = np.where(records["model"].isin(model_names).to_numpy(), kind, "junk")
    records["kind"] = pd.Series(kind, index=records.index, dtype="string")
    if "peft_method" in raw.columns:
        records["peft_method"] = raw["peft_method"].astype("string")
    return records


def _load_models(path: Path, source_column: str) -> pd.DataFrame:
    raw = read_table(
        path,
        required=["model", "architectures", "model_type", "number_of_parameters", "accuracy", source_column],
        numeric=["number_of_parameters", "accuracy"],
    )
    if raw["model"].duplicated().any():
        dup = raw.loc[raw["model"].duplicated(), "model"].iloc[0]
        raise UserInputError(f"model {dup!r} appears more than once", path=path, column="model")
    return pd.DataFrame(
        {
            "model": raw["model"].astype("string"),
            "architecture": raw["architectures"].map(_parse_architecture).astype("string"),
            "model_type": raw["model_type"].astype("string"),
            "source_dataset": raw[source_column].astype("string"),
            "source_accuracy": raw["accuracy"],
            "n_parameters": raw["number_of_parameters"],
        }
    )


def _load_features(path: Path) -> pd.DataFrame:
    raw = read_table(
        path,
        required=["finetune_dataset", "size", "number_of_classes"],
        numeric=["size", "number_of_classes"],
    )
    return rename_checked(raw, {"finetune_dataset": "dataset", "size": "size", "number_of_classes": "n_classes"})


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


def _load_distances(path: Path) -> pd.DataFrame:
    matrix = read_table(path, required=[], index_col=0)
    matrix.index = matrix.index.astype(str)
    matrix.columns = matrix.columns.astype(str)
    for column in matrix.columns:
        matrix[column] = to_numeric_column(matrix[column], path=path, column=column)
    if list(matrix.index) != list(matrix.columns):
        raise UserInputError("distance matrix must have the same dataset names as rows and columns", path=path)
    return matrix


def zoo_files(spec: ZooSpec, root: Path) -> dict[str, Path]:
    folder = root / spec.folder
    return {
        "records": folder / "records.csv",
        "model_config": folder / "model_config_dataset.csv",
        "dataset_features": folder / "target_dataset_features.csv",
        "scores": folder / "transferability_score_records.csv",
        "distances": folder / spec.distance_file,
    }


def overlay_scores_file(spec: ZooSpec, overlay: str | Path) -> Path:
    """Where `tg-bench score update_zoo=true` keeps the zoo's added scores: `<overlay>/<zoo folder>/` + the
    published file name, outside the published metadata, which is never modified."""
    return Path(overlay) / spec.folder / "transferability_score_records.csv"


def scores_with_overlay(published: pd.DataFrame, overlay: pd.DataFrame) -> pd.DataFrame:
    """The published score rows with the overlay's added: an overlay row replaces every published row of the
    same (metric, model, target); the published rows keep their order (duplicates included), the overlay's
    follow."""
    keys = ["metric", "model", "target"]
    replaced = pd.MultiIndex.from_frame(published[keys]).isin(pd.MultiIndex.from_frame(overlay[keys]))
    return pd.concat([published.loc[~replaced], overlay], ignore_index=True)


def load_zoo(spec: ZooSpec, root: str | Path | None = None, overlay: str | Path | None = None) -> ZooData:
    """Load and validate one zoo from a metadata root laid out like `transfergraph-metadata/`.

    overlay: a folder of scores added by `tg-bench score update_zoo=true` (`overlay_scores_file`); when it holds
    a score file for this zoo, its rows are read over the published ones (`scores_with_overlay`) and the file
    joins `files` (so run digests and checksums cover it).
    """
    if spec.layout == TIDY:
        return load_zoo_folder(spec, overlay)
    if spec.layout != "authors":
        raise UserInputError(f"zoo.layout={spec.layout}: no such layout (authors, {TIDY})")
    base = data_root(root)
    files = zoo_files(spec, base)
    missing = [path for path in files.values() if not Path(path).is_file()]
    if missing:
        raise UserInputError(
            f"file not found ({len(missing)} of the zoo's {len(files)} files missing: the metadata root is "
            "incomplete; `tg-bench fetch` completes it, resuming, or set TG_BENCH_DATA to a complete copy)",
            path=missing[0],
        )
    scores = load_scores(files["scores"])
    if overlay is not None and overlay_scores_file(spec, overlay).is_file():
        files["scores_overlay"] = overlay_scores_file(spec, overlay)
        scores = scores_with_overlay(scores, load_scores(files["scores_overlay"]))
    models = _load_models(files["model_config"], spec.source_dataset_column)
    records = _load_records(files["records"], set(models["model"].dropna()))
    zoo = ZooData(
        spec=spec,
        root=base,
        records=records,
        models=models,
        dataset_features=_load_features(files["dataset_features"]),
        scores=scores,
        distances=_load_distances(files["distances"]),
        files=files,
    )
    check_targets(zoo, spec.targets)
    return zoo


def check_targets(zoo: ZooData, targets: Sequence[str]) -> None:
    known = set(zoo.full_records()["dataset"].dropna())
    for target in targets:
        if target not in known:
            raise UserInputError(
                f"unknown target dataset {target!r} for zoo '{zoo.name}' (datasets with records: "
                f"{', '.join(sorted(known))})",
                path=zoo.files["records"],
                column="finetuned_dataset",
            )


#: the files of a tidy zoo folder (docs/zoo_format.md), by the names `ZooData.files` uses
TIDY_FILES = {
    "model_config": "models.csv",
    "records": "records.csv",
    "dataset_features": "datasets.csv",
    "scores": "scores.csv",
    "distances": "distances.csv",
}
#: the package's own tidy zoos (`tg_bench/zoos/<name>`)
PACKAGE_ZOOS = Path(__file__).resolve().parents[1] / "zoos"


def zoo_folder(spec: ZooSpec) -> Path:
    """The folder of a tidy zoo: `spec.path`, a package zoo's name (`classic10`) or a path."""
    if not spec.path:
        raise UserInputError(f"zoo '{spec.name}': layout {TIDY} needs zoo.path, the zoo's folder")
    given = Path(spec.path).expanduser()
    folder = PACKAGE_ZOOS / given if not given.is_absolute() and (PACKAGE_ZOOS / given).is_dir() else given
    if not folder.is_dir():
        raise UserInputError(f"zoo '{spec.name}': no such folder", path=folder)
    return folder


def load_zoo_folder(spec: ZooSpec, overlay: str | Path | None = None) -> ZooData:
    """A zoo in the tidy layout (docs/zoo_format.md): `models.csv` and `records.csv` required; `datasets.csv`,
    `scores.csv` and `distances.csv` optional (empty tables when absent: a method needing them is refused by
    the run). Every model counts as typed (the authors' `model_type` filter has nothing to filter here), every
    row without a `peft_method` is a full fine-tuning run. `spec.targets` empty: every dataset with records."""
    folder = zoo_folder(spec)
    files = {key: folder / name for key, name in TIDY_FILES.items() if (folder / name).is_file()}
    for key in ("model_config", "records"):
        if key not in files:
            raise UserInputError(f"zoo '{spec.name}': {TIDY_FILES[key]} is required", path=folder / TIDY_FILES[key])
    models = _tidy_models(files["model_config"])
    records = _tidy_records(files["records"], set(models["model"].dropna()))
    features = pd.DataFrame(columns=["dataset", "size", "n_classes"])
    if "dataset_features" in files:
        raw = read_table(files["dataset_features"], required=["dataset"])
        features = pd.DataFrame({"dataset": raw["dataset"].astype("string")})
        for column in ("size", "n_classes"):
            values = raw[column] if column in raw else pd.Series(np.nan, index=raw.index)
            features[column] = to_numeric_column(values, path=files["dataset_features"], column=column)
    scores = pd.DataFrame(columns=["metric", "model", "target", "score"])
    if "scores" in files:
        scores = load_scores(files["scores"], target_column="dataset")
    if overlay is not None and overlay_scores_file(spec, overlay).is_file():
        files["scores_overlay"] = overlay_scores_file(spec, overlay)
        scores = scores_with_overlay(scores, load_scores(files["scores_overlay"]))
    distances = _load_distances(files["distances"]) if "distances" in files else pd.DataFrame(dtype=float)
    targets = spec.targets or tuple(sorted(records.loc[records["kind"] == "full", "dataset"].dropna().unique()))
    # `root / spec.folder` is the zoo's folder, as for the authors' layout (published tables, score overlay)
    spec = replace(spec, folder=folder.name, targets=tuple(targets))
    zoo = ZooData(spec, folder.parent, records, models, features, scores, distances, files)
    check_targets(zoo, spec.targets)
    return zoo


def _tidy_models(path: Path) -> pd.DataFrame:
    raw = read_table(path, required=["model"])
    if raw["model"].duplicated().any():
        duplicate = raw.loc[raw["model"].duplicated(), "model"].iloc[0]
        raise UserInputError(f"model {duplicate!r} appears more than once", path=path, column="model")

    def column(name: str, numeric: bool = False) -> pd.Series:
        if name not in raw:
            return pd.Series(np.nan if numeric else pd.NA, index=raw.index, dtype=float if numeric else "string")
        return to_numeric_column(raw[name], path=path, column=name) if numeric else raw[name].astype("string")

    architecture = column("architecture")
    model_type = column("model_type") if "model_type" in raw else architecture.fillna("model")
    return pd.DataFrame(
        {
            "model": raw["model"].astype("string"),
            "architecture": architecture,
            "model_type": model_type.fillna("model"),
            "source_dataset": column("source_dataset"),
            "source_accuracy": column("source_accuracy", numeric=True),
            "n_parameters": column("n_parameters", numeric=True),
        }
    )


def _tidy_records(path: Path, model_names: set[str]) -> pd.DataFrame:
    raw = read_table(path, required=["model", "dataset", "accuracy"])
    accuracy = to_numeric_column(raw["accuracy"], path=path, column="accuracy")
    if (accuracy.dropna() > 1).any() or (accuracy.dropna() < 0).any():
        raise UserInputError("accuracy must be a fraction in [0, 1]", path=path, column="accuracy")
    peft = raw["peft_method"].astype("string").str.strip() if "peft_method" in raw else None
    full = np.ones(len(raw), dtype=bool) if peft is None else (peft.isna() | (peft == "")).to_numpy()
    known = raw["model"].astype("string").isin(model_names).to_numpy()
    runtime = raw["train_runtime"] if "train_runtime" in raw else pd.Series(np.nan, index=raw.index)
    return pd.DataFrame(
        {
            "row": np.arange(len(raw)),
            "model": raw["model"].astype("string"),
            "dataset": raw["dataset"].astype("string"),
            "accuracy": accuracy,
            "train_runtime": to_numeric_column(runtime, path=path, column="train_runtime"),
            "kind": pd.Series(np.where(known, np.where(full, "full", "lora"), "junk"), dtype="string"),
        }
    )
