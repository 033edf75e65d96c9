"""`ZooData`: one zoo's metadata (records, model configs, dataset features, scores, distances), validated and typed.

The published files use different column names per modality; everything downstream sees the normalised columns
documented on `ZooData`. Defects are kept and flagged rather than silently dropped, so that the data-quality report
and the two protocols can each decide what to do with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from tg_bench.data.layouts import PACKAGE_ZOOS, layout_of, load_scores, metric_member, zoo_files, zoo_folder
from tg_bench.data.spec import AUTHORS, TIDY, ZooSpec
from tg_bench.errors import UserInputError

# the names other modules import from here, read by `tg_bench.data.layouts` and defined in `tg_bench.data.spec`
__all__ = [
    "AUTHORS",
    "PACKAGE_ZOOS",
    "TIDY",
    "ZooData",
    "ZooSpec",
    "best_runs",
    "check_targets",
    "load_scores",
    "load_zoo",
    "metric_member",
    "overlay_scores_file",
    "scores_with_overlay",
    "zoo_files",
    "zoo_folder",
]

#: dataset names in target_dataset_features.csv that are typos of the name used everywhere else
FEATURE_NAME_TYPOS = {"glut/qqp": "glue/qqp"}

#: (dataset, column) -> correct value, for the known copy errors in target_dataset_features.csv
FEATURE_CORRECTIONS: dict[tuple[str, str], float] = {
    ("flowers", "n_classes"): 102,
    ("tweet_eval/offensive", "n_classes"): 2,
    ("tweet_eval/offensive", "size"): 14100,
}

RECORD_KINDS = ("full", "lora", "junk")
#: the columns of `ZooData.scores`
SCORE_COLUMNS = ["metric", "model", "target", "score"]


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
    """Load and validate one zoo, in either layout (`tg_bench.data.layouts`): the authors' under the metadata
    root `root` (None: $TG_BENCH_DATA, else data/), or a tidy folder (`spec.path`; `root` unused).

    overlay: a folder of scores added by `tg-bench score update_zoo=true` (`overlay_scores_file`); when it holds
    a score file for this zoo, its rows are read over the published ones (`scores_with_overlay`) and the file
    joins `files` (so run digests and checksums cover it). Optional tables a zoo lacks are empty (a method
    needing them is refused by the run); with no `targets`, every dataset with full records is one.
    """
    layout = layout_of(spec)
    spec, base = layout.locate(spec, root)
    files = layout.files(spec, base)
    scores = layout.scores(files["scores"]) if "scores" in files else pd.DataFrame(columns=SCORE_COLUMNS)
    if overlay is not None and overlay_scores_file(spec, overlay).is_file():
        files["scores_overlay"] = overlay_scores_file(spec, overlay)
        scores = scores_with_overlay(scores, load_scores(files["scores_overlay"]))
    models = layout.models(files["model_config"], spec)
    records = layout.records(files["records"], set(models["model"].dropna()))
    features = (
        layout.dataset_features(files["dataset_features"])
        if "dataset_features" in files
        else pd.DataFrame(columns=["dataset", "size", "n_classes"])
    )
    distances = layout.distances(files["distances"]) if "distances" in files else pd.DataFrame(dtype=float)
    if not spec.targets:
        spec = replace(spec, targets=tuple(sorted(records.loc[records["kind"] == "full", "dataset"].dropna().unique())))
    zoo = ZooData(spec, base, records, models, features, scores, distances, files)
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
