"""`tg-bench score`: transferability scores of models on a target dataset, from their extracted outputs.

Reads the models, the dataset and the estimators from the config, runs `tg_bench.transferability.pipeline`,
and writes one row per (model, estimator) in the published `transferability_score_records.csv` layout into the
run folder (and, with `update_zoo=true`, into the zoo's own score file).
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig

from tg_bench.build import config_int, estimators_of
from tg_bench.errors import UserInputError
from tg_bench.evaluate.summary import print_table
from tg_bench.extract import DatasetSpec, ModelSpec
from tg_bench.transferability.pipeline import ExtractSettings, score_models, score_table
from tg_bench.transferability.score_records import merge_score_records, write_score_records

SCORES_FILE = "transferability_score_records.csv"


def model_specs(cfg: DictConfig) -> list[ModelSpec]:
    """The models to score: `models` (hub ids or folders), else every model of the zoo's model config."""
    names = cfg.get("models")
    if names is None:
        from tg_bench.data.zoo import ZooSpec, load_zoo

        zoo = load_zoo(ZooSpec.from_config(cfg.zoo), cfg.paths.get("data_root"), cfg.paths.get("overlay_dir"))
        names = list(zoo.models["model"].dropna().astype(str))
    elif isinstance(names, str):
        names = [names]
    if not names:
        raise UserInputError("models: empty list; give hub ids or local model folders, or null for the whole zoo")
    root = Path(cfg.model_root) if cfg.get("model_root") else None
    if root is not None and not root.is_dir():
        raise UserInputError("model_root is not a folder", path=root)
    library, pooling = str(cfg.get("library", "auto")), str(cfg.extract.pooling)
    return [ModelSpec.local_or_named(name, root, library, pooling) for name in map(str, names)]


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
        seed=config_int(cfg, "seed"),
    )


def score_task(cfg: DictConfig) -> None:
    """Hydra task of `tg-bench score`."""
    from hydra.core.hydra_config import HydraConfig

    from tg_bench.data.zoo import ZooSpec, overlay_scores_file

    estimators = estimators_of(cfg.get("baseline"))
    dataset = dataset_spec(cfg)
    models = model_specs(cfg)
    spec = ZooSpec.from_config(cfg.zoo)
    settings = ExtractSettings.from_config(cfg.extract)
    scored = score_models(
        models,
        dataset,
        estimators,
        zoo_folder=spec.folder,
        settings=settings,
        seed=config_int(cfg, "seed"),
        progress=bool(cfg.progress),
    )
    records = scored.records
    output = write_score_records(Path(HydraConfig.get().runtime.output_dir) / SCORES_FILE, records)
    print_table(
        score_table(records),
        f"{dataset.name}: scores (rows sorted by {records[0].metric}; higher is better)",
        index_name="model",
    )
    print(f"{len(records)} score rows -> {output}")
    if scored.unloadable:
        print(f"{len(scored.unloadable)} of {len(models)} model(s) could not be loaded and were skipped:")
        for name, why in scored.unloadable.items():
            print(f"  {name}: {why}")
    if cfg.get("update_zoo"):
        if not cfg.paths.get("overlay_dir"):
            raise UserInputError("update_zoo=true needs paths.overlay_dir (where added scores are kept)")
        target = overlay_scores_file(spec, cfg.paths.overlay_dir)
        if target.is_file():
            removed, written = merge_score_records(target, records)
        else:
            write_score_records(target, records)
            removed, written = 0, len(records)
        print(f"merged into the zoo's overlay {target}: {written} rows written, {removed} replaced")


def main() -> None:
    """`tg-bench score`."""
    from tg_bench.hydra_app import launch

    launch("score", score_task, config_name="score")
