"""`tg-bench score`: transferability scores of models on a target dataset, from their extracted outputs.

Reads the models, the dataset and the estimators from the config, runs `tg_bench.transferability.pipeline`,
and writes one row per (model, estimator) in the published `transferability_score_records.csv` layout into the
run folder (and, with `update_zoo=true`, into the zoo's own score file).
"""

from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from tg_bench.build import config_seed, estimators_of
from tg_bench.catalog import target_hub_entries
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


def _spec(name: str, fields: dict, cap: object, seed: int) -> DatasetSpec:
    hint = ": select a target (target=glue_sst2) or give it (dataset.path=..., dataset.input_columns=[...])"
    return DatasetSpec.from_fields(name, fields, max_samples=None if cap is None else int(cap), seed=seed, hint=hint)


def dataset_spec(cfg: DictConfig) -> DatasetSpec:
    """The one dataset of `dataset.*` (a selected target's hub entry, or the user's own)."""
    data = OmegaConf.to_container(cfg.dataset, resolve=True)
    if data.get("name") in (None, ""):
        raise UserInputError("dataset.name is not set: select a target (target=glue_sst2) or give dataset.name=...")
    return _spec(str(data["name"]), data, data.get("max_samples"), config_seed(cfg))


def target_specs(cfg: DictConfig) -> list[DatasetSpec]:
    """The datasets to score on: `dataset.*`, or with `targets` (`all` or a list of the zoo's dataset names)
    each target in turn, read from `<dataset_root>/<name, / as _>` when `dataset_root` is set, else from its hub
    entry (`tg_bench/conf/target/*.yaml`); fields a target lacks come from `dataset.*`."""
    targets = cfg.get("targets")
    if targets is None:
        return [dataset_spec(cfg)]
    from tg_bench.data.zoo import ZooSpec

    spec = ZooSpec.from_config(cfg.zoo)
    names = list(spec.targets) if targets == "all" else [targets] if isinstance(targets, str) else list(targets)
    unknown = sorted(set(map(str, names)) - set(spec.targets))
    if unknown:
        raise UserInputError(
            f"targets: {', '.join(unknown)} not among zoo '{spec.name}''s targets ({', '.join(spec.targets)}) or `all`"
        )
    root = Path(cfg.dataset_root) if cfg.get("dataset_root") else None
    if root is not None and not root.is_dir():
        raise UserInputError("dataset_root is not a folder", path=root)
    hub = target_hub_entries(spec.name)
    defaults = OmegaConf.to_container(cfg.dataset, resolve=True)
    specs = []
    for name in map(str, names):
        fields = {**defaults, **hub.get(name, {})}
        if root is not None:
            fields["path"] = str(root / name.replace("/", "_"))
        specs.append(_spec(name, fields, defaults.get("max_samples"), config_seed(cfg)))
    return specs


def score_task(cfg: DictConfig) -> None:
    """Hydra task of `tg-bench score`."""
    from hydra.core.hydra_config import HydraConfig

    from tg_bench.data.zoo import ZooSpec, overlay_scores_file
    from tg_bench.store.units import ResultStore

    estimators = estimators_of(cfg.get("baseline"))
    datasets = target_specs(cfg)
    models = model_specs(cfg)
    spec = ZooSpec.from_config(cfg.zoo)
    settings = ExtractSettings.from_config(cfg.extract)
    store_dir = cfg.paths.get("score_store_dir")
    store = ResultStore(store_dir) if store_dir else None
    records, reused, unloadable = [], 0, {}
    for dataset in datasets:
        # a model that failed to load on one target is not tried again on the next (the failure is the model's)
        remaining = [model for model in models if model.name not in unloadable]
        if not remaining:
            break
        scored = score_models(
            remaining,
            dataset,
            estimators,
            zoo_folder=spec.folder,
            settings=settings,
            seed=config_seed(cfg),
            progress=bool(cfg.progress),
            store=store,
            zoo=spec.name,
            rerun=bool(cfg.get("rerun")),
        )
        records += scored.records
        reused += scored.reused
        unloadable |= scored.unloadable
        if len(datasets) == 1:
            print_table(
                score_table(scored.records),
                f"{dataset.name}: scores (rows sorted by {scored.records[0].metric}; higher is better)",
                index_name="model",
            )
        else:
            failed = f", {len(scored.unloadable)} model(s) not loaded" if scored.unloadable else ""
            print(f"{dataset.name}: {len(scored.records)} scores{failed}")
    output = write_score_records(Path(HydraConfig.get().runtime.output_dir) / SCORES_FILE, records)
    print(f"{len(records)} score rows -> {output}")
    if store is not None:
        print(
            f"score store {store.root}: {reused} of {len(records)} scores were finished earlier and are read back, "
            "not recomputed (rerun=true recomputes)"
        )
    if unloadable:
        print(f"{len(unloadable)} of {len(models)} model(s) could not be loaded and were skipped:")
        for name, why in unloadable.items():
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
    from tg_bench.commands.hydra_app import launch

    launch("score", score_task, config_name="score")
