"""`tg-bench score`: transferability scores of models on a target dataset, from their extracted outputs.

For each model: extract penultimate features (and source-class logits where the model has a head) on the
target's training split (`tg_bench.extract`, cached on disk), run every selected estimator
(`tg_bench.transferability.estimators`), and write one row per (model, estimator) in the published
`transferability_score_records.csv` layout (`tg_bench.transferability.score_records`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig
from scipy.special import softmax

from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import print_table
from tg_bench.extract import DatasetSpec, Extraction, ModelSpec, extract
from tg_bench.transferability.estimators import get_estimator, score
from tg_bench.transferability.score_records import ScoreRecord, merge_score_records, task_type, write_score_records

log = logging.getLogger(__name__)

SCORES_FILE = "transferability_score_records.csv"


def estimator_baselines() -> list[str]:
    """The `conf/baseline` options that name an `estimator` (read from the configs, for error messages)."""
    from omegaconf import OmegaConf

    from tg_bench.app import CONFIG_DIR

    files = sorted(Path(CONFIG_DIR, "baseline").glob("*.yaml"))
    return [f.stem for f in files if OmegaConf.load(f).get("estimator") is not None]


@dataclass(frozen=True)
class ExtractSettings:
    """How outputs are extracted: device (cpu | cuda | auto), batch size, text length, cache. (Pooling is a
    property of each `ModelSpec`.)"""

    device: str = "auto"
    batch_size: int = 32
    max_length: int = 128
    cache_dir: Path | None = None


def estimator_names(baselines: Mapping | None) -> list[str]:
    """Registry names of the estimators behind the selected baselines (`conf/baseline/<key>.yaml: estimator`).

    A baseline without one (zoo_prior, random) cannot be computed from a model's outputs: a user error.
    """
    if not baselines:
        raise UserInputError("baseline: nothing selected; choose estimators, e.g. baseline=logme,leep,nce")
    names = []
    for key, entry in baselines.items():
        name = entry.get("estimator") if entry is not None else None
        if name is None:
            computable = ", ".join(estimator_baselines())
            raise UserInputError(f"baseline={key} is not computed from model outputs; choose from {computable}")
        get_estimator(str(name))
        names.append(str(name))
    return list(dict.fromkeys(names))


def score_extraction(
    extraction: Extraction, estimators: Sequence[str], seed: int
) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Run `estimators` on one model's outputs: (scores, seconds per estimator, estimators skipped because the
    model lacks what they need, e.g. LEEP without a classification head)."""
    probs = None if extraction.source_logits is None else softmax(extraction.source_logits.astype(np.float64), axis=1)
    scores, seconds, skipped = {}, {}, []
    for name in estimators:
        if get_estimator(name).needs != "features" and probs is None:
            skipped.append(name)
            continue
        start = time.perf_counter()
        scores[name] = score(
            name, features=extraction.features, source_probs=probs, labels=extraction.labels, seed=seed
        )
        seconds[name] = time.perf_counter() - start
    return scores, seconds, skipped


def score_models(
    models: Sequence[ModelSpec],
    dataset: DatasetSpec,
    estimators: Sequence[str],
    *,
    zoo_folder: str,
    settings: ExtractSettings,
    seed: int = 0,
    progress: bool = True,
) -> list[ScoreRecord]:
    """Score every model on `dataset` with every estimator; one `ScoreRecord` per (model, estimator) computed."""
    from tqdm.auto import tqdm

    records: list[ScoreRecord] = []
    skipped: dict[str, list[str]] = {}
    for model in tqdm(models, desc=f"score {dataset.name}", unit="model", disable=not progress):
        extraction = extract(
            model,
            dataset,
            device=settings.device,
            batch_size=settings.batch_size,
            max_length=settings.max_length,
            cache_dir=settings.cache_dir,
            progress=progress,
        )
        scores, seconds, missing = score_extraction(extraction, estimators, seed)
        for name in missing:
            skipped.setdefault(name, []).append(model.name)
        for name, value in scores.items():
            records.append(
                ScoreRecord(
                    model=model.name,
                    target_dataset=dataset.name,
                    metric=get_estimator(name).metric,
                    score=float(value),
                    dataset_path=str(dataset.path_or_id),
                    dataset_name=str(dataset.config or dataset.name),
                    task_type=task_type(zoo_folder),
                    batch_size=settings.batch_size,
                    extract_seconds=float(extraction.seconds),
                    score_seconds=seconds[name],
                    n_samples=int(extraction.n_samples),
                )
            )
    for name, names in skipped.items():
        log.warning("%s skipped for %d model(s) without a classification head: %s", name, len(names), ", ".join(names))
    if not records:
        raise UserInputError(
            f"no scores computed: {', '.join(estimators)} need a classification head, and none of the models has one"
        )
    return records


