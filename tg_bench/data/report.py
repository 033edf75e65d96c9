"""Every known defect of a zoo's metadata, counted, per category and per dataset (`tg-bench data-report`,
`tg_bench.commands.data_report`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tg_bench.data.zoo import FEATURE_CORRECTIONS, FEATURE_NAME_TYPOS, ZooData


@dataclass(frozen=True)
class Defect:
    category: str
    count: int
    detail: str


@dataclass(frozen=True)
class QualityReport:
    zoo: str
    summary: tuple[Defect, ...]
    per_dataset: pd.DataFrame

    def count(self, category: str) -> int:
        return next(d.count for d in self.summary if d.category == category)


def _examples(values, limit: int = 5) -> str:
    values = [str(v) for v in values]
    more = f", ... (+{len(values) - limit})" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def quality_report(zoo: ZooData) -> QualityReport:
    records, models = zoo.records, zoo.models
    full = zoo.full_records()
    lora = records[records["kind"] == "lora"]
    junk = records[records["kind"] == "junk"]
    no_accuracy = records[(records["kind"] != "junk") & records["accuracy"].isna()]
    pair_counts = full.groupby(["model", "dataset"]).size()
    duplicated_pairs = pair_counts[pair_counts > 1]
    lora_spellings = sorted(set(records.get("peft_method", pd.Series(dtype="string")).dropna()))
    modelled = set(records.loc[records["kind"] != "junk", "model"])
    without_records = sorted(set(models["model"]) - modelled)
    untyped = models[models["model_type"].isna()]["model"]
    untyped_with_records = sorted(set(untyped) & modelled)
    scores = zoo.scores
    scored_twice = scores[scores.duplicated(["metric", "model", "target"], keep=False)]
    twice_by_target = scored_twice.groupby("target")["model"].nunique()
    unscored = {}
    for target in zoo.targets:
        have = set(scores.loc[scores["target"] == target, "model"])
        with_truth = set(full.loc[full["dataset"] == target, "model"])
        unscored[target] = len(with_truth - have)
    all_unscored = set(models["model"]) - set(scores["model"])
    features = zoo.dataset_features
    feature_names = set(features["dataset"])
    fine_tune_sets = sorted(set(full["dataset"]))
    without_features = [d for d in fine_tune_sets if d not in feature_names]
    typos = sorted(set(FEATURE_NAME_TYPOS) & feature_names)
    wrong_values = []
    for (dataset, column), correct in FEATURE_CORRECTIONS.items():
        published = features.loc[features["dataset"] == dataset, column]
        if len(published) and float(published.iloc[0]) != correct:
            wrong_values.append(f"{dataset}.{column} = {published.iloc[0]:g} (should be {correct:g})")
    distance_names = set(zoo.distances.index)
    sources = set(models["source_dataset"].dropna())
    sources_without_distance = sorted(sources - distance_names)
    fine_tune_without_distance = [d for d in fine_tune_sets if d not in distance_names]
    broken = zoo.broken_datasets()
    means = full.groupby("dataset")["accuracy"].mean()

    summary = [
        Defect("models in config", len(models), ""),
        Defect("records (rows)", len(records), ""),
        Defect("full fine-tuning records", len(full), ""),
        Defect("LoRA records", len(lora), f"spellings: {', '.join(lora_spellings)}" if lora_spellings else ""),
        Defect("junk rows", len(junk), _examples(junk["dataset"].fillna("<empty>"))),
        Defect(
            "records without accuracy",
            len(no_accuracy),
            _examples(no_accuracy["model"] + " @ " + no_accuracy["dataset"]),
        ),
        Defect(
            "duplicate (model, dataset) full runs",
            len(duplicated_pairs),
            "re-runs; clean protocol keeps the best",
        ),
        Defect("fine-tune datasets", len(fine_tune_sets), ""),
        Defect("broken datasets", len(broken), ", ".join(f"{d} (mean accuracy {means[d]:.3f})" for d in broken)),
        Defect("excluded datasets", len(zoo.spec.excluded_datasets), ", ".join(zoo.spec.excluded_datasets)),
        Defect("config models without records", len(without_records), _examples(without_records)),
        Defect(
            "models with records but no model_type",
            len(untyped_with_records),
            _examples(untyped_with_records),
        ),
        Defect("models without any transferability score", len(all_unscored), _examples(sorted(all_unscored))),
        Defect(
            "models scored twice for a target",
            int(twice_by_target.sum()),
            ", ".join(f"{t}: {n}" for t, n in twice_by_target.items()),
        ),
        Defect(
            "dataset-feature name typos",
            len(typos),
            ", ".join(f"{t} -> {FEATURE_NAME_TYPOS[t]}" for t in typos),
        ),
        Defect("dataset-feature values known wrong", len(wrong_values), "; ".join(wrong_values)),
        Defect("fine-tune datasets without features", len(without_features), _examples(without_features)),
        Defect(
            "fine-tune datasets without a distance row",
            len(fine_tune_without_distance),
            _examples(fine_tune_without_distance),
        ),
        Defect(
            "source datasets without a distance row",
            len(sources_without_distance),
            _examples(sources_without_distance, 3),
        ),
    ]

    rows = []
    for dataset in fine_tune_sets + [d for d in sorted(set(lora["dataset"])) if d not in fine_tune_sets]:
        role = "target" if dataset in zoo.targets else "training"
        if dataset in zoo.spec.excluded_datasets:
            role = "excluded"
        if dataset in broken:
            role = "broken"
        on_dataset = full[full["dataset"] == dataset]
        rows.append(
            {
                "dataset": dataset,
                "role": role,
                "full": len(on_dataset),
                "lora": int((lora["dataset"] == dataset).sum()),
                "models": on_dataset["model"].nunique(),
                "duplicate_pairs": int((on_dataset.groupby("model").size() > 1).sum()),
                "mean_accuracy": round(float(on_dataset["accuracy"].mean()), 4) if len(on_dataset) else float("nan"),
                "unscored_models": unscored.get(dataset, ""),
                "features": dataset in feature_names,
                "distance_row": dataset in distance_names,
            }
        )
    return QualityReport(zoo=zoo.name, summary=tuple(summary), per_dataset=pd.DataFrame(rows))


def print_report(report: QualityReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=160)
    table = Table(title=f"data quality: {report.zoo} zoo")
    for column in ("category", "count", "detail"):
        table.add_column(column, justify="right" if column == "count" else "left", overflow="fold")
    for defect in report.summary:
        table.add_row(defect.category, str(defect.count), defect.detail)
    console.print(table)
    per_dataset = Table(title=f"per dataset: {report.zoo} zoo")
    for column in report.per_dataset.columns:
        per_dataset.add_column(str(column), justify="left" if column in ("dataset", "role") else "right")
    for row in report.per_dataset.itertuples(index=False):
        per_dataset.add_row(*map(str, row))
    console.print(per_dataset)