def score_table(records: Sequence[ScoreRecord]) -> pd.DataFrame:
    """(models, estimators) table of scores, best first by the first estimator; cells formatted for printing."""
    frame = pd.DataFrame([(r.model, r.metric, r.score) for r in records], columns=["model", "metric", "score"])
    metrics = list(dict.fromkeys(frame["metric"]))
    table = frame.pivot_table(index="model", columns="metric", values="score", aggfunc="mean")[metrics]
    table = table.sort_values(metrics[0], ascending=False)
    return table.map(lambda value: "" if pd.isna(value) else f"{value:.4g}")


def model_specs(cfg: DictConfig) -> list[ModelSpec]:
    """The models to score: `models` (hub ids or folders), else every model of the zoo's model config."""
    names = cfg.get("models")
    if names is None:
        from tg_bench.data.zoo import ZooSpec, load_zoo

        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"))
        names = list(zoo.models["model"].dropna().astype(str))
    elif isinstance(names, str):
        names = [names]
    if not names:
        raise UserInputError("models: empty list; give hub ids or local model folders, or null for the whole zoo")
    root = Path(cfg.model_root) if cfg.get("model_root") else None
    if root is not None and not root.is_dir():
        raise UserInputError("model_root is not a folder", path=root)
    specs = []
    for name in map(str, names):
        local = root / name if root is not None and (root / name).exists() else None
        specs.append(
            ModelSpec(
                name=name,
                path_or_id=str(local or name),
                library=str(cfg.get("library", "auto")),
                pooling=str(cfg.extract.pooling),
            )
        )
    return specs


def dataset_spec(cfg: DictConfig) -> DatasetSpec:
    data = cfg.dataset
    for key in ("name", "path", "input_columns"):
        if data.get(key) in (None, "", []):
            raise UserInputError(
                f"dataset.{key} is not set: select a target (target=glue_sst2) or give dataset.{key}=..."
            )
    cap = data.get("max_samples")
    return DatasetSpec(
        name=str(data.name),
        path_or_id=str(data.path),
        config=None if data.get("config") is None else str(data.config),
        split=str(data.split),
        input_columns=tuple(str(c) for c in data.input_columns),
        label_column=str(data.label_column),
        max_samples=None if cap is None else int(cap),
        seed=int(cfg.seed),
    )


def score_task(cfg: DictConfig) -> None:
    """Hydra task of `tg-bench score`."""
    from hydra.core.hydra_config import HydraConfig

    from tg_bench.data.zoo import ZooSpec, zoo_files
    from tg_bench.paths import data_root

    estimators = estimator_names(cfg.get("baseline"))
    dataset = dataset_spec(cfg)
    models = model_specs(cfg)
    spec = ZooSpec.from_config(cfg.zoo)
    settings = ExtractSettings(
        device=str(cfg.extract.device),
        batch_size=int(cfg.extract.batch_size),
        max_length=int(cfg.extract.max_length),
        cache_dir=Path(cfg.extract.cache_dir) if cfg.extract.get("cache_dir") else None,
    )
    records = score_models(
        models,
        dataset,
        estimators,
        zoo_folder=spec.folder,
        settings=settings,
        seed=int(cfg.seed),
        progress=bool(cfg.progress),
    )
    output = write_score_records(Path(HydraConfig.get().runtime.output_dir) / SCORES_FILE, records)
    print_table(
        score_table(records),
        f"{dataset.name}: scores (rows sorted by {records[0].metric}; higher is better)",
        index_name="model",
    )
    print(f"{len(records)} score rows -> {output}")
    if cfg.get("update_zoo"):
        target = zoo_files(spec, data_root(cfg.paths.get("data_root")))["scores"]
        removed, written = merge_score_records(target, records)
        print(f"merged into {target}: {written} rows written, {removed} replaced")
